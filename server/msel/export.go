// Package msel reads and writes the Master Scenario Events List: the
// chronological table of every scripted inject that trainers keep in
// spreadsheets. Export turns a scenario into that table (and CSV); Import
// turns a trainer's CSV into a scenario skeleton that validates, ready to
// be edited.
package msel

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
)

// Columns are the MSEL's columns, in order. Module (the scenario state an
// inject belongs to; its exercise time counts from entering it) follows
// the event number.
var Columns = []string{"No.", "Module", "Exercise time", "Story time", "From", "To", "Channel",
	"Subject", "Message", "Expected action", "Objective", "Capability", "Notes"}

// Row is one scripted inject as the MSEL shows it, parameters filled in.
type Row struct {
	No         int
	State      string // state id
	Module     string // state title
	At         time.Duration
	StoryTime  string // "2006-01-02 15:04", where the scenario fixes it (see StoryEntries); else ""
	From       string // persona name; "" for the controller
	To         string // team names, "All teams" or "Facilitator"
	Channel    string
	Subject    string
	Message    string
	Expected   string // what the teams are expected to do in answer
	Objective  string
	Capability string
	Notes      string // facilitator-only notes, and the inject's condition
	Inject     *scenario.Inject
}

// AllTeams is the To of an inject every team receives.
const AllTeams = "All teams"

// FacilitatorTo is the To of an inject only the facilitator sees.
const FacilitatorTo = "Facilitator"

// Rows lists every scripted inject, states in file order and injects in
// time order within their state (ties keep file order).
func Rows(sc *scenario.Scenario, params map[string]string) []Row {
	r := func(s string) string { return scenario.Render(s, params) }
	var rows []Row
	entries := StoryEntries(sc)
	for _, st := range sc.States {
		injects := append([]*scenario.Inject(nil), st.Injects...)
		sort.SliceStable(injects, func(i, j int) bool { return injects[i].At < injects[j].At })
		expected := expectedActions(sc, st, injects, r)
		for _, in := range injects {
			row := Row{No: len(rows) + 1, State: st.ID, Module: r(st.Title), At: in.At,
				Channel: string(in.Channel), Subject: r(in.Title), Message: strings.TrimSpace(r(in.Body)),
				Expected: strings.Join(expected[in], " "), Inject: in}
			if at, ok := entries[st.ID]; ok {
				row.StoryTime = at.Add(in.At).Format("2006-01-02 15:04")
			}
			if p := sc.Persona(in.From); p != nil {
				row.From = r(p.Name)
			}
			row.To = teamNames(sc, in.Teams)
			var objs, caps []string
			for _, id := range in.Objectives {
				if o := sc.Objective(id); o != nil {
					objs = append(objs, r(o.Title))
					if o.Capability != "" && !contains(caps, o.Capability) {
						caps = append(caps, o.Capability)
					}
				}
			}
			row.Objective = strings.Join(objs, "; ")
			row.Capability = strings.Join(caps, "; ")
			var notes []string
			if in.Notes != "" {
				notes = append(notes, strings.TrimSpace(r(in.Notes)))
			}
			if in.If != nil {
				notes = append(notes, "Only if: "+in.If.Src)
			}
			row.Notes = strings.Join(notes, " ")
			rows = append(rows, row)
		}
	}
	return rows
}

// teamNames is an inject's recipients as the MSEL writes them.
func teamNames(sc *scenario.Scenario, ids []string) string {
	if len(ids) == 0 {
		return AllTeams
	}
	var names []string
	for _, id := range ids {
		if id == scenario.FacilitatorTeam {
			names = append(names, FacilitatorTo)
		} else if t := sc.Team(id); t != nil {
			names = append(names, t.Name)
		}
	}
	return strings.Join(names, ", ")
}

// reaches reports whether an inject to teams reaches team.
func reaches(teams []string, team string) bool {
	if len(teams) == 0 {
		return team != scenario.FacilitatorTeam
	}
	return contains(teams, team)
}

// expectedActions ties each decision of a state to the inject that
// prompts it (the last one reaching its team at or before it opens, else
// the first one reaching its team), and adds who may reply to an inject.
func expectedActions(sc *scenario.Scenario, st *scenario.State, injects []*scenario.Inject, r func(string) string) map[*scenario.Inject][]string {
	out := map[*scenario.Inject][]string{}
	for _, in := range injects {
		if len(in.Reply) > 0 {
			out[in] = append(out[in], teamNames(sc, in.Reply)+" may reply.")
		}
	}
	for _, d := range st.Decisions {
		var prompt *scenario.Inject
		for _, in := range injects {
			if !reaches(in.Teams, d.Team) {
				continue
			}
			if in.At <= d.At {
				prompt = in
				continue
			}
			if prompt == nil {
				prompt = in
			}
			break
		}
		if prompt == nil {
			continue
		}
		who := FacilitatorTo
		if t := sc.Team(d.Team); t != nil {
			who = t.Name
		}
		out[prompt] = append(out[prompt], fmt.Sprintf("%s decides: %s", who, strings.TrimSpace(r(d.Prompt))))
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// FormatTime writes an exercise time as H:MM:SS.
func FormatTime(d time.Duration) string {
	s := int64(d / time.Second)
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}

// BOM starts every CSV ttx writes: without it, spreadsheet programs read
// UTF-8 as a legacy code page and mangle dashes, accents and emoji.
// Import skips it.
const BOM = "\ufeff"

// Export writes the MSEL as CSV (UTF-8 with a BOM, a header row, then one
// row per scripted inject). When the scenario has a story clock, a story
// time the scenario does not fix reads StoryUnknown.
func Export(sc *scenario.Scenario, params map[string]string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(BOM)
	w := csv.NewWriter(&b)
	if err := w.Write(Columns); err != nil {
		return nil, fmt.Errorf("msel: write: %w", err)
	}
	for _, r := range Rows(sc, params) {
		story := r.StoryTime
		if story == "" && !sc.StoryStart.IsZero() {
			story = StoryUnknown
		}
		rec := []string{fmt.Sprint(r.No), r.Module, FormatTime(r.At), story, r.From, r.To, r.Channel,
			r.Subject, r.Message, r.Expected, r.Objective, r.Capability, r.Notes}
		if err := w.Write(rec); err != nil {
			return nil, fmt.Errorf("msel: write row %d: %w", r.No, err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("msel: write: %w", err)
	}
	return b.Bytes(), nil
}
