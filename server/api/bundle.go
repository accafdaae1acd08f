package api

import (
	"context"
	"fmt"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/eval"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/store"
)

// exerciseBundle is what the report, the evaluation and the exercise's
// documents are made from, each read once: the exercise's record, the exact
// scenario it runs, its live state, its observers and its whole log.
type exerciseBundle struct {
	ex   store.Exercise
	sc   *scenario.Scenario
	snap engine.Snapshot
	obs  []store.Observer
	log  []engine.Event
}

// exerciseWithScenario reads an exercise and the exact scenario it was
// created from. The one error mapping of the bundle: what the engine
// refuses keeps its code (an unknown exercise is 404), a scenario that no
// longer loads is internal.
func (s *Server) exerciseWithScenario(ctx context.Context, id string) (store.Exercise, *scenario.Scenario, *Error) {
	ex, err := s.engine.Get(ctx, id)
	if err != nil {
		return ex, nil, engineError(err)
	}
	sc, err := s.scenarioOf(ctx, ex)
	if err != nil {
		return ex, nil, errInternal(err)
	}
	return ex, sc, nil
}

// exerciseBundle reads exercise id's bundle. log is the exercise's whole log
// when the caller has read it already (the public debrief, which reads it
// to check the link), nil to read it here.
func (s *Server) exerciseBundle(ctx context.Context, id string, log []engine.Event) (exerciseBundle, *Error) {
	var b exerciseBundle
	var e *Error
	if b.ex, b.sc, e = s.exerciseWithScenario(ctx, id); e != nil {
		return b, e
	}
	var err error
	if b.snap, err = s.engine.Snapshot(ctx, id); err != nil {
		return b, engineError(err)
	}
	if b.obs, err = s.access.Observers(ctx, id); err != nil {
		return b, errInternal(fmt.Errorf("api: observers: %w", err))
	}
	if b.log = log; b.log == nil {
		if b.log, err = s.engine.Log(ctx, id); err != nil {
			return b, engineError(err)
		}
	}
	return b, nil
}

// evaluate judges the exercise from its log; participants' and observers'
// names come from the exercise's tables.
func (b exerciseBundle) evaluate() (*eval.Evaluation, error) {
	names := map[string]string{}
	for _, p := range b.snap.Participants {
		names[p.ID] = p.Name
	}
	for _, o := range b.obs {
		names[o.ID] = o.Name
	}
	ev, err := eval.Compute(eval.Input{Scenario: b.sc, Events: b.log, Names: names})
	if err != nil {
		return nil, fmt.Errorf("api: evaluation: %w", err)
	}
	return ev, nil
}
