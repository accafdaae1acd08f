package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ttxsim/ttx/server/engine/enginetest"
)

func TestLimiter(t *testing.T) {
	clock := enginetest.NewFakeClock(time.Unix(0, 0))
	l := NewLimiter(3, 6, 4, clock.Now) // 3 at once, one back every 10 s
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("try %d refused", i)
		}
		l.Fail("a")
	}
	ok, wait := l.Allow("a")
	if ok || wait <= 0 || wait > 10*time.Second {
		t.Fatalf("after burst: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("other key refused")
	}
	if ok, _ := l.Allow("b", "a"); ok {
		t.Fatal("Allow with a blocked key must refuse")
	}
	clock.Advance(10 * time.Second)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("not refilled after 10 s")
	}
	// Failing while blocked pushes the key further back, but not forever.
	for i := 0; i < 100; i++ {
		l.Fail("a")
	}
	clock.Advance(50 * time.Second)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("the floor should bound the penalty to 2×burst tokens")
	}

	// Bounded memory: at most 4 keys, however many fail.
	for i := 0; i < 1000; i++ {
		l.Fail(strings.Repeat("k", i%50+1))
	}
	if n := l.Len(); n > 4 {
		t.Fatalf("Len = %d, want <= 4", n)
	}
}

func TestJoinCodes(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		c := newJoinCode()
		if len(c) != joinCodeLen || normalizeJoinCode(c) != c {
			t.Fatalf("bad code %q", c)
		}
		for _, r := range c {
			if !strings.ContainsRune(joinAlphabet, r) {
				t.Fatalf("code %q has %q", c, r)
			}
		}
		seen[c] = true
	}
	if len(seen) < 1999 {
		t.Fatalf("only %d distinct codes of 2000", len(seen))
	}
	if len(joinAlphabet) != 31 || strings.ContainsAny(joinAlphabet, "01ILO") {
		t.Fatal("alphabet must be the 31 unambiguous symbols")
	}
	for in, want := range map[string]string{
		"abcd-efgh": "ABCDEFGH", " ABCD EFGH ": "ABCDEFGH", "ABCDEFG": "", "ABCDEFGHJ": "", "ABCDEFG0": "", "ABCDEFGI": "",
		strings.Repeat("A", 40): "",
	} {
		if got := normalizeJoinCode(in); got != want {
			t.Errorf("normalizeJoinCode(%q) = %q, want %q", in, got, want)
		}
	}
	if formatJoinCode("ABCDEFGH") != "ABCD-EFGH" {
		t.Error("formatJoinCode")
	}
}

func TestSecrets(t *testing.T) {
	a, b := newSecret(), newSecret()
	if a == b || !wellFormedSecret(a) || len(a) != 43 {
		t.Fatalf("newSecret: %q %q", a, b)
	}
	if wellFormedSecret(a[:42]) || wellFormedSecret(a[:42]+"!") {
		t.Fatal("wellFormedSecret accepts garbage")
	}
	if h := hashSecret(a); len(h) != 64 || h == a {
		t.Fatalf("hashSecret = %q", h)
	}
}

func TestMaskQuery(t *testing.T) {
	for in, want := range map[string]string{
		"":                             "",
		"exercise=1&after=5":           "exercise=1&after=5",
		"exercise=1&token=p.abc&x=2":   "exercise=1&token=***&x=2",
		"TOKEN=abc":                    "TOKEN=***",
		"access_token=x&code=ABCDEFGH": "access_token=***&code=***",
	} {
		if got := maskQuery(in); got != want {
			t.Errorf("maskQuery(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanName(t *testing.T) {
	for in, ok := range map[string]bool{
		"Pat": true, "  Pat  ": true, "": false, "   ": false, strings.Repeat("x", 41): false, strings.Repeat("é", 40): true,
		"a\nb": false, "a\u202eb": false, "a\u2028b": false, "\xff": false,
	} {
		if _, got := cleanName(in); got != ok {
			t.Errorf("cleanName(%q) ok = %v", in, got)
		}
	}
}

func TestRecoveryAndErrorShape(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	r := gin.New()
	r.Use(securityHeaders(), recovery(log), renderErrors(log))
	r.GET("/panic", func(*gin.Context) { panic("secret detail") })
	r.GET("/fail", func(c *gin.Context) { fail(c, errInternal(errors.New("SELECT * FROM accounts"))) })
	r.GET("/wrapped", func(c *gin.Context) { fail(c, fmt.Errorf("outer: %w", &http.MaxBytesError{Limit: 10})) })
	for path, want := range map[string]int{"/panic": 500, "/fail": 500, "/wrapped": 413} {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != want || !strings.HasPrefix(w.Body.String(), `{"error":{"code":`) {
			t.Errorf("%s: %d %s", path, w.Code, w.Body.String())
		}
		if strings.Contains(w.Body.String(), "secret") || strings.Contains(w.Body.String(), "SELECT") {
			t.Errorf("%s: cause leaked: %s", path, w.Body.String())
		}
		if w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no security headers", path)
		}
	}
	if !strings.Contains(logs.String(), "secret detail") || !strings.Contains(logs.String(), "SELECT * FROM accounts") {
		t.Errorf("causes should be logged: %s", logs.String())
	}
}
