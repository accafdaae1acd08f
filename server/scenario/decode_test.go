package scenario

import (
	"os"
	"reflect"
	"testing"
	"time"
)

// TestDecodeAllKeys checks that every key of the format lands in the model.
func TestDecodeAllKeys(t *testing.T) {
	src, err := os.ReadFile("testdata/valid/all_keys.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, used, err := parse("all_keys.yaml", src, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range allSpecs() {
		for _, k := range sp.keys {
			if !used[sp.name+"."+k] {
				t.Errorf("key %s.%s is accepted but never decoded", sp.name, k)
			}
		}
	}

	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	check("duration", sc.Duration, 90*time.Minute)
	check("tags", sc.Tags, []string{"test", "complete"})
	check("story_start", sc.StoryStart.Format(time.RFC3339), "2026-02-08T09:00:30+01:00")
	check("parameter", *sc.Parameter("company"), Parameter{ID: "company", Label: "Company", Default: "Acme", Description: "The organisation", Type: String, Pos: Pos{10, 3}})
	ll, rg := sc.Parameter("loss_limit"), sc.Parameter("region")
	check("number parameter", []any{ll.Type, *ll.Min, *ll.Max, ll.Default}, []any{Number, 0.0, 1e6, "5000"})
	check("text parameter", []any{rg.Type, rg.Pattern, rg.Choices}, []any{String, "[A-Z]{2}", []string{"EU", "US"}})
	check("typed values", sc.Typed(map[string]string{"company": "X", "loss_limit": "250", "region": "US", "insured": "no"}),
		map[string]any{"company": "X", "loss_limit": 250.0, "region": "US", "insured": false})
	check("team brief", sc.Team("comms").Brief, "You speak for {{company}}.")
	check("objective", sc.Objective("warn").Teams, []string{"comms"})
	check("persona avatar", sc.Persona("reporter").Avatar, "DR")
	check("default avatar", sc.Persona("bot").Avatar, "B")
	rp := sc.Persona("reporter")
	check("persona world", []any{rp.Reachable, rp.Via, len(rp.Canned)}, []any{[]string{"comms", "soc"}, Chat, 1})
	cn := rp.Canned[0]
	check("canned", []any{cn.ID, cn.Label, cn.Body, cn.If.Src, cn.After}, []any{"thanks", "Thank them", "Thanks from {{company}}.", `not sent("soc", "reporter")`, 3 * time.Minute})
	check("via default", sc.Persona("bot").ViaChannel(), Email)
	nr := sc.Outlet("newsroom")
	check("outlet", []any{nr.Name, nr.Channel, nr.As, nr.Platform, nr.Teams, nr.Approval, nr.Audience},
		[]any{"{{company}} newsroom", Social, "bot", "Chirp", []string{"comms"}, "soc", []string{"comms", "soc"}})
	st := sc.Outlet("status")
	check("outlet defaults", []any{st.Teams, st.Approval, st.Audience, st.SeenBy("soc")}, []any{[]string{"comms"}, ApprovalLead, []string{"*"}, true})
	check("lines", []any{sc.Team("soc").Lines, sc.HasLine("comms", "soc"), sc.HasLine("soc", "comms"), sc.HasLine("comms", "comms"), sc.Lines()},
		[]any{[]string{"comms"}, true, true, false, [][2]string{{"comms", "soc"}}})
	check("measure", sc.Objective("warn").Measure.Src, `published("comms", "newsroom") and published_at("comms", "newsroom") - delivered_at("post") <= 10`)
	v := sc.Variable("reputation")
	check("variable", []any{v.Type, v.Initial, *v.Min, *v.Max, v.Visible}, []any{Number, 50.0, 0.0, 100.0, true})
	check("string initial", sc.Variable("stance").Initial, "quiet")
	one := sc.State("one")
	check("story_jump", one.StoryJump, 30*time.Minute)
	check("discussion", one.Discussion, []string{"Who decides?", "Who speaks?"})
	check("on_enter", []string{one.OnEnter[0].Var, one.OnEnter[0].Op}, []string{"reputation", "-="})
	in := sc.Inject("post")
	check("inject", []any{in.At, in.Teams, in.Channel, in.From, in.To, in.Platform, in.Level, in.Ref, in.Image, in.Notes, in.If.Src},
		[]any{90 * time.Second, []string{"comms", "soc"}, Social, "reporter", "everyone", "Chirp", "high", "T-1", "A photo", "Only for the facilitator.", "reputation > 10"})
	check("engagement", *in.Engagement, EngagementRule{Count{N: 1}, Count{N: 2}, Count{N: 3}})
	oe := sc.Outlet("newsroom").Engagement
	check("outlet engagement", []any{oe.Likes.X.Src, oe.Likes.X.Program != nil, oe.Reposts, oe.Replies}, []any{"round(reputation * 2)", true, Count{N: 4}, Count{}})
	check("reply", []any{in.Reply, in.TakesReplyFrom("comms"), in.TakesReplyFrom("soc"), in.Canned[0].ID}, []any{[]string{"comms"}, true, false, "quote"})
	check("facilitator inject", sc.Inject("secret").Teams, []string{FacilitatorTeam})
	d := sc.Decision("speak")
	check("settle", []any{d.Settle, d.SettlesOnAnswer()}, []any{SettleAtClose, false})
	check("decision", []any{d.Team, d.FreeText, d.Mode, d.Confidence, d.Rationale, d.At, d.TimeLimit, d.Default, d.Objectives},
		[]any{"comms", true, ModeVote, true, true, time.Minute, 5 * time.Minute, "no", []string{"warn"}})
	check("option", []any{d.Option("yes").Label, len(d.Option("yes").Effects), d.Option("yes").Notes}, []any{"Yes", 2, "Good"})
	check("scores", []any{*d.Option("yes").Score, *d.Option("no").Score, d.Expected, sc.Decision("fac").Expected}, []any{3.0, -1.5, []string{"yes"}, []string(nil)})
	wo := sc.Objective("warn")
	check("task", *wo.Tasks[0], Task{ID: "statement", Title: "Publish a statement", Teams: []string{"comms"}, Pos: wo.Tasks[0].Pos})
	check("milestone", []any{wo.Milestones[0].ID, wo.Milestones[0].Title, wo.Milestones[0].Task, wo.Milestones[0].Done.Src, wo.Milestones[0].Due.Src,
		wo.Milestones[0].Done.Program != nil, wo.Milestones[1].Due.Src, wo.Milestones[1].Due.Program != nil},
		[]any{"fast", "Statement within 10 minutes", "statement", `published_at("comms", "newsroom")`, `delivered_at("post") + 10`, true, "12.5", true})
	check("default mode", sc.Decision("fac").Mode, ModeFirst)
	check("state of", sc.StateOf("speak").ID, "one")
	tm := one.Timers[0]
	check("timer", []any{tm.After, tm.Every, tm.If.Src, len(tm.Effects)}, []any{2 * time.Minute, time.Minute, "reputation > 0", 1})
	tr := one.Transitions[0]
	check("transition", []any{tr.To, tr.After, tr.Label, tr.Effects[0].Src}, []any{"two", 3 * time.Minute, "spoke", "secured = false"})
	two := sc.State("two")
	check("story_at", two.StoryAt.Src, "D+1 08:30")
	check("final", []any{two.Final(), two.Outcome, two.Rating, two.Debrief}, []any{true, "done", "partial", "Talk it through."})
	if sc.Decision("nope") != nil || sc.State("nope") != nil || sc.StateOf("nope") != nil {
		t.Error("lookups of unknown ids must return nil")
	}
}

func TestDidYouMean(t *testing.T) {
	cases := []struct {
		name string
		cand []string
		want string
	}{
		{"reputaton", []string{"reputation", "secured"}, "did you mean 'reputation'?"},
		{"lock_acounts", []string{"lock_accounts"}, "did you mean 'lock_accounts'?"},
		{"tite", []string{"title"}, "did you mean 'title'?"},
		{"b", []string{"a"}, ""},
		{"zzzzzz", []string{"title"}, ""},
		{"Social", []string{"social"}, "did you mean 'social'?"},
		{"teh", []string{"the"}, "did you mean 'the'?"},
	}
	for _, c := range cases {
		if got := didYouMean(c.name, c.cand); got != c.want {
			t.Errorf("didYouMean(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}
