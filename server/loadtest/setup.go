package loadtest

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"
)

// What every ttx workload does before and after it measures: create the
// exercises (and end them after, so a run leaves nothing running on the
// server), join participants to them, keep the first problems it met.

// maxErrors is how many problems a result lists.
const maxErrors = 20

// errorList returns a function that appends a problem to *into, keeping
// the first maxErrors; it may be called from several goroutines.
func errorList(into *[]string) func(format string, args ...any) {
	var mu sync.Mutex
	return func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(*into) < maxErrors {
			*into = append(*into, fmt.Sprintf(format, args...))
		}
	}
}

// createExercises creates n exercises of a library scenario titled
// "<title> 1" … "<title> n", each then set up by setup (nil: none). It
// returns those it made even with an error, so that the caller can end
// them: `exs, err := …; defer fac.endAll(exs)`.
func (f *facilitator) createExercises(ctx context.Context, scenarioID, title string, n int, setup func(exerciseInfo) error) ([]exerciseInfo, error) {
	exs := make([]exerciseInfo, 0, n)
	for e := range n {
		node := f.base
		if len(f.createVia) > 0 {
			node = f.createVia[e%len(f.createVia)]
		}
		ex, err := f.createExerciseVia(ctx, f.member(e), node, scenarioID, fmt.Sprintf("%s %d", title, e+1))
		if err != nil {
			return exs, err
		}
		exs = append(exs, ex)
		if setup != nil {
			if err := setup(ex); err != nil {
				return exs, err
			}
		}
	}
	return exs, nil
}

// endAll ends the exercises, within a minute whatever became of the run's
// own context.
func (f *facilitator) endAll(exs []exerciseInfo) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, ex := range exs {
		_ = f.command(ctx, ex.ID, "end", map[string]string{"reason": "load test over"})
	}
}

// seat says where participant p (0-based) joins: the index of its exercise,
// the index of its team in that exercise's teams, and its name.
type seat func(p int) (exercise, team int, name string)

// joinSeats joins n participants where seat puts them, participant p
// through node p mod len(nodes) (the client keeps that node for its
// socket), at most conc at a time; the first failure stops it.
func joinSeats(ctx context.Context, nodes []*url.URL, exs []exerciseInfo, n, conc int, seat seat) ([]*client, error) {
	for _, ex := range exs {
		if len(ex.Teams) == 0 {
			return nil, fmt.Errorf("loadtest: exercise %s has no teams", ex.ID)
		}
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("loadtest: no node to join through")
	}
	hc := newHTTPClient(nil)
	clients := make([]*client, n)
	errc := make(chan error, 1)
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for p := range n {
		e, t, name := seat(p)
		ex := exs[e]
		select {
		case sem <- struct{}{}:
		case err := <-errc:
			wg.Wait()
			return nil, err
		case <-ctx.Done():
			wg.Wait()
			return nil, ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			node := p % len(nodes)
			j, err := join(ctx, hc, nodes[node], ex.Code, name, ex.Teams[t])
			if err != nil {
				select {
				case errc <- fmt.Errorf("loadtest: join participant %d: %w", p+1, err):
				default:
				}
				return
			}
			clients[p] = &client{exercise: e, node: node, team: j.Team, token: j.Token}
		}()
	}
	wg.Wait()
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	return clients, nil
}

// joinTeams joins perTeam participants to the first team of every
// exercise, at most conc at a time.
func joinTeams(ctx context.Context, nodes []*url.URL, exs []exerciseInfo, perTeam, conc int) ([]*client, error) {
	return joinSeats(ctx, nodes, exs, len(exs)*perTeam, conc, func(p int) (int, int, string) {
		return p / perTeam, 0, fmt.Sprintf("Member %d", p%perTeam+1)
	})
}

// joinAll joins n participants spread round-robin over the exercises and,
// within each, over its teams, conc joins at a time.
func joinAll(ctx context.Context, nodes []*url.URL, exs []exerciseInfo, n, conc int) ([]*client, error) {
	return joinSeats(ctx, nodes, exs, n, conc, func(p int) (int, int, string) {
		e := p % len(exs)
		return e, (p / len(exs)) % len(exs[e].Teams), fmt.Sprintf("Participant %d", p+1)
	})
}
