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
// far as the tool can tell): the exercises are made through the first (or
// round-robin over all, with SpreadExercises), participants join and
// connect round-robin over all three, and every inject still reaches every
// participant of its teams.
func TestTickingSpreadsOverNodes(t *testing.T) {
	const exercises, per = 2, 5 // 10 participants: 4, 3 and 3 per node
	for _, tc := range []struct {
		name    string
		spread  bool
		creates [3]int
	}{
		{"exercises through the first", false, [3]int{2, 0, 0}},
		{"exercises spread", true, [3]int{1, 1, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
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
			ep := Endpoint{URL: urls[0], Nodes: urls[1:], SpreadExercises: tc.spread}
			res, err := RunTicking(ctx, ep, cred, TickingConfig{Exercises: exercises, PerExercise: per, Speed: 10, Window: 6500 * time.Millisecond}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Expected == 0 || res.Delivered != res.Expected || res.DialFailed != 0 || len(res.Errors) != 0 {
				t.Errorf("delivered %d of %d, dial failed %d: %s", res.Delivered, res.Expected, res.DialFailed, strings.Join(res.Errors, "; "))
			}
			for i, joins := range []int{4, 3, 3} {
				c := counters[i]
				c.mu.Lock()
				if c.creates != tc.creates[i] || c.joins != joins || c.socket != joins {
					t.Errorf("node %d: %d exercises made, %d joins, %d sockets; want %d, %d, %d",
						i, c.creates, c.joins, c.socket, tc.creates[i], joins, joins)
				}
				c.mu.Unlock()
			}
		})
	}
}
