package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
)

// worldInputs is a play-through of testdata/world.yaml: comms answers the
// reporter, SOC opens a ticket and the facilitator answers it as support,
// comms publishes the approved statement.
type worldInput struct {
	at  time.Duration
	msg Message
}

var worldInputs = []worldInput{
	{2 * time.Minute, Message{ID: "r1", Action: ActionReply, Team: "comms", Participant: "ann", Inject: "email", Body: "No comment yet."}},
	{3 * time.Minute, Message{ID: "t1", Action: ActionCompose, Team: "soc", Participant: "sam", Persona: "support", Title: "Account hijacked", Body: "Please lock @acme."}},
	{5*time.Minute + 30*time.Second, Message{ID: "p1", Action: ActionPersona, Team: "soc", Thread: "t1", Body: "Looking at it, {{company}}.", ByFacilitator: true}},
	{7 * time.Minute, Message{ID: "s1", Action: ActionPublish, Team: "comms", Participant: "ann", Outlet: "newsroom", Title: "Statement", Body: "We are aware.", DraftedBy: "ann", ApprovedBy: "lee"}},
}

func runWorld(t *testing.T, m *Machine) []Event {
	t.Helper()
	evs := m.Start(0)
	for _, in := range worldInputs {
		got, err := m.Send(in.at, in.msg)
		if err != nil {
			t.Fatalf("%s: %v", in.msg.ID, err)
		}
		evs = append(evs, got...)
	}
	return evs
}

func messages(evs []Event) []Event {
	var out []Event
	for _, e := range evs {
		if e.Kind == KindMessageSent {
			out = append(out, e)
		}
	}
	return out
}

func TestSendFlow(t *testing.T) {
	m := newMachine(t, "world.yaml", nil)
	evs := runWorld(t, m)
	type row struct {
		at                        time.Duration
		id, action, team, persona string
		thread, channel, body     string
		audience                  []string
		canned                    string
	}
	var got []row
	for _, e := range messages(evs) {
		got = append(got, row{e.At, e.Message, e.Action, e.Team, e.Persona, e.Thread, e.Channel, e.Body, e.Audience, e.Canned})
	}
	want := []row{
		{2 * time.Minute, "r1", ActionReply, "comms", "reporter", "email", "email", "No comment yet.", []string{"comms"}, ""},
		{3 * time.Minute, "t1", ActionCompose, "soc", "support", "t1", "ticket", "Please lock @acme.", []string{"soc"}, ""},
		// The reporter's automatic follow-up, 2m after comms' reply.
		{4 * time.Minute, "r1/auto/quote", ActionPersona, "comms", "reporter", "email", "email", "Can I quote Acme?", []string{"comms"}, "quote"},
		// The facilitator answered as support before its automatic
		// acknowledgement was due at 6m, which is therefore not sent.
		{5*time.Minute + 30*time.Second, "p1", ActionPersona, "soc", "support", "t1", "ticket", "Looking at it, Acme.", []string{"soc"}, ""},
		{7 * time.Minute, "s1", ActionPublish, "comms", "brand", "s1", "news", "We are aware.", []string{"*"}, ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("messages:\n got %+v\nwant %+v", got, want)
	}
	pub := messages(evs)[4]
	if pub.OutletName != "Acme newsroom" || pub.Outlet != "newsroom" || pub.PersonaName != "Acme" || pub.PersonaHandle != "@acme" ||
		pub.DraftedBy != "ann" || pub.ApprovedBy != "lee" || pub.Participant != "ann" || pub.Title != "Statement" {
		t.Errorf("publication = %+v", pub)
	}
	if r := messages(evs)[0]; r.PersonaEmail != "dana@ledger.example" || r.Inject != "email" {
		t.Errorf("reply = %+v", r)
	}
	if p := messages(evs)[3]; !p.ByFacilitator || p.Participant != "" {
		t.Errorf("persona message = %+v", p)
	}
	// The statement (with the reply) ends the phase at once, and the
	// measures are evaluated at the end.
	tail := briefs(evs[slices.IndexFunc(evs, func(e Event) bool { return e.Message == "s1" }):])
	wantTail := []string{"message_sent", "transition_taken:calm", "effect_applied:reputation", "state_entered:calm",
		"outcome_reached:calm", "objective_measured", "objective_measured"}
	if !slices.Equal(tail, wantTail) {
		t.Errorf("after the statement: %v, want %v", tail, wantTail)
	}
	if tr := evs[len(evs)-6]; !reflect.DeepEqual(tr.Values, []NamedValue{{`published("comms", "newsroom")`, true}, {`replied("email")`, true}}) {
		t.Errorf("transition values = %v", tr.Values)
	}
	s := m.Snapshot()
	wantMeasures := []MeasureResult{
		{Objective: "fast", Measure: `published("comms", "newsroom") and published_at("comms", "newsroom") - delivered_at("email") <= 10`, Met: true,
			Values: []NamedValue{{`published("comms", "newsroom")`, true}, {`published_at("comms", "newsroom")`, 7.0}, {`delivered_at("email")`, 1.0}}},
		{Objective: "ticket", Measure: `sent("soc", "support")`, Met: true, Values: []NamedValue{{`sent("soc", "support")`, true}}},
	}
	if !reflect.DeepEqual(s.Measures, wantMeasures) {
		t.Errorf("measures = %+v", s.Measures)
	}
	if e := evs[len(evs)-2]; e.Objective != "fast" || !e.Met || e.Audience != nil {
		t.Errorf("objective_measured = %+v", e)
	}
	if !reflect.DeepEqual(s.Published, []Publication{{"comms", "newsroom", 7 * time.Minute}}) ||
		!slices.Equal(s.Replied, []string{"email"}) || !reflect.DeepEqual(s.Sent, []TeamPersona{{"comms", "reporter"}, {"soc", "support"}}) {
		t.Errorf("snapshot world: %+v %v %+v", s.Published, s.Replied, s.Sent)
	}
	// minutes_since_published("soc", "status") read -1: SOC never posted.
	if v := s.Vars[0].Value; v != 59.0 {
		t.Errorf("reputation = %v, want 59", v)
	}
}

// TestSendErrors checks every refusal: the message changes nothing and
// the error says why.
func TestSendErrors(t *testing.T) {
	long := strings.Repeat("é", MaxMessageBody+1)
	cases := []struct {
		name string
		at   time.Duration
		msg  Message
		want error
	}{
		{"no id", 2 * time.Minute, Message{Action: ActionReply, Team: "comms", Inject: "email", Body: "x"}, ErrBadMessage},
		{"unknown action", 2 * time.Minute, Message{ID: "x", Action: "shout", Team: "comms", Body: "x"}, ErrBadMessage},
		{"unknown team", 2 * time.Minute, Message{ID: "x", Action: ActionReply, Team: "pr", Inject: "email", Body: "x"}, ErrNotFound},
		{"empty body", 2 * time.Minute, Message{ID: "x", Action: ActionReply, Team: "comms", Inject: "email", Body: "  "}, ErrBadMessage},
		{"body too long", 2 * time.Minute, Message{ID: "x", Action: ActionReply, Team: "comms", Inject: "email", Body: long}, ErrMessageTooLong},
		{"title too long", 2 * time.Minute, Message{ID: "x", Action: ActionReply, Team: "comms", Inject: "email", Title: strings.Repeat("t", 201), Body: "x"}, ErrMessageTooLong},
		{"unknown outlet", 2 * time.Minute, Message{ID: "x", Action: ActionPublish, Team: "comms", Outlet: "blog", Body: "x"}, ErrNotFound},
		{"not the outlet's team", 2 * time.Minute, Message{ID: "x", Action: ActionPublish, Team: "soc", Outlet: "newsroom", Body: "x", ApprovedBy: "lee"}, ErrNotAllowed},
		{"no approval", 2 * time.Minute, Message{ID: "x", Action: ActionPublish, Team: "comms", Outlet: "newsroom", Body: "x"}, ErrNeedsApproval},
		{"reply before delivery", 30 * time.Second, Message{ID: "x", Action: ActionReply, Team: "comms", Inject: "email", Body: "x"}, ErrNotAllowed},
		{"reply from a team that did not get it", 2 * time.Minute, Message{ID: "x", Action: ActionReply, Team: "soc", Inject: "email", Body: "x"}, ErrNotAllowed},
		{"reply to an unknown inject", 2 * time.Minute, Message{ID: "x", Action: ActionReply, Team: "comms", Inject: "post", Body: "x"}, ErrNotFound},
		{"persona not reachable", 2 * time.Minute, Message{ID: "x", Action: ActionCompose, Team: "comms", Persona: "support", Body: "x"}, ErrNotAllowed},
		{"unknown persona", 2 * time.Minute, Message{ID: "x", Action: ActionCompose, Team: "soc", Persona: "vendor", Body: "x"}, ErrNotFound},
		{"follow-up in another team's thread", 2 * time.Minute, Message{ID: "x", Action: ActionCompose, Team: "comms", Persona: "reporter", Thread: "t0", Body: "x"}, ErrNotFound},
		{"persona in an unknown thread", 2 * time.Minute, Message{ID: "x", Action: ActionPersona, Team: "soc", Thread: "nope", Body: "x"}, ErrNotFound},
		{"persona without a thread", 2 * time.Minute, Message{ID: "x", Action: ActionPersona, Team: "soc", Body: "x"}, ErrBadMessage},
		{"another persona in the thread", 2 * time.Minute, Message{ID: "x", Action: ActionPersona, Team: "soc", Thread: "t0", Persona: "reporter", Body: "x"}, ErrNotAllowed},
		{"unknown canned reply", 2 * time.Minute, Message{ID: "x", Action: ActionPersona, Team: "soc", Thread: "t0", Canned: "sorry"}, ErrNotFound},
		{"canned reply whose condition fails", 2 * time.Minute, Message{ID: "x", Action: ActionPersona, Team: "soc", Thread: "t0", Canned: "restored"}, ErrNotAllowed},
		{"reused id", 2 * time.Minute, Message{ID: "t0", Action: ActionCompose, Team: "soc", Persona: "support", Body: "x"}, ErrBadMessage},
		{"publication named like a thread", 2 * time.Minute, Message{ID: "email", Action: ActionPublish, Team: "comms", Outlet: "newsroom", Body: "x", ApprovedBy: "lee"}, ErrBadMessage},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newMachine(t, "world.yaml", nil)
			m.Start(0)
			if _, err := m.Send(time.Second, Message{ID: "t0", Action: ActionCompose, Team: "soc", Persona: "support", Body: "Help"}); err != nil {
				t.Fatal(err)
			}
			before := m.Snapshot()
			evs, err := m.Send(c.at, c.msg)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if slices.ContainsFunc(evs, func(e Event) bool { return e.Kind == KindMessageSent }) {
				t.Errorf("a refused message was sent: %v", briefs(evs))
			}
			after := m.Snapshot()
			if !reflect.DeepEqual(before.Published, after.Published) || !reflect.DeepEqual(before.Sent, after.Sent) || !reflect.DeepEqual(before.Replied, after.Replied) {
				t.Errorf("a refused message changed the world")
			}
		})
	}
}

func TestCannedOffers(t *testing.T) {
	m := newMachine(t, "world.yaml", nil)
	m.Start(0)
	if got := m.Canned("comms", "email"); got != nil {
		t.Errorf("offers before the email arrives: %+v", got)
	}
	m.Advance(time.Minute)
	want := []CannedOffer{{ID: "quote", Label: "Quote", Body: "Can I quote Acme?", Available: true, After: 2 * time.Minute}} // the reporter has no canned replies of its own

	if got := m.Canned("comms", "email"); !reflect.DeepEqual(got, want) {
		t.Errorf("email offers = %+v", got)
	}
	if got := m.Canned("soc", "email"); got != nil {
		t.Errorf("soc sees the email thread: %+v", got)
	}
	if _, err := m.Send(2*time.Minute, Message{ID: "t1", Action: ActionCompose, Team: "soc", Persona: "support", Body: "Help"}); err != nil {
		t.Fatal(err)
	}
	avail := func() []bool {
		var out []bool
		for _, o := range m.Canned("soc", "t1") {
			out = append(out, o.Available)
		}
		return out
	}
	if got := avail(); !slices.Equal(got, []bool{true, false}) {
		t.Errorf("before the statement: %v", got)
	}
	if _, err := m.Send(3*time.Minute, Message{ID: "s1", Action: ActionPublish, Team: "comms", Outlet: "newsroom", Body: "We know.", ApprovedBy: "lee"}); err != nil {
		t.Fatal(err)
	}
	if got := avail(); !slices.Equal(got, []bool{true, true}) {
		t.Errorf("after the statement: %v", got)
	}
	evs, err := m.Send(4*time.Minute, Message{ID: "p1", Action: ActionPersona, Team: "soc", Thread: "t1", Canned: "restored", ByFacilitator: true})
	if err != nil {
		t.Fatal(err)
	}
	if e := messages(evs); len(e) != 1 || e[0].Body != "Account restored." || e[0].Canned != "restored" || e[0].Persona != "support" {
		t.Errorf("canned reply = %+v", e)
	}
}

// TestAutoReplySurvivesStateChange: an automatic reply scheduled in one
// state is sent after the next state is entered.
func TestAutoReplySurvivesStateChange(t *testing.T) {
	m := newMachine(t, "world.yaml", nil)
	m.Start(0)
	if _, err := m.Send(4*time.Minute, Message{ID: "t1", Action: ActionCompose, Team: "soc", Persona: "support", Body: "Help"}); err != nil {
		t.Fatal(err)
	}
	if due, _ := m.NextDue(); due != 5*time.Minute {
		t.Fatalf("next due %v", due)
	}
	evs := m.Advance(7 * time.Minute)
	got := briefs(evs)
	if want := []string{"transition_taken:escalated", "state_entered:escalated", "message_sent"}; !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	if e := evs[2]; e.At != 7*time.Minute || e.Message != "t1/auto/ack" || e.Body != "Ticket received by Acme support." {
		t.Errorf("auto reply = %+v", e)
	}
}

// TestSendDeterministic: the same inputs give byte-identical events, on a
// fresh machine and on a clone taken half way.
func TestSendDeterministic(t *testing.T) {
	enc := func(evs []Event) string {
		b, err := json.Marshal(evs)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	a := enc(runWorld(t, newMachine(t, "world.yaml", nil)))
	b := enc(runWorld(t, newMachine(t, "world.yaml", nil)))
	if a != b {
		t.Fatal("two runs of the same inputs differ")
	}

	m := newMachine(t, "world.yaml", nil)
	m.Start(0)
	for _, in := range worldInputs[:2] {
		if _, err := m.Send(in.at, in.msg); err != nil {
			t.Fatal(err)
		}
	}
	c := m.Clone()
	var fromM, fromC []Event
	for _, in := range worldInputs[2:] {
		e1, err1 := m.Send(in.at, in.msg)
		e2, err2 := c.Send(in.at, in.msg)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		fromM, fromC = append(fromM, e1...), append(fromC, e2...)
	}
	if enc(fromM) != enc(fromC) || len(fromM) == 0 {
		t.Error("a clone diverged from its original")
	}
	if !reflect.DeepEqual(m.Snapshot(), c.Snapshot()) {
		t.Error("snapshots differ")
	}
}

// TestCloneIndependentWorld: what a clone does is not seen by its original.
func TestCloneIndependentWorld(t *testing.T) {
	m := newMachine(t, "world.yaml", nil)
	m.Start(0)
	c := m.Clone()
	if _, err := c.Send(time.Second, Message{ID: "t1", Action: ActionCompose, Team: "soc", Persona: "support", Body: "Help"}); err != nil {
		t.Fatal(err)
	}
	if s := m.Snapshot(); len(s.Sent) != 0 || m.Canned("soc", "t1") != nil {
		t.Errorf("the original saw the clone's message: %+v", s.Sent)
	}
}

// TestExploreWorldUnread: outlets, reachable personas and injects taking
// replies that no rule reads add nothing to the search.
func TestExploreWorldUnread(t *testing.T) {
	src, err := os.ReadFile("testdata/basic.yaml")
	if err != nil {
		t.Fatal(err)
	}
	before, err := Explore(loadTD(t, "basic.yaml"), ExploreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	world := strings.Replace(string(src), "  reporter: {name: Dana Reyes,", "  reporter: {reachable: [soc], canned: [{id: ok, label: OK, body: OK, after: 1m}], name: Dana Reyes,", 1) +
		"outlets:\n  site: {name: Site, channel: news, teams: [comms], approval: lead}\n"
	sc, err := scenario.Parse("basic-world.yaml", []byte(world))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Outlets) != 1 || !sc.Persona("reporter").ReachableBy("soc") {
		t.Fatal("the world was not added")
	}
	after, err := Explore(sc, ExploreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.Situations != before.Situations || after.Branches != before.Branches || after.Paths != before.Paths {
		t.Errorf("situations %d -> %d, branches %d -> %d, paths %d -> %d", before.Situations, after.Situations,
			before.Branches, after.Branches, before.Paths, after.Paths)
	}
}

// TestExploreWorldRead: where a rule reads a publication, a reply or a
// message, explore tries sending it, so both endings of world.yaml are
// found, each action at most once on a path.
func TestExploreWorldRead(t *testing.T) {
	r := explore(t, "world.yaml", ExploreOptions{})
	if r.Defects() != 0 || r.Limit != "" {
		t.Fatalf("defects %d limit %q: %+v", r.Defects(), r.Limit, r)
	}
	got := map[string]uint64{}
	for _, o := range r.Outcomes {
		got[o.Outcome] = o.Paths
	}
	if got["calm"] == 0 || got["storm"] == 0 {
		t.Errorf("outcomes %+v: both must be reachable", r.Outcomes)
	}
	// Two facts are read (comms published on newsroom, comms replied to
	// the email): the search stays small.
	if r.Situations > 200 {
		t.Errorf("%d situations", r.Situations)
	}
	// With full machines (every event, own environments) the result is the same.
	full := explore(t, "world.yaml", ExploreOptions{full: true})
	if full.Situations != r.Situations || full.Paths != r.Paths {
		t.Errorf("full machines: %d situations %d paths, lean: %d %d", full.Situations, full.Paths, r.Situations, r.Paths)
	}
	t.Logf("world.yaml: %d situations, %d branches, %d paths", r.Situations, r.Branches, r.Paths)
}

// TestExploreWorldExitRead: a fact read only by the effects of a phase's
// timed exit is tried once, just before the exit, not at every moment of
// the phase: one path to each ending.
func TestExploreWorldExitRead(t *testing.T) {
	r := explore(t, "world-exit.yaml", ExploreOptions{})
	got := outcomes(r)
	want := []outcomeCount{{"good", 1, 5 * time.Minute, 5 * time.Minute}, {"bad", 1, 5 * time.Minute, 5 * time.Minute}}
	if !slices.Equal(got, want) || r.Defects() != 0 {
		t.Errorf("outcomes %v, want %v (defects %d)", got, want, r.Defects())
	}
	// The same read in the phase's own rules (a timer) is tried at every
	// moment: each minute of publishing is a path of its own.
	src, err := os.ReadFile("testdata/world-exit.yaml")
	if err != nil {
		t.Fatal(err)
	}
	timer := strings.Replace(string(src), "effects: [ticks += 1]", `effects: [ticks += 1, 'said = said || published("comms", "site")']`, 1)
	timer = strings.Replace(timer, `effects: ['said = published("comms", "site")']`, "label: on", 1)
	sc, err := scenario.Parse("timer.yaml", []byte(timer))
	if err != nil {
		t.Fatal(err)
	}
	r, err = Explore(sc, ExploreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(r); len(got) != 2 || got[0].paths < 4 || got[1].paths != 1 {
		t.Errorf("read by a timer: outcomes %v", got)
	}
}

// TestPublicReplyFromOutlet: a reply sent from an outlet the team owns is
// public (the outlet's audience), counts as a publication there and as a
// reply; the inject says who may reply to it.
func TestPublicReplyFromOutlet(t *testing.T) {
	m := newMachine(t, "world.yaml", nil)
	evs := m.Start(0)
	evs = append(evs, m.Advance(time.Minute)...)
	i := slices.IndexFunc(evs, func(e Event) bool { return e.Kind == KindInjectDelivered && e.Inject == "email" })
	if i < 0 || !slices.Equal(evs[i].Reply, []string{"comms"}) {
		t.Fatalf("inject_delivered reply: %+v", evs)
	}
	if _, err := m.Send(2*time.Minute, Message{ID: "x", Action: ActionReply, Team: "comms", Inject: "email", Outlet: "newsroom", Body: "On the record."}); !errors.Is(err, ErrNeedsApproval) {
		t.Fatalf("unapproved public reply: %v", err)
	}
	got, err := m.Send(2*time.Minute, Message{ID: "x", Action: ActionReply, Team: "comms", Inject: "email", Outlet: "newsroom", Body: "On the record.", ApprovedBy: "lee"})
	if err != nil {
		t.Fatal(err)
	}
	e := messages(got)[0]
	if e.Outlet != "newsroom" || e.OutletName != "Acme newsroom" || !slices.Equal(e.Audience, []string{"*"}) || e.Persona != "reporter" || e.Thread != "email" {
		t.Errorf("public reply = %+v", e)
	}
	s := m.Snapshot()
	if !reflect.DeepEqual(s.Published, []Publication{{"comms", "newsroom", 2 * time.Minute}}) || !slices.Equal(s.Replied, []string{"email"}) {
		t.Errorf("snapshot: %+v %v", s.Published, s.Replied)
	}
}

// TestAutoReplyAfterPersonaAnswer: a team message after the persona
// answered schedules a new automatic reply, even while the one the answer
// cancelled is still pending; messages in a row schedule one.
func TestAutoReplyAfterPersonaAnswer(t *testing.T) {
	m := newMachine(t, "world.yaml", nil)
	m.Start(0)
	var evs []Event
	send := func(at time.Duration, msg Message) {
		t.Helper()
		got, err := m.Send(at, msg)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, got...)
	}
	send(10*time.Second, Message{ID: "t1", Action: ActionCompose, Team: "soc", Persona: "support", Body: "Help"})
	send(20*time.Second, Message{ID: "t2", Action: ActionCompose, Team: "soc", Persona: "support", Thread: "t1", Body: "Again"})
	send(time.Minute, Message{ID: "p1", Action: ActionPersona, Team: "soc", Thread: "t1", Body: "On it.", ByFacilitator: true})
	send(2*time.Minute, Message{ID: "t3", Action: ActionCompose, Team: "soc", Persona: "support", Thread: "t1", Body: "Still hijacked"})
	evs = append(evs, m.Advance(10*time.Minute)...)
	var got []string
	for _, e := range messages(evs) {
		got = append(got, fmt.Sprintf("%s %s", FormatClock(e.At), e.Message))
	}
	want := []string{"+00:00:10 t1", "+00:00:20 t2", "+00:01:00 p1", "+00:02:00 t3", "+00:05:00 t3/auto/ack"}
	if !slices.Equal(got, want) {
		t.Errorf("messages %v, want %v", got, want)
	}
}

// TestMeasuresWhenEnded: the facilitator ending the exercise evaluates the
// measures too; nothing done means not met, with the values read.
func TestMeasuresWhenEnded(t *testing.T) {
	m := newMachine(t, "world.yaml", nil)
	m.Start(0)
	m.Advance(2 * time.Minute)
	evs := m.End(3*time.Minute, "out of time")
	if got := briefs(evs); !slices.Equal(got, []string{"outcome_reached:ended", "objective_measured", "objective_measured"}) {
		t.Fatalf("events %v", got)
	}
	want := []MeasureResult{
		{Objective: "fast", Measure: `published("comms", "newsroom") and published_at("comms", "newsroom") - delivered_at("email") <= 10`,
			Values: []NamedValue{{`published("comms", "newsroom")`, false}, {`published_at("comms", "newsroom")`, -1.0}, {`delivered_at("email")`, 1.0}}},
		{Objective: "ticket", Measure: `sent("soc", "support")`, Values: []NamedValue{{`sent("soc", "support")`, false}}},
	}
	if got := m.Snapshot().Measures; !reflect.DeepEqual(got, want) {
		t.Errorf("measures %+v", got)
	}
	if e := evs[1]; e.Met || e.Objective != "fast" || len(e.Values) != 3 {
		t.Errorf("event %+v", e)
	}
}
