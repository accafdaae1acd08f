package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Bearer credentials are 256 random bits, base64url without padding, with a
// short prefix naming their kind so that the server can route a token to the
// right table without trying each one. Only their SHA-256 is stored: with
// 256 bits of entropy a fast hash is enough, and a stolen database holds no
// usable credential.
const (
	participantPrefix = "p." // participant token, bound to one exercise and team
	observerPrefix    = "o." // observer token, bound to one exercise
	tokenBytes        = 32

	// subprotocolTokenPrefix carries a token in Sec-WebSocket-Protocol,
	// the one header a browser lets a page set on a WebSocket handshake.
	subprotocolTokenPrefix = "ttx.token."
)

// newSecret returns 256 random bits as base64url.
func newSecret() string {
	b := make([]byte, tokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is the stored form of a session id or token: hex SHA-256.
func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// wellFormedSecret checks the shape of a presented secret before any lookup,
// so that garbage never reaches the database.
func wellFormedSecret(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// newID returns a short random identifier for rows that are referenced in
// URLs and events (participants, observers); it is not a credential.
func newID(prefix string) string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// Join codes: 8 characters from 31 symbols that cannot be confused when read
// off a projector or typed on a phone (no 0/O, 1/I/L). 31^8 ≈ 8.5e11 codes,
// 39.6 bits. With failed joins limited to 10 per minute per client IP, an
// attacker with 1,000 addresses makes 1.44e7 guesses a day; with 100 live
// exercises the chance of hitting any code is 1.44e7 × 100 / 8.5e11 ≈ 0.17%
// per day, and a hit only lets them join as a participant (visible in the
// lobby, removable by the facilitator) until the exercise ends.
const (
	joinAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	joinCodeLen  = 8
)

// newJoinCode draws a code uniformly (rejection sampling: 248 = 8×31 is the
// largest multiple of 31 that fits in a byte).
func newJoinCode() string {
	var out [joinCodeLen]byte
	buf := make([]byte, 16)
	n := 0
	for n < joinCodeLen {
		_, _ = rand.Read(buf)
		for _, b := range buf {
			if b < 248 && n < joinCodeLen {
				out[n] = joinAlphabet[b%31]
				n++
			}
		}
	}
	return string(out[:])
}

// normalizeJoinCode accepts what people type (lower case, spaces, a dash
// between the halves) and returns the canonical code, or "" when it cannot be
// a code at all.
func normalizeJoinCode(s string) string {
	if len(s) > 32 {
		return ""
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-':
			continue
		case strings.ContainsRune(joinAlphabet, r):
			b.WriteRune(r)
		default:
			return ""
		}
	}
	if b.Len() != joinCodeLen {
		return ""
	}
	return b.String()
}

// formatJoinCode shows a code as two groups of four for reading aloud.
func formatJoinCode(code string) string {
	if len(code) != joinCodeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// isLoopbackRemote reports whether a RemoteAddr is a loopback address.
func isLoopbackRemote(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// remoteAddr parses a RemoteAddr to an address.
func remoteAddr(remote string) (netip.Addr, error) {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		a, err2 := netip.ParseAddr(remote)
		if err2 != nil {
			return netip.Addr{}, fmt.Errorf("api: remote address %q: %w", remote, err)
		}
		return a.Unmap(), nil
	}
	return ap.Addr().Unmap(), nil
}
