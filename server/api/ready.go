package api

import "time"

// NotReady is what a Deps.Ready function returns for a known reason not to
// be ready. /readyz answers 503 not_ready with its message and
// {"reason": ..., "since": ...} as details, and does not log it: whoever
// found the state logs it once.
type NotReady struct {
	Reason  string    // stable, for programs: "disk_full"
	Message string    // for people
	Since   time.Time // zero: unknown
}

func (e *NotReady) Error() string { return "not ready: " + e.Reason + ": " + e.Message }

type notReadyDetails struct {
	Reason string     `json:"reason"`
	Since  *time.Time `json:"since,omitempty"`
}

func (e *NotReady) details() notReadyDetails {
	d := notReadyDetails{Reason: e.Reason}
	if !e.Since.IsZero() {
		since := e.Since.UTC()
		d.Since = &since
	}
	return d
}
