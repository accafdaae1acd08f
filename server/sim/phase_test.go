package sim

import (
	"testing"
	"time"
)

// TestPhaseEndFollowsAnswer: the answer a team has given when its phase
// ends is the answer the branch is taken on (issue 16, item 1). Leaving a
// state settles its open decisions first and then chooses the transition;
// an extension past the state's timed exit holds that exit until the
// extended decision closes.
func TestPhaseEndFollowsAnswer(t *testing.T) {
	min := func(m float64) time.Duration { return time.Duration(m * float64(time.Minute)) }
	answer := func(at float64, opt string) func(*Machine) ([]Event, error) {
		return func(m *Machine) ([]Event, error) {
			return m.Answer(min(at), Answer{Decision: "source_hunt", Team: "soc", Participant: "p1", Option: opt})
		}
	}
	extend := func(at, by float64) func(*Machine) ([]Event, error) {
		return func(m *Machine) ([]Event, error) { return m.ExtendDecision(min(at), "source_hunt", min(by)) }
	}
	closeNow := func(at float64) func(*Machine) ([]Event, error) {
		return func(m *Machine) ([]Event, error) { return m.CloseDecision(min(at), "source_hunt") }
	}
	escalate := func(at float64) func(*Machine) ([]Event, error) {
		return func(m *Machine) ([]Event, error) {
			return m.Answer(min(at), Answer{Decision: "escalate", Team: "facilitator", Participant: "f", Option: "now"})
		}
	}
	force := func(at float64, to string) func(*Machine) ([]Event, error) {
		return func(m *Machine) ([]Event, error) { return m.Force(min(at), to) }
	}
	cases := []struct {
		name    string
		inputs  []func(*Machine) ([]Event, error)
		outcome string
		endAt   time.Duration
		// settled: how source_hunt closed, and on which option.
		closeReason, option string
		late                bool // the 11m inject was delivered (the phase was held)
	}{
		{name: "answered in time", inputs: nil, outcome: "lost", endAt: min(10), closeReason: CloseTimeLimit, option: "reset_passwords"},
		{name: "answered inspect", inputs: []func(*Machine) ([]Event, error){answer(3, "inspect_client")},
			outcome: "found", endAt: min(10), closeReason: CloseTimeLimit, option: "inspect_client"},
		{name: "the issue: extended +2m, revised after the phase's exit",
			inputs:  []func(*Machine) ([]Event, error){answer(3, "reset_passwords"), extend(9, 2), answer(11, "inspect_client")},
			outcome: "found", endAt: min(12), closeReason: CloseTimeLimit, option: "inspect_client", late: true},
		{name: "extended, answer kept", inputs: []func(*Machine) ([]Event, error){answer(3, "inspect_client"), extend(9, 2)},
			outcome: "found", endAt: min(12), closeReason: CloseTimeLimit, option: "inspect_client", late: true},
		{name: "extended, closed early by the facilitator",
			inputs:  []func(*Machine) ([]Event, error){extend(4, 5), answer(10.5, "inspect_client"), closeNow(10.75)},
			outcome: "found", endAt: min(10.75), closeReason: CloseFacilitator, option: "inspect_client"},
		{name: "another rule ends the phase: the open answer counts",
			inputs:  []func(*Machine) ([]Event, error){answer(3, "inspect_client"), escalate(4)},
			outcome: "escalated_found", endAt: min(4), closeReason: CloseStateLeft, option: "inspect_client"},
		{name: "another rule ends the phase, nothing answered: the default counts",
			inputs:  []func(*Machine) ([]Event, error){escalate(4)},
			outcome: "escalated_lost", endAt: min(4), closeReason: CloseStateLeft, option: "reset_passwords"},
		// Settling releases the held timed exit, which comes first in file
		// order: the phase leaves as it would have at 10m with this answer.
		{name: "extended, then another rule ends the phase",
			inputs:  []func(*Machine) ([]Event, error){extend(3, 5), answer(10.5, "inspect_client"), escalate(11.5)},
			outcome: "found", endAt: min(11.5), closeReason: CloseStateLeft, option: "inspect_client", late: true},
		{name: "forced: the answer settles before the move",
			inputs:  []func(*Machine) ([]Event, error){answer(3, "inspect_client"), force(5, "wrong_trail")},
			outcome: "lost", endAt: min(5), closeReason: CloseStateLeft, option: "inspect_client"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newMachine(t, "phase.yaml", nil)
			all := m.Start(0)
			for i, in := range c.inputs {
				evs, err := in(m)
				if err != nil {
					t.Fatalf("input %d: %v", i, err)
				}
				all = append(all, evs...)
			}
			all = append(all, m.Advance(time.Hour)...)
			if !m.Done() || m.outcome != c.outcome {
				t.Fatalf("outcome %q (done %v), want %q; events:\n%v", m.outcome, m.Done(), c.outcome, briefs(all))
			}
			cl := find(t, all, KindDecisionClosed, "source_hunt")
			if cl.CloseReason != c.closeReason || cl.Option != c.option {
				t.Errorf("source_hunt closed (%s) on %q, want (%s) on %q", cl.CloseReason, cl.Option, c.closeReason, c.option)
			}
			tr := find(t, all, KindTransitionTaken, "")
			if tr.At != c.endAt {
				t.Errorf("left the phase at %s, want %s", FormatClock(tr.At), FormatClock(c.endAt))
			}
			// The decision settles before the transition is taken.
			ci, ti := -1, -1
			for i, e := range all {
				if e.Kind == KindDecisionClosed && e.Decision == "source_hunt" {
					ci = i
				}
				if e.Kind == KindTransitionTaken && ti < 0 {
					ti = i
				}
			}
			if ci > ti {
				t.Errorf("decision closed after the transition:\n%v", briefs(all))
			}
			late := false
			for _, e := range all {
				late = late || (e.Kind == KindInjectDelivered && e.Inject == "late_news")
			}
			if late != c.late {
				t.Errorf("late inject delivered %v, want %v (the phase is held only by an extension past its exit)", late, c.late)
			}
		})
	}
}

// TestSnapshotExit: the snapshot tells when the state's timed exit falls
// due and which decision holds it, for the console's warning.
func TestSnapshotExit(t *testing.T) {
	m := newMachine(t, "phase.yaml", nil)
	m.Start(0)
	m.Advance(3 * time.Minute)
	s := m.Snapshot()
	if s.ExitAt != 10*time.Minute {
		t.Errorf("exit_at = %v, want 10m", s.ExitAt)
	}
	if d := openDecisions(s)["source_hunt"]; d.HoldsExit {
		t.Errorf("source_hunt holds the exit before any extension")
	}
	mustOK(m.ExtendDecision(4*time.Minute, "source_hunt", 2*time.Minute))
	m.Advance(11 * time.Minute)
	s = m.Snapshot()
	if s.State != "hunt" || s.ExitAt != 10*time.Minute {
		t.Errorf("state %s exit_at %v, want hunt, 10m (held)", s.State, s.ExitAt)
	}
	if d := openDecisions(s)["source_hunt"]; !d.HoldsExit || d.ClosesAt != 12*time.Minute {
		t.Errorf("source_hunt = %+v, want holds_exit, closes 12m", d)
	}
}

// TestTransitionReason: every transition_taken tells which transition of
// its state it was, its `when` and `after`, and the values that made the
// `when` true; a forced move says it was forced and names no transition
// (issue 16, item 5).
func TestTransitionReason(t *testing.T) {
	ans := func(d, team, opt string) Answer {
		return Answer{Decision: d, Team: team, Participant: "p", Option: opt}
	}
	cases := []struct {
		name   string
		input  func(m *Machine) ([]Event, error)
		want   string // the transition_taken's reason fields as JSON
		reason string
	}{
		{name: "when and after", input: func(m *Machine) ([]Event, error) {
			return m.Answer(3*time.Minute, ans("source_hunt", "soc", "inspect_client"))
		}, reason: "when: entry_known, after 10m",
			want: `{"transition":1,"when":"entry_known","after":600000000000,"values":[{"name":"entry_known","value":true}]}`},
		{name: "after only", input: func(*Machine) ([]Event, error) { return nil, nil }, reason: "after 10m",
			want: `{"transition":2,"after":600000000000}`},
		{name: "when with calls", input: func(m *Machine) ([]Event, error) {
			if _, err := m.Answer(3*time.Minute, ans("source_hunt", "soc", "inspect_client")); err != nil {
				return nil, err
			}
			return m.Answer(4*time.Minute, ans("escalate", "facilitator", "now"))
		}, reason: `when: chose("escalate", "now") && entry_known`,
			want: `{"transition":3,"when":"chose(\"escalate\", \"now\") \u0026\u0026 entry_known","values":[{"name":"chose(\"escalate\", \"now\")","value":true},{"name":"entry_known","value":true}]}`},
		{name: "forced", input: func(m *Machine) ([]Event, error) {
			return m.Force(5*time.Minute, "source_identified")
		}, reason: "forced", want: `{"forced":true}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newMachine(t, "phase.yaml", nil)
			all := m.Start(0)
			evs, err := c.input(m)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, evs...)
			all = append(all, m.Advance(time.Hour)...)
			tr := find(t, all, KindTransitionTaken, "")
			got := mustJSON(t, struct {
				Transition int           `json:"transition,omitempty"`
				Forced     bool          `json:"forced,omitempty"`
				When       string        `json:"when,omitempty"`
				After      time.Duration `json:"after,omitempty"`
				Values     []NamedValue  `json:"values,omitempty"`
			}{tr.Transition, tr.Forced, tr.When, tr.After, tr.Values})
			if got != c.want || tr.Reason != c.reason {
				t.Errorf("got %s (reason %q)\nwant %s (reason %q)", got, tr.Reason, c.want, c.reason)
			}
		})
	}
}
