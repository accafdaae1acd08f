package scenario

import (
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Variable values in text: {{name}} names a parameter or a variable (the
// two cannot share a name, so no prefix is needed). Parameters are filled
// in wherever text is shown; variables only in the texts the exercise
// renders when it delivers them (LiveTextKeys), with their value at that
// moment.

// LiveTextKeys are the texts that may show variables, as
// "what.key" for error messages.
var LiveTextKeys = []string{"inject title", "inject body", "decision prompt", "debrief"}

// liveText reads a text that is rendered at delivery, so it may show
// variables.
func (d *decoder) liveText(n *yaml.Node, key string) string {
	s := d.text(n, key)
	if s != "" {
		d.texts[len(d.texts)-1].live = true
	}
	return s
}

// RenderValues substitutes {{name}} placeholders with parameter values
// and, through vars, variable values formatted by FormatValue. Anything
// else is left as written.
func RenderValues(text string, params map[string]string, vars func(name string) (any, bool)) string {
	if !strings.Contains(text, "{{") {
		return text
	}
	var b strings.Builder
	s := text
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			break
		}
		name := strings.TrimSpace(s[i+2 : i+j])
		v, ok := params[name]
		if !ok && vars != nil {
			var x any
			if x, ok = vars(name); ok {
				v = FormatValue(x)
			}
		}
		if ok {
			b.WriteString(s[:i])
			b.WriteString(v)
		} else {
			b.WriteString(s[:i+j+2])
		}
		s = s[i+j+2:]
	}
	b.WriteString(s)
	return b.String()
}

// FormatValue writes a variable's value for a reader: whole numbers with
// thousands separators (1,250,000), others with at most two decimals
// (2.5, 0.33), true/false as yes/no, text as it is.
func FormatValue(v any) string {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		r := math.Round(x*100) / 100
		neg := r < 0
		whole, frac := math.Modf(math.Abs(r))
		digits := strconv.FormatFloat(whole, 'f', 0, 64)
		var b strings.Builder
		if neg {
			b.WriteByte('-')
		}
		for i, c := range digits {
			if i > 0 && (len(digits)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(c)
		}
		if frac > 0 {
			f := strconv.FormatFloat(frac, 'f', 2, 64) // "0.50"
			b.WriteString(strings.TrimRight(f[1:], "0"))
		}
		return b.String()
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case string:
		return x
	}
	return ""
}

// unknownPlaceholder reports a {{name}} that names no parameter: a
// variable where variables are shown is fine; a variable elsewhere, or an
// unknown name, is an error with a did-you-mean hint.
func (d *decoder) unknownPlaceholder(t textRef, name string) {
	sc := d.sc
	if sc.idx.variables[name] != nil {
		if !t.live {
			d.errs.add(t.pos, "variables can be shown in "+strings.Join(LiveTextKeys, ", ")+", which are filled in when delivered",
				"'{{%s}}' is a variable, and this text is not filled in during the exercise", name)
		}
		return
	}
	var ids []string
	for _, p := range sc.Parameters {
		ids = append(ids, p.ID)
	}
	what := "parameter"
	if t.live {
		what = "parameter or variable"
		for _, v := range sc.Variables {
			ids = append(ids, v.ID)
		}
	}
	hint := d.hintFor(name, ids)
	if len(ids) == 0 {
		hint = "declare it under 'parameters:'"
	}
	d.errs.add(t.pos, hint, "unknown %s '{{%s}}'", what, clip(name, 40))
}
