package loadtest

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// ForwardProbe is the cost of a command passed on to the node that drives
// its exercise, measured while the workload runs: the same facilitator
// note sent to the owner and, right after, to another node, which
// forwards it (the order swapped every other pair). Each figure is the whole request as the facilitator's
// browser sees it (commit at the owner included).
type ForwardProbe struct {
	AtOwner   Dist `json:"at_owner"`
	Forwarded Dist `json:"forwarded"`
	Errors    int  `json:"errors"`
}

// probeEvery is the time between two probe pairs: about 7 commands a
// second, under one account's message budget (10 a second).
const probeEvery = 300 * time.Millisecond

// probeForwarding sends probe pairs, one exercise after another, until ctx
// ends. It needs the node each exercise was created through (its owner)
// and another node; without them it returns nil.
func probeForwarding(ctx context.Context, f *facilitator, nodes []*url.URL, exs []exerciseInfo) *ForwardProbe {
	if len(nodes) < 2 || len(exs) == 0 {
		return nil
	}
	var own, fwd []time.Duration
	p := &ForwardProbe{}
	tick := time.NewTicker(probeEvery)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			p.AtOwner, p.Forwarded = distOf(own), distOf(fwd)
			return p
		case <-tick.C:
		}
		ex := exs[i%len(exs)]
		f.mu.Lock()
		owner, ok := f.owner[ex.ID]
		f.mu.Unlock()
		if !ok {
			continue
		}
		other := nodes[0]
		for _, n := range nodes {
			if n.String() != owner.String() {
				other = n
				break
			}
		}
		var took [2]time.Duration // at the owner, forwarded
		ok = true
		// Every other pair goes forwarded first, so that neither figure
		// pays for coming first (a colder path, a timer due).
		order := []int{0, 1}
		if i%2 == 1 {
			order = []int{1, 0}
		}
		for _, k := range order {
			node := []*url.URL{owner, other}[k]
			t0 := time.Now()
			err := call(ctx, f.sessionFor(ex.ID), http.MethodPost, node.JoinPath("/api/exercises", ex.ID, "notes").String(), nil,
				map[string]string{"text": "load test probe"}, nil)
			if err != nil {
				if ctx.Err() == nil {
					p.Errors++
				}
				ok = false
				break
			}
			took[k] = time.Since(t0)
		}
		if ok { // pairs only, so that both figures come from the same moments
			own, fwd = append(own, took[0]), append(fwd, took[1])
		}
	}
}
