package sim

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
)

// runEngagement delivers both posts and publishes twice on the social
// outlet and once on the status page, and returns every event.
func runEngagement(t *testing.T) []Event {
	t.Helper()
	m := newMachine(t, "engagement.yaml", nil)
	evs := m.Start(0)
	for _, in := range []worldInput{
		{3*time.Minute + 30*time.Second, Message{ID: "a", Action: ActionPublish, Team: "comms", Participant: "ann", Outlet: "feed", Body: "We are aware."}},
		{5*time.Minute + 30*time.Second, Message{ID: "b", Action: ActionPublish, Team: "comms", Participant: "ann", Outlet: "feed", Body: "Update."}},
		{6 * time.Minute, Message{ID: "c", Action: ActionPublish, Team: "comms", Participant: "ann", Outlet: "status", Body: "Investigating."}},
	} {
		got, err := m.Send(in.at, in.msg)
		if err != nil {
			t.Fatalf("%s: %v", in.msg.ID, err)
		}
		evs = append(evs, got...)
	}
	return evs
}

// TestEngagementFollowsVariables: an inject's counts are evaluated when it
// is delivered and a publication's when it is sent, so they follow panic.
func TestEngagementFollowsVariables(t *testing.T) {
	evs := runEngagement(t)
	got := map[string]*scenario.Engagement{}
	for _, e := range evs {
		switch {
		case e.Kind == KindError:
			t.Errorf("error event: %s", e.Error)
		case e.Kind == KindInjectDelivered:
			got[e.Inject] = e.Engagement
		case e.Kind == KindMessageSent:
			got[e.Message] = e.Engagement
		}
	}
	want := map[string]*scenario.Engagement{
		"early": {Likes: 1440, Reposts: 7},             // panic 20 at 30s
		"late":  {Likes: 1680, Reposts: 7},             // panic 40 at 2m30s
		"a":     {Likes: 500, Reposts: 3, Replies: 10}, // panic 50 at 3m30s
		"b":     {Likes: 700, Reposts: 3, Replies: 0},  // panic 70: 60 - panic is kept at 0
		"c":     nil,                                   // a status page shows none
	}
	for id, w := range want {
		g, ok := got[id]
		if !ok {
			t.Errorf("%s: no event", id)
			continue
		}
		if (g == nil) != (w == nil) || (g != nil && *g != *w) {
			t.Errorf("%s: engagement %+v, want %+v", id, g, w)
		}
	}
	var b []byte
	var pub struct {
		Engagement *scenario.Engagement `json:"engagement"`
	}
	for _, e := range evs {
		if e.Message == "b" {
			b, _ = json.Marshal(e)
		}
	}
	if err := json.Unmarshal(b, &pub); err != nil || pub.Engagement == nil || pub.Engagement.Likes != 700 {
		t.Errorf("message_sent on the wire: %s", b)
	}
}

func TestEngagementDeterministic(t *testing.T) {
	a, err := json.Marshal(runEngagement(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(runEngagement(t))
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Fatal("two runs of the same inputs differ")
	}
}
