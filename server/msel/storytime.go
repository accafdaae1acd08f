package msel

import (
	"time"

	"github.com/ttxsim/ttx/server/scenario"
)

// StoryUnknown is the story time the MSEL writes for a module entered at
// a time that depends on the teams' decisions (a 'when' exit, several
// ways in at different times, a loop), so no single story time holds.
const StoryUnknown = "depends on the path"

// StoryEntries gives, for each state the scenario fixes it for, the story
// time on entering it (after its story_jump or story_at), as the engine
// moves the story clock when the exercise runs as scripted:
//
//   - the start state: story_start;
//   - a state entered only by timed exits ('after' without 'when') from
//     states whose entry is fixed, all arriving at the same story time:
//     that time (a timed exit counts from entering its state);
//   - a state with a story_at naming a time ("D+1 08:30" or a date): that
//     time, for ways in of unknown time too (taken to arrive before it),
//     unless a known way in arrives after it. A "next 08:30" needs the
//     story time on arriving.
//
// States on a loop, reached by a 'when' exit or by exits arriving at
// different times have none: their story time depends on the path. The
// facilitator's extra time and forced moves shift every time after them.
// The result is nil when the scenario has no story_start.
func StoryEntries(sc *scenario.Scenario) map[string]time.Time {
	start := sc.StoryStart
	if start.IsZero() {
		return nil
	}
	type edge struct {
		from  string
		after time.Duration // 0: not a timed exit
	}
	in := map[string][]edge{}
	for _, st := range sc.States {
		for _, t := range st.Transitions {
			e := edge{from: st.ID}
			if t.When == nil {
				e.after = t.After
			}
			in[t.To] = append(in[t.To], e)
		}
	}
	loops := onLoops(sc)
	// enter moves the story clock on entering st at story time now.
	enter := func(st *scenario.State, now time.Time) time.Time {
		if st.StoryAt == nil {
			return now.Add(st.StoryJump)
		}
		if t := st.StoryAt.Target(start, now); t.After(now) {
			return t
		}
		return now
	}
	type result struct {
		at    time.Time
		known bool
	}
	memo := map[string]result{}
	// entry recurses over the ways in; states on a loop end it, so it
	// walks a graph without cycles.
	var entry func(id string) (time.Time, bool)
	entry = func(id string) (time.Time, bool) {
		if r, ok := memo[id]; ok {
			return r.at, r.known
		}
		st := sc.State(id)
		if st == nil || loops[id] {
			return time.Time{}, false // entered again and again, at different times
		}
		var times []time.Time // story time on arriving, by each way in
		open := false         // a way in whose time is not known
		if id == sc.Start {
			times = append(times, start)
		}
		for _, e := range in[id] {
			at, ok := entry(e.from)
			if !ok || e.after == 0 {
				open = true
				continue
			}
			times = append(times, at.Add(e.after))
		}
		if open && st.StoryAt != nil && !st.StoryAt.Relative() {
			// The clock moves to the named time; a way in of unknown time
			// is taken to arrive before it.
			times, open = append(times, start), false
		}
		var r result
		if !open && len(times) > 0 {
			r = result{enter(st, times[0]), true}
			for _, now := range times[1:] {
				if !enter(st, now).Equal(r.at) {
					r = result{}
				}
			}
		}
		memo[id] = r
		return r.at, r.known
	}
	out := map[string]time.Time{}
	for _, st := range sc.States {
		if at, ok := entry(st.ID); ok {
			out[st.ID] = at
		}
	}
	return out
}

// onLoops marks the states from which the exercise can come back to them.
func onLoops(sc *scenario.Scenario) map[string]bool {
	next := map[string][]string{}
	for _, st := range sc.States {
		for _, t := range st.Transitions {
			next[st.ID] = append(next[st.ID], t.To)
		}
	}
	out := map[string]bool{}
	for _, st := range sc.States {
		seen := map[string]bool{}
		stack := append([]string(nil), next[st.ID]...)
		for len(stack) > 0 {
			id := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if id == st.ID {
				out[st.ID] = true
				break
			}
			if !seen[id] {
				seen[id] = true
				stack = append(stack, next[id]...)
			}
		}
	}
	return out
}
