package scenario

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestStoryAtTarget: each form of story_at, from a story that started on
// Monday 2026-03-02 at 09:00 and is now at the given time.
func TestStoryAtTarget(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(day, h, m int) time.Time { return time.Date(2026, 3, day, h, m, 0, 0, time.UTC) }
	for _, tc := range []struct {
		src  string
		now  time.Time
		want time.Time
	}{
		{"D+1 08:30", at(2, 17, 0), at(3, 8, 30)},
		{"D 14:00", at(2, 9, 30), at(2, 14, 0)},
		{"D + 2 7:05", at(2, 9, 30), at(4, 7, 5)},
		{"next 08:30", at(2, 17, 0), at(3, 8, 30)},
		{"next 18:00", at(2, 17, 0), at(2, 18, 0)},
		{"next 17:00", at(2, 17, 0), at(3, 17, 0)},
		{"2026-03-05T10:00", at(2, 17, 0), at(5, 10, 0)},
	} {
		t.Run(tc.src, func(t *testing.T) {
			src := strings.Replace(miniScenario("", ""), "title: Mini\n", "title: Mini\nstory_start: 2026-03-02T09:00\n", 1)
			src = strings.Replace(src, "  end: {outcome: done}", "  end: {outcome: done, story_at: \""+tc.src+"\"}", 1)
			sc, err := Parse("mini.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			if got := sc.State("end").StoryAt.Target(start, tc.now); !got.Equal(tc.want) {
				t.Errorf("target %v, want %v", got, tc.want)
			}
		})
	}
}

// TestStoryAtErrors: every way to get story_at wrong is named at its line.
func TestStoryAtErrors(t *testing.T) {
	for _, tc := range []struct {
		start, state, want string
	}{
		{"story_start: 2026-03-02T09:00\n", `story_at: "tomorrow"`, "'story_at' is not a story time: 'tomorrow' — write a time such as \"D+1 08:30\""},
		{"story_start: 2026-03-02T09:00\n", `story_at: "D+1 25:00"`, "'story_at' has no such time of day: 25:00"},
		{"", `story_at: "next 08:30"`, "'story_at' needs the scenario's story_start"},
		{"story_start: 2026-03-02T09:00\n", `story_at: "next 08:30", story_jump: 2h`, "a state cannot have both 'story_jump' and 'story_at'"},
		{"story_start: 2026-03-02T09:00\n", `story_at: 2026-03-01T09:00`, "'story_at' is before story_start — story_start is 2026-03-02T09:00"},
	} {
		t.Run(tc.state, func(t *testing.T) {
			src := strings.Replace(miniScenario("", ""), "title: Mini\n", "title: Mini\n"+tc.start, 1)
			src = strings.Replace(src, "  end: {outcome: done}", "  end: {outcome: done, "+tc.state+"}", 1)
			_, err := Parse("mini.yaml", []byte(src))
			var list ErrorList
			if !errors.As(err, &list) || len(list) != 1 || !strings.Contains(list[0].Error(), tc.want) {
				t.Fatalf("got %v, want one error containing %q", err, tc.want)
			}
		})
	}
}
