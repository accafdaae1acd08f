package sim

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func playLines(t *testing.T, name string, opts PlayOptions) (string, *PlayResult) {
	t.Helper()
	res, err := Play(loadTD(t, name), opts)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range res.Events {
		b.WriteString(Line(e))
		b.WriteByte('\n')
	}
	return b.String(), res
}

func TestPlayGolden(t *testing.T) {
	cases := []struct {
		golden  string
		file    string
		opts    PlayOptions
		outcome string
	}{
		{"basic-default.play", "basic.yaml", PlayOptions{}, "crisis"},
		{"basic-statement.play", "basic.yaml", PlayOptions{
			Choices: map[string]string{"lock": "wait", "statement": "yes"},
			Delays:  map[string]time.Duration{"statement": 30 * time.Second},
			Params:  map[string]string{"company": "Initech"},
		}, "contained"},
		{"facilitator.play", "facilitator.yaml", PlayOptions{Choices: map[string]string{"choose": "yes"}}, "loud"},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			out, res := playLines(t, c.file, c.opts)
			golden(t, c.golden, out)
			if !res.Done || res.Outcome != c.outcome {
				t.Errorf("outcome %q done %v, want %q", res.Outcome, res.Done, c.outcome)
			}
		})
	}
}

func TestPlayStops(t *testing.T) {
	_, res := playLines(t, "basic.yaml", PlayOptions{Until: 10 * time.Minute})
	if res.Done || res.Stopped != "no outcome by +00:10:00" || res.End != 10*time.Minute || res.State != "hijack" {
		t.Errorf("until: %+v", res)
	}
	_, res = playLines(t, "deadend.yaml", PlayOptions{Choices: map[string]string{"d": "spin"}, MaxEvents: 50})
	if res.Done || res.Stopped != "stopped after 50 events" {
		t.Errorf("max events: %+v", res.Stopped)
	}
	_, res = playLines(t, "deadend.yaml", PlayOptions{Choices: map[string]string{"d": "stay"}})
	if res.Done || !strings.HasPrefix(res.Stopped, "stuck") || res.State != "limbo" {
		t.Errorf("stuck: %+v", res.Stopped)
	}
	// Choices that come too late are reported, not fatal.
	_, res = playLines(t, "basic.yaml", PlayOptions{Choices: map[string]string{"lock": "revoke"}, Delays: map[string]time.Duration{"lock": time.Hour}})
	if !res.Done || len(res.Notes) != 1 || res.Notes[0] != "+01:05:00: --choose lock=revoke not applied: the run ended first" {
		t.Errorf("late choice: done %v notes %q", res.Done, res.Notes)
	}
	_, res = playLines(t, "basic.yaml", PlayOptions{Choices: map[string]string{"lock": "revoke"}, Delays: map[string]time.Duration{"lock": 10 * time.Minute}})
	if !res.Done || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "decision is not open") {
		t.Errorf("choice at the close: done %v notes %q", res.Done, res.Notes)
	}
	if _, err := Play(loadTD(t, "basic.yaml"), PlayOptions{Choices: map[string]string{"x": "y"}}); !errors.Is(err, ErrUnknownDecision) {
		t.Errorf("unknown decision: %v", err)
	}
}
