package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestJoinRateLimitIgnoresSpoofedForwardedFor(t *testing.T) {
	e := newEnv(t) // no trusted proxies: X-Forwarded-For is not believed
	e.addExercise("ABCDEFGH")
	var last resp
	for i := 0; i < 10; i++ {
		// A fresh spoofed address and a fresh code on every try.
		last = e.do(nil, "POST", "/api/join",
			map[string]string{"code": fmt.Sprintf("ZZZZZZ%c%c", joinAlphabet[i], joinAlphabet[i+1]), "name": "x", "team": "comms"},
			map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i), "X-Real-IP": fmt.Sprintf("198.51.100.%d", i)})
		if last.status != 404 {
			t.Fatalf("guess %d: %d %s", i, last.status, last.body)
		}
	}
	r := e.do(nil, "POST", "/api/join", map[string]string{"code": "ABCDEFGH", "name": "x", "team": "comms"},
		map[string]string{"X-Forwarded-For": "192.0.2.77"})
	if r.status != 429 || !strings.Contains(r.body, "rate_limited") || r.header.Get("Retry-After") == "" {
		t.Fatalf("11th attempt (even with the right code): %d %s %v", r.status, r.body, r.header)
	}
	// The lookup oracle shares the limit.
	if r := e.do(nil, "POST", "/api/join/lookup", map[string]string{"code": "ABCDEFGH"}, nil); r.status != 429 {
		t.Fatalf("lookup while limited: %d", r.status)
	}
	// Six seconds give one token back (10 per minute).
	e.clock.Advance(7 * time.Second)
	if r := e.do(nil, "POST", "/api/join", map[string]string{"code": "ABCDEFGH", "name": "x", "team": "comms"}, nil); r.status != 201 {
		t.Fatalf("after refill: %d %s", r.status, r.body)
	}
}

func TestJoinRateLimitBehindTrustedProxy(t *testing.T) {
	e := newEnv(t, withTrustedProxies("127.0.0.1/32", "::1/128"))
	e.addExercise("ABCDEFGH")
	fail := func(client string) int {
		return e.do(nil, "POST", "/api/join", map[string]string{"code": "ZZZZZZZZ", "name": "x", "team": "comms"},
			map[string]string{"X-Forwarded-For": client}).status
	}
	for i := 0; i < 10; i++ {
		if s := fail("203.0.113.5"); s != 404 {
			t.Fatalf("try %d: %d", i, s)
		}
	}
	// The code key is exhausted too (10 of 20); a second client still has its
	// own address budget until the code's own budget runs out.
	if s := fail("203.0.113.5"); s != 429 {
		t.Fatalf("client A over its limit: %d", s)
	}
	if s := fail("203.0.113.6"); s != 404 {
		t.Fatalf("client B, another address behind the proxy: %d", s)
	}
	// Successes cost nothing: a class behind one address joins.
	for i := 0; i < 30; i++ {
		r := e.do(nil, "POST", "/api/join", map[string]string{"code": "ABCDEFGH", "name": fmt.Sprintf("p%d", i), "team": "soc"},
			map[string]string{"X-Forwarded-For": "203.0.113.9"})
		if r.status != 201 {
			t.Fatalf("join %d: %d %s", i, r.status, r.body)
		}
	}
}

func TestJoinRateLimitPerCode(t *testing.T) {
	e := newEnv(t, withTrustedProxies("127.0.0.1/32", "::1/128"))
	// Many addresses hammering one (nonexistent) code are stopped by the
	// code's own budget of 20.
	for i := 0; i < 20; i++ {
		r := e.do(nil, "POST", "/api/join/lookup", map[string]string{"code": "QQQQ-QQQQ"},
			map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i)})
		if r.status != 404 {
			t.Fatalf("try %d: %d", i, r.status)
		}
	}
	r := e.do(nil, "POST", "/api/join/lookup", map[string]string{"code": "qqqqqqqq"}, map[string]string{"X-Forwarded-For": "198.51.100.1"})
	if r.status != 429 {
		t.Fatalf("21st try on the same code from a new address: %d", r.status)
	}
}

func TestJoinEndedExercise(t *testing.T) {
	e := newEnv(t)
	ex1 := e.addExercise("ABCDEFGH")
	if err := e.eng.End(t.Context(), ex1, "done"); err != nil {
		t.Fatal(err)
	}
	r := e.do(nil, "POST", "/api/join", map[string]string{"code": "ABCDEFGH", "name": "x", "team": "comms"}, nil)
	if r.status != 404 || !strings.Contains(r.body, "bad_code") {
		t.Fatalf("join ended exercise: %d %s", r.status, r.body)
	}
}

// Successful joins are limited per address too: a room behind one address
// joins freely, a script cannot add participants as fast as it posts.
func TestSuccessfulJoinsAreLimitedPerAddress(t *testing.T) {
	e := newEnv(t, withTrustedProxies("127.0.0.1"))
	e.addExercise("ABCDEFGH")
	joinFrom := func(addr string, n int) resp {
		body := map[string]string{"code": "ABCD-EFGH", "name": fmt.Sprintf("P%d", n), "team": "comms"}
		return e.do(nil, "POST", "/api/join", body, map[string]string{"X-Forwarded-For": addr})
	}
	for i := range joinBurst {
		if r := joinFrom("203.0.113.5", i); r.status != http.StatusCreated {
			t.Fatalf("join %d of a room behind one address: %d %s", i+1, r.status, r.body)
		}
	}
	r := joinFrom("203.0.113.5", joinBurst)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, `"rate_limited"`) {
		t.Fatalf("join %d from one address: %d %s %v", joinBurst+1, r.status, r.body, r.header)
	}
	if r := joinFrom("198.51.100.8", 0); r.status != http.StatusCreated {
		t.Fatalf("another address: %d %s", r.status, r.body)
	}
	if r := e.do(nil, "POST", "/api/join", map[string]string{"code": "ABCD-EFGH", "name": "Local", "team": "comms"}, nil); r.status != http.StatusCreated {
		t.Fatalf("this machine: %d %s", r.status, r.body)
	}
	e.clock.Advance(time.Minute)
	for i := range joinsPerMinute {
		if r := joinFrom("203.0.113.5", joinBurst+1+i); r.status != http.StatusCreated {
			t.Fatalf("join %d a minute later: %d %s", i+1, r.status, r.body)
		}
	}
	if r := joinFrom("203.0.113.5", 999); r.status != http.StatusTooManyRequests {
		t.Fatalf("past the refill: %d", r.status)
	}
}
