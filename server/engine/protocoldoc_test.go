package engine

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/ttxtest/protodoc"
)

// The protocol document is the contract a third-party client is written
// from. These tests hold its "Event payloads" section to the code: every
// event kind in the code has a table and every table a kind; every payload
// field has a row with its JSON type and whether it can be omitted, and
// every row a field. The code side comes from the code: the kind constants
// are read from the Go source, the fields by reflection over the payload
// types, and the scenario events' fields also from real runs of scenarios.

const protocolDoc = "../../docs/protocol.md"

// payloadDoc is the parsed "Event payloads" section: a table per kind,
// under "### Engine events" or "### Scenario events", and the fields of
// every scenario event.
type payloadDoc struct {
	kinds  map[string]*protodoc.Table
	common map[string]protodoc.Field
}

func parsePayloadDoc(t *testing.T, text string) payloadDoc {
	t.Helper()
	tables, problems := protodoc.Parse(text, "Event payloads")
	for _, p := range problems {
		t.Error(p)
	}
	doc := payloadDoc{kinds: map[string]*protodoc.Table{}}
	for name, tb := range tables {
		switch {
		case !tb.Backticked && strings.EqualFold(name, "Every scenario event"):
			doc.common = tb.Fields
		case !tb.Backticked:
			t.Errorf("protocol.md:%d: heading %q is neither a `kind` nor \"Every scenario event\"", tb.Line, name)
		case sectionOf(tb) == "":
			t.Errorf("protocol.md:%d: kind %q outside the engine and scenario sections", tb.Line, name)
		default:
			doc.kinds[name] = tb
		}
	}
	if len(doc.kinds) == 0 || doc.common == nil {
		t.Fatalf("%s has no \"## Event payloads\" section with kind tables and \"Every scenario event\"", protocolDoc)
	}
	return doc
}

// sectionOf says whether a kind's table is under the engine or the
// scenario events.
func sectionOf(tb *protodoc.Table) string {
	switch h := strings.ToLower(tb.Subsection); {
	case strings.Contains(h, "engine events"):
		return "engine"
	case strings.Contains(h, "scenario events"):
		return "scenario"
	}
	return ""
}

func compareFields(t *testing.T, what string, doc map[string]protodoc.Field, code map[string]protodoc.CodeField) {
	t.Helper()
	for _, p := range protodoc.Compare(what, doc, code) {
		t.Error(p)
	}
}

// kindConstants reads the string values of the kind constants declared in
// a Go file: those named Kind… (engine) or typed Kind (sim).
func kindConstants(t *testing.T, file string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	var out []string
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, "Kind") || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				v, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatalf("%s: %s: %v", file, name.Name, err)
				}
				out = append(out, v)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no kind constants found in %s", file)
	}
	sort.Strings(out)
	return out
}

func readProtocolDoc(t *testing.T) payloadDoc {
	t.Helper()
	b, err := os.ReadFile(protocolDoc)
	if err != nil {
		t.Fatal(err)
	}
	return parsePayloadDoc(t, string(b))
}

// documentedKinds lists the kinds of one section of the document.
func (d payloadDoc) documentedKinds(section string) []string {
	var out []string
	for k, dk := range d.kinds {
		if sectionOf(dk) == section {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func compareKinds(t *testing.T, section string, code, doc []string) {
	t.Helper()
	for _, k := range code {
		if !slices.Contains(doc, k) {
			t.Errorf("%s event kind %q is in the code but has no table in %s", section, k, protocolDoc)
		}
	}
	for _, k := range doc {
		if !slices.Contains(code, k) {
			t.Errorf("%s documents %s event kind %q, which the code does not have", protocolDoc, section, k)
		}
	}
}

func TestProtocolDocEngineEvents(t *testing.T) {
	doc := readProtocolDoc(t)
	kinds := kindConstants(t, "events.go")
	compareKinds(t, "engine", kinds, doc.documentedKinds("engine"))
	for _, k := range kinds {
		p := enginePayload(k)
		if p == nil || !IsEngineKind(k) {
			t.Errorf("engine kind %q: enginePayload = %v, IsEngineKind = %v; both must know every kind", k, p, IsEngineKind(k))
			continue
		}
		if dk := doc.kinds[k]; dk != nil {
			compareFields(t, k, dk.Fields, protodoc.JSONFields(reflect.TypeOf(p)))
		}
	}
}

func TestProtocolDocScenarioEvents(t *testing.T) {
	doc := readProtocolDoc(t)
	kinds := kindConstants(t, "../sim/event.go")
	compareKinds(t, "scenario", kinds, doc.documentedKinds("scenario"))

	// sim.Event is flat: each kind fills some of its fields. Together the
	// common table and the kinds' tables must cover each field, with the
	// same type and omission wherever it is listed.
	all := protodoc.JSONFields(reflect.TypeFor[sim.Event]())
	compareFields(t, "every scenario event", doc.common, pick(all, protodoc.SortedKeys(doc.common)))
	listed := map[string]bool{}
	for k, dk := range doc.kinds {
		if sectionOf(dk) != "scenario" {
			continue
		}
		for name, f := range dk.Fields {
			if _, common := doc.common[name]; common {
				t.Errorf("protocol.md:%d: %s.%s is a field of every scenario event; list it only there", f.Line, k, name)
			}
			listed[name] = true
		}
		compareFields(t, k, dk.Fields, pick(all, protodoc.SortedKeys(dk.Fields)))
	}
	for _, name := range protodoc.SortedKeys(all) {
		if _, common := doc.common[name]; !common && !listed[name] {
			t.Errorf("sim.Event field %q is in no kind's table in %s", name, protocolDoc)
		}
	}

	// Which kind fills which field is behaviour, not a declaration: run
	// scenarios and check every field each event carries is in its kind's
	// table (or the common one).
	seen := map[string]bool{}
	for _, ev := range scenarioRunEvents(t) {
		seen[string(ev.Kind)] = true
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(simPayload(ev), &keys); err != nil {
			t.Fatal(err)
		}
		dk := doc.kinds[string(ev.Kind)]
		if dk == nil {
			continue // reported above
		}
		for name := range keys {
			if _, ok := dk.Fields[name]; !ok {
				if _, ok := doc.common[name]; !ok {
					t.Errorf("a %s event carries %q, which its table in %s does not list: %.300s", ev.Kind, name, protocolDoc, simPayload(ev))
					dk.Fields[name] = protodoc.Field{} // report once
				}
			}
		}
	}
	for _, k := range kinds {
		if !seen[k] {
			t.Errorf("no scenario run produced a %s event: extend scenarioRunEvents so its fields are checked", k)
		}
	}
}

// TestProtocolDocEventExamples checks the document's example event frames:
// each names a documented kind, and each payload field it shows is in
// that kind's table ("…" stands for fields left out of the example).
func TestProtocolDocEventExamples(t *testing.T) {
	b, err := os.ReadFile(protocolDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := parsePayloadDoc(t, string(b))
	blocks := strings.Split(string(b), "```json\n")
	examples := 0
	for _, blk := range blocks[1:] {
		body, _, _ := strings.Cut(blk, "```")
		var f struct {
			Type    string                     `json:"type"`
			Kind    string                     `json:"kind"`
			Payload map[string]json.RawMessage `json:"payload"`
		}
		if json.Unmarshal([]byte(body), &f) != nil || f.Type != "event" {
			continue
		}
		examples++
		dk := doc.kinds[f.Kind]
		if dk == nil {
			t.Errorf("an example event has kind %q, which has no table: %.200s", f.Kind, body)
			continue
		}
		for name := range f.Payload {
			_, ok := dk.Fields[name]
			if _, common := doc.common[name]; common && sectionOf(dk) == "scenario" {
				ok = true
			}
			if !ok && name != "…" {
				t.Errorf("the example %s event shows payload field %q, which its table does not list", f.Kind, name)
			}
		}
	}
	if examples == 0 {
		t.Fatal("no example event frames found in the document")
	}
}

// pick returns the code fields of the given names; a name the code does not
// have is left out, so that compareFields reports it.
func pick(all map[string]protodoc.CodeField, names []string) map[string]protodoc.CodeField {
	out := map[string]protodoc.CodeField{}
	for _, n := range names {
		if f, ok := all[n]; ok {
			out[n] = f
		}
	}
	return out
}

// scenarioRunEvents runs the shipped scenarios and the sim's test
// scenarios, answering decisions, plus each facilitator input, and returns
// every event they produced.
func scenarioRunEvents(t *testing.T) []sim.Event {
	t.Helper()
	var files []string
	for _, pat := range []string{"../../scenarios/*.yaml", "../sim/testdata/*.yaml", "testdata/*.yaml"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	var out []sim.Event
	for _, f := range files {
		sc, err := scenario.Load(f)
		if err != nil {
			continue // the sim's test data holds invalid scenarios on purpose
		}
		// A dry run where every decision takes its first option, and one
		// where none is answered (defaults and expiries).
		first := map[string]string{}
		for _, st := range sc.States {
			for _, d := range st.Decisions {
				if len(d.Options) > 0 {
					first[d.ID] = d.Options[0].ID
				}
			}
		}
		for _, choices := range []map[string]string{first, nil} {
			res, err := sim.Play(sc, sim.PlayOptions{Choices: choices, MaxEvents: 20000})
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			out = append(out, res.Events...)
		}
		out = append(out, facilitatorRun(t, sc)...)
		out = append(out, worldRun(t, sc)...)
	}
	return out
}

// facilitatorRun drives a scenario with the inputs only a facilitator or a
// participant gives: answers with every optional field, an extension, an
// ad-hoc inject, a forced state and the end.
func facilitatorRun(t *testing.T, sc *scenario.Scenario) []sim.Event {
	t.Helper()
	m, err := sim.New(sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := m.Start(0)
	at := time.Duration(0)
	for i := 0; i < 50 && !m.Snapshot().Done; i++ {
		snap := m.Snapshot()
		for _, d := range snap.Open {
			dc := sc.Decision(d.ID)
			a := sim.Answer{Decision: d.ID, Team: d.Team, Participant: "p1", Lead: true, Confidence: 4, Rationale: "why", Text: "because"}
			if dc != nil && len(dc.Options) > 0 {
				a.Option = dc.Options[0].ID
			}
			if d.ClosesAt > 0 {
				evs, _ := m.ExtendDecision(at, d.ID, time.Minute)
				out = append(out, evs...)
			}
			evs, _ := m.Answer(at, a)
			out = append(out, evs...)
			evs, _ = m.CloseDecision(at, d.ID)
			out = append(out, evs...)
		}
		if snap.NextDue == 0 {
			break
		}
		at = snap.NextDue
		out = append(out, m.Advance(at)...)
	}
	if !m.Snapshot().Done {
		out = append(out, m.Inject(at, sim.AdHoc{ID: "adhoc", Channel: scenario.Channel("email"), From: "Someone", Title: "t", Body: "b",
			Engagement: &scenario.Engagement{Likes: 1}})...)
		if len(sc.States) > 1 {
			evs, _ := m.Force(at, sc.States[len(sc.States)-1].ID)
			out = append(out, evs...)
		}
		out = append(out, m.End(at, "done")...)
	}
	return out
}
