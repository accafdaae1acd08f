package sim

import (
	"strings"
	"testing"
)

// TestPlayRunawayOnce: a loop that restarts each time the clock moves is
// printed once (its first cycle and one error naming it), then the run
// stops instead of filling 100,000 events and drifting the story clock.
// A decision its if skips prints SKIP, as a skipped inject does.
func TestPlayRunawayOnce(t *testing.T) {
	out, res := playLines(t, "loop.yaml", PlayOptions{})
	golden(t, "loop.play", out)
	if res.Done || res.Stopped != "runaway loop a -> b -> a started again at +00:03:00; it would each time the clock moves" {
		t.Errorf("stopped %q", res.Stopped)
	}
	if n := strings.Count(out, "ERROR"); n != 1 {
		t.Errorf("%d ERROR lines, want 1", n)
	}
	if n := strings.Count(out, "GOTO"); n != 2 {
		t.Errorf("%d GOTO lines, want the 2 of one cycle", n)
	}
	if !strings.Contains(out, "SKIP  d  comms: decision not opened  (if: n > 1000)") {
		t.Errorf("skipped decision not printed:\n%s", out)
	}
}

// TestPlayRunawayThenOutcome: a loop the clock breaks is printed once and
// the run goes on to its outcome, as the live exercise would.
func TestPlayRunawayThenOutcome(t *testing.T) {
	out, res := playLines(t, "runaway.yaml", PlayOptions{})
	if !res.Done || res.Outcome != "done" {
		t.Fatalf("done %v outcome %q stopped %q", res.Done, res.Outcome, res.Stopped)
	}
	if strings.Count(out, "GOTO  a -> b") != 1 || !strings.Contains(out, "ERROR  runaway: loop a -> b -> a: more than 64 transitions") {
		t.Errorf("loop not folded:\n%s", out)
	}
}
