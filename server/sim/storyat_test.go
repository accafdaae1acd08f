package sim

import (
	"testing"
	"time"
)

// TestStoryAt: entering a state with story_at moves the story clock
// forward to that time, and never back.
func TestStoryAt(t *testing.T) {
	res, err := Play(loadTD(t, "storyat.yaml"), PlayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		state, story string
		jump         time.Duration
	}
	var got []entry
	for _, e := range res.Events {
		if e.Kind == KindStateEntered {
			got = append(got, entry{e.State, e.StoryTime, e.StoryJump})
		}
	}
	want := []entry{
		{"evening", "2026-03-02T16:00:00Z", 0},
		{"morning", "2026-03-03T08:30:00Z", 16 * time.Hour},              // 16:30 -> the next day's 08:30
		{"later", "2026-03-04T08:30:00Z", 23*time.Hour + 50*time.Minute}, // 08:40 -> the next 08:30
		{"same", "2026-03-04T08:40:00Z", 0},                              // D 09:00 is long past: no going back
	}
	if len(got) != len(want) {
		t.Fatalf("entered %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
