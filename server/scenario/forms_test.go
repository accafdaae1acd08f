package scenario

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// miniScenario is a small valid scenario with one inject and one decision
// whose keys the tests below fill in.
func miniScenario(injectExtra, decisionExtra string) string {
	return fmt.Sprintf(`id: mini
title: Mini
teams:
  comms: {name: Communications}
  soc: {name: SOC}
objectives:
  warn: {title: Warn}
start: begin
states:
  begin:
    injects:
      - id: post
        channel: email
        body: Hello.
%s
    decisions:
      - id: act
        team: soc
        prompt: Act?
        options: [{id: a, label: A}, {id: b, label: B}]
%s
    transitions:
      - {to: end, after: 10m}
  end: {outcome: done}
`, injectExtra, decisionExtra)
}

// TestDurationForms pins the duration syntax every duration key shares:
// hours, minutes and seconds, fractions when they make whole seconds.
func TestDurationForms(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string // substring of the message; empty: accepted
	}{
		{in: "90s", want: 90 * time.Second},
		{in: "1.5m", want: 90 * time.Second},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "0.5h", want: 30 * time.Minute},
		{in: "0", want: 0},
		{in: "500ms", err: "'at' is '500ms': durations are written in hours (h), minutes (m) and seconds (s)"},
		{in: "2us", err: "durations are written in hours (h), minutes (m) and seconds (s)"},
		{in: "1.5s", err: "'at' is '1.5s': durations are whole seconds — round it, for example to 2s"},
		{in: "0.01m", err: "durations are whole seconds"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			sc, err := Parse("mini.yaml", []byte(miniScenario("        at: "+tc.in, "")))
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := sc.Inject("post").At; got != tc.want {
					t.Fatalf("at = %v, want %v", got, tc.want)
				}
				return
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) != 1 || !strings.Contains(list[0].Error(), tc.err) {
				t.Fatalf("got %v, want one error containing %q", err, tc.err)
			}
			if list[0].Line != 15 {
				t.Errorf("error at line %d, want 15 (the 'at:' line)", list[0].Line)
			}
		})
	}
}

// TestSingleIDForms: every list of ids accepts a single id written
// without brackets, with the same meaning as a one-item list.
func TestSingleIDForms(t *testing.T) {
	for _, tc := range []struct {
		key, inject, decision string
		get                   func(*Scenario) []string
	}{
		{key: "inject teams", inject: "        teams: %s", get: func(sc *Scenario) []string { return sc.Inject("post").Teams }},
		{key: "inject objectives", inject: "        objectives: %s", get: func(sc *Scenario) []string { return sc.Inject("post").Objectives }},
		{key: "decision objectives", decision: "        objectives: %s", get: func(sc *Scenario) []string { return sc.Decision("act").Objectives }},
	} {
		t.Run(tc.key, func(t *testing.T) {
			val := "comms"
			if strings.Contains(tc.key, "objectives") {
				val = "warn"
			}
			var got [2][]string
			for i, form := range []string{val, "[" + val + "]"} {
				inj, dec := tc.inject, tc.decision
				if inj != "" {
					inj = fmt.Sprintf(inj, form)
				}
				if dec != "" {
					dec = fmt.Sprintf(dec, form)
				}
				sc, err := Parse("mini.yaml", []byte(miniScenario(inj, dec)))
				if err != nil {
					t.Fatalf("%s: %v", form, err)
				}
				got[i] = tc.get(sc)
			}
			if !reflect.DeepEqual(got[0], []string{val}) || !reflect.DeepEqual(got[0], got[1]) {
				t.Fatalf("bare %v, list %v; want both [%s]", got[0], got[1], val)
			}
		})
	}
}
