// Package protodoc reads the field tables of docs/protocol.md and checks
// them against Go types, for the tests that keep the protocol document
// true: a field in the code but not in the document, or the other way
// round, or documented with the wrong JSON type or omission, is reported.
//
// A table is a "#### " heading followed by rows of the form
//
//	| `field` | JSON type | omitted | meaning |
//
// where the heading is a `name` in backticks (an event kind, a frame type)
// or plain text (a shared table such as "Every scenario event"). The type
// starts with string, boolean, integer, number, any, object, "array of
// strings", "array of integers" or "array of objects"; a duration reads "integer (ns)"; a
// nested object names each of its fields in backticks. The omitted column
// is "never" for a field always present, and "when …" (or "always …")
// for one Go leaves out when empty (omitempty).
package protodoc

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"
)

// Field is one documented row.
type Field struct {
	Type, Omitted string
	Line          int
}

// Table is the rows under one "#### " heading.
type Table struct {
	Name       string // the heading, without backticks
	Subsection string // the "### " heading it is under, as written
	Backticked bool   // the heading was a `name`
	Fields     map[string]Field
	Line       int
}

// Parse returns the tables of the "## <section>" section of a Markdown
// text, by heading, and the problems found while reading them (a heading
// or a field listed twice, a row too short).
func Parse(text, section string) (map[string]*Table, []string) {
	tables := map[string]*Table{}
	var problems []string
	in, sub := false, ""
	var cur *Table
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		switch {
		case strings.HasPrefix(line, "## "):
			in = strings.TrimSpace(line[3:]) == section
			cur = nil
		case !in:
		case strings.HasPrefix(line, "### "):
			sub, cur = strings.TrimSpace(line[4:]), nil
		case strings.HasPrefix(line, "#### "):
			h := strings.TrimSpace(line[5:])
			bt := len(h) > 2 && strings.HasPrefix(h, "`") && strings.HasSuffix(h, "`")
			name := strings.Trim(h, "`")
			if _, dup := tables[name]; dup {
				problems = append(problems, fmt.Sprintf("protocol.md:%d: %q has two tables", n, name))
			}
			cur = &Table{Name: name, Subsection: sub, Backticked: bt, Fields: map[string]Field{}, Line: n}
			tables[name] = cur
		case strings.HasPrefix(line, "| `") && cur != nil:
			cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
			if len(cells) < 3 {
				problems = append(problems, fmt.Sprintf("protocol.md:%d: a field row needs field, type and omitted columns", n))
				continue
			}
			name := strings.Trim(strings.TrimSpace(cells[0]), "`")
			if _, dup := cur.Fields[name]; dup {
				problems = append(problems, fmt.Sprintf("protocol.md:%d: %s.%s listed twice", n, cur.Name, name))
			}
			cur.Fields[name] = Field{Type: strings.TrimSpace(cells[1]), Omitted: strings.TrimSpace(cells[2]), Line: n}
		}
	}
	return tables, problems
}

// CodeField is one JSON field of a Go struct.
type CodeField struct {
	Type      reflect.Type
	OmitEmpty bool
}

// JSONFields lists the JSON fields of a struct type as encoding/json
// writes them: the fields of an embedded struct without a JSON name are
// promoted, and a field of the outer struct wins over a promoted one of
// the same name.
func JSONFields(t reflect.Type) map[string]CodeField {
	out := map[string]CodeField{}
	var embedded []reflect.Type
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			embedded = append(embedded, f.Type)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		omit := slices.Contains(strings.Split(opts, ","), "omitempty") || slices.Contains(strings.Split(opts, ","), "omitzero")
		out[name] = CodeField{Type: f.Type, OmitEmpty: omit}
	}
	for _, et := range embedded {
		for name, f := range JSONFields(et) {
			if _, ok := out[name]; !ok {
				out[name] = f
			}
		}
	}
	return out
}

// CheckType says what is wrong with a documented JSON type for a Go type,
// or "".
func CheckType(doc string, t reflect.Type) string {
	if t.Kind() == reflect.Pointer && t.Elem().Kind() != reflect.Struct {
		t = t.Elem() // a pointer only makes a zero value present: JSON shows the value
	}
	want := ""
	var nested reflect.Type
	switch {
	case t == reflect.TypeFor[time.Duration]():
		if !strings.HasPrefix(doc, "integer") || !strings.Contains(doc, "ns") {
			return `a duration: want "integer (ns)"`
		}
		return ""
	case t == reflect.TypeFor[time.Time]():
		want = "string"
	case t.Kind() == reflect.String:
		want = "string"
	case t.Kind() == reflect.Bool:
		want = "boolean"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		want = "integer"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		want = "number"
	case t.Kind() == reflect.Interface:
		want = "any"
	case t.Kind() == reflect.Map:
		want = "object"
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct:
		want, nested = "object", t.Elem()
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		want = "array of strings"
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		want, nested = "array of objects", t.Elem()
	case t.Kind() == reflect.Slice && t.Elem().Kind() >= reflect.Int && t.Elem().Kind() <= reflect.Uint64:
		want = "array of integers"
	default:
		return fmt.Sprintf("no JSON type known for Go type %s: extend protodoc.CheckType", t)
	}
	if !strings.HasPrefix(doc, want) {
		return fmt.Sprintf("want type %q", want)
	}
	if nested != nil {
		for _, name := range SortedKeys(JSONFields(nested)) {
			if !strings.Contains(doc, "`"+name+"`") {
				return fmt.Sprintf("the nested object's field `%s` is not named", name)
			}
		}
	}
	return ""
}

// Compare checks a documented table against a Go type's fields and
// returns the problems, each naming what (a kind, a frame) and the field.
func Compare(what string, doc map[string]Field, code map[string]CodeField) []string {
	var out []string
	for _, name := range SortedKeys(code) {
		f := code[name]
		d, ok := doc[name]
		if !ok {
			out = append(out, fmt.Sprintf("%s: field %q is in the code but not in the document", what, name))
			continue
		}
		if msg := CheckType(d.Type, f.Type); msg != "" {
			out = append(out, fmt.Sprintf("protocol.md:%d: %s.%s is documented as %q: %s", d.Line, what, name, d.Type, msg))
		}
		switch never := d.Omitted == "never"; {
		case f.OmitEmpty && never:
			out = append(out, fmt.Sprintf("protocol.md:%d: %s.%s is omitted when empty (omitempty), but documented as never omitted", d.Line, what, name))
		case !f.OmitEmpty && !never:
			out = append(out, fmt.Sprintf("protocol.md:%d: %s.%s is always sent, but documented as omitted %q: write \"never\"", d.Line, what, name, d.Omitted))
		case f.OmitEmpty && !strings.HasPrefix(d.Omitted, "when") && !strings.HasPrefix(d.Omitted, "always"):
			out = append(out, fmt.Sprintf("protocol.md:%d: %s.%s: say when it is omitted (\"when …\")", d.Line, what, name))
		}
	}
	for _, name := range SortedKeys(doc) {
		if _, ok := code[name]; !ok {
			out = append(out, fmt.Sprintf("protocol.md:%d: %s.%s is documented but the code has no such field", doc[name].Line, what, name))
		}
	}
	return out
}

// SortedKeys returns a map's keys in order.
func SortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
