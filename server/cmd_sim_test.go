package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func runCmd(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCmdPlay(t *testing.T) {
	const basic = "sim/testdata/basic.yaml"
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout []string // substrings, in order
		stderr []string
		notOut []string
	}{
		{"contained", []string{"play", basic, "--choose", "lock=revoke"}, 0,
			[]string{
				`+00:00:00  [-]  START  basic  "Hijacked account at Acme"`,
				`+00:00:00  [hijack]  INJECT  social  "Hacked"  from OurMine (@ourmine)  -> all  (spam_post)`,
				`+00:05:00  [hijack]  ANSWER  lock  soc: revoke "Revoke sessions"  by play`,
				`+00:15:00  [hijack]  GOTO  hijack -> contained  "sessions revoked"`,
				`+00:15:00  [contained]  OUTCOME  contained  (success)  "Contained"`,
				`== outcome contained (success) "Contained" after 15m of exercise time`,
			}, nil, []string{"would take"}},
		{"flags before the file, params, speed", []string{"play", "--param", "company=Initech", "--speed", "10", basic}, 0,
			[]string{`"Hijacked account at Initech"`, `reputation 50 -> 40`, `OUTCOME  crisis  (failure)`, `after 35m of exercise time; would take 3m30s at ×10`}, nil, nil},
		{"answer-at delays the answer", []string{"play", basic, "--choose", "lock=revoke", "--answer-at", "lock=3m"}, 0,
			[]string{`+00:08:00  [hijack]  ANSWER  lock`}, nil, nil},
		{"until stops without outcome", []string{"play", basic, "--until", "10m"}, 1,
			[]string{`+00:10:00  [hijack]  TIMER  #1`, `== no outcome: no outcome by +00:10:00 (state hijack at +00:10:00)`}, nil, []string{"OUTCOME"}},
		{"stuck", []string{"play", "sim/testdata/deadend.yaml", "--choose", "d=stay"}, 1,
			[]string{`[limbo]  ENTER`, `== no outcome: stuck: nothing more is scheduled and no transition can fire (state limbo at +00:00:00)`}, nil, nil},
		{"choice never applied", []string{"play", basic, "--choose", "lock=revoke", "--choose", "statement=yes"}, 0,
			nil, []string{"--choose statement=yes not applied: the decision never opened"}, nil},
		{"unknown decision", []string{"play", basic, "--choose", "nope=x"}, 2, nil, []string{"unknown decision"}, nil},
		{"unknown option", []string{"play", basic, "--choose", "lock=x"}, 2, nil, []string{"unknown option"}, nil},
		{"answer-at without choose", []string{"play", basic, "--answer-at", "lock=1m"}, 2, nil, []string{"needs --choose lock=OPTION"}, nil},
		{"bad pair", []string{"play", basic, "--choose", "lock"}, 2, nil, []string{"want NAME=VALUE"}, nil},
		{"unknown param", []string{"play", basic, "--param", "nope=1"}, 2, nil, []string{`unknown parameter "nope"`}, nil},
		{"bad speed", []string{"play", basic, "--speed", "0"}, 2, nil, []string{"--speed"}, nil},
		{"no file", []string{"play"}, 2, nil, []string{"Usage: ttx play FILE"}, nil},
		{"missing file", []string{"play", "sim/testdata/missing.yaml"}, 2, nil, []string{"missing.yaml"}, nil},
		{"help", []string{"play", "-h"}, 0, nil, []string{"Usage: ttx play FILE"}, nil},
		{"scripted team actions", []string{"play", "sim/testdata/world.yaml", "--act", "2m comms reply email", "--act", "3m soc send support",
			"--act", "7m comms publish newsroom"}, 0,
			[]string{
				`+00:02:00  [crisis]  REPLY  comms -> reporter  email  "(scripted by ttx play)"  (re email)`,
				`+00:03:00  [crisis]  WRITE  soc -> support  ticket  "(scripted by ttx play)"  (thread play-2)`,
				`+00:04:00  [crisis]  PERSONA  reporter -> comms  email  "Can I quote Acme?"  (canned quote)`,
				`+00:06:00  [escalated]  PERSONA  support -> soc  ticket  "Ticket received by Acme support."  (canned ack)`,
				`+00:07:00  [escalated]  PUBLISH  comms on newsroom  news  "(scripted by ttx play)"  -> all  (approved by play-approver)`,
				`+00:07:00  [escalated]  GOTO  escalated -> calm`,
				`MEASURE  fast  met  (published("comms", "newsroom")=true, published_at("comms", "newsroom")=7, delivered_at("email")=1)`,
				`== outcome calm (success)`,
			}, nil, nil},
		{"an act that is not allowed is a note", []string{"play", "sim/testdata/world.yaml", "--act", "30s comms reply email"}, 0,
			[]string{`OUTCOME  storm`}, []string{`+00:00:30: --act "30s comms reply email" not applied: not allowed: inject "email" has not been delivered`}, []string{"REPLY"}},
		{"act naming an unknown outlet", []string{"play", "sim/testdata/world.yaml", "--act", "1m comms publish blog"}, 2, nil, []string{`unknown outlet "blog"`}, nil},
		{"malformed act", []string{"play", "sim/testdata/world.yaml", "--act", "comms publish newsroom"}, 2, nil, []string{`want "TIME TEAM publish|reply|send TARGET"`}, nil},
		{"unknown act", []string{"play", "sim/testdata/world.yaml", "--act", "1m comms shout newsroom"}, 2, nil, []string{`unknown action "shout"`}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCmd(c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, out, errs)
			}
			inOrder(t, "stdout", out, c.stdout)
			inOrder(t, "stderr", errs, c.stderr)
			for _, s := range c.notOut {
				if strings.Contains(out, s) {
					t.Errorf("stdout has %q", s)
				}
			}
		})
	}
}

func inOrder(t *testing.T, what, text string, want []string) {
	t.Helper()
	rest := text
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("%s lacks %q (in order) in:\n%s", what, w, text)
			return
		}
		rest = rest[i+len(w):]
	}
}

func TestCmdPlayJSON(t *testing.T) {
	code, out, errs := runCmd("play", "sim/testdata/basic.yaml", "--json", "--choose", "lock=revoke")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var last map[string]any
	for _, l := range lines {
		last = nil
		if err := json.Unmarshal([]byte(l), &last); err != nil {
			t.Fatalf("not JSON: %q: %v", l, err)
		}
	}
	if len(lines) < 10 || last["kind"] != "outcome_reached" || last["outcome"] != "contained" {
		t.Errorf("%d lines, last %v", len(lines), last)
	}
	if !strings.Contains(errs, "== outcome contained") {
		t.Errorf("summary not on stderr: %q", errs)
	}
	// The same run twice prints the same bytes.
	if _, again, _ := runCmd("play", "sim/testdata/basic.yaml", "--json", "--choose", "lock=revoke"); again != out {
		t.Error("two runs differ")
	}
}

func TestCmdExplore(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{"clean", []string{"explore", "sim/testdata/basic.yaml"}, 0,
			[]string{"states: 4 reachable, 0 unreachable", "outcomes (11 paths):", "contained", "5 paths  15m – 16m", "crisis", "6 paths  35m – 35m",
				"warning: injects never delivered on any path:", "follow_up in press",
				"variables (the values they take on the paths explored):", "reputation     40 – 70", "locked         false, true", "OK: no defects"}, nil},
		{"unreachable", []string{"explore", "sim/testdata/unreachable.yaml"}, 1,
			[]string{"unreachable: secret (line 26)", "FAIL: 1 defect(s)"}, nil},
		{"dead ends", []string{"explore", "sim/testdata/deadend.yaml"}, 1,
			[]string{"dead ends:", "limbo (line 24): nothing more is scheduled", "e.g. +00:00:00 d=stay, +00:00:00 stuck in limbo", "spin (line 27): time runs on", "e.g. +00:00:00 d=spin, +00:01:00 stuck in spin"}, nil},
		{"cycle", []string{"explore", "sim/testdata/cycle.yaml"}, 1,
			[]string{"cycles without progress:", "a -> b -> a: returns to the same situation"}, nil},
		{"bound", []string{"explore", "--max-paths", "3", "sim/testdata/basic.yaml"}, 1,
			[]string{"INCOMPLETE: stopped after 3 paths; raise --max-paths", "Not every path was followed", "coverage search:",
				"states: 4 reached, 0 not reached (search incomplete)", "outcomes (not counted: the search is incomplete):",
				"contained      success  reached"}, []string{"stopped after 3 paths; raise --max-paths"}},
		{"bound, unreachable", []string{"explore", "--max-paths", "1", "--cover-branches", "50", "sim/testdata/unreachable.yaml"}, 1,
			[]string{"INCOMPLETE: stopped after 1 paths", "coverage search: ", " branches (stopped after 50 branches)",
				"states: 3 reached, 1 not reached (search incomplete)", "not reached (search incomplete): secret (line 26)"}, nil},
		{"facilitator", []string{"explore", "--facilitator", "sim/testdata/facreach.yaml"}, 1,
			[]string{"unreachable: calm (line 31)", "unreachable: meltdown (line 32)",
				"facilitator: closing decisions early, extending them past the phase's exit, forcing the next phase early",
				"facilitator can reach outcome calm (line 31); teams alone cannot", "e.g. +00:00:00 d=yes, +00:00:00 facilitator closes d, +00:00:00 reaches calm",
				"facilitator can reach outcome meltdown (line 32)", "facilitator extends d by 10m (past the exit), +00:12:00 reaches meltdown"}, nil},
		{"vote ties", []string{"explore", "sim/testdata/decisions.yaml"}, 0,
			[]string{"vote ties (a tie goes to the tied option listed first; every option is tried, so ties reach nothing more):",
				"vote in ask (line 13): a > b > c"}, nil},
		{"bad bound", []string{"explore", "--max-paths", "0", "sim/testdata/basic.yaml"}, 2, nil, []string{"must be positive"}},
		{"no file", []string{"explore"}, 2, nil, []string{"Usage: ttx explore FILE"}},
		{"invalid file", []string{"explore", "scenario/testdata/invalid/anchor.yaml"}, 2, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCmd(c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, out, errs)
			}
			inOrder(t, "stdout", out, c.stdout)
			inOrder(t, "stderr", errs, c.stderr)
		})
	}
	// An incomplete search never calls anything unreachable.
	for _, args := range [][]string{{"explore", "--max-paths", "3", "sim/testdata/basic.yaml"}, {"explore", "--max-paths", "1", "sim/testdata/unreachable.yaml"}} {
		if _, out, _ := runCmd(args...); strings.Contains(out, " unreachable\n") || strings.Contains(out, "  unreachable: ") {
			t.Errorf("%v says unreachable:\n%s", args, out)
		}
	}
	code, out, _ := runCmd("explore", "--json", "sim/testdata/basic.yaml")
	var r struct {
		Paths    uint64 `json:"paths"`
		Outcomes []struct {
			Outcome string `json:"outcome"`
			Paths   uint64 `json:"paths"`
		} `json:"outcomes"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 0 || r.Paths != 11 || len(r.Outcomes) != 2 || r.Outcomes[0].Paths != 5 {
		t.Errorf("json: exit %d err %v %+v", code, err, r)
	}
}

func TestCmdGraph(t *testing.T) {
	cases := []struct {
		args   []string
		code   int
		prefix string
		has    string
	}{
		{[]string{"graph", "sim/testdata/basic.yaml"}, 0, "flowchart TD\n", `s_hijack -->|"sessions revoked"| s_contained`},
		{[]string{"graph", "sim/testdata/basic.yaml", "--format", "mermaid"}, 0, "flowchart TD\n", "class s_hijack start"},
		{[]string{"graph", "--format", "dot", "sim/testdata/basic.yaml"}, 0, "digraph \"basic\" {\n", `s_hijack -> s_press [label="closed(\"lock\")"];`},
		{[]string{"graph", "--format", "svg", "sim/testdata/basic.yaml"}, 2, "", ""},
		{[]string{"graph"}, 2, "", ""},
	}
	for _, c := range cases {
		code, out, errs := runCmd(c.args...)
		if code != c.code || !strings.HasPrefix(out, c.prefix) || !strings.Contains(out, c.has) {
			t.Errorf("%v: exit %d\n%s%s", c.args, code, out, errs)
		}
	}
}
