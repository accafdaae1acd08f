package sim

import (
	"testing"
	"time"
)

// TestSettleOnAnswer: with settle: on_answer the first answer settles a
// timed decision at once; unanswered, its default is taken at the deadline.
func TestSettleOnAnswer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    PlayOptions
		outcome string
		end     time.Duration
		settled string
	}{
		{"answered", PlayOptions{Choices: map[string]string{"go": "act"}, Delays: map[string]time.Duration{"go": time.Minute}}, "acted", time.Minute, "answered"},
		{"unanswered", PlayOptions{}, "waited", 5 * time.Minute, "default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, res := playLines(t, "settle.yaml", tc.opts)
			if !res.Done || res.Outcome != tc.outcome || res.End != tc.end {
				t.Fatalf("outcome %q at %v (done %v), want %q at %v", res.Outcome, res.End, res.Done, tc.outcome, tc.end)
			}
			for _, e := range res.Events {
				if e.Kind == KindDecisionOpened && !e.SettleFirst {
					t.Error("decision_opened does not say the first answer is final")
				}
				if e.Kind == KindDecisionClosed && (e.Settled != tc.settled || e.At != tc.end) {
					t.Errorf("closed %s at %v, want %s at %v", e.Settled, e.At, tc.settled, tc.end)
				}
			}
		})
	}
}
