package sim

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
)

func loadTD(t testing.TB, name string) *scenario.Scenario {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse(name, src)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return sc
}

func newMachine(t testing.TB, name string, params map[string]string) *Machine {
	t.Helper()
	m, err := New(loadTD(t, name), params)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// brief names an event by kind and the id it is about.
func brief(e Event) string {
	for _, s := range []string{e.Decision, e.Inject, e.Var, e.ToState, e.Outcome, e.Code} {
		if s != "" {
			if e.Kind == KindStateEntered {
				break
			}
			return string(e.Kind) + ":" + s
		}
	}
	if e.Kind == KindStateEntered {
		return string(e.Kind) + ":" + e.State
	}
	return string(e.Kind)
}

func briefs(evs []Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = brief(e)
	}
	return out
}

func find(t *testing.T, evs []Event, kind Kind, id string) Event {
	t.Helper()
	for _, e := range evs {
		if e.Kind == kind && (id == "" || brief(e) == string(kind)+":"+id) {
			return e
		}
	}
	t.Fatalf("no %s %s in:\n%s", kind, id, strings.Join(briefs(evs), "\n"))
	return Event{}
}

func sameList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

func TestTieOrder(t *testing.T) {
	m := newMachine(t, "ties.yaml", nil)
	start := m.Start(0)
	sameList(t, "start", briefs(start), []string{"started", "state_entered:s", "decision_opened:early"})
	if due, ok := m.NextDue(); !ok || due != 5*time.Minute {
		t.Fatalf("NextDue = %v %v, want 5m", due, ok)
	}
	evs := m.Advance(5 * time.Minute)
	sameList(t, "at 5m", briefs(evs), []string{
		"decision_closed:early",           // closes first
		"inject_delivered:second_in_file", // then injects, in file order
		"inject_delivered:first_in_file",
		"decision_opened:late", // then opens
		"timer_fired",          // then timers
		"effect_applied:n",
		"decision_closed:late", // then a transition holds: leaving settles what is open first
		"transition_taken:end", // and the transitions are chosen again
		"state_entered:end",
		"outcome_reached:done",
	})
	for _, e := range evs {
		if e.At != 5*time.Minute {
			t.Errorf("%s stamped %v, want 5m", brief(e), e.At)
		}
	}
	if e := find(t, evs, KindDecisionClosed, "early"); e.Settled != SettledExpired || e.CloseReason != CloseTimeLimit {
		t.Errorf("early closed as %s/%s, want expired/time_limit", e.Settled, e.CloseReason)
	}
	if e := find(t, evs, KindDecisionClosed, "late"); e.Settled != SettledExpired || e.CloseReason != CloseStateLeft {
		t.Errorf("late closed as %s/%s, want expired/state_left", e.Settled, e.CloseReason)
	}
	if !m.Done() {
		t.Error("not done after the final state")
	}
	if _, ok := m.NextDue(); ok {
		t.Error("NextDue after the end")
	}
}

func TestTiming(t *testing.T) {
	m := newMachine(t, "timing.yaml", nil)
	m.Start(0)
	evs := m.Advance(time.Hour)
	var got []string
	for _, e := range evs {
		if e.Kind == KindTransitionTaken || e.Kind == KindOutcomeReached {
			got = append(got, FormatClock(e.At)+" "+brief(e)+" "+e.Reason)
		}
	}
	sameList(t, "transitions", got, []string{
		"+00:03:00 transition_taken:s2 when: n >= 3",           // the moment the timer makes it true
		"+00:08:00 transition_taken:s3 when: n >= 3, after 5m", // true on entry, waits for after
		"+00:11:00 transition_taken:end when: elapsed >= 2.5",  // read at the 3rd timer (elapsed 3)
		"+00:11:00 outcome_reached:done ",
	})
	// A timer whose if is false fires nothing.
	for _, e := range evs {
		if e.Kind == KindEffectApplied && strings.Contains(e.Expr, "-=") {
			t.Errorf("timer with false if applied %s", e.Expr)
		}
	}
	if n := m.Snapshot().Vars[0].Value; n != 8.0 {
		t.Errorf("n = %v, want 8 (3 in s1, 5 in s2: the timer at 8m fires before the transition)", n)
	}
}

func TestDecisionRules(t *testing.T) {
	m := newMachine(t, "decisions.yaml", nil)
	at := func(min float64) time.Duration { return time.Duration(min * float64(time.Minute)) }
	if _, err := m.Answer(0, Answer{Decision: "vote", Team: "soc", Participant: "p1", Option: "a"}); !errors.Is(err, ErrNotStarted) {
		t.Fatalf("answer before start: %v, want ErrNotStarted", err)
	}
	opened := m.Start(0)
	for _, d := range []string{"vote", "revisable", "lead_only", "quick", "expiring", "lingering"} {
		find(t, opened, KindDecisionOpened, d)
	}
	long := strings.Repeat("x", MaxTextLen+1)
	errCases := []struct {
		name string
		a    Answer
		want error
	}{
		{"unknown decision", Answer{Decision: "nope", Team: "soc", Option: "a"}, ErrUnknownDecision},
		{"wrong team", Answer{Decision: "revisable", Team: "soc", Participant: "p1", Option: "keep"}, ErrWrongTeam},
		{"facilitator decision from a team", Answer{Decision: "expiring", Team: "soc", Option: "ok"}, ErrWrongTeam},
		{"not lead", Answer{Decision: "lead_only", Team: "soc", Participant: "p1", Option: "go"}, ErrNotLead},
		{"unknown option", Answer{Decision: "vote", Team: "soc", Participant: "p1", Option: "zzz"}, ErrUnknownOption},
		{"no option on an options-only decision", Answer{Decision: "vote", Team: "soc", Participant: "p1", Text: "hi"}, ErrUnknownOption},
		{"empty free text", Answer{Decision: "quick", Team: "comms", Participant: "p1", Text: "  "}, ErrEmptyAnswer},
		{"confidence out of range", Answer{Decision: "lead_only", Team: "soc", Participant: "p1", Lead: true, Option: "go", Confidence: 7}, ErrBadConfidence},
		{"text too long", Answer{Decision: "quick", Team: "comms", Participant: "p1", Text: long}, ErrTooLong},
		{"rationale too long", Answer{Decision: "lead_only", Team: "soc", Participant: "p1", Lead: true, Option: "go", Rationale: long}, ErrTooLong},
	}
	for _, c := range errCases {
		evs, err := m.Answer(at(0.5), c.a)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.want)
		}
		if len(evs) != 0 {
			t.Errorf("%s: a refused answer produced %v", c.name, briefs(evs))
		}
	}

	// Untimed lead decision: the lead's first answer settles it.
	evs, err := m.Answer(at(1), Answer{Decision: "lead_only", Team: "soc", Participant: "boss", Lead: true, Option: "go", Confidence: 4, Rationale: "because"})
	if err != nil {
		t.Fatal(err)
	}
	sameList(t, "lead answer", briefs(evs), []string{"decision_answered:lead_only", "decision_closed:lead_only"})
	if c := evs[1]; c.Settled != SettledAnswered || c.CloseReason != CloseAnswered || c.Option != "go" || c.Confidence != 4 || c.Rationale != "because" || c.Participant != "boss" {
		t.Errorf("lead close = %+v", c)
	}
	if _, err := m.Answer(at(1), Answer{Decision: "lead_only", Team: "soc", Participant: "boss", Lead: true, Option: "stop"}); !errors.Is(err, ErrNotOpen) {
		t.Errorf("second answer to a settled decision: %v, want ErrNotOpen", err)
	}
	// Free text settles with no option; answer() reads "".
	evs, err = m.Answer(at(1), Answer{Decision: "quick", Team: "comms", Participant: "p9", Text: "maybe later", Confidence: 3})
	if err != nil {
		t.Fatal(err)
	}
	if c := find(t, evs, KindDecisionClosed, "quick"); c.Option != "" || c.Text != "maybe later" || c.Settled != SettledAnswered || c.Confidence != 0 {
		t.Errorf("free text close = %+v (confidence is not asked, so dropped)", c)
	}

	// Vote: a tie between b and c once p2 revises.
	var during []Event
	for _, a := range []Answer{
		{Participant: "p1", Option: "c"},
		{Participant: "p2", Option: "a"},
		{Participant: "p2", Option: "b"}, // revision replaces p2's vote
	} {
		a.Decision, a.Team = "vote", "soc"
		evs, err := m.Answer(at(2), a)
		if err != nil {
			t.Fatal(err)
		}
		during = append(during, evs...)
	}
	// Revisable: the last answer stands.
	for i, a := range []Answer{{Participant: "p1", Option: "keep"}, {Participant: "p2", Option: "change"}, {Participant: "p1", Option: "keep"}} {
		a.Decision, a.Team = "revisable", "comms"
		evs, err := m.Answer(at(float64(2+i)), a)
		if err != nil {
			t.Fatal(err)
		}
		during = append(during, evs...)
	}
	sameList(t, "answers", briefs(during), []string{
		"decision_closed:expiring", // 2m, no default, before the answers at 2m
		"decision_answered:vote", "decision_answered:vote", "decision_answered:vote",
		"decision_answered:revisable", "decision_answered:revisable", "decision_answered:revisable",
	})
	if e := during[0]; e.Settled != SettledExpired || e.At != at(2) || e.Audience != nil || e.CloseReason != CloseTimeLimit {
		t.Errorf("expiring = %+v", e)
	}
	evs = m.Advance(at(5))
	sameList(t, "at 5m", briefs(evs), []string{
		"decision_closed:vote", // file order
		"effect_applied:score",
		"decision_closed:revisable",
		"effect_applied:score",
	})
	v := evs[0]
	if v.Option != "b" || !slices.Equal(v.Votes, []VoteCount{{"a", 0}, {"b", 1}, {"c", 1}}) {
		t.Errorf("vote settled %q with %v; want b (tie with c, earlier in file)", v.Option, v.Votes)
	}
	if r := evs[2]; r.Option != "keep" || r.Participant != "p1" || r.Settled != SettledAnswered {
		t.Errorf("revisable settled %+v, want p1's last answer keep", r)
	}
	// Leaving the state: open decisions close first with their default and
	// its effects, then the transition and its effects, then the new state.
	evs = m.Advance(at(10))
	sameList(t, "at 10m", briefs(evs), []string{
		"decision_closed:lingering",
		"effect_applied:score",
		"transition_taken:next",
		"effect_applied:score",
		"state_entered:next",
		"transition_taken:end",
		"state_entered:end",
		"outcome_reached:good",
	})
	if e := evs[3]; e.New != 100.0 || e.Old != 0.0 {
		t.Errorf("transition effect %v -> %v, want 0 -> 100", e.Old, e.New)
	}
	if e := evs[0]; e.Settled != SettledDefault || e.Option != "fallback" || e.CloseReason != CloseStateLeft {
		t.Errorf("lingering = %+v", e)
	}
	if _, err := m.Answer(at(11), Answer{Decision: "vote", Team: "soc", Option: "a"}); !errors.Is(err, ErrDone) {
		t.Errorf("answer after the end: %v, want ErrDone", err)
	}
	s := m.Snapshot()
	if !s.Done || s.Outcome != "good" || s.Vars[0].Value != 100.0 || len(s.Open) != 0 {
		t.Errorf("snapshot = %+v", s)
	}
}

func TestFacilitatorRun(t *testing.T) {
	m := newMachine(t, "facilitator.yaml", map[string]string{"company": "Globex"})
	var all []Event
	all = append(all, m.Start(0)...)
	evs, err := m.Answer(3*time.Minute, Answer{Decision: "choose", Team: "blue", Participant: "b1", Option: "yes"})
	if err != nil {
		t.Fatal(err)
	}
	all = append(all, evs...)
	all = append(all, m.Advance(time.Hour)...)
	var got []string
	for _, e := range all {
		got = append(got, FormatClock(e.At)+" "+brief(e)+" "+e.StoryTime)
	}
	sameList(t, "run", got, []string{
		"+00:00:00 started 2024-03-01T08:00:00Z",
		"+00:00:00 state_entered:calm 2024-03-01T08:00:00Z",
		"+00:00:00 effect_applied:hidden 2024-03-01T08:00:00Z",
		"+00:00:00 inject_delivered:hello 2024-03-01T08:00:00Z",
		"+00:01:00 inject_delivered:all_teams 2024-03-01T08:01:00Z",
		"+00:01:00 inject_delivered:only_facilitator 2024-03-01T08:01:00Z",
		"+00:02:00 decision_opened:choose 2024-03-01T08:02:00Z",
		"+00:03:00 timer_fired 2024-03-01T08:03:00Z",
		"+00:03:00 effect_applied:heat 2024-03-01T08:03:00Z",
		"+00:03:00 decision_answered:choose 2024-03-01T08:03:00Z",
		"+00:06:00 timer_fired 2024-03-01T08:06:00Z",
		"+00:06:00 effect_applied:heat 2024-03-01T08:06:00Z",
		"+00:09:00 timer_fired 2024-03-01T08:09:00Z",
		"+00:09:00 effect_applied:heat 2024-03-01T08:09:00Z",
		"+00:12:00 decision_closed:choose 2024-03-01T08:12:00Z", // closes before the timer due at the same time
		"+00:12:00 effect_applied:heat 2024-03-01T08:12:00Z",    // 4 -> 9
		"+00:12:00 timer_fired 2024-03-01T08:12:00Z",
		"+00:12:00 effect_applied:heat 2024-03-01T08:12:00Z", // 9 -> 10
		"+00:12:00 transition_taken:storm 2024-03-01T08:12:00Z",
		"+00:12:00 effect_applied:hidden 2024-03-01T08:12:00Z",
		"+00:12:00 state_entered:storm 2024-03-01T14:12:00Z", // story_jump 6h
		"+00:12:00 inject_delivered:storm_news 2024-03-01T14:12:00Z",
		"+00:17:00 transition_taken:loud_end 2024-03-01T14:17:00Z",
		"+00:17:00 state_entered:loud_end 2024-03-01T14:17:00Z",
		"+00:17:00 outcome_reached:loud 2024-03-01T14:17:00Z",
	})
	hello := find(t, all, KindInjectDelivered, "hello")
	if hello.Title != "Hi Globex" || hello.Body != "Welcome to Globex" || hello.PersonaName != "Globex boss" ||
		hello.PersonaHandle != "@boss" || hello.PersonaAvatar != "G" || hello.Channel != "email" {
		t.Errorf("rendered inject = %+v", hello)
	}
	tr := find(t, all, KindTransitionTaken, "storm")
	if tr.FromState != "calm" || tr.Label != "it boils over" || tr.Reason != "when: heat >= 10" {
		t.Errorf("transition = %+v", tr)
	}
	if e := all[19]; e.Cause != "transition calm -> storm" || e.Old != 1.0 || e.New != 11.0 {
		t.Errorf("transition effect = %+v", e)
	}

	// Audience per kind.
	aud := func(e Event) string {
		if e.Audience == nil {
			return "-"
		}
		return strings.Join(e.Audience, ",")
	}
	cases := []struct {
		kind Kind
		id   string
		want string
	}{
		{KindStarted, "", "*"},
		{KindStateEntered, "", "-"},
		{KindInjectDelivered, "hello", "red"},
		{KindInjectDelivered, "all_teams", "*"},
		{KindInjectDelivered, "only_facilitator", "-"},
		{KindDecisionOpened, "choose", "blue"},
		{KindDecisionAnswered, "choose", "blue"},
		{KindDecisionClosed, "choose", "blue"},
		{KindEffectApplied, "heat", "*"},   // visible variable
		{KindEffectApplied, "hidden", "-"}, // facilitator only
		{KindTimerFired, "", "-"},
		{KindTransitionTaken, "", "-"},
		{KindOutcomeReached, "", "*"},
	}
	for _, c := range cases {
		if got := aud(find(t, all, c.kind, c.id)); got != c.want {
			t.Errorf("audience of %s %s = %s, want %s", c.kind, c.id, got, c.want)
		}
	}
}

func TestForceAdHocCloseEnd(t *testing.T) {
	m := newMachine(t, "facilitator.yaml", nil)
	if evs := m.Inject(0, AdHoc{Body: "x"}); evs != nil {
		t.Errorf("ad-hoc inject before start: %v", briefs(evs))
	}
	m.Start(0)
	// Ad-hoc injects: rendered, persona resolved or shown as written, audience from teams.
	adhoc := []struct {
		in       AdHoc
		name     string
		avatar   string
		audience []string
	}{
		{AdHoc{ID: "a1", Teams: []string{"red"}, Channel: scenario.Chat, From: "boss", Body: "{{company}} update"}, "Acme boss", "A", []string{"red"}},
		{AdHoc{Channel: scenario.News, From: "someone else", Body: "b"}, "someone else", "S", []string{"*"}},
		{AdHoc{Teams: []string{"facilitator"}, Channel: scenario.Sitrep, Body: "c"}, "", "", nil},
	}
	for _, c := range adhoc {
		evs := m.Inject(90*time.Second, c.in)
		e := evs[len(evs)-1]
		if !e.AdHoc || e.Kind != KindInjectDelivered || e.PersonaName != c.name || e.PersonaAvatar != c.avatar ||
			!slices.Equal(e.Audience, c.audience) || e.At != 90*time.Second || e.Inject != c.in.ID {
			t.Errorf("ad-hoc %+v -> %+v", c.in, e)
		}
	}
	if e := find(t, m.Inject(90*time.Second, adhoc[0].in), KindInjectDelivered, "a1"); e.Body != "Acme update" {
		t.Errorf("ad-hoc body %q", e.Body)
	}

	// Facilitator closes a decision early: settled on the answer so far,
	// and its time-limit close is gone.
	if _, err := m.Answer(3*time.Minute, Answer{Decision: "choose", Team: "blue", Participant: "b", Option: "yes"}); err != nil {
		t.Fatal(err)
	}
	evs, err := m.CloseDecision(4*time.Minute, "choose")
	if err != nil {
		t.Fatal(err)
	}
	if c := find(t, evs, KindDecisionClosed, "choose"); c.Option != "yes" || c.CloseReason != CloseFacilitator || c.At != 4*time.Minute {
		t.Errorf("close = %+v", c)
	}
	if _, err := m.CloseDecision(4*time.Minute, "choose"); !errors.Is(err, ErrNotOpen) {
		t.Errorf("close twice: %v", err)
	}
	if _, err := m.CloseDecision(4*time.Minute, "nope"); !errors.Is(err, ErrUnknownDecision) {
		t.Errorf("close unknown: %v", err)
	}

	// Force.
	if _, err := m.Force(5*time.Minute, "nowhere"); !errors.Is(err, ErrUnknownState) {
		t.Errorf("force unknown: %v", err)
	}
	evs, err = m.Force(5*time.Minute, "storm")
	if err != nil {
		t.Fatal(err)
	}
	sameList(t, "force", briefs(evs), []string{"transition_taken:storm", "state_entered:storm", "inject_delivered:storm_news"})
	if evs[0].Reason != "forced" || evs[0].FromState != "calm" {
		t.Errorf("forced transition = %+v", evs[0])
	}
	// End: the outcome is "ended", nothing happens afterwards.
	evs = m.End(6*time.Minute, "out of time")
	sameList(t, "end", briefs(evs), []string{"outcome_reached:ended"})
	if evs[0].Reason != "out of time" || !m.Done() {
		t.Errorf("end = %+v", evs[0])
	}
	if evs := m.Advance(time.Hour); len(evs) != 0 {
		t.Errorf("events after the end: %v", briefs(evs))
	}
	if _, err := m.Force(time.Hour, "storm"); !errors.Is(err, ErrDone) {
		t.Errorf("force after end: %v", err)
	}
	if evs := m.End(time.Hour, "again"); len(evs) != 0 {
		t.Errorf("second end: %v", briefs(evs))
	}
}

func TestEndClosesOpenDecisions(t *testing.T) {
	m := newMachine(t, "facilitator.yaml", nil)
	m.Start(0)
	evs := m.End(5*time.Minute, "")
	sameList(t, "end", briefs(evs), []string{
		"inject_delivered:all_teams", "inject_delivered:only_facilitator", "decision_opened:choose",
		"timer_fired", "effect_applied:heat", // due on the way to 5m
		"decision_closed:choose", "effect_applied:heat", "outcome_reached:ended",
	})
	if c := evs[5]; c.CloseReason != CloseEnded || c.Settled != SettledDefault {
		t.Errorf("close at end = %+v", c)
	}
}

func TestSkippedInject(t *testing.T) {
	res, err := Play(loadTD(t, "basic.yaml"), PlayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := find(t, res.Events, KindInjectSkipped, "follow_up")
	if e.Reason != "if: reputation < 30" || e.Audience != nil || e.Body != "" {
		t.Errorf("skipped = %+v", e)
	}
}

func TestRunawayGuard(t *testing.T) {
	m := newMachine(t, "runaway.yaml", nil)
	evs := m.Start(0)
	trans := 0
	for _, e := range evs {
		if e.Kind == KindTransitionTaken {
			trans++
		}
	}
	last := evs[len(evs)-1]
	if trans != MaxChain || last.Kind != KindError || last.Code != CodeRunaway {
		t.Fatalf("%d transitions then %s %s; want %d then a runaway error", trans, last.Kind, last.Code, MaxChain)
	}
	s := m.Snapshot()
	if s.State != "a" || s.Done {
		t.Fatalf("after the guard: state %s done %v", s.State, s.Done)
	}
	// Nothing more happens at the same instant...
	if evs := m.Advance(0); len(evs) != 0 {
		t.Errorf("advance at the same instant: %v", briefs(evs))
	}
	// ...and the machine carries on when the clock moves.
	evs = m.Advance(time.Minute)
	sameList(t, "at 1m", briefs(evs), []string{"timer_fired", "effect_applied:x", "transition_taken:end", "state_entered:end", "outcome_reached:done"})
}

// script runs the same inputs against a fresh machine, copying out the
// events of each call.
func script(t *testing.T, split, reuse bool) []Event {
	m := newMachine(t, "basic.yaml", map[string]string{"company": "Initech"})
	if reuse {
		m.ReuseEvents()
	}
	var all []Event
	all = append(all, m.Start(0)...)
	if split {
		for at := time.Duration(0); at <= 6*time.Minute; at += 30 * time.Second {
			all = append(all, m.Advance(at)...)
		}
	}
	evs, err := m.Answer(6*time.Minute, Answer{Decision: "lock", Team: "soc", Participant: "s1", Option: "wait"})
	if err != nil {
		t.Fatal(err)
	}
	all = append(all, evs...)
	all = append(all, m.Inject(7*time.Minute, AdHoc{Channel: scenario.Chat, Body: "ping {{company}}"})...)
	evs, err = m.Answer(20*time.Minute, Answer{Decision: "statement", Team: "comms", Participant: "c1", Lead: true, Option: "no"})
	if err != nil {
		t.Fatal(err)
	}
	all = append(all, evs...)
	if split {
		for at := 20 * time.Minute; at <= time.Hour; at += 7 * time.Second {
			all = append(all, m.Advance(at)...)
		}
	}
	return append(all, m.Advance(time.Hour)...)
}

func TestDeterminism(t *testing.T) {
	enc := func(evs []Event) string {
		b, err := json.Marshal(evs)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	a, b := enc(script(t, false, false)), enc(script(t, false, false))
	if a != b {
		t.Fatal("two runs with the same inputs differ")
	}
	// Advancing in small steps gives the same events as one big step.
	if c := enc(script(t, true, false)); a != c {
		t.Fatalf("split advance differs:\n%s\n%s", a, c)
	}
	// A machine reusing its event buffer returns the same events (no
	// field of an earlier, larger event survives into a later one).
	for _, split := range []bool{false, true} {
		if c := enc(script(t, split, true)); c != enc(script(t, split, false)) {
			t.Fatalf("reusing the event buffer (split %v) changes the events:\n%s", split, c)
		}
	}
	if !strings.Contains(a, `"outcome":"crisis"`) || !strings.Contains(a, "ping Initech") {
		t.Fatalf("unexpected run: %s", a)
	}
}

func TestReuseEvents(t *testing.T) {
	m := newMachine(t, "basic.yaml", nil)
	m.ReuseEvents()
	first := m.Start(0)
	if len(first) < 2 {
		t.Fatalf("start gave %d events, want several", len(first))
	}
	kind := first[0].Kind
	evs := m.Inject(time.Minute, AdHoc{Channel: scenario.Chat, Body: "ping"})
	if len(evs) == 0 || &evs[0] != &first[0] {
		t.Fatal("the second call did not reuse the first call's buffer")
	}
	if kind == KindInjectDelivered || first[0].Kind != KindInjectDelivered {
		t.Fatalf("the buffer was not overwritten: the start began with %s, it now holds %s", kind, first[0].Kind)
	}
	// A clone starts with its own buffer and does not reuse it.
	c := m.Clone()
	a := c.Advance(2 * time.Minute)
	b := c.Advance(time.Hour)
	if len(a) > 0 && len(b) > 0 && &a[0] == &b[0] {
		t.Fatal("a clone reuses its buffer")
	}
}

func TestEventJSON(t *testing.T) {
	m := newMachine(t, "basic.yaml", nil)
	evs := m.Start(0)
	b, err := json.Marshal(evs[2])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"inject_delivered","at":0,"story_time":"2020-02-08T09:00:00Z","state":"hijack","audience":["*"],` +
		`"inject":"spam_post","channel":"social","title":"Hacked","body":"@acme is ours","persona":"attacker",` +
		`"persona_name":"OurMine","persona_handle":"@ourmine","persona_avatar":"O","engagement":{"likes":10,"reposts":5,"replies":2}}`
	if string(b) != want {
		t.Errorf("JSON:\n got  %s\n want %s", b, want)
	}
	var back Event
	if err := json.Unmarshal(b, &back); err != nil || back.Inject != "spam_post" || back.Engagement.Likes != 10 {
		t.Errorf("round trip: %v %+v", err, back)
	}
	// Zero and false values of effects are kept, not omitted.
	evs = m.Advance(2 * time.Minute)
	b, _ = json.Marshal(find(t, evs, KindEffectApplied, "pressure"))
	if !strings.Contains(string(b), `"var":"pressure","old":0,"new":1,"expr":"pressure += 1","cause":"timer 1"`) {
		t.Errorf("effect JSON %s", b)
	}
	evs, _ = m.Answer(5*time.Minute, Answer{Decision: "lock", Team: "soc", Participant: "p", Option: "revoke"})
	evs = append(evs, m.Advance(15*time.Minute)...)
	b, _ = json.Marshal(find(t, evs, KindEffectApplied, "locked"))
	if !strings.Contains(string(b), `"old":false,"new":true`) {
		t.Errorf("effect JSON %s", b)
	}
}

func TestCloneIndependence(t *testing.T) {
	m := newMachine(t, "basic.yaml", nil)
	m.Start(0)
	m.Advance(5 * time.Minute)
	c := m.Clone()
	if _, err := c.Answer(5*time.Minute, Answer{Decision: "lock", Team: "soc", Participant: "x", Option: "revoke"}); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Hour)
	// The original, never answered, goes its own way...
	m.Advance(time.Hour)
	if got, want := m.Snapshot().Outcome, "crisis"; got != want {
		t.Errorf("original outcome %s, want %s", got, want)
	}
	if got, want := c.Snapshot().Outcome, "contained"; got != want {
		t.Errorf("clone outcome %s, want %s", got, want)
	}
	// ...exactly as a machine that was never cloned.
	ref := newMachine(t, "basic.yaml", nil)
	ref.Start(0)
	ref.Advance(time.Hour)
	a, _ := json.Marshal(m.Snapshot())
	b, _ := json.Marshal(ref.Snapshot())
	if string(a) != string(b) {
		t.Errorf("cloning changed the original:\n%s\n%s", a, b)
	}
	if v := c.Snapshot().Vars; v[2].Value != true {
		t.Errorf("clone vars %v: locked should be true", v)
	}
	if v := m.Snapshot().Vars; v[2].Value != false {
		t.Errorf("original vars %v: locked should be false", v)
	}
}

func TestNewErrors(t *testing.T) {
	sc := loadTD(t, "basic.yaml")
	if _, err := New(sc, map[string]string{"nope": "x"}); err == nil {
		t.Error("unknown parameter accepted")
	}
	if _, err := New(nil, nil); err == nil {
		t.Error("nil scenario accepted")
	}
}

func TestSnapshot(t *testing.T) {
	m := newMachine(t, "basic.yaml", nil)
	m.Start(0)
	m.Advance(5 * time.Minute)
	if _, err := m.Answer(6*time.Minute, Answer{Decision: "lock", Team: "soc", Participant: "s1", Option: "wait"}); err != nil {
		t.Fatal(err)
	}
	s := m.Snapshot()
	if s.State != "hijack" || s.At != 6*time.Minute || len(s.Open) != 1 || s.Open[0].ID != "lock" ||
		s.Open[0].ClosesAt != 15*time.Minute || len(s.Open[0].Answers) != 1 || s.Open[0].Answers[0].Option != "wait" ||
		s.NextDue != 10*time.Minute || !slices.Equal(s.Delivered, []string{"spam_post", "soc_ticket", "facilitator_note"}) ||
		!slices.Equal(s.Visited, []string{"hijack"}) || s.StoryTime != "2020-02-08T09:06:00Z" {
		t.Errorf("snapshot = %+v", s)
	}
}
