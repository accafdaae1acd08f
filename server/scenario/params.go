package scenario

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Typed parameters: a parameter has a type (text by default, or a number,
// or yes/no) and may constrain its values (min/max, a pattern, a list of
// choices). The facilitator's value is checked when the exercise is
// created, and rules read it by name, typed, like a variable that never
// changes: `when: funds_lost > loss_limit`.

// ParamError is a parameter value the scenario refuses, naming the
// parameter, so that a form can show the message beside its field.
type ParamError struct {
	Param string
	Msg   string
}

func (e *ParamError) Error() string { return fmt.Sprintf("scenario: parameter %q %s", e.Param, e.Msg) }

// maxPatternLen bounds a parameter's pattern.
const maxPatternLen = 200

// paramType reads a parameter's type and constraints, then checks its
// default against them.
func (d *decoder) paramType(p *Parameter, pf *fields) {
	p.Type = String
	if n := pf.get("type"); n != nil {
		t := d.str(n, "type")
		types := []string{string(String), string(Number), string(Bool)}
		if !contains(types, t) {
			hint := didYouMean(t, types)
			if hint == "" {
				hint = oneOf(types)
			}
			d.errs.add(posOf(n), hint, "unknown parameter type '%s'", clip(t, 30))
			return
		}
		p.Type = VarType(t)
	}
	for _, key := range []string{"min", "max"} {
		n := pf.get(key)
		if n == nil {
			continue
		}
		if p.Type != Number {
			d.errs.add(posOf(n), "add 'type: number', or remove it", "'%s' only applies to number parameters", key)
			continue
		}
		if f, ok := d.number(n, key); ok {
			if key == "min" {
				p.Min = &f
			} else {
				p.Max = &f
			}
		}
	}
	if p.Min != nil && p.Max != nil && *p.Min > *p.Max {
		d.errs.add(posOf(pf.get("max")), "", "max (%g) is less than min (%g)", *p.Max, *p.Min)
	}
	if n := pf.get("pattern"); n != nil {
		p.Pattern = d.str(n, "pattern")
		_, err := regexp.Compile(p.Pattern) // for an error message in the author's terms
		switch re, _ := regexp.Compile(`^(?:` + p.Pattern + `)$`); {
		case p.Type != String:
			d.errs.add(posOf(n), "remove it", "'pattern' only applies to text parameters")
		case len(p.Pattern) > maxPatternLen:
			d.errs.add(posOf(n), "", "'pattern' is too long (at most %d characters)", maxPatternLen)
		case err != nil:
			d.errs.add(posOf(n), "patterns use Go's regular expression syntax, e.g. '[A-Z]{2}-[0-9]{4}'", "'pattern' is not a valid regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		default:
			p.re = re
		}
	}
	if n := pf.get("choices"); n != nil {
		if p.Type == Bool {
			d.errs.add(posOf(n), "remove it", "a yes/no parameter has no 'choices'")
		} else {
			for _, c := range d.seq(n, "choices") {
				if c.Kind != yaml.ScalarNode || isNull(c) {
					d.errs.add(posOf(c), "", "each choice must be one value, found %s", kindName(c))
					continue
				}
				if msg := p.checkType(c.Value); msg != "" {
					d.errs.add(posOf(c), "", "choice '%s' %s", clip(c.Value, 40), msg)
					continue
				}
				p.Choices = append(p.Choices, c.Value)
			}
		}
	}
	if n := pf.get("default"); n != nil && n.Kind == yaml.ScalarNode {
		if _, msg := p.Check(p.Default); msg != "" {
			d.errs.add(posOf(n), "", "default '%s' %s", clip(p.Default, 40), msg)
		}
	}
}

// checkType says what is wrong with s as a value of the parameter's type,
// or "" when nothing is.
func (p *Parameter) checkType(s string) string {
	_, msg := p.parse(s)
	return msg
}

func (p *Parameter) parse(s string) (any, string) {
	switch p.Type {
	case Number:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, "is not a number"
		}
		return f, ""
	case Bool:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "yes":
			return true, ""
		case "false", "no":
			return false, ""
		}
		return nil, "is not yes or no"
	}
	return s, ""
}

// Check parses a value for the parameter and checks its constraints. It
// returns the typed value (float64, bool or string), or a message saying
// what is wrong ("is more than 100").
func (p *Parameter) Check(s string) (any, string) {
	v, msg := p.parse(s)
	if msg != "" {
		return nil, msg
	}
	if f, ok := v.(float64); ok {
		if p.Min != nil && f < *p.Min {
			return nil, fmt.Sprintf("is less than %g", *p.Min)
		}
		if p.Max != nil && f > *p.Max {
			return nil, fmt.Sprintf("is more than %g", *p.Max)
		}
	}
	if len(p.Choices) > 0 {
		found := false
		for _, c := range p.Choices {
			cv, _ := p.parse(c)
			found = found || cv == v
		}
		if !found {
			return nil, "is not one of: " + strings.Join(p.Choices, ", ")
		}
	}
	if p.re != nil && !p.re.MatchString(s) {
		return nil, "does not match the pattern " + p.Pattern
	}
	return v, ""
}

// Typed returns the parameter values as rules read them: numbers as
// float64, yes/no as bool, text as string. The values must have passed
// Params.
func (sc *Scenario) Typed(values map[string]string) map[string]any {
	out := make(map[string]any, len(sc.Parameters))
	for _, p := range sc.Parameters {
		if reservedName(p.ID) {
			continue // not readable by rules: the name is the language's
		}
		v, msg := p.Check(values[p.ID])
		if msg != "" {
			v = zeroOf(p.Type)
		}
		out[p.ID] = v
	}
	return out
}

// SetParams stores the parameters' typed values for rules to read.
func (e *Env) SetParams(typed map[string]any) {
	for k, v := range typed {
		e.m[k] = v
	}
}
