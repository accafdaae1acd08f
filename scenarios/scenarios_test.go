package scenarios_test

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/scenarios"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.txt from the current play output and the web UI's graph fixtures from the scenarios")

// libraryEntry is what one shipped scenario must keep offering. The minimums
// are the acceptance bar for a scenario a trainer can run as is; lowering one
// is a product decision, not a refactoring.
type libraryEntry struct {
	file                string
	minDur, maxDur      time.Duration
	teams               int // distinct teams, each with its own brief
	decisions           int // decisions whose answer changes a variable or is read by a rule
	channels            int // distinct inject channels
	outcomes            int // distinct outcome ids, covering success, partial and failure
	visible             int // variables participants see
	objectives          int // HSEEP objectives with capability and "met"
	needsTimingMechanic bool
}

var library = []libraryEntry{
	{"brand-hijack.yaml", 60 * time.Minute, 90 * time.Minute, 4, 8, 5, 3, 3, 5, true},
	{"outage-comms.yaml", 60 * time.Minute, 90 * time.Minute, 4, 8, 5, 3, 3, 5, true},
	{"exec-mfa-fatigue.yaml", 15 * time.Minute, 30 * time.Minute, 3, 4, 4, 3, 1, 3, false},
}

// shipped parses every embedded scenario, keyed by file name.
func shipped(t *testing.T) map[string]*scenario.Scenario {
	t.Helper()
	names, err := fs.Glob(scenarios.Files, "*.yaml")
	if err != nil {
		t.Fatalf("glob embedded scenarios: %v", err)
	}
	out := make(map[string]*scenario.Scenario, len(names))
	for _, n := range names {
		src, err := scenarios.Files.ReadFile(n)
		if err != nil {
			t.Fatalf("read embedded %s: %v", n, err)
		}
		sc, err := scenario.Parse(n, src)
		if err != nil {
			t.Errorf("%s does not load:\n%v", n, err)
			continue
		}
		out[n] = sc
	}
	return out
}

func TestShippedScenariosLoad(t *testing.T) {
	all := shipped(t)
	for _, l := range library {
		if all[l.file] == nil {
			t.Errorf("%s is missing from the embedded library (or does not load)", l.file)
		}
	}
	// A scenario saved as .yml would silently not ship.
	if yml, _ := filepath.Glob("*.yml"); len(yml) > 0 {
		t.Errorf("%v: name scenario files *.yaml, or they are not embedded", yml)
	}
	// The file on disk, as authors load it with ttx validate, gives the
	// same scenario as the embedded copy the server offers.
	onDisk, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, n := range onDisk {
		sc, err := scenario.Load(n)
		if err != nil {
			t.Errorf("scenario.Load(%s): %v", n, err)
			continue
		}
		if other, dup := ids[sc.ID]; dup {
			t.Errorf("%s and %s share the scenario id %q", other, n, sc.ID)
		}
		ids[sc.ID] = n
		if e := all[n]; e != nil && (e.ID != sc.ID || len(e.States) != len(sc.States)) {
			t.Errorf("%s: Parse and Load disagree (%s/%d vs %s/%d)", n, e.ID, len(e.States), sc.ID, len(sc.States))
		}
	}
}

var (
	placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)
	decisionRef = regexp.MustCompile(`\b(?:chose|answered|closed|answer)\(\s*"([^"]+)"`)
)

// exprSources lists the source of every condition and effect in sc.
func exprSources(sc *scenario.Scenario) []string {
	var out []string
	sc.Exprs(
		func(x *scenario.Expr) { out = append(out, x.Src) },
		func(e *scenario.Effect) { out = append(out, e.Src) },
	)
	return out
}

func TestLibraryCounts(t *testing.T) {
	all := shipped(t)
	for _, l := range library {
		t.Run(l.file, func(t *testing.T) {
			sc := all[l.file]
			if sc == nil {
				t.Fatalf("%s not loaded", l.file)
			}
			if sc.Duration < l.minDur || sc.Duration > l.maxDur {
				t.Errorf("duration %s, want %s–%s", sc.Duration, l.minDur, l.maxDur)
			}
			if sc.StoryStart.IsZero() {
				t.Error("no story_start: injects would carry no in-story timestamps")
			}

			briefs := map[string]bool{}
			for _, tm := range sc.Teams {
				if strings.TrimSpace(tm.Brief) == "" {
					t.Errorf("team %s has no brief", tm.ID)
				}
				briefs[tm.Brief] = true
			}
			if len(sc.Teams) < l.teams || len(briefs) < l.teams {
				t.Errorf("%d teams with %d distinct briefs, want >= %d", len(sc.Teams), len(briefs), l.teams)
			}

			objectives := 0
			for _, o := range sc.Objectives {
				if o.Capability != "" && o.Met != "" && len(o.Teams) > 0 {
					objectives++
				} else {
					t.Errorf("objective %s lacks capability, met or teams", o.ID)
				}
			}
			if objectives < l.objectives {
				t.Errorf("%d complete objectives, want >= %d", objectives, l.objectives)
			}

			referenced := map[string]bool{}
			for _, src := range exprSources(sc) {
				for _, m := range decisionRef.FindAllStringSubmatch(src, -1) {
					referenced[m[1]] = true
				}
			}
			var mattering, untimed, lead, vote int
			channels := map[scenario.Channel]bool{}
			timersEvery, jumps := 0, 0
			for _, s := range sc.States {
				if s.StoryJump > 0 {
					jumps++
				}
				for _, tm := range s.Timers {
					if tm.Every > 0 {
						timersEvery++
					}
				}
				for _, in := range s.Injects {
					channels[in.Channel] = true
					if in.Channel != scenario.Sitrep && in.From == "" {
						t.Errorf("inject %s (%s) has no persona", in.ID, in.Channel)
					}
					if in.Channel == scenario.Social && in.From != "" && sc.Persona(in.From).Handle == "" {
						t.Errorf("social inject %s: persona %s has no handle", in.ID, in.From)
					}
				}
				for _, d := range s.Decisions {
					matters := referenced[d.ID]
					for _, o := range d.Options {
						matters = matters || len(o.Effects) > 0
					}
					if matters {
						mattering++
					}
					if d.TimeLimit == 0 {
						untimed++
					}
					switch d.Mode {
					case scenario.ModeLead:
						lead++
					case scenario.ModeVote:
						vote++
					}
				}
			}
			if mattering < l.decisions {
				t.Errorf("%d decisions change the path or the variables, want >= %d", mattering, l.decisions)
			}
			if len(channels) < l.channels {
				t.Errorf("%d distinct channels %v, want >= %d", len(channels), channels, l.channels)
			}
			if l.needsTimingMechanic {
				if untimed == 0 || timersEvery == 0 || lead == 0 || vote == 0 || jumps == 0 {
					t.Errorf("timing and mode mechanics missing: %d untimed decisions, %d repeating timers, %d lead, %d vote, %d story jumps",
						untimed, timersEvery, lead, vote, jumps)
				}
			}

			visible := 0
			for _, v := range sc.Variables {
				if v.Visible {
					visible++
				}
			}
			if visible < l.visible {
				t.Errorf("%d visible variables, want >= %d", visible, l.visible)
			}

			outcomes := map[string]bool{}
			ratings := map[string]bool{}
			for _, s := range sc.States {
				if len(s.Discussion) == 0 {
					t.Errorf("state %s has no discussion questions", s.ID)
				}
				if s.Final() {
					outcomes[s.Outcome] = true
					ratings[s.Rating] = true
					if strings.TrimSpace(s.Debrief) == "" {
						t.Errorf("outcome state %s has no debrief", s.ID)
					}
				} else if strings.TrimSpace(s.FacilitatorNotes) == "" {
					t.Errorf("state %s has no facilitator notes", s.ID)
				}
			}
			if len(outcomes) < l.outcomes {
				t.Errorf("%d distinct outcomes, want >= %d", len(outcomes), l.outcomes)
			}
			for _, r := range []string{"success", "partial", "failure"} {
				if !ratings[r] {
					t.Errorf("no outcome rated %s", r)
				}
			}

			injects := 0
			for _, s := range sc.States {
				injects += len(s.Injects)
			}
			t.Logf("%d teams, %d decisions that matter, %d channels, %d outcomes, %d states, %d injects, %d visible variables",
				len(sc.Teams), mattering, len(channels), len(outcomes), len(sc.States), injects, visible)

			for _, p := range sc.Parameters {
				if p.Default == "" {
					t.Errorf("parameter %s has no default", p.ID)
				}
			}
			for _, m := range placeholder.FindAllStringSubmatch(string(sc.Source), -1) {
				if sc.Parameter(m[1]) == nil {
					t.Errorf("{{%s}} is used but not declared as a parameter", m[1])
				}
			}
		})
	}
}

// goldenPath is one scripted run through a scenario.
type goldenPath struct {
	scenario string
	name     string
	choices  map[string]string
	delays   map[string]time.Duration
	outcome  string
	rating   string
}

// goldenPaths are the best, middle and worst runs of each scenario. A change
// to a scenario that alters any of them shows up as a golden diff; rewrite
// the files with -update once the new timeline has been read and approved.
var goldenPaths = []goldenPath{
	{"brand-hijack", "best", map[string]string{
		"first_response": "capture_then_delete", "source_hunt": "inspect_client", "declare_incident": "declare",
		"containment": "revoke_everywhere", "preserve_logs": "export_first", "holding_statement": "holding_now",
		"ceo_account": "disconnect_ceo", "legal_hold": "preservation_request",
		"platform_recovery": "official_route", "scope_tool": "full_inventory", "customer_warning": "warn_now",
		"extortion": "refuse_report", "notify_regulator": "notify_now", "public_update": "transparent",
	}, nil, "contained", "success"},
	// The middle run deletes before capturing, chases a phish first and
	// contains late: the timing of the untimed containment decision costs trust.
	{"brand-hijack", "middle", map[string]string{
		"first_response": "delete_now", "source_hunt": "hunt_phish", "declare_incident": "declare",
		"second_look": "follow_the_app", "containment": "disable_seat", "preserve_logs": "export_first",
		"holding_statement": "holding_now", "ceo_account": "disconnect_ceo", "legal_hold": "wait_on_vendor",
		"platform_recovery": "official_route", "scope_tool": "full_inventory", "customer_warning": "warn_now",
		"extortion": "refuse_report", "notify_regulator": "notify_now", "public_update": "short_line",
	}, map[string]time.Duration{"containment": 3 * time.Minute}, "recovered_with_scars", "partial"},
	{"brand-hijack", "worst", map[string]string{
		"first_response": "wait_and_see", "source_hunt": "reset_passwords", "declare_incident": "marketing_owns",
		"second_look": "keep_hunting", "exec_lockdown": "assistant_reset", "ceo_words": "stay_silent",
		"platform_recovery": "public_appeal", "scope_tool": "brand_only", "customer_warning": "not_yet",
		"extortion": "pay_quietly", "notify_regulator": "vendors_breach", "public_update": "blame_vendor",
	}, nil, "second_wave", "failure"},
	{"outage-comms", "best", map[string]string{
		"first_statement": "investigating", "sre_first_move": "freeze_and_capture", "exec_bridge": "open_bridge",
		"attribution": "intrusion", "restore_logins": "rotate_and_rebuild", "press_on_claims": "no_evidence",
		"phishing_takedown": "takedown_now", "hydra_response": "report_quietly",
		"containment_scope": "revoke_all_sso", "evidence_hold": "hold_and_forensics",
		"status_control": "lock_down", "trusted_channel_choice": "multi_channel",
		"data_scope": "full_scope", "session_hardening": "bind_sessions", "public_correction": "full_correction",
		"regulator_clock": "notify_now", "fake_dump": "verify_sample", "press_conference": "ceo_briefing",
	}, nil, "trusted_recovery", "success"},
	// The middle run rolls back without keeping evidence, disables only one
	// account and gets to the status page four minutes late.
	{"outage-comms", "middle", map[string]string{
		"first_statement": "technical_issue", "sre_first_move": "roll_back", "exec_bridge": "open_bridge",
		"attribution": "both_tracks", "restore_logins": "roll_forward", "press_on_claims": "no_comment",
		"phishing_takedown": "takedown_now", "hydra_response": "ignore_groups",
		"containment_scope": "disable_engineer", "evidence_hold": "no_hold",
		"status_control": "lock_down", "trusted_channel_choice": "multi_channel",
		"data_scope": "full_scope", "session_hardening": "bind_sessions", "public_correction": "vague_breach",
		"regulator_clock": "notify_now", "fake_dump": "verify_sample", "press_conference": "ceo_briefing",
	}, map[string]time.Duration{"status_control": 4 * time.Minute}, "credibility_damaged", "partial"},
	{"outage-comms", "worst", map[string]string{
		"first_statement": "technical_issue", "sre_first_move": "scale_for_load", "exec_bridge": "engineers_only",
		"attribution": "ddos_claim", "restore_logins": "edge_scrubbing", "press_on_claims": "confirm_ddos",
		"phishing_takedown": "takedown_later", "hydra_response": "public_rebuttal", "pivot": "stay_on_ddos",
		"status_control": "correct_only", "trusted_channel_choice": "status_page_only",
		"data_scope": "outage_only", "session_hardening": "oncall_only", "public_correction": "keep_technical",
		"regulator_clock": "not_notifiable", "fake_dump": "assume_real", "press_conference": "written_only",
		"regulator_reply": "minimal_reply",
	}, nil, "misinformation_spiral", "failure"},
	{"exec-mfa-fatigue", "best", map[string]string{
		"caller_check": "call_back", "session_response": "full_revoke", "mfa_policy": "number_matching",
	}, nil, "caught_early", "success"},
	{"exec-mfa-fatigue", "worst", map[string]string{
		"caller_check": "register_number", "session_response": "password_only",
		"payment_check": "approve_payment", "lockout": "password_again",
	}, nil, "wire_gone", "failure"},
}

// goldenActs are what teams say in the world on a golden path (ttx play
// --act): the best runs answer the reporter, open the platform ticket and
// publish on the trusted channel in time; the worst outage run publishes on
// the status page the intruder still controls.
var goldenActs = map[string][]string{
	"brand-hijack-best":  {"9m comms reply bh_reporter_email", "12m comms publish newsroom", "19m soc send chirper_support"},
	"outage-comms-best":  {"31m comms publish newsroom"},
	"outage-comms-worst": {"31m sre publish status"},
}

// playText renders a run the way ttx play prints it: one sim.Line per
// event, then a summary line.
func playText(res *sim.PlayResult) string {
	var b strings.Builder
	for _, e := range res.Events {
		b.WriteString(sim.Line(e))
		b.WriteByte('\n')
	}
	if res.Done {
		fmt.Fprintf(&b, "== outcome %s (%s) %q after %s of exercise time\n", res.Outcome, res.Rating, res.Title, sim.FormatDuration(res.End))
	} else {
		fmt.Fprintf(&b, "== no outcome: %s (state %s)\n", res.Stopped, res.State)
	}
	return b.String()
}

func TestGoldenPlays(t *testing.T) {
	all := shipped(t)
	for _, p := range goldenPaths {
		t.Run(p.scenario+"-"+p.name, func(t *testing.T) {
			sc := all[p.scenario+".yaml"]
			if sc == nil {
				t.Fatalf("%s.yaml not loaded", p.scenario)
			}
			var acts []sim.Act
			for _, a := range goldenActs[p.scenario+"-"+p.name] {
				act, err := sim.ParseAct(a)
				if err != nil {
					t.Fatal(err)
				}
				acts = append(acts, act)
			}
			res, err := sim.Play(sc, sim.PlayOptions{Choices: p.choices, Delays: p.delays, Acts: acts})
			if err != nil {
				t.Fatalf("play: %v", err)
			}
			for _, n := range res.Notes {
				t.Errorf("choice not applied: %s", n)
			}
			answered := map[string]string{}
			for _, e := range res.Events {
				if e.Kind == sim.KindDecisionAnswered {
					answered[e.Decision] = e.Option
				}
			}
			for d, o := range p.choices {
				if answered[d] != o {
					t.Errorf("decision %s: answered %q, the path chooses %q", d, answered[d], o)
				}
			}
			if !res.Done || res.Outcome != p.outcome || res.Rating != p.rating {
				t.Errorf("ended in %q (%s), done %v; want %q (%s)", res.Outcome, res.Rating, res.Done, p.outcome, p.rating)
			}

			got := playText(res)
			file := filepath.Join("testdata", "golden", p.scenario+"-"+p.name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("read golden (run with -update to create it): %v", err)
			}
			if got != string(want) {
				t.Errorf("play output differs from %s (run with -update after checking the change):\n%s", file, firstDiff(string(want), got))
			}
		})
	}
}

// firstDiff shows the first line where two texts differ, with its neighbours.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d\n  want: %s\n  got:  %s", i+1, wl, gl)
		}
	}
	return "(same lines; different line endings?)"
}

func TestExploreShipped(t *testing.T) {
	all := shipped(t)
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		sc := all[n]
		t.Run(n, func(t *testing.T) {
			t.Parallel()
			// The default bounds: a shipped scenario needs no tuning.
			r, err := sim.Explore(sc, sim.ExploreOptions{})
			if err != nil {
				t.Fatalf("explore: %v", err)
			}
			if d := r.Defects(); d != 0 {
				t.Errorf("explore found %d defect(s): limit %q, unreachable %v, dead ends %v, cycles %v, errors %v",
					d, r.Limit, r.Unreachable, r.DeadEnds, r.Cycles, r.Errors)
			}
			for _, s := range r.States {
				if !s.Reached {
					t.Errorf("state %s (line %d) is never reached", s.ID, s.Line)
				}
			}
			reached := 0
			for _, o := range r.Outcomes {
				if o.Paths > 0 {
					reached++
				} else {
					t.Errorf("outcome %s is never reached", o.Outcome)
				}
				t.Logf("outcome %-22s %-8s %14d paths  %s – %s", o.Outcome, o.Rating, o.Paths, sim.FormatDuration(o.Min), sim.FormatDuration(o.Max))
			}
			if i := slices.IndexFunc(library, func(l libraryEntry) bool { return l.file == n }); i >= 0 && reached < library[i].outcomes {
				t.Errorf("%d outcomes reachable, want >= %d", reached, library[i].outcomes)
			}
			t.Logf("%d branches, %d distinct situations, %d paths", r.Branches, r.Situations, r.Paths)
		})
	}
}

// TestReadmeWorldExample loads the worked example of scenarios/README.md
// and plays it as the text says it ends.
func TestReadmeWorldExample(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "## Teams acting in the world: a worked example")
	if !ok {
		t.Fatal("README.md has no worked example")
	}
	_, rest, _ = strings.Cut(rest, "```yaml\n")
	src, _, _ := strings.Cut(rest, "```")
	sc, err := scenario.Parse("README.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var acts []sim.Act
	for _, a := range []string{"4m comms reply press", "5m soc send support", "6m comms publish newsroom"} {
		act, err := sim.ParseAct(a)
		if err != nil {
			t.Fatal(err)
		}
		acts = append(acts, act)
	}
	res, err := sim.Play(sc, sim.PlayOptions{Acts: acts})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != "contained" || len(res.Notes) > 0 {
		t.Errorf("outcome %q, notes %v", res.Outcome, res.Notes)
	}
	if m := res.Events[len(res.Events)-1]; m.Kind != sim.KindObjectiveMeasure || !m.Met {
		t.Errorf("measure: %+v", m)
	}
	if res, err := sim.Play(sc, sim.PlayOptions{}); err != nil || res.Outcome != "headline" {
		t.Errorf("without acts: %v %v", res, err)
	}
	if r, err := sim.Explore(sc, sim.ExploreOptions{}); err != nil || r.Defects() != 0 {
		t.Errorf("explore: %v %+v", err, r)
	}
}
