package scenario

import (
	"errors"
	"strings"
	"testing"
)

func typedScenario(t *testing.T) *Scenario {
	t.Helper()
	src := strings.Replace(miniScenario("", ""), "teams:\n", `parameters:
  amount: {type: number, default: 5000, min: 0, max: 1000000}
  insured: {type: bool, default: "no"}
  ref: {default: AB-1234, pattern: "[A-Z]{2}-[0-9]{4}"}
  region: {default: EU, choices: [EU, US]}
  tier: {type: number, default: 1, choices: [1, 2, 3]}
variables:
  lost: {type: number}
teams:
`, 1)
	src = strings.Replace(src, "      - {to: end, after: 10m}", "      - {to: end, when: 'lost > amount and not insured and region == \"EU\" and tier >= 1'}\n      - {to: end, after: 10m}", 1)
	sc, err := Parse("typed.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestParamValues: what the facilitator types is checked against the
// parameter's type and constraints; a refusal names the parameter.
func TestParamValues(t *testing.T) {
	sc := typedScenario(t)
	for _, tc := range []struct {
		param, value, err string // err: the message after the name; empty: accepted
	}{
		{"amount", "250000", ""},
		{"amount", " 12.5 ", ""},
		{"amount", "lots", "is not a number"},
		{"amount", "-1", "is less than 0"},
		{"amount", "2000000", "is more than 1e+06"},
		{"insured", "yes", ""},
		{"insured", "TRUE", ""},
		{"insured", "maybe", "is not yes or no"},
		{"ref", "XY-0001", ""},
		{"ref", "xy-0001", "does not match the pattern [A-Z]{2}-[0-9]{4}"},
		{"ref", "XY-0001 and more", "does not match the pattern [A-Z]{2}-[0-9]{4}"},
		{"region", "US", ""},
		{"region", "APAC", "is not one of: EU, US"},
		{"tier", "2.0", ""},
		{"tier", "4", "is not one of: 1, 2, 3"},
	} {
		t.Run(tc.param+"="+tc.value, func(t *testing.T) {
			vals, err := sc.Params(map[string]string{tc.param: tc.value})
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if vals[tc.param] != tc.value {
					t.Errorf("value %q, want %q as typed", vals[tc.param], tc.value)
				}
				return
			}
			var pe *ParamError
			if !errors.As(err, &pe) || pe.Param != tc.param || pe.Msg != tc.err {
				t.Fatalf("got %v, want ParamError{%s, %q}", err, tc.param, tc.err)
			}
		})
	}
	if got := sc.Typed(map[string]string{"amount": "12.5", "insured": "yes", "ref": "AB-1234", "region": "US", "tier": "2"}); got["amount"] != 12.5 || got["insured"] != true || got["tier"] != 2.0 {
		t.Errorf("typed %v", got)
	}
}
