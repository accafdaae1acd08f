package api

import (
	"net/netip"
	"strings"
	"sync"
	"time"
)

// LoginGuard bounds online password guessing without letting anyone lock
// the rightful user out. What it counts are failed checks, keyed three ways:
//
//   - per (address, account) pair, with exponential back-off: a pair may
//     fail freeFailures times, then must wait 1 s, 2 s, 4 s… (at most
//     maxBackoff) after each further failure. A success forgets the pair.
//     This is what stops a guesser, and it is the guesser's own pair that
//     waits: the same account from another address is not slowed.
//   - per address, any account (a token bucket: 10 at once, 10 a minute):
//     one address spraying many account names.
//   - per account, any address: a generous ceiling (100 failures at once, 2
//     a minute back) that never locks the account. While it is spent, the
//     account is under a distributed attack, and every pair gets one free
//     failure instead of freeFailures before backing off: each address the
//     attacker owns buys one guess, then waits like the others. A pair
//     that has not failed is still always let in, so the rightful user,
//     typing the right password from any address the attacker does not
//     share, logs in at once.
//
// IPv6 addresses count per /64, the block one subscriber usually holds.
// Tables are bounded (maxKeys); a pair quiet for pairMemory is forgotten.
// Attempts refused by the guard check nothing and count nothing.
type LoginGuard struct {
	now      func() time.Time
	addrs    *Limiter
	accounts *Limiter

	mu    sync.Mutex
	pairs map[string]*loginPair
}

type loginPair struct {
	fails int
	last  time.Time // of the last failure
}

// Login guessing bounds; see LoginGuard.
const (
	freeFailures   = 5
	firstBackoff   = time.Second
	maxBackoff     = 15 * time.Minute
	pairMemory     = 24 * time.Hour
	loginMaxKeys   = 10000
	accountCeiling = 100
)

// NewLoginGuard returns a guard with the production bounds.
func NewLoginGuard(now func() time.Time) *LoginGuard {
	if now == nil {
		now = time.Now
	}
	return &LoginGuard{
		now:      now,
		addrs:    NewLimiter(10, 10, loginMaxKeys, now),
		accounts: NewLimiter(accountCeiling, 2, loginMaxKeys, now),
		pairs:    make(map[string]*loginPair),
	}
}

// loginKeys normalises a client address and an account name into the
// guard's keys: the address's /64 for IPv6, the name lower-cased.
func loginKeys(addr, account string) (a, acc, pair string) {
	a = addr
	if ip, err := netip.ParseAddr(addr); err == nil {
		ip = ip.Unmap()
		if ip.Is6() {
			p, _ := ip.Prefix(64)
			a = p.String()
		} else {
			a = ip.String()
		}
	}
	acc = strings.ToLower(strings.TrimSpace(account))
	return a, acc, a + "\x00" + acc
}

// Allow reports whether addr may check a password for account now, and if
// not, how long until it may.
func (g *LoginGuard) Allow(addr, account string) (bool, time.Duration) {
	a, acc, key := loginKeys(addr, account)
	if ok, wait := g.addrs.Allow("ip:" + a); !ok {
		return false, wait
	}
	free := freeFailures
	if ok, _ := g.accounts.Allow("name:" + acc); !ok {
		free = 1 // under a distributed attack: one free failure per pair
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	p, ok := g.pairs[key]
	if !ok || p.fails < free {
		return true, 0
	}
	if wait := backoff(p.fails-free) - g.now().Sub(p.last); wait > 0 {
		return false, wait
	}
	return true, 0
}

// backoff is the wait after the n-th failure past the free ones (n from 0).
func backoff(n int) time.Duration {
	if n >= 20 {
		return maxBackoff
	}
	return min(firstBackoff<<n, maxBackoff)
}

// Fail records a failed check.
func (g *LoginGuard) Fail(addr, account string) {
	a, acc, key := loginKeys(addr, account)
	g.addrs.Fail("ip:" + a)
	g.accounts.Fail("name:" + acc)
	t := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	p, ok := g.pairs[key]
	if !ok || t.Sub(p.last) > pairMemory {
		if !ok && len(g.pairs) >= loginMaxKeys {
			g.evictLocked(t)
		}
		p = &loginPair{}
		g.pairs[key] = p
	}
	p.fails++
	p.last = t
}

// Succeed forgets the pair: the next mistake starts afresh.
func (g *LoginGuard) Succeed(addr, account string) {
	_, _, key := loginKeys(addr, account)
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.pairs, key)
}

// evictLocked makes room: pairs quiet for pairMemory go, and if none did,
// the one quiet longest.
func (g *LoginGuard) evictLocked(t time.Time) {
	var oldest string
	var oldestAt time.Time
	for k, p := range g.pairs {
		if t.Sub(p.last) > pairMemory {
			delete(g.pairs, k)
			continue
		}
		if oldest == "" || p.last.Before(oldestAt) {
			oldest, oldestAt = k, p.last
		}
	}
	if len(g.pairs) >= loginMaxKeys && oldest != "" {
		delete(g.pairs, oldest)
	}
}
