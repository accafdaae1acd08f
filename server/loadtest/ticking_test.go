package loadtest

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestTickingEndToEnd runs two compressed exercises for a few seconds: the
// scenario injects due in the window (the first ones fall due 6 s in at
// ×10) must reach every participant of their teams, and the server's log
// must show when each scheduled event was committed.
func TestTickingEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ep, cred := startTTX(t)
	res, err := RunTicking(ctx, ep, cred, TickingConfig{Exercises: 2, PerExercise: 5, Speed: 10, Window: 6500 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Expected == 0 || res.Scheduled == 0 {
		t.Fatalf("nothing fell due in the window: %+v", res)
	}
	if res.Delivered != res.Expected || res.Missed != 0 {
		t.Errorf("delivered %d of %d (missed %d): %s", res.Delivered, res.Expected, res.Missed, strings.Join(res.Errors, "; "))
	}
	if res.DialFailed != 0 || res.Disconnected != 0 || len(res.Errors) != 0 {
		t.Errorf("dial failed %d, disconnected %d, errors %v", res.DialFailed, res.Disconnected, res.Errors)
	}
	if res.Arrival.N != int(res.Delivered) || res.Arrival.Max < res.Arrival.P50 {
		t.Errorf("arrival summary is not sane: %+v", res.Arrival)
	}
}
