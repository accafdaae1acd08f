package hub

import "unicode/utf8"

// Close codes; see the package documentation for their meaning.
const (
	CloseNormal          = 1000
	CloseGoingAway       = 1001
	CloseAbnormal        = 1006 // recorded only; never sent on the wire
	ClosePolicyViolation = 1008
	CloseMessageTooBig   = 1009
	CloseInternalError   = 1011

	CloseReconnect  = 4000
	CloseLifetime   = 4001
	CloseIdle       = 4002
	CloseSlowClient = 4008

	CloseStreamEnded   = 4501
	CloseAccessRevoked = 4502
	CloseSessionEnded  = 4503
)

// maxReasonLen keeps a close frame's payload (2-byte code + reason) within the
// 125 bytes allowed for control frames.
const maxReasonLen = 123

// IsTerminal reports whether a client receiving code should stop instead of
// reconnecting: 1008 and the application range 4500–4999.
func IsTerminal(code int) bool {
	return code == ClosePolicyViolation || (code >= 4500 && code <= 4999)
}

// sendable reports whether code may appear in a close frame (RFC 6455 §7.4).
func sendable(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1011:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// sanitizeClose turns a caller's code into one a browser accepts and cuts the
// reason to fit a control frame without splitting a UTF-8 sequence.
func sanitizeClose(code int, reason string) (int, string) {
	if !sendable(code) {
		code = CloseInternalError
	}
	if len(reason) > maxReasonLen {
		cut := maxReasonLen
		for cut > 0 && !utf8.RuneStart(reason[cut]) {
			cut--
		}
		reason = reason[:cut]
	}
	if !utf8.ValidString(reason) {
		reason = ""
	}
	return code, reason
}
