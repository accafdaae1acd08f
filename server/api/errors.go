package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
)

// Error is the one error shape of the API. Code is stable and meant for
// programs; Message is for people; Details is safe, structured data (for
// example positioned scenario errors). The cause is only ever logged.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Details any    `json:"details,omitempty"`

	cause      error
	retryAfter time.Duration // for 429: sent as Retry-After
	quiet      bool          // a 5xx whose cause is logged elsewhere, once: logged per request at debug level only
}

func (e *Error) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%d %s: %s: %v", e.Status, e.Code, e.Message, e.cause)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.cause }

// errorBody is what goes over the wire: {"error": {...}}.
type errorBody struct {
	Error *Error `json:"error"`
}

// Constructors for the errors handlers use. Keep messages generic enough
// that they leak nothing about other users or exercises.
func errBadRequest(code, msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Message: msg}
}
func errUnauthorized() *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: "log in or join first"}
}
func errForbidden(msg string) *Error {
	return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: msg}
}
func errNotFound(what string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "not_found", Message: what + " not found"}
}
func errConflict(code, msg string) *Error {
	return &Error{Status: http.StatusConflict, Code: code, Message: msg}
}
func errInternal(cause error) *Error {
	return &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error", cause: cause}
}
func errTooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
		Message: fmt.Sprintf("request body over %d bytes", limit)}
}
func errCrossOrigin() *Error {
	return &Error{Status: http.StatusForbidden, Code: "cross_origin", Message: "cross-origin request refused"}
}
func errRateLimitedFor(wait time.Duration) *Error {
	return &Error{Status: http.StatusTooManyRequests, Code: "rate_limited",
		Message: "too many failed attempts; wait a minute and try again", retryAfter: wait}
}

// fail records err for the error renderer and stops the chain.
func fail(c *gin.Context, err error) {
	_ = c.Error(err)
	c.Abort()
}

// asAPIError maps any error to the public shape: our *Error as is, an
// over-long body to 413, anything else to a generic 500.
func asAPIError(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge(mbe.Limit)
	}
	return errInternal(err)
}

// renderErrors is the single place errors become responses. Handlers call
// fail (or c.Error) and return; this writes the JSON after the chain ran.
func renderErrors(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if len(c.Errors) == 0 {
			return
		}
		ae := asAPIError(c.Errors.Last().Err)
		if ae.Status >= 500 && ae.quiet {
			log.DebugContext(c.Request.Context(), "request failed",
				slog.String("method", c.Request.Method), slog.String("path", c.Request.URL.Path),
				slog.Int("status", ae.Status), slog.Any("error", c.Errors.Last().Err))
		} else if ae.Status >= 500 {
			log.ErrorContext(c.Request.Context(), "request failed",
				slog.String("method", c.Request.Method), slog.String("path", c.Request.URL.Path),
				slog.Int("status", ae.Status), slog.Any("error", c.Errors.Last().Err))
		}
		if c.Writer.Written() {
			return
		}
		if ae.retryAfter > 0 {
			c.Header("Retry-After", strconv.Itoa(int(ae.retryAfter.Round(time.Second)/time.Second)+1))
		}
		c.JSON(ae.Status, errorBody{ae})
	}
}
