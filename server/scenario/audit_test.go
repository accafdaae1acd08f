package scenario

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// TestBrokenShippedScenario breaks the shipped example the ways authors
// do and checks the first problem reported: it names file:line:col, says
// what is wrong in the author's words, and says what to do.
func TestBrokenShippedScenario(t *testing.T) {
	src, err := os.ReadFile("../../scenarios/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type edit struct{ old, new string }
	cases := []struct {
		name  string
		edits []edit
		want  string
	}{
		{"key one space short", []edit{{"        channel: ticket\n", "       channel: ticket\n"}},
			"e.yaml:118:8: YAML indentation: 'channel:' is indented 7 spaces, which lines it up with nothing above it — line it up with 'at:' on line 117 (8 spaces), or with 'injects:' on line 105 (4 spaces)"},
		{"key between two blocks", []edit{{"    decisions:\n      - id: lock_account", "     decisions:\n      - id: lock_account"}},
			"e.yaml:146:6: YAML indentation: 'decisions:' is indented 5 spaces, which lines it up with nothing above it — line it up with 'notes:' on line 145 (8 spaces), or with 'injects:' on line 105 (4 spaces)"},
		{"key at a list item's dash", []edit{{"        teams: [soc]\n        title: Unusual login", "        teams: [soc]\n      title: Unusual login"}},
			"e.yaml:120:7: YAML indentation: 'title:' is indented 6 spaces, like the '-' of the list item on line 116, but has no '-' — indent it 8 spaces to keep it in that item, or start a new item with '- '"},
		{"list item one space short", []edit{{"          - id: report\n", "         - id: report\n"}},
			"e.yaml:163:10: YAML indentation: '- id:' is indented 9 spaces, which lines it up with nothing above it — line it up with '- id:' on line 158 (10 spaces), or with 'options:' on line 157 (8 spaces)"},
		{"top-level key indented", []edit{{"duration: 45m\n", " duration: 45m\n"}},
			"e.yaml:11:2: YAML indentation: 'duration:' is indented 1 space, which lines it up with nothing above it — line it up with 'summary:' on line 7 (no spaces)"},
		{"key under a value", []edit{{"        channel: ticket\n", "          channel: ticket\n"}},
			"e.yaml:118:11: YAML indentation: 'channel:' is indented deeper than 'at:' on line 117, so it reads as more of that value — line it up with 'at:' (8 spaces)"},
		{"tab", []edit{{"        channel: ticket\n", "\tchannel: ticket\n"}},
			"e.yaml:118:2: YAML syntax: found a tab character that violates indentation — indent with spaces, not tabs"},
		{"typo in a key", []edit{{"        time_limit: 5m\n", "        time_limt: 5m\n"}},
			"e.yaml:153:9: unknown key 'time_limt' in a decision of state 'takeover' — did you mean 'time_limit'?"},
		{"typo in a top-level key", []edit{{"story_start:", "storystart:"}},
			"e.yaml:14:1: unknown key 'storystart' in the scenario — did you mean 'story_start'?"},
		{"rule names a missing decision", []edit{{`when: closed("lock_account") && !account_secured`, `when: closed("lock_acount") && !account_secured`}},
			"e.yaml:201:22: unknown decision 'lock_acount' — did you mean 'lock_account'?"},
		{"rule names a missing option", []edit{{"      - to: recovered\n        when: account_secured\n", "      - to: recovered\n        when: chose(\"lock_account\", \"revok\")\n"}},
			"e.yaml:198:37: decision 'lock_account' has no option 'revok' — did you mean 'revoke'?"},
		{"default names a missing option", []edit{{"        default: wait\n", "        default: wiat\n"}},
			"e.yaml:154:18: default 'wiat' is not an option of decision 'lock_account' — did you mean 'wait'?"},
		{"duration without a unit", []edit{{"        time_limit: 5m\n", "        time_limit: 90\n"}},
			"e.yaml:153:21: 'time_limit' needs a unit: 90 seconds or minutes? — add a unit, for example '90s' or '90m'"},
		{"negative duration", []edit{{"        time_limit: 5m\n", "        time_limit: -5m\n"}},
			"e.yaml:153:21: 'time_limit' cannot be negative — durations count forward: write 0 or more, for example 5m"},
		{"loop with no exit", []edit{
			{"      - to: recovered\n        when: account_secured\n        label: account locked\n", ""},
			{"    transitions:\n      - to: recovered\n        when: account_secured && reputation >= 40\n      - to: damaged\n        when: account_secured\n      - to: crisis\n        when: closed(\"escalate\")",
				"    transitions:\n      - to: takeover\n        after: 5m"}},
			"e.yaml:96:3: states 'takeover' and 'escalation' lead only to each other: once there, the exercise cannot reach an ending — add a transition to a final state (one with 'outcome:') from one of them"},
		{"state looping on itself", []edit{
			{"    transitions:\n      - to: recovered\n        when: account_secured && reputation >= 40\n      - to: damaged\n        when: account_secured\n      - to: crisis\n        when: closed(\"escalate\")",
				"    transitions:\n      - to: escalation\n        after: 5m"}},
			"e.yaml:207:3: state 'escalation' only leads back to itself: once there, the exercise cannot reach an ending — add a transition to a final state (one with 'outcome:')"},
		{"team that does not exist", []edit{{"        team: soc\n        prompt: Vote", "        team: secops\n        prompt: Vote"}},
			"e.yaml:234:15: unknown team 'secops' — use one of 'comms', 'soc', 'facilitator', or declare it under 'teams:'"},
		{"team typo in a list", []edit{{"        teams: [comms]\n        platform:", "        teams: [coms]\n        platform:"}},
			"e.yaml:127:17: unknown team 'coms' — did you mean 'comms'?"},
		{"persona where a team goes", []edit{{"        teams: [comms]\n        platform:", "        teams: [reporter]\n        platform:"}},
			"e.yaml:127:17: unknown team 'reporter' — 'reporter' is one of the personas, not of the teams; use one of 'comms', 'soc', or declare it under 'teams:'"},
		{"persona missing", []edit{{"        from: reporter\n        to: press", "        from: journalist\n        to: press"}},
			"e.yaml:135:15: unknown persona 'journalist' — use one of 'attacker', 'reporter', 'support', 'ciso', or declare it under 'personas:'"},
		{"persona's name for its id", []edit{{"        from: reporter\n        to: press", "        from: Dana Reyes\n        to: press"}},
			"e.yaml:135:15: unknown persona 'Dana Reyes' — that is the name of persona 'reporter': write its id, 'reporter'"},
		{"team where a persona goes", []edit{{"        from: reporter\n        to: press", "        from: comms\n        to: press"}},
			"e.yaml:135:15: unknown persona 'comms' — 'comms' is one of the teams, not of the personas; use one of 'attacker', 'reporter', 'support', 'ciso', or declare it under 'personas:'"},
		{"persona deleted", []edit{{"  ciso:\n    name: Sam Okafor\n    org: \"{{company}}\"\n    role: The CISO, calling from the airport.\n", ""}},
			"e.yaml:125:15: unknown persona 'ciso' — use one of 'attacker', 'reporter', 'support', or declare it under 'personas:'"},
		{"decision without a team", []edit{{"        team: soc\n        prompt: Vote", "        prompt: Vote"}},
			"e.yaml:233:9: a decision of state 'escalation' is missing required key 'team' — add 'team: …'"},
		{"transition to a missing state", []edit{{"      - to: escalation\n        after: 15m", "      - to: escalate\n        after: 15m"}},
			"e.yaml:203:13: transition to unknown state 'escalate' — use one of 'takeover', 'escalation', 'recovered', 'damaged', 'crisis', or declare it under 'states:'"},
		{"variable typo", []edit{{"        if: not account_secured", "        if: not acount_secured"}},
			"e.yaml:193:17: unknown variable 'acount_secured' — did you mean 'account_secured'?"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := string(src)
			for _, e := range c.edits {
				if !strings.Contains(s, e.old) {
					t.Fatalf("the example no longer holds %q", e.old)
				}
				s = strings.Replace(s, e.old, e.new, 1)
			}
			_, err := Parse("e.yaml", []byte(s))
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("got %v, want an ErrorList", err)
			}
			first := list[0]
			if first.Line < 1 || first.Col < 1 || first.Hint == "" {
				t.Errorf("unpositioned or without a hint: %+v", first)
			}
			if got := first.Error(); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestMisindentedWideDash checks the column of a list item's '-' when more
// than one space follows it.
func TestMisindentedWideDash(t *testing.T) {
	src := "a:\n  -   id: x\n      name: y\n  name: z\n"
	msg, hint, ok := misindented([]byte(src), 4)
	want := "'name:' is indented 2 spaces, like the '-' of the list item on line 2, but has no '-'"
	if !ok || msg != want || hint != "indent it 6 spaces to keep it in that item, or start a new item with '- '" {
		t.Errorf("got %q, %q, %v\nwant %q", msg, hint, ok, want)
	}
}
