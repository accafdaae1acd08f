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
	mu                            sync.Mutex
	creates, joins, socket, notes int
	// commandsBy maps an exercise to the session cookies its commands
	// (start, speed, notes) came with.
	commandsBy map[string]map[string]bool
}

// sessions are the distinct session cookies of the commands of every
// exercise seen by any of the counters.
func sessions(counters []*nodeCounter) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, c := range counters {
		c.mu.Lock()
		for ex, cookies := range c.commandsBy {
			if out[ex] == nil {
				out[ex] = map[string]bool{}
			}
			for k := range cookies {
				out[ex][k] = true
			}
		}
		c.mu.Unlock()
	}
	return out
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
		if parts := strings.Split(r.URL.Path, "/"); r.Method == http.MethodPost && len(parts) == 5 && parts[2] == "exercises" {
			// /api/exercises/ID/COMMAND
			if parts[4] == "notes" {
				n.notes++
			}
			if n.commandsBy == nil {
				n.commandsBy = map[string]map[string]bool{}
			}
			if n.commandsBy[parts[3]] == nil {
				n.commandsBy[parts[3]] = map[string]bool{}
			}
			n.commandsBy[parts[3]][r.Header.Get("Cookie")] = true
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
// participant of its teams. With several accounts, each exercise is
// commanded by one of them, in turn; with SpreadExercises, notes probe the
// cost of a command sent to a node other than the exercise's.
func TestTickingSpreadsOverNodes(t *testing.T) {
	const exercises, per = 2, 5 // 10 participants: 4, 3 and 3 per node
	for _, tc := range []struct {
		name     string
		spread   bool
		accounts []string // further accounts
		creates  [3]int
	}{
		{"exercises through the first", false, nil, [3]int{2, 0, 0}},
		{"exercises spread", true, nil, [3]int{1, 1, 0}},
		{"two accounts, exercises spread", true, []string{"loadtest-2"}, [3]int{1, 1, 0}},
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
			cred.Others = tc.accounts
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
			// Each exercise is commanded by one session; the exercises
			// by as many as there are accounts.
			all := map[string]bool{}
			for ex, cookies := range sessions(counters) {
				if len(cookies) != 1 {
					t.Errorf("exercise %s commanded by %d sessions, want 1", ex, len(cookies))
				}
				for k := range cookies {
					all[k] = true
				}
			}
			if want := 1 + len(tc.accounts); len(all) != want {
				t.Errorf("commands came from %d sessions, want %d", len(all), want)
			}
			notes := 0
			for _, c := range counters {
				notes += c.notes
			}
			fp := res.Forwarding
			switch {
			case !tc.spread && (fp != nil || notes != 0):
				t.Errorf("probed forwarding without knowing the owners: %+v, %d notes", fp, notes)
			case tc.spread && (fp == nil || fp.AtOwner.N == 0 || fp.Forwarded.N != fp.AtOwner.N || fp.Errors != 0 || notes < 2*fp.AtOwner.N || notes > 2*fp.AtOwner.N+2):
				t.Errorf("forwarding probe %+v after %d notes; want pairs of notes (the last maybe cut by the window's end), no errors", fp, notes)
			}
		})
	}
}
