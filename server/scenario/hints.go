package scenario

import (
	"fmt"
	"strings"
)

// refHint says what to write instead of name, a reference to something
// declared under section ("personas", "teams", "objectives", "outlets";
// ids are the known ones): the id it is a typo of; else that it is a
// persona's name rather than its id, or the id of another kind of thing;
// and which ids there are, or where to declare a new one.
func (d *decoder) refHint(name string, ids []string, section string) string {
	if h := didYouMean(name, ids); h != "" {
		return h
	}
	var parts []string
	if section == "personas" {
		for _, p := range d.sc.Personas {
			if strings.EqualFold(strings.TrimSpace(p.Name), strings.TrimSpace(name)) {
				return fmt.Sprintf("that is the name of persona '%s': write its id, '%s'", p.ID, p.ID)
			}
		}
	}
	if kind := d.kindOf(name); kind != "" && kind != section {
		parts = append(parts, fmt.Sprintf("'%s' is one of the %s, not of the %s", clip(name, 40), kind, section))
	}
	switch {
	case len(ids) == 0:
		parts = append(parts, "declare it under '"+section+":'")
	case len(ids) == 1:
		parts = append(parts, "use '"+ids[0]+"', or declare it under '"+section+":'")
	case len(ids) <= 8:
		parts = append(parts, "use one of '"+strings.Join(ids, "', '")+"', or declare it under '"+section+":'")
	default:
		parts = append(parts, "check the spelling, or declare it under '"+section+":'")
	}
	return strings.Join(parts, "; ")
}

// kindOf names the section that declares id, if any.
func (d *decoder) kindOf(id string) string {
	idx := d.sc.idx
	switch {
	case idx.teams[id] != nil:
		return "teams"
	case idx.personas[id] != nil:
		return "personas"
	case idx.objectives[id] != nil:
		return "objectives"
	case idx.outlets[id] != nil:
		return "outlets"
	case idx.variables[id] != nil:
		return "variables"
	case idx.params[id] != nil:
		return "parameters"
	case idx.states[id] != nil:
		return "states"
	}
	return ""
}
