// Package password is the facilitator passwords' policy and hashing: what a
// new password must be, its bcrypt hash, the comparison at login (bcrypt's
// 72-byte rule included) and the dummy comparison that makes an unknown name
// cost the same time as a wrong password.
package password

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Policy. bcrypt reads at most 72 bytes; longer passwords are refused
// rather than silently truncated.
const (
	MinLen = 12 // characters
	MaxLen = 72 // bytes
)

// DefaultCost is the bcrypt work factor for facilitator passwords: about
// 0.1 s per check on a laptop, which bounds offline guessing of a stolen
// database without making login slow.
const DefaultCost = 11

// Check reports why a new password is not acceptable, or nil.
func Check(pw string) error {
	switch {
	case !utf8.ValidString(pw):
		return errors.New("password is not valid UTF-8")
	case utf8.RuneCountInString(pw) < MinLen:
		return fmt.Errorf("password must have at least %d characters", MinLen)
	case len(pw) > MaxLen:
		return fmt.Errorf("password must be at most %d bytes", MaxLen)
	case strings.IndexFunc(pw, unicode.IsControl) >= 0:
		return errors.New("password must not contain control characters")
	}
	return nil
}

// Hash returns the bcrypt hash of pw at the given cost.
func Hash(pw string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		return "", fmt.Errorf("password: hash: %w", err)
	}
	return string(h), nil
}

// Matches reports whether pw is the password hash was made from. A
// password over MaxLen never matches: bcrypt would compare only its first
// 72 bytes. It is refused before the comparison, like a policy failure.
func Matches(hash, pw string) bool {
	return len(pw) <= MaxLen && bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// alphabet is the join codes' (no 0/O, 1/I/L): easy to read off a terminal.
const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// Generate returns a random password of 20 characters from an alphabet of
// 31 unambiguous symbols (about 99 bits), easy to read off a terminal.
func Generate() string {
	const n = 20
	out := make([]byte, 0, n)
	buf := make([]byte, 32)
	for len(out) < n {
		_, _ = rand.Read(buf)
		for _, b := range buf {
			if b < 248 && len(out) < n { // 248 = 8×31: no bias
				out = append(out, alphabet[b%31])
			}
		}
	}
	return string(out)
}

// Login checks the passwords given at login. Build it with NewLogin.
type Login struct {
	// dummy is compared against when the account does not exist. Made on
	// first use: a bcrypt at start-up would add its ~140 ms to every cold
	// start.
	dummy func() (string, error)
}

// NewLogin returns a login check whose unknown names cost one comparison at
// the given bcrypt cost (the cost passwords are hashed with).
func NewLogin(cost int) *Login {
	return &Login{dummy: sync.OnceValues(func() (string, error) { return Hash(Generate(), cost) })}
}

// Verify reports whether pw is the password of an account whose hash is
// hash; found is false when there is no such account, and the answer is
// then false after the same bcrypt comparison a known account costs, so
// timing does not reveal which names exist. A password over MaxLen is
// compared too and refused after it, for the same reason.
func (l *Login) Verify(hash string, found bool, pw string) (bool, error) {
	if !found {
		var err error
		if hash, err = l.dummy(); err != nil {
			return false, err
		}
	}
	ok := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
	return ok && found && len(pw) <= MaxLen, nil
}
