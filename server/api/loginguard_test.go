package api

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// loginFrom logs in as name with password from the client address addr
// (believed through X-Forwarded-For: the test server trusts loopback as its
// proxy).
func (e *testEnv) loginFrom(addr, name, password string) resp {
	e.t.Helper()
	return e.do(nil, "POST", "/api/auth/login", map[string]string{"name": name, "password": password},
		map[string]string{"X-Forwarded-For": addr})
}

// Guessing from one address does not lock the account: the rightful user
// from another address gets in with the right password (the report: ten
// wrong passwords for admin from one address, then 429 for the right one
// from another).
func TestLoginGuessingDoesNotLockOutTheOwner(t *testing.T) {
	e := newEnv(t, withTrustedProxies("127.0.0.1"))
	for i := range 10 {
		if r := e.loginFrom("203.0.113.7", "alice", fmt.Sprintf("guess-%d", i)); r.status != 401 && r.status != 429 {
			t.Fatalf("guess %d: %d %s", i, r.status, r.body)
		}
	}
	if r := e.loginFrom("203.0.113.7", "alice", "guess-10"); r.status != http.StatusTooManyRequests {
		t.Fatalf("the guesser is not slowed: %d", r.status)
	}
	if r := e.loginFrom("198.51.100.20", "alice", testPassword); r.status != http.StatusOK {
		t.Fatalf("the owner from another address: %d %s", r.status, r.body)
	}
	// The owner's own mistakes from their address start a back-off of
	// their own, and a success forgets it.
	if r := e.loginFrom("198.51.100.20", "alice", "typo"); r.status != http.StatusUnauthorized {
		t.Fatalf("typo: %d", r.status)
	}
	if r := e.loginFrom("198.51.100.20", "alice", testPassword); r.status != http.StatusOK {
		t.Fatalf("after one typo: %d %s", r.status, r.body)
	}
}

// A guesser at one address who retries as soon as Retry-After allows gets
// a bounded number of checks a day, backing off exponentially.
func TestLoginGuessingFromOneAddressIsBounded(t *testing.T) {
	e := newEnv(t, withTrustedProxies("127.0.0.1"))
	checks, refusals := 0, 0
	var waits []int
	for end := e.clock.Now().Add(24 * time.Hour); e.clock.Now().Before(end); {
		r := e.loginFrom("203.0.113.7", "alice", "guess")
		switch r.status {
		case http.StatusUnauthorized:
			checks++
		case http.StatusTooManyRequests:
			refusals++
			s, err := strconv.Atoi(r.header.Get("Retry-After"))
			if err != nil || s <= 0 {
				t.Fatalf("429 without Retry-After: %v", r.header)
			}
			waits = append(waits, s)
			e.clock.Advance(time.Duration(s) * time.Second)
		default:
			t.Fatalf("status %d %s", r.status, r.body)
		}
	}
	// 5 free, then 1 s, 2 s … 512 s, then one per 15 minutes.
	if checks > 120 {
		t.Fatalf("%d password checks in a day from one address, want at most 120", checks)
	}
	if len(waits) < 10 || waits[0] > 2 || waits[len(waits)-1] < 15*60 || waits[len(waits)-1] > 15*60+1 {
		t.Fatalf("back-off %v, want doubling from about 1 s up to 15 min", waits)
	}
	t.Logf("%d checks and %d refusals in a day; waits %v…", checks, refusals, waits[:12])
}

// Many addresses against one account: past the account's ceiling each new
// address gets one check and then backs off, so the total is bounded by
// the addresses the attacker holds; and still the owner gets in.
func TestLoginDistributedGuessingSlowsButDoesNotLock(t *testing.T) {
	e := newEnv(t, withTrustedProxies("127.0.0.1"))
	const addrs = 60
	checks := 0
	for round := range 3 {
		for i := range addrs {
			r := e.loginFrom(fmt.Sprintf("10.0.%d.%d", round, i), "alice", "guess")
			if r.status == http.StatusUnauthorized {
				checks++
			}
			r = e.loginFrom(fmt.Sprintf("10.0.%d.%d", round, i), "alice", "guess")
			if r.status == http.StatusUnauthorized {
				checks++
			}
		}
	}
	// Round 0 spends the ceiling (100) at two per address, then each
	// further address gets one.
	if want := accountCeiling + (3*addrs*2-accountCeiling)/2; checks > want {
		t.Fatalf("%d checks from %d addresses, want at most %d", checks, 3*addrs, want)
	}
	if r := e.loginFrom("198.51.100.20", "alice", testPassword); r.status != http.StatusOK {
		t.Fatalf("the owner during a distributed attack: %d %s", r.status, r.body)
	}
	// IPv6 addresses of one /64 are one address.
	for i := range 8 {
		e.loginFrom(fmt.Sprintf("2001:db8:1:2::%x", i+1), "alice", "guess")
	}
	if r := e.loginFrom("2001:db8:1:2::ffff", "alice", "guess"); r.status != http.StatusTooManyRequests {
		t.Fatalf("a fresh address in the same /64: %d", r.status)
	}
}

// One address trying many account names is stopped by its own budget.
func TestLoginSprayingFromOneAddressIsBounded(t *testing.T) {
	e := newEnv(t, withTrustedProxies("127.0.0.1"))
	checks := 0
	for i := range 30 {
		if r := e.loginFrom("203.0.113.9", fmt.Sprintf("user%d", i), "guess"); r.status == http.StatusUnauthorized {
			checks++
		}
	}
	if checks != 10 {
		t.Fatalf("%d checks for 30 names from one address, want 10", checks)
	}
	if r := e.loginFrom("198.51.100.20", "alice", testPassword); r.status != http.StatusOK {
		t.Fatalf("someone else: %d", r.status)
	}
}
