package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/store"
)

// Errors returned by the engine. Every error from a command wraps exactly
// one of them (test with errors.Is); Code maps them to the stable strings
// the API sends to clients.
var (
	ErrNotFound       = errors.New("engine: not found")                     // no such exercise, participant, decision...
	ErrInvalid        = errors.New("engine: invalid input")                 // malformed or out-of-range input
	ErrConflict       = errors.New("engine: not allowed in current status") // e.g. start a running exercise, answer in the lobby
	ErrEnded          = errors.New("engine: exercise has ended")
	ErrForbidden      = errors.New("engine: forbidden") // wrong team, not the lead, participant has left
	ErrDecisionClosed = errors.New("engine: decision is not open")
	ErrClosed         = errors.New("engine: closed")      // the engine is shutting down
	ErrUnavailable    = errors.New("engine: unavailable") // storage failed; the exercise is reloading from its log
	ErrOverflow       = errors.New("engine: subscriber too slow")

	// ErrPaused: participants answer only while the clock runs.
	ErrPaused = errors.New("engine: exercise is paused")

	// Teams acting in the world: the scenario does not let the team do
	// this (outlet, persona, inject); publishing needs an approval of the
	// draft's current version; the draft changed since the version named.
	ErrNotAllowed    = errors.New("engine: not allowed by the scenario")
	ErrNeedsApproval = errors.New("engine: needs approval")
	ErrStaleDraft    = errors.New("engine: the draft changed")
	ErrTooLarge      = errors.New("engine: too large")
)

// Code returns a stable, client-safe code for an engine error: not_found,
// invalid, conflict, ended, forbidden, decision_closed, paused,
// not_allowed, needs_approval, stale_draft, too_large, closed,
// unavailable, overflow, timeout, or internal.
func Code(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrInvalid):
		return "invalid"
	case errors.Is(err, ErrConflict):
		return "conflict"
	case errors.Is(err, ErrEnded):
		return "ended"
	case errors.Is(err, ErrForbidden):
		return "forbidden"
	case errors.Is(err, ErrDecisionClosed):
		return "decision_closed"
	case errors.Is(err, ErrPaused):
		return "paused"
	case errors.Is(err, ErrNotAllowed):
		return "not_allowed"
	case errors.Is(err, ErrNeedsApproval):
		return "needs_approval"
	case errors.Is(err, ErrStaleDraft):
		return "stale_draft"
	case errors.Is(err, ErrTooLarge):
		return "too_large"
	case errors.Is(err, ErrClosed):
		return "closed"
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	case errors.Is(err, ErrOverflow):
		return "overflow"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "timeout"
	}
	return "internal"
}

// ReasonDiskFull is Reason's answer for a write refused for want of disk
// space (store.ErrDiskFull).
const ReasonDiskFull = "disk_full"

// Reason says why an unavailable exercise is unavailable, when that is
// known and safe to tell: ReasonDiskFull, or "".
func Reason(err error) string {
	if errors.Is(err, store.ErrDiskFull) {
		return ReasonDiskFull
	}
	return ""
}

// simError classifies an error from a sim input method.
func simError(err error) error {
	var kind error
	switch {
	case errors.Is(err, sim.ErrNotStarted), errors.Is(err, sim.ErrNotTimed):
		kind = ErrConflict
	case errors.Is(err, sim.ErrDone):
		kind = ErrEnded
	case errors.Is(err, sim.ErrNotOpen):
		kind = ErrDecisionClosed
	case errors.Is(err, sim.ErrWrongTeam), errors.Is(err, sim.ErrNotLead):
		kind = ErrForbidden
	case errors.Is(err, sim.ErrUnknownDecision), errors.Is(err, sim.ErrUnknownState):
		kind = ErrNotFound
	default: // unknown option, empty answer, bad confidence, too long, extension out of range
		kind = ErrInvalid
	}
	return fmt.Errorf("%w: %w", kind, err)
}

// storeError maps store.ErrNotFound to ErrNotFound and leaves others.
func storeError(what string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("engine: %s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("engine: %s: %w", what, err)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
