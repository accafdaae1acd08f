package api

import (
	"net/http"
)

// runCommand is the one way in for every client command, whichever door it
// came through (a REST route or a WebSocket message): the identity's
// message budget, then decoding, then authorisation and the engine
// (apply). decode turns the door's input into a message; when it fails,
// the message it returns carries the id if one could be read, so that the
// error can name it.
//
// The budget is spent before a malformed message is refused: decoding
// failures cost the same as commands, so a flood of garbage is cut like a
// flood of answers. The message is decoded first only to learn its id.
func (s *Server) runCommand(id *Identity, ex string, decode func() (ClientMessage, *Error)) (ClientMessage, ackFrame, error) {
	m, derr := decode()
	if err := s.admit(id); err != nil {
		return m, ackFrame{}, err
	}
	if derr != nil {
		return m, ackFrame{}, derr
	}
	ack, err := s.apply(id, ex, m)
	return m, ack, err
}

// admit spends one token of the identity's message budget (Limits.Messages:
// msgBurst at once, msgRate a second), shared by all its connections and
// its HTTP requests, or refuses with 429 rate_limited and how long to wait.
func (s *Server) admit(id *Identity) *Error {
	lim, key := s.limits.Messages, id.limitKey()
	if ok, wait := lim.Allow(key); !ok {
		return &Error{Status: http.StatusTooManyRequests, Code: codeRateLimited,
			Message: "too many messages; slow down", retryAfter: wait}
	}
	lim.Fail(key) // every command spends a token
	return nil
}

// codeRateLimited is the error code of a command over the budget.
const codeRateLimited = "rate_limited"

// wsDecoder is the WebSocket door's decode step for runCommand.
func wsDecoder(data []byte) func() (ClientMessage, *Error) {
	return func() (ClientMessage, *Error) {
		m, perr := DecodeClientMessage(data)
		if perr != nil {
			return ClientMessage{ID: perr.ID}, &Error{Status: http.StatusBadRequest, Code: perr.Code, Message: perr.Message}
		}
		return m, nil
	}
}
