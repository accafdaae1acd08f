package sim

import "testing"

// TestTypedParamsInRules: a number the facilitator typed drives a rule.
func TestTypedParamsInRules(t *testing.T) {
	for _, tc := range []struct {
		limit, outcome string
	}{
		{"100", "over"},    // 250 lost is over a limit of 100
		{"1000", "within"}, // and within one of 1000
	} {
		t.Run(tc.limit, func(t *testing.T) {
			res, err := Play(loadTD(t, "params.yaml"), PlayOptions{Params: map[string]string{"loss_limit": tc.limit}})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Done || res.Outcome != tc.outcome {
				t.Errorf("outcome %q, want %q", res.Outcome, tc.outcome)
			}
		})
	}
	if _, err := Play(loadTD(t, "params.yaml"), PlayOptions{Params: map[string]string{"loss_limit": "lots"}}); err == nil {
		t.Error("a non-number accepted for a number parameter")
	}
}
