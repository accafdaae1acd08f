package sim

import "testing"

// TestVariablesInText: {{variable}} in an inject, a prompt and a debrief
// shows the value when each is delivered, formatted for reading.
func TestVariablesInText(t *testing.T) {
	res, err := Play(loadTD(t, "textvars.yaml"), PlayOptions{Choices: map[string]string{"tell": "yes"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[Kind][2]string{}
	for _, e := range res.Events {
		switch e.Kind {
		case KindInjectDelivered:
			got[e.Kind] = [2]string{e.Title, e.Body}
		case KindDecisionOpened:
			got[e.Kind] = [2]string{e.Prompt}
		case KindOutcomeReached:
			got[e.Kind] = [2]string{e.Debrief}
		}
	}
	for k, want := range map[Kind][2]string{
		KindInjectDelivered: {"Acme: 1,250,000 gone", "Transfers so far: 1,250,000. Restored: no."},
		KindDecisionOpened:  {"Tell the press about the 1,250,000?"},
		KindOutcomeReached:  {"In the end Acme lost 999,999.5."},
	} {
		if got[k] != want {
			t.Errorf("%s: got %q, want %q", k, got[k], want)
		}
	}
}
