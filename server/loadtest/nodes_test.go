package loadtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// nodeCounter counts the requests one listener saw, by kind.
type nodeCounter struct {
	mu                     sync.Mutex
	creates, joins, socket int
}

func (n *nodeCounter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.mu.Lock()
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/api/exercises":
			n.creates++
		case r.Method == http.MethodPost && r.URL.Path == "/api/join":
			n.joins++
		case r.URL.Path == "/api/ws":
			n.socket++
		}
		n.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// TestTickingSpreadsOverNodes runs the ticking workload against three
// loopback listeners of one real ttx stack (three doors of one cluster, as
// far as the tool can tell): the exercises are made through the first,
// participants join and connect round-robin over all three, and every
// inject still reaches every participant of its teams.
func TestTickingSpreadsOverNodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	h, cred := ttxHandler(t)
	counters := make([]*nodeCounter, 3)
	var urls []string
	for i := range counters {
		counters[i] = &nodeCounter{}
		ts := httptest.NewServer(counters[i].wrap(h))
		t.Cleanup(ts.Close)
		urls = append(urls, ts.URL)
	}
	ep := Endpoint{URL: urls[0], Nodes: urls[1:]}
	const exercises, per = 2, 5 // 10 participants: 4, 3 and 3 per node
	res, err := RunTicking(ctx, ep, cred, TickingConfig{Exercises: exercises, PerExercise: per, Speed: 10, Window: 6500 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Expected == 0 || res.Delivered != res.Expected || res.DialFailed != 0 || len(res.Errors) != 0 {
		t.Errorf("delivered %d of %d, dial failed %d: %s", res.Delivered, res.Expected, res.DialFailed, strings.Join(res.Errors, "; "))
	}
	for i, want := range []struct{ creates, joins int }{{exercises, 4}, {0, 3}, {0, 3}} {
		c := counters[i]
		c.mu.Lock()
		if c.creates != want.creates || c.joins != want.joins || c.socket != want.joins {
			t.Errorf("node %d: %d exercises made, %d joins, %d sockets; want %d, %d, %d",
				i, c.creates, c.joins, c.socket, want.creates, want.joins, want.joins)
		}
		c.mu.Unlock()
	}
}
