package sim

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// openDecisions returns the open decisions of a snapshot by id.
func openDecisions(s Snapshot) map[string]DecisionSnapshot {
	out := map[string]DecisionSnapshot{}
	for _, d := range s.Open {
		out[d.ID] = d
	}
	return out
}

func TestExtendDecisionRefusals(t *testing.T) {
	// decisions.yaml, state "ask" entered at 0: vote (soc, 5m), revisable
	// (comms, 5m), lead_only (untimed), expiring (facilitator, 2m); the
	// state is left at 10m.
	cases := []struct {
		name  string
		setup func(m *Machine) // inputs before the extension
		at    time.Duration
		id    string
		by    time.Duration
		want  error
		// closed lists decisions the refused call's own advance closed.
		closed []string
	}{
		{name: "zero", at: time.Minute, id: "vote", by: 0, want: ErrBadExtension},
		{name: "negative", at: time.Minute, id: "vote", by: -time.Second, want: ErrBadExtension},
		{name: "over an hour", at: time.Minute, id: "vote", by: time.Hour + 1, want: ErrBadExtension},
		{name: "unknown decision", at: time.Minute, id: "nope", by: time.Minute, want: ErrUnknownDecision},
		{name: "untimed", at: time.Minute, id: "lead_only", by: time.Minute, want: ErrNotTimed},
		{name: "already expired", at: 3 * time.Minute, id: "expiring", by: time.Minute, want: ErrNotOpen, closed: []string{"expiring"}},
		{name: "at its deadline", at: 5 * time.Minute, id: "vote", by: time.Minute, want: ErrNotOpen, closed: []string{"expiring", "vote", "revisable"}},
		{name: "closed by the facilitator", at: time.Minute, id: "vote", by: time.Minute, want: ErrNotOpen,
			setup: func(m *Machine) { mustOK(m.CloseDecision(30*time.Second, "vote")) }},
		{name: "state left", at: 10*time.Minute + 30*time.Second, id: "revisable", by: time.Minute, want: ErrNotOpen,
			setup: func(m *Machine) { m.Advance(10 * time.Minute) }},
		{name: "total over a day", at: time.Minute, id: "revisable", by: time.Hour, want: ErrBadExtension,
			setup: func(m *Machine) {
				for range 23 { // 5m + 23h: one more hour would pass 24h
					mustOK(m.ExtendDecision(time.Minute, "revisable", time.Hour))
				}
			}},
		{name: "ended", at: time.Minute, id: "vote", by: time.Minute, want: ErrDone,
			setup: func(m *Machine) { m.End(30*time.Second, "stop") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// ref gets the same inputs and only advances to the refused
			// extension's time: the two must end up alike.
			m, ref := newMachine(t, "decisions.yaml", nil), newMachine(t, "decisions.yaml", nil)
			m.Start(0)
			ref.Start(0)
			if c.setup != nil {
				c.setup(m)
				c.setup(ref)
			}
			before, _ := json.Marshal(m.Snapshot())
			refEvs := ref.Advance(c.at)
			evs, err := m.ExtendDecision(c.at, c.id, c.by)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			got, _ := json.Marshal(m.Snapshot())
			want, _ := json.Marshal(ref.Snapshot())
			if c.want == ErrBadExtension || c.want == ErrDone {
				// Refused before the clock moved.
				want, refEvs = before, nil
			}
			if string(got) != string(want) {
				t.Errorf("refused extension changed the machine:\n got %s\nwant %s", got, want)
			}
			if a, b := mustJSON(t, evs), mustJSON(t, refEvs); a != b {
				t.Errorf("refused extension's events differ from a plain advance:\n got %s\nwant %s", a, b)
			}
			var closed []string
			for _, e := range evs {
				if e.Kind == KindDecisionExtended {
					t.Errorf("refused extension emitted %+v", e)
				}
				if e.Kind == KindDecisionClosed {
					closed = append(closed, e.Decision)
				}
			}
			if !slices.Equal(closed, c.closed) {
				t.Errorf("closed by the advance = %v, want %v", closed, c.closed)
			}
		})
	}
	m := newMachine(t, "decisions.yaml", nil)
	if _, err := m.ExtendDecision(0, "vote", time.Minute); !errors.Is(err, ErrNotStarted) {
		t.Errorf("before start: %v", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func repeat[T any](n int, v T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func mustOK(_ []Event, err error) {
	if err != nil {
		panic(err)
	}
}

func TestExtendDecision(t *testing.T) {
	cases := []struct {
		name     string
		exts     []struct{ at, by time.Duration } // applied in order
		id       string
		audience []string
		closesAt time.Duration // after all extensions
		limit    time.Duration
		// closedAt/closeReason: when and why the decision then closes.
		closedAt    time.Duration
		closeReason string
	}{
		{name: "team decision once", id: "revisable", audience: []string{"comms"},
			exts:     []struct{ at, by time.Duration }{{4 * time.Minute, 3 * time.Minute}},
			closesAt: 8 * time.Minute, limit: 8 * time.Minute, closedAt: 8 * time.Minute, closeReason: CloseTimeLimit},
		{name: "twice adds up", id: "vote", audience: []string{"soc"},
			exts:     []struct{ at, by time.Duration }{{time.Minute, time.Minute}, {2 * time.Minute, 90 * time.Second}},
			closesAt: 7*time.Minute + 30*time.Second, limit: 7*time.Minute + 30*time.Second, closedAt: 7*time.Minute + 30*time.Second, closeReason: CloseTimeLimit},
		{name: "facilitator decision is staff only", id: "expiring", audience: nil,
			exts:     []struct{ at, by time.Duration }{{time.Minute, time.Second}},
			closesAt: 2*time.Minute + time.Second, limit: 2*time.Minute + time.Second, closedAt: 2*time.Minute + time.Second, closeReason: CloseTimeLimit},
		{name: "past the state's end", id: "revisable", audience: []string{"comms"},
			exts: []struct{ at, by time.Duration }{{time.Minute, time.Hour}},
			// The extension holds the state's timed exit (10m) until it closes.
			closesAt: time.Hour + 5*time.Minute, limit: time.Hour + 5*time.Minute, closedAt: time.Hour + 5*time.Minute, closeReason: CloseTimeLimit},
		{name: "up to the cap", id: "revisable", audience: []string{"comms"},
			exts:     append(repeat(23, struct{ at, by time.Duration }{time.Minute, time.Hour}), struct{ at, by time.Duration }{time.Minute, 55 * time.Minute}),
			closesAt: MaxTimeLimit, limit: MaxTimeLimit, closedAt: MaxTimeLimit, closeReason: CloseTimeLimit},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newMachine(t, "decisions.yaml", nil)
			m.Start(0)
			var last Event
			for i, x := range c.exts {
				evs, err := m.ExtendDecision(x.at, c.id, x.by)
				if err != nil {
					t.Fatalf("extension %d: %v", i, err)
				}
				ext := find(t, evs, KindDecisionExtended, c.id)
				if ext.At != x.at || ext.By != x.by || ext.Team != m.p.decs[m.p.decIdx[c.id]].Team || ext.State != "ask" {
					t.Errorf("extension %d = %+v", i, ext)
				}
				last = ext
			}
			if last.ClosesAt != c.closesAt || last.TimeLimit != c.limit || !slices.Equal(last.Audience, c.audience) {
				t.Errorf("last extension: closes_at %v time_limit %v audience %v, want %v %v %v",
					last.ClosesAt, last.TimeLimit, last.Audience, c.closesAt, c.limit, c.audience)
			}
			if d, ok := openDecisions(m.Snapshot())[c.id]; !ok || d.ClosesAt != c.closesAt || d.TimeLimit != c.limit {
				t.Errorf("snapshot: open %v, closes_at %v, time_limit %v, want %v %v", ok, d.ClosesAt, d.TimeLimit, c.closesAt, c.limit)
			}
			// Nothing closes it before its new time (or the state's end).
			evs := m.Advance(c.closedAt - 1)
			for _, e := range evs {
				if e.Kind == KindDecisionClosed && e.Decision == c.id {
					t.Fatalf("closed early at %v: %+v", e.At, e)
				}
			}
			cl := find(t, m.Advance(c.closedAt), KindDecisionClosed, c.id)
			if cl.At != c.closedAt || cl.CloseReason != c.closeReason {
				t.Errorf("closed at %v (%s), want %v (%s)", cl.At, cl.CloseReason, c.closedAt, c.closeReason)
			}
		})
	}
}

func TestExtendDecisionAnswerAfterOriginalLimit(t *testing.T) {
	m := newMachine(t, "decisions.yaml", nil)
	m.Start(0)
	mustOK(m.ExtendDecision(4*time.Minute, "revisable", 2*time.Minute))
	// The original limit (5m) has passed: the answer still counts.
	if _, err := m.Answer(6*time.Minute, Answer{Decision: "revisable", Team: "comms", Participant: "p", Option: "change"}); err != nil {
		t.Fatal(err)
	}
	cl := find(t, m.Advance(7*time.Minute), KindDecisionClosed, "revisable")
	if cl.Option != "change" || cl.Settled != SettledAnswered || cl.At != 7*time.Minute {
		t.Errorf("close = %+v", cl)
	}
}

func TestExtendDecisionCloneIndependent(t *testing.T) {
	m := newMachine(t, "decisions.yaml", nil)
	m.Start(0)
	c := m.Clone()
	mustOK(c.ExtendDecision(time.Minute, "vote", time.Minute))
	if got := openDecisions(m.Snapshot())["vote"].ClosesAt; got != 5*time.Minute {
		t.Errorf("original's vote closes at %v after the clone was extended", got)
	}
	if got := openDecisions(c.Snapshot())["vote"].ClosesAt; got != 6*time.Minute {
		t.Errorf("clone's vote closes at %v", got)
	}
}

// TestExtendDecisionDeterministic replays the same inputs on two machines:
// the event lists are byte-identical, as recovery by replay requires.
func TestExtendDecisionDeterministic(t *testing.T) {
	run := func() []byte {
		m := newMachine(t, "decisions.yaml", nil)
		var all []Event
		all = append(all, m.Start(0)...)
		evs, _ := m.ExtendDecision(90*time.Second, "vote", 2*time.Minute)
		all = append(all, evs...)
		evs, _ = m.Answer(6*time.Minute, Answer{Decision: "vote", Team: "soc", Participant: "a", Option: "b"})
		all = append(all, evs...)
		evs, _ = m.ExtendDecision(6*time.Minute, "revisable", time.Minute) // refused: closed at 5m
		all = append(all, evs...)
		all = append(all, m.Advance(time.Hour)...)
		b, err := json.Marshal(all)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := run(), run()
	if string(a) != string(b) {
		t.Fatal("two runs with the same inputs differ")
	}
	if !strings.Contains(string(a), `"kind":"decision_extended","at":90000000000,"state":"ask","audience":["soc"],"decision":"vote","team":"soc","time_limit":420000000000,"closes_at":420000000000,"by":120000000000`) {
		t.Errorf("extension event not encoded as documented:\n%s", a)
	}
}

func TestExtendLine(t *testing.T) {
	e := Event{Kind: KindDecisionExtended, At: 4 * time.Minute, State: "ask", Decision: "revisable", Team: "comms",
		By: 3 * time.Minute, ClosesAt: 8 * time.Minute, TimeLimit: 8 * time.Minute}
	want := `+00:04:00  [ask]  EXTEND  revisable  comms: +3m  closes +00:08:00  (limit 8m)`
	if got := Line(e); got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
}
