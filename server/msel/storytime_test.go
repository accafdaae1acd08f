package msel

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ttxsim/ttx/server/scenario"
)

// TestStoryEntries checks which modules get a story time and which one:
// fixed by timed exits and story_at, or left out when the path decides.
func TestStoryEntries(t *testing.T) {
	const head = "id: s\ntitle: S\nteams: {a: {name: A}}\nvariables: {ok: {type: bool}}\n" +
		"story_start: 2026-03-02T09:00\nstart: one\nstates:\n"
	cases := []struct {
		name   string
		states string
		want   map[string]string // state → story time on entering; absent: depends on the path
	}{
		{"timed exits chain with jumps",
			"  one: {story_jump: 30m, transitions: [{to: two, after: 10m}]}\n" +
				"  two: {story_jump: 2h, transitions: [{to: end, after: 5m}]}\n  end: {outcome: done}\n",
			map[string]string{"one": "2026-03-02 09:30", "two": "2026-03-02 11:40", "end": "2026-03-02 11:45"}},
		{"a condition decides when",
			"  one: {transitions: [{to: two, when: ok}, {to: end, after: 10m}]}\n" +
				"  two: {transitions: [{to: end, after: 5m}]}\n  end: {outcome: done}\n",
			map[string]string{"one": "2026-03-02 09:00"}},
		{"a condition with a delay still decides",
			"  one: {transitions: [{to: two, after: 5m, when: ok}, {to: end, after: 10m}]}\n" +
				"  two: {transitions: [{to: end, after: 5m}]}\n  end: {outcome: done}\n",
			map[string]string{"one": "2026-03-02 09:00"}},
		{"two timed ways in, same time",
			"  one: {transitions: [{to: two, after: 10m}, {to: three, after: 10m}]}\n" +
				"  two: {transitions: [{to: end, after: 5m}]}\n  three: {transitions: [{to: end, after: 5m}]}\n  end: {outcome: done}\n",
			map[string]string{"one": "2026-03-02 09:00", "two": "2026-03-02 09:10", "three": "2026-03-02 09:10", "end": "2026-03-02 09:15"}},
		{"two timed ways in, different times",
			"  one: {transitions: [{to: two, after: 10m}]}\n" +
				"  two: {transitions: [{to: end, after: 5m, when: ok}, {to: three, after: 5m}]}\n" +
				"  three: {transitions: [{to: end, after: 5m}]}\n  end: {outcome: done}\n",
			map[string]string{"one": "2026-03-02 09:00", "two": "2026-03-02 09:10", "three": "2026-03-02 09:15"}},
		{"a loop",
			"  one: {transitions: [{to: two, after: 10m}]}\n" +
				"  two: {transitions: [{to: one, after: 5m, when: ok}, {to: end, after: 5m}]}\n  end: {outcome: done}\n",
			map[string]string{}},
		{"story_at a set time after a condition",
			"  one: {transitions: [{to: two, when: ok}, {to: end, after: 10m}]}\n" +
				"  two: {story_at: \"D+1 08:30\", transitions: [{to: end, after: 5m}]}\n  end: {outcome: done}\n",
			map[string]string{"one": "2026-03-02 09:00", "two": "2026-03-03 08:30"}},
		{"story_at already passed by the way in",
			"  one: {transitions: [{to: two, after: 45m}]}\n" +
				"  two: {story_at: \"D 09:30\", transitions: [{to: end, after: 5m}]}\n  end: {outcome: done}\n",
			map[string]string{"one": "2026-03-02 09:00", "two": "2026-03-02 09:45", "end": "2026-03-02 09:50"}},
		{"story_at next after a timed exit",
			"  one: {transitions: [{to: two, after: 10m}]}\n" +
				"  two: {story_at: next 08:30, transitions: [{to: end, after: 5m}]}\n  end: {outcome: done}\n",
			map[string]string{"one": "2026-03-02 09:00", "two": "2026-03-03 08:30", "end": "2026-03-03 08:35"}},
		{"story_at next after a condition",
			"  one: {transitions: [{to: two, when: ok}, {to: end, after: 10m}]}\n" +
				"  two: {story_at: next 08:30, transitions: [{to: end, after: 5m}]}\n  end: {outcome: done}\n",
			map[string]string{"one": "2026-03-02 09:00"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc, err := scenario.Parse("s.yaml", []byte(head+c.states))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for id, at := range StoryEntries(sc) {
				got[id] = at.Format("2006-01-02 15:04")
			}
			for _, st := range sc.States {
				if got[st.ID] != c.want[st.ID] {
					t.Errorf("%s: story time on entering %q, want %q", st.ID, got[st.ID], c.want[st.ID])
				}
			}
		})
	}
}

// TestExportStoryTimes checks that the CSV gives later modules their story
// time where it is fixed, says so where it depends on the path, and that
// import turns those times back into story_at.
func TestExportStoryTimes(t *testing.T) {
	src := "id: s\ntitle: S\nteams: {a: {name: A}}\nvariables: {ok: {type: bool}}\n" +
		"story_start: 2026-03-02T09:00\nstart: one\nstates:\n" +
		"  one: {title: One, injects: [{id: i1, channel: chat, body: a}], transitions: [{to: two, after: 10m}]}\n" +
		"  two: {title: Two, story_jump: 2h, injects: [{id: i2, at: 3m, channel: chat, body: b}], transitions: [{to: three, when: ok}, {to: end, after: 5m}]}\n" +
		"  three: {title: Three, injects: [{id: i3, channel: chat, body: c}], transitions: [{to: end, after: 5m}]}\n" +
		"  end: {outcome: done}\n"
	sc, err := scenario.Parse("s.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	csv, err := Export(sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"1,One,0:00:00,2026-03-02 09:00,",
		"2,Two,0:03:00,2026-03-02 11:13,",
		"3,Three,0:00:00," + StoryUnknown + ",",
	} {
		if !bytes.Contains(csv, []byte(want)) {
			t.Errorf("the CSV lacks %q:\n%s", want, csv)
		}
	}
	y, err := Import(bytes.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(y), "story_at: \"2026-03-02T11:10\"") && !strings.Contains(string(y), "story_at: 2026-03-02T11:10") {
		t.Errorf("the imported module Two does not move the story clock to 11:10:\n%s", y)
	}
	back, err := scenario.Parse("imported.yaml", y)
	if err != nil {
		t.Fatalf("imported skeleton does not validate: %v\n%s", err, y)
	}
	if rows := Rows(back, nil); len(rows) != 3 || rows[1].StoryTime != "2026-03-02 11:13" {
		t.Errorf("after the round trip: %+v", rows)
	}
}
