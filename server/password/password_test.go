package password

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{
		{"", false},
		{"elevenchars", false},
		{"twelve chars", true},
		{strings.Repeat("é", 6), false}, // 12 bytes, 6 characters
		{strings.Repeat("é", 36), true}, // 72 bytes
		{strings.Repeat("é", 37), false},
		{"tab\tinside the secret", false},
		{"not \xff valid UTF-8", false},
	} {
		if err := Check(tc.pw); (err == nil) != tc.ok {
			t.Errorf("Check(%q) = %v, want ok %v", tc.pw, err, tc.ok)
		}
	}
}

func TestGenerate(t *testing.T) {
	a, b := Generate(), Generate()
	if len(a) != 20 || a == b || Check(a) != nil || strings.Trim(a, alphabet) != "" {
		t.Fatalf("Generate: %q %q", a, b)
	}
}

// TestMatches and TestLoginVerify: the right password matches; a wrong one,
// or one longer than bcrypt reads whose first 72 bytes are right, does not;
// an unknown account never does.
func TestMatches(t *testing.T) {
	pw72 := strings.Repeat("a", MaxLen)
	hash, err := Hash(pw72, bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, pw string
		want     bool
	}{
		{"right", pw72, true},
		{"wrong", strings.Repeat("b", MaxLen), false},
		{"right 72 bytes and more", pw72 + "b", false},
		{"empty", "", false},
	} {
		if got := Matches(hash, tc.pw); got != tc.want {
			t.Errorf("%s: Matches = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestLoginVerify(t *testing.T) {
	const right = "correct horse battery"
	hash, err := Hash(right, bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	l := NewLogin(bcrypt.MinCost)
	for _, tc := range []struct {
		name  string
		hash  string
		found bool
		pw    string
		want  bool
	}{
		{"right", hash, true, right, true},
		{"wrong", hash, true, "wrong horse battery", false},
		{"too long", hash, true, right + strings.Repeat("x", MaxLen), false},
		{"unknown name", "", false, right, false},
		{"unknown name, stored hash given", hash, false, right, false},
	} {
		got, err := l.Verify(tc.hash, tc.found, tc.pw)
		if err != nil || got != tc.want {
			t.Errorf("%s: Verify = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

// TestLoginDummyCost: the comparison for an unknown name is made against a
// hash of the same cost as the accounts', once: that is what makes it take
// the same time as a wrong password.
func TestLoginDummyCost(t *testing.T) {
	l := NewLogin(bcrypt.MinCost + 1)
	h1, err := l.dummy()
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := l.dummy()
	cost, err := bcrypt.Cost([]byte(h1))
	if err != nil || cost != bcrypt.MinCost+1 || h1 != h2 {
		t.Fatalf("dummy hash cost %d (%v), made once: %v", cost, err, h1 == h2)
	}
}
