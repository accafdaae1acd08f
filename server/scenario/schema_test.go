package scenario

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// schemaNode is the part of a JSON Schema object the sync test reads.
type schemaNode struct {
	Ref                  string                 `json:"$ref"`
	Type                 any                    `json:"type"`
	Description          string                 `json:"description"`
	Properties           map[string]*schemaNode `json:"properties"`
	Required             []string               `json:"required"`
	AdditionalProperties json.RawMessage        `json:"additionalProperties"`
	Items                *schemaNode            `json:"items"`
	Enum                 []string               `json:"enum"`
	AnyOf                []*schemaNode          `json:"anyOf"`
	Defs                 map[string]*schemaNode `json:"$defs"`
}

func (n *schemaNode) additional() *schemaNode {
	var s schemaNode
	if len(n.AdditionalProperties) == 0 || json.Unmarshal(n.AdditionalProperties, &s) != nil {
		return nil
	}
	return &s
}

func loadSchema(t *testing.T) *schemaNode {
	t.Helper()
	raw, err := os.ReadFile("../../scenarios/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var root schemaNode
	if err := json.Unmarshal(raw, &root); err != nil {
		t.Fatalf("schema.json: %v", err)
	}
	return &root
}

// TestSchemaMatchesDecoder keeps scenarios/schema.json and the decoder's
// key tables identical: same keys, same required keys, no extra keys
// allowed, and the same nesting.
func TestSchemaMatchesDecoder(t *testing.T) {
	root := loadSchema(t)
	objectOf := func(sp *spec) *schemaNode {
		if sp == scenarioSpec {
			return root
		}
		return root.Defs[sp.name]
	}
	for _, sp := range allSpecs() {
		n := objectOf(sp)
		if n == nil {
			t.Errorf("schema has no $defs/%s", sp.name)
			continue
		}
		var keys []string
		for k, p := range n.Properties {
			keys = append(keys, k)
			if p.Description == "" && p.Ref == "" {
				t.Errorf("%s.%s has no description", sp.name, k)
			}
		}
		if !sameSet(keys, sp.keys) {
			t.Errorf("%s: schema keys %v, decoder keys %v", sp.name, sorted(keys), sorted(sp.keys))
		}
		if !sameSet(n.Required, sp.required) {
			t.Errorf("%s: schema requires %v, decoder requires %v", sp.name, n.Required, sp.required)
		}
		if string(n.AdditionalProperties) != "false" {
			t.Errorf("%s: additionalProperties must be false so editors flag unknown keys", sp.name)
		}
	}

	// Nesting: where each kind of mapping appears.
	nesting := []struct {
		parent *spec
		key    string
		child  string
		how    string // "map" (id -> child), "list", "ref"
	}{
		{scenarioSpec, "parameters", "parameter", "map"},
		{scenarioSpec, "teams", "team", "map"},
		{scenarioSpec, "objectives", "objective", "map"},
		{scenarioSpec, "personas", "persona", "map"},
		{scenarioSpec, "outlets", "outlet", "map"},
		{scenarioSpec, "variables", "variable", "map"},
		{scenarioSpec, "states", "state", "map"},
		{stateSpec, "injects", "inject", "list"},
		{stateSpec, "decisions", "decision", "list"},
		{stateSpec, "timers", "timer", "list"},
		{stateSpec, "transitions", "transition", "list"},
		{decisionSpec, "options", "option", "list"},
		{injectSpec, "engagement", "engagement", "ref"},
		{outletSpec, "engagement", "engagement", "ref"},
		{injectSpec, "channel", "channel", "ref"},
		{decisionSpec, "mode", "mode", "ref"},
		{variableSpec, "type", "varType", "ref"},
		{stateSpec, "rating", "rating", "ref"},
	}
	for _, c := range nesting {
		p := objectOf(c.parent).Properties[c.key]
		if p == nil {
			t.Errorf("%s.%s missing", c.parent.name, c.key)
			continue
		}
		var got string
		switch c.how {
		case "map":
			if a := p.additional(); a != nil {
				got = a.Ref
			}
		case "list":
			if p.Items != nil {
				got = p.Items.Ref
			}
		default:
			got = p.Ref
		}
		if want := "#/$defs/" + c.child; got != want {
			t.Errorf("%s.%s refers to %q, want %q", c.parent.name, c.key, got, want)
		}
	}

	// Canned replies: the same list under personas and injects.
	for _, sp := range []*spec{personaSpec, injectSpec} {
		if p := objectOf(sp).Properties["canned"]; p == nil || p.Ref != "#/$defs/cannedList" {
			t.Errorf("%s.canned must refer to #/$defs/cannedList", sp.name)
		}
	}
	if l := root.Defs["cannedList"]; l == nil || l.Items == nil || l.Items.Ref != "#/$defs/canned" {
		t.Errorf("$defs/cannedList must be a list of #/$defs/canned")
	}

	// Every $ref resolves and every definition is used.
	used := map[string]bool{}
	var walk func(n *schemaNode, at string)
	walk = func(n *schemaNode, at string) {
		if n == nil {
			return
		}
		if n.Ref != "" {
			name := strings.TrimPrefix(n.Ref, "#/$defs/")
			if root.Defs[name] == nil {
				t.Errorf("%s: dangling $ref %s", at, n.Ref)
			}
			used[name] = true
		}
		for k, p := range n.Properties {
			walk(p, at+"."+k)
		}
		walk(n.Items, at+"[]")
		walk(n.additional(), at+".*")
		for _, a := range n.AnyOf {
			walk(a, at+"|")
		}
	}
	walk(root, "root")
	for name, d := range root.Defs {
		walk(d, name)
	}
	for name := range root.Defs {
		if !used[name] {
			t.Errorf("$defs/%s is never used", name)
		}
	}

	// Enums match the Go constants.
	var channels []string
	for _, c := range Channels {
		channels = append(channels, string(c))
	}
	enums := map[string][]string{
		"channel": channels,
		"mode":    {string(ModeFirst), string(ModeLead), string(ModeVote)},
		"settle":  {string(SettleOnAnswer), string(SettleAtClose)},
		"varType": {string(Number), string(Bool), string(String)},
		"rating":  ratings,
	}
	for name, want := range enums {
		if got := root.Defs[name].Enum; !reflect.DeepEqual(got, want) {
			t.Errorf("$defs/%s enum %v, want %v", name, got, want)
		}
	}
}

func sameSet(a, b []string) bool { return reflect.DeepEqual(sorted(a), sorted(b)) }

func sorted(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	if c == nil {
		c = []string{}
	}
	return c
}
