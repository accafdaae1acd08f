package api

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// Reliability test 3: 100 clients each miss 50 injects while disconnected,
// reconnect with their last sequence number, and receive exactly the missed
// injects — none lost, none repeated, in strictly increasing order.
func TestReconnectCatchUpHundredClients(t *testing.T) {
	const clients, missed = 100, 50
	e := newEnv(t, withMessageBudget(missed+10, 60)) // the facilitator injects 50 at once
	fac := e.login()
	id, code := e.createExercise(fac)
	origin := map[string]string{"Origin": e.ts.URL}
	if r := e.do(fac, "POST", "/api/exercises/"+id+"/start", nil, origin); r.status != 200 {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	teams := []string{"comms", "soc"}
	tokens := make([]string, clients)
	for i := range tokens {
		tokens[i] = e.joinAs(code, fmt.Sprintf("p%03d", i), teams[i%2])
	}

	// Connect everyone, note where each stood, disconnect.
	last := make([]int64, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			w, _, err := e.dial(nil, tokens[i], id, 0, nil)
			if err != nil {
				t.Errorf("client %d: dial: %v", i, err)
				return
			}
			live := w.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
			last[i] = live.num("last_seq")
			w.conn.Close()
			<-w.done
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	// 50 injects for every team while nobody is connected.
	want := make([]string, missed)
	for n := range missed {
		want[n] = fmt.Sprintf("missed-%02d", n+1)
		body := map[string]any{"inject": map[string]any{"id": want[n], "channel": "sitrep", "body": fmt.Sprintf("update %d", n+1)}}
		if r := e.do(fac, "POST", "/api/exercises/"+id+"/inject", body, origin); r.status != 200 {
			t.Fatalf("inject %d: %d %s", n+1, r.status, r.body)
		}
	}

	for i := range clients {
		wg.Go(func() {
			w, _, err := e.dial(nil, tokens[i], id, last[i], nil)
			if err != nil {
				t.Errorf("client %d: redial: %v", i, err)
				return
			}
			w.waitFor("the last missed inject", isInject(want[missed-1]))
			var got []string
			prev := last[i]
			for _, f := range w.all() {
				if f.str("type") != "event" {
					continue
				}
				s := f.num("seq")
				if s <= prev {
					t.Errorf("client %d: seq %d after %d (duplicate or out of order; resumed after %d)", i, s, prev, last[i])
				}
				prev = s
				if f.str("kind") == "inject_delivered" {
					got = append(got, f.payload().str("inject"))
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("client %d: after reconnecting got injects %v, want exactly the %d missed", i, got, missed)
			}
		})
	}
	wg.Wait()
}
