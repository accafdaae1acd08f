package scenario

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// StoryAt is a state's absolute story time: entering the state moves the
// story clock forward to it ("the next morning, 08:30"). Three forms:
//
//	2026-03-03T08:30   a date and time, like story_start
//	D+1 08:30          a time on the Nth day after story_start's date ("D 14:00": that day)
//	next 08:30         the first 08:30 after the story time on entering
//
// The story clock never goes back: a time already past leaves it as it is.
type StoryAt struct {
	Src string

	abs   time.Time     // the date-and-time form
	next  bool          // the "next" form
	day   int           // the "D+N" form: days after story_start's date
	clock time.Duration // time of day, for "D+N" and "next"
}

// MarshalJSON writes the form as written.
func (s *StoryAt) MarshalJSON() ([]byte, error) { return json.Marshal(s.Src) }

// Relative reports whether the target depends on the story time on
// entering (the "next 08:30" form); the other forms name one time.
func (s *StoryAt) Relative() bool { return s.next }

// Target is the story time the state moves to, given story_start and the
// story time on entering.
func (s *StoryAt) Target(start, now time.Time) time.Time {
	switch {
	case !s.abs.IsZero():
		return s.abs
	case s.next:
		y, m, d := now.Date()
		t := time.Date(y, m, d, 0, 0, 0, 0, now.Location()).Add(s.clock)
		if !t.After(now) {
			t = time.Date(y, m, d+1, 0, 0, 0, 0, now.Location()).Add(s.clock)
		}
		return t
	}
	y, m, d := start.Date()
	return time.Date(y, m, d+s.day, 0, 0, 0, 0, start.Location()).Add(s.clock)
}

var (
	storyDayRe  = regexp.MustCompile(`^D(?:\s*\+\s*(\d{1,3}))?\s+(\d{1,2}):(\d{2})$`)
	storyNextRe = regexp.MustCompile(`^next\s+(\d{1,2}):(\d{2})$`)
)

// storyAt reads a state's story_at; start is the scenario's story_start
// (zero when none), jump whether the state also has story_jump.
func (d *decoder) storyAt(n *yaml.Node, start time.Time, jump bool) *StoryAt {
	if n == nil {
		return nil
	}
	const forms = "write a time such as \"D+1 08:30\" (the day after story_start), \"next 08:30\" or 2026-03-03T08:30"
	if n.Kind != yaml.ScalarNode {
		d.errs.add(posOf(n), forms, "'story_at' must be a story time, found %s", kindName(n))
		return nil
	}
	src := strings.TrimSpace(n.Value)
	s := &StoryAt{Src: src}
	hm := func(h, m string) bool {
		hh, _ := strconv.Atoi(h)
		mm, _ := strconv.Atoi(m)
		if hh > 23 || mm > 59 {
			d.errs.add(posOf(n), "hours go from 00 to 23 and minutes from 00 to 59", "'story_at' has no such time of day: %s:%s", h, m)
			return false
		}
		s.clock = time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute
		return true
	}
	if m := storyDayRe.FindStringSubmatch(src); m != nil {
		s.day, _ = strconv.Atoi(m[1])
		if !hm(m[2], m[3]) {
			return nil
		}
	} else if m := storyNextRe.FindStringSubmatch(src); m != nil {
		s.next = true
		if !hm(m[1], m[2]) {
			return nil
		}
	} else {
		for _, l := range storyLayouts {
			if t, err := time.Parse(l, src); err == nil {
				s.abs = t
				break
			}
		}
		if s.abs.IsZero() {
			d.errs.add(posOf(n), forms, "'story_at' is not a story time: '%s'", clip(src, 40))
			return nil
		}
	}
	switch {
	case start.IsZero():
		d.errs.add(posOf(n), "add 'story_start:' at the top level, for example 'story_start: 2026-03-02T09:00'", "'story_at' needs the scenario's story_start")
		return nil
	case jump:
		d.errs.add(posOf(n), "keep one of the two: story_jump moves the story clock by a duration, story_at to a time", "a state cannot have both 'story_jump' and 'story_at'")
		return nil
	case !s.abs.IsZero() && s.abs.Before(start):
		d.errs.add(posOf(n), fmt.Sprintf("story_start is %s", start.Format("2006-01-02T15:04")), "'story_at' is before story_start")
		return nil
	}
	return s
}
