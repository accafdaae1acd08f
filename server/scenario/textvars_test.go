package scenario

import "testing"

func TestFormatValue(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{38.0, "38"},
		{1250000.0, "1,250,000"},
		{-4500.0, "-4,500"},
		{2.5, "2.5"},
		{1234.567, "1,234.57"},
		{0.333, "0.33"},
		{-0.001, "0"},
		{999.999, "1,000"},
		{true, "yes"},
		{false, "no"},
		{"apology", "apology"},
	} {
		if got := FormatValue(tc.v); got != tc.want {
			t.Errorf("FormatValue(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestRenderValues(t *testing.T) {
	vars := func(name string) (any, bool) {
		if name == "funds_lost" {
			return 38000.0, true
		}
		return nil, false
	}
	got := RenderValues("{{company}} lost {{ funds_lost }} ({{other}})", map[string]string{"company": "Acme"}, vars)
	if want := "Acme lost 38,000 ({{other}})"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := RenderValues("{{funds_lost}}", nil, nil); got != "{{funds_lost}}" {
		t.Errorf("without variables: %q", got)
	}
}
