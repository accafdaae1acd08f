package documents

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/eval"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/store"
)

// A played exercise for the tests: the scenario played on a virtual clock
// (each decision answered with its first option when it opens, each team
// that may publish on an outlet publishing once), its sim events as the
// log holds them, then staff-only events (an observer's note, a team's
// chat line, ratings by an observer and the facilitator, a corrective
// action saved twice) holding marked secret text, and the evaluation
// eval.Compute makes of that log.
type playedExercise struct {
	info   ExerciseInfo
	events []store.Event
	ev     *eval.Evaluation
}

const secretMark = "SECRET-"

func play(t *testing.T, sc *scenario.Scenario, params map[string]string) playedExercise {
	t.Helper()
	choices := map[string]string{}
	for _, st := range sc.States {
		for _, d := range st.Decisions {
			if len(d.Options) > 0 {
				choices[d.ID] = d.Options[0].ID
			}
		}
	}
	var acts []sim.Act
	for _, o := range sc.Outlets {
		if o.Approval == "" && len(o.Teams) > 0 {
			acts = append(acts, sim.Act{At: 3 * time.Minute, Team: o.Teams[0], Action: "publish", Target: o.ID})
		}
	}
	res, err := sim.Play(sc, sim.PlayOptions{Params: params, Choices: choices, Acts: acts})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	var events []store.Event
	add := func(kind string, at time.Duration, payload any, audience []string) {
		b, err := json.Marshal(payload)
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, store.Event{Seq: int64(len(events) + 1), Kind: kind, ExerciseTime: at, WallTime: start.Add(at), Payload: b, Audience: audience})
	}
	for _, e := range res.Events {
		add(string(e.Kind), e.At, e, e.Audience)
	}
	team := sc.Teams[0].ID
	add("note_added", time.Minute, map[string]string{"author": "obs1", "text": secretMark + "note: the lead froze"}, nil)
	add("chat_posted", 2*time.Minute, map[string]string{"team": team, "body": secretMark + "chat: do not tell legal"}, []string{team})

	for i, o := range sc.Objectives {
		var evidence []int64
		for _, e := range events {
			if e.Kind == string(sim.KindDecisionClosed) || e.Kind == "note_added" {
				evidence = append(evidence, e.Seq)
			}
		}
		evidence = evidence[:min(2, len(evidence))]
		add(engine.KindRating, res.End, engine.RatingPayload{Rater: "obs1", RaterName: "Olu Observer", Objective: o.ID, Rating: "S",
			Explanation: secretMark + "explanation " + o.ID, Strengths: []string{secretMark + "strength " + o.ID},
			Improvements: []string{secretMark + "improvement " + o.ID}, Evidence: evidence}, nil)
		rating := []string{"P", "S", "M", "U"}[i%4]
		add(engine.KindRating, res.End, engine.RatingPayload{Rater: "facilitator", RaterName: "Facilitator", Objective: o.ID, Rating: rating,
			Explanation: secretMark + "settled " + o.ID, Final: true}, nil)
		for _, tk := range o.Tasks {
			add(engine.KindRating, res.End, engine.RatingPayload{Rater: "obs1", RaterName: "Olu Observer", Objective: o.ID, Task: tk.ID, Rating: "M",
				Explanation: secretMark + "task " + tk.ID}, nil)
		}
	}
	add(engine.KindCorrectiveAction, res.End, engine.ActionPayload{ID: "ca1", Version: 1, Capability: "Cybersecurity", Issue: secretMark + "issue",
		Action: secretMark + "action", Element: "planning", Owner: "IT", Contact: "Jo", Start: "2026-03-10", Due: "2026-04-30"}, nil)
	add(engine.KindCorrectiveAction, res.End, engine.ActionPayload{ID: "ca1", Version: 2, Capability: "Cybersecurity", Issue: secretMark + "issue",
		Action: secretMark + "action, revised", Element: "planning", Owner: "IT", Contact: "Jo", Start: "2026-03-10", Due: "2026-05-15"}, nil)
	ev, err := eval.Compute(eval.Input{Scenario: sc, Events: events, Names: map[string]string{"obs1": "Olu Observer"}})
	if err != nil {
		t.Fatal(err)
	}
	info := ExerciseInfo{ID: "ex1", Title: "Spring drill", Status: "ended", Outcome: res.Outcome, Created: start.Add(-time.Hour), Started: start, Ended: start.Add(res.End),
		Participants: []Person{{Name: "Ana", Team: team, Lead: true}, {Name: "Ben", Team: team}}, Observers: []string{"Olu Observer"}}
	return playedExercise{info: info, events: events, ev: ev}
}

// debriefSecrets are the facilitator-only texts of a scenario that are
// still secret after play: notes, descriptions, roles, variables, effects,
// conditions, option notes and canned replies (titles, prompts and the
// chosen options' labels become the teams' own story once played).
func debriefSecrets(sc *scenario.Scenario, params map[string]string) []string {
	var out []string
	add := func(texts ...string) {
		for _, t := range texts {
			for _, line := range strings.Split(scenario.Render(t, params), "\n") {
				if line = strings.Join(strings.Fields(line), " "); len([]rune(line)) >= 12 {
					out = append(out, line)
				}
			}
		}
	}
	for _, o := range sc.Objectives {
		add(o.Met)
	}
	for _, p := range sc.Personas {
		add(p.Role)
	}
	for _, v := range sc.Variables {
		add(v.Description)
	}
	for _, st := range sc.States {
		add(st.Description, st.FacilitatorNotes)
		for _, in := range st.Injects {
			add(in.Notes)
		}
		for _, d := range st.Decisions {
			add(d.Notes)
			if d.Team == scenario.FacilitatorTeam {
				add(d.Prompt)
			}
			for _, o := range d.Options {
				add(o.Notes)
				if d.Team == scenario.FacilitatorTeam {
					add(o.Label)
				}
			}
		}
	}
	return out
}

// TestDebriefLeaksNothing: the participants' debrief of a played exercise
// of every shipped scenario holds none of the scenario's facilitator-only
// texts, no observer's note or rating, no corrective action and no chat —
// while the AAR of the same exercise holds the ratings and the plan.
func TestDebriefLeaksNothing(t *testing.T) {
	for _, sc := range shipped(t) {
		t.Run(sc.ID, func(t *testing.T) {
			params, _ := sc.Params(nil)
			x := play(t, sc, params)
			doc := Debrief(sc, params, x.info, x.ev, x.events)
			md, page := string(doc.Markdown()), visibleText(doc.HTML())
			for _, s := range append(debriefSecrets(sc, params), secretMark, "Olu Observer") {
				if strings.Contains(md, s) || strings.Contains(page, s) {
					t.Errorf("the debrief holds facilitator-only text %q", s)
				}
			}
			if !strings.Contains(md, "What each team decided") {
				t.Errorf("the debrief lacks milestones or decisions:\n%s", md)
			}
			aar := string(AAR(sc, params, x.info, x.ev, x.events).Markdown())
			for _, want := range []string{secretMark + "strength", secretMark + "improvement", secretMark + "settled", secretMark + "action, revised", "Olu Observer", "Ana (lead)", "Performed without challenges"} {
				if !strings.Contains(aar, want) {
					t.Errorf("the AAR lacks %q", want)
				}
			}
			if strings.Contains(aar, secretMark+"chat") || strings.Contains(aar, secretMark+"note") {
				t.Errorf("the AAR shows chat or notes it has no section for")
			}
		})
	}
}

// TestExerciseGoldens: the AAR and the debrief (Markdown and HTML) and the
// plan (CSV) of a played exercise of every shipped scenario.
func TestExerciseGoldens(t *testing.T) {
	for _, sc := range shipped(t) {
		params, _ := sc.Params(nil)
		x := play(t, sc, params)
		for _, d := range []struct {
			name string
			doc  Doc
		}{{"aar", AAR(sc, params, x.info, x.ev, x.events)}, {"debrief", Debrief(sc, params, x.info, x.ev, x.events)}} {
			golden(t, fmt.Sprintf("%s.%s.md", sc.ID, d.name), d.doc.Markdown())
			golden(t, fmt.Sprintf("%s.%s.html", sc.ID, d.name), d.doc.HTML())
		}
		plan, err := PlanCSV(sc, params, x.ev)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, sc.ID+".plan.csv", plan)
	}
}
