package scenario

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// engagementScenario is a small scenario with one social inject and one
// social outlet whose engagement mappings are given.
func engagementScenario(inject, outlet string) string {
	return `id: e
title: E
teams: {comms: {name: Comms}}
personas: {acct: {name: Account, handle: "@acct"}}
outlets:
  feed:
    name: Feed
    channel: social
    teams: [comms]
    engagement: ` + outlet + `
variables:
  panic: {type: number, initial: 20}
  word: {type: string, initial: calm}
start: s
states:
  s:
    injects:
      - id: post
        channel: social
        from: acct
        body: Hello.
        engagement: ` + inject + `
    transitions:
      - {to: end, after: 5m}
  end: {outcome: done}
`
}

func TestEngagementCounts(t *testing.T) {
	for _, c := range []struct {
		name, inject, outlet string
		err                  string // "" = loads; else "line:col: message" part
	}{
		{"numbers", "{likes: 12, reposts: 0, replies: 3}", "{likes: 1}", ""},
		{"expression", `{likes: "round(1200 * (1 + panic / 100))", replies: 4}`, `{reposts: "panic * 2"}`, ""},
		{"plain expression", "{likes: round(panic)}", "{likes: 1}", ""},
		{"text expression", `{likes: "word"}`, "{likes: 1}", `e.yaml:22:30: this count gives text, not a number`},
		{"bool expression", "{likes: 1}", `{likes: "panic > 3"}`, `e.yaml:10:26: this count gives true/false, not a number`},
		{"bad expression", `{likes: "panic +* 2"}`, "{likes: 1}", `e.yaml:22:37: unexpected '*'`},
		{"unknown variable", `{likes: "panik * 2"}`, "{likes: 1}", `e.yaml:22:30: unknown variable 'panik' — did you mean 'panic'?`},
		{"disallowed", `{likes: "len(map([1], # + 1))"}`, "{likes: 1}", `e.yaml:22:34: function 'map' is not allowed`},
		{"fraction", "{likes: 1.5}", "{likes: 1}", `e.yaml:22:29: 'likes' must be a whole number from 0 to 1000000000 or a number expression, found '1.5'`},
		{"negative", "{likes: -1}", "{likes: 1}", `e.yaml:22:29: 'likes' must be a whole number from 0 to 1000000000, found '-1'`},
		{"list", "{likes: [1]}", "{likes: 1}", `e.yaml:22:29: 'likes' must be a whole number from 0 to 1000000000 or a number expression, found a list`},
		{"unknown key", "{likes: 1}", "{views: 1}", `e.yaml:10:18: unknown key 'views' in engagement`},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := engagementScenario(c.inject, c.outlet)
			_, err := Parse("e.yaml", []byte(src))
			if c.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("got %v (%T), want an ErrorList with %q", err, err, c.err)
			}
			if !strings.Contains(err.Error(), c.err) {
				t.Fatalf("got\n%v\nwant it to contain %q", err, c.err)
			}
		})
	}
}

func TestEngagementOnlyOnSocialAndNewsOutlets(t *testing.T) {
	src := strings.Replace(engagementScenario("{likes: 1}", "{likes: 2}"), "channel: social\n    teams", "channel: status\n    teams", 1)
	_, err := Parse("e.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "e.yaml:10:17: 'engagement' only applies to social and news outlets") {
		t.Fatalf("got %v", err)
	}
}

type noRuntime struct{ Runtime }

func TestEngagementEval(t *testing.T) {
	sc, err := Parse("e.yaml", []byte(engagementScenario(`{likes: "1200 * (1 + panic / 100)", reposts: "-panic", replies: 7}`, `{likes: "panic * 1e12"}`)))
	if err != nil {
		t.Fatal(err)
	}
	env := sc.NewEnv(noRuntime{})
	for _, c := range []struct {
		panic float64
		rule  *EngagementRule
		want  Engagement
	}{
		{20, sc.Inject("post").Engagement, Engagement{Likes: 1440, Reposts: 0, Replies: 7}},
		{10.04, sc.Inject("post").Engagement, Engagement{Likes: 1320, Reposts: 0, Replies: 7}},
		{0.0004, sc.Inject("post").Engagement, Engagement{Likes: 1200, Reposts: 0, Replies: 7}},
		{-50, sc.Inject("post").Engagement, Engagement{Likes: 600, Reposts: 50, Replies: 7}},
		{1, sc.Outlet("feed").Engagement, Engagement{Likes: MaxCount}},
	} {
		env.Set("panic", c.panic)
		got, err := c.rule.Eval(env)
		if err != nil || *got != c.want {
			t.Errorf("panic %v: got %+v, %v; want %+v", c.panic, got, err, c.want)
		}
	}
	b, err := json.Marshal(sc.Inject("post").Engagement)
	if err != nil || string(b) != `{"likes":"1200 * (1 + panic / 100)","reposts":"-panic","replies":7}` {
		t.Fatalf("json %s, %v", b, err)
	}
}
