package api

import (
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ttxsim/ttx/server/hub"
)

// contentSecurityPolicy allows nothing inline and nothing from elsewhere:
// every script, style and connection comes from this server.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// securityHeaders runs first so that every response carries them: pages,
// JSON, errors, 404s and panics alike.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		c.Next()
	}
}

// secretQueryKeys are query parameters whose values never reach a log.
var secretQueryKeys = map[string]bool{"token": true, "access_token": true, "code": true}

// maskQuery replaces the values of secret parameters with "***", keeping the
// rest of the query as sent.
func maskQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		if secretQueryKeys[strings.ToLower(k)] {
			parts[i] = k + "=***"
		}
	}
	return strings.Join(parts, "&")
}

// maskPath hides the join code of a join link (/join/CODE, the page a
// participant opens) as maskQuery hides ?code=, and the token of a
// debrief link (/debrief/TOKEN).
func maskPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "/join/"); ok && rest != "" {
		return "/join/***"
	}
	if rest, ok := strings.CutPrefix(p, "/debrief/"); ok && rest != "" {
		return "/debrief/***" // the debrief link's token
	}
	return p
}

// accessLog logs one line per request with a level chosen by status: 5xx
// error, 4xx warn, otherwise info; health probes from loopback at debug.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		switch {
		case status >= 500:
			level = slog.LevelError
		case status >= 400:
			level = slog.LevelWarn
		case (c.Request.URL.Path == "/healthz" || c.Request.URL.Path == "/readyz") && isLoopbackRemote(c.Request.RemoteAddr):
			level = slog.LevelDebug
		}
		if !log.Enabled(c.Request.Context(), level) {
			return
		}
		path := maskPath(c.Request.URL.Path)
		if q := maskQuery(c.Request.URL.RawQuery); q != "" {
			path += "?" + q
		}
		log.LogAttrs(c.Request.Context(), level, "http",
			slog.String("method", c.Request.Method),
			slog.String("path", path),
			slog.Int("status", status),
			slog.Duration("duration", time.Since(start)),
			slog.Int("bytes", max(c.Writer.Size(), 0)),
			slog.String("client", c.ClientIP()),
			slog.String("role", identityOf(c).Role.String()),
		)
	}
}

// recovery turns a panic into a logged error and a generic 500; the panic
// value and stack stay in the log.
func recovery(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			log.ErrorContext(c.Request.Context(), "panic in handler",
				slog.String("method", c.Request.Method), slog.String("path", c.Request.URL.Path),
				slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
			if !c.Writer.Written() {
				c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{&Error{Code: "internal", Message: "internal error"}})
			} else {
				c.Abort()
			}
		}()
		c.Next()
	}
}

// limitBody caps every request body. Route-specific caps (scenario uploads)
// come from limits keyed by route pattern. A declared Content-Length over the
// cap is refused before anything reads the body; a chunked body trips
// http.MaxBytesReader as it is read.
func limitBody(def int64, limits map[string]int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		limit := def
		if l, ok := limits[c.FullPath()]; ok {
			limit = l
		}
		if c.Request.ContentLength > limit {
			fail(c, errTooLarge(limit))
			return
		}
		if c.Request.Body != nil && c.Request.Body != http.NoBody {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}

// crossOrigin refuses state-changing requests sent by a browser from another
// origin (CSRF), by the rule the WebSocket upgrade applies too
// (hub.Origins): Origin and Sec-Fetch-Site must name this server or an
// allowed origin, and must not disagree. Requests without Origin or
// Sec-Fetch-Site (non-browser clients) pass: they carry no ambient cookie
// authority worth forging. It runs for every route, including login and
// join, which also defeats login CSRF and cross-site join spam.
func crossOrigin(origins *hub.Origins) gin.HandlerFunc {
	return func(c *gin.Context) {
		switch c.Request.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if !origins.Allowed(c.Request) {
				fail(c, errCrossOrigin())
				return
			}
		}
		c.Next()
	}
}
