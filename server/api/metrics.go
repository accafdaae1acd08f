package api

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ttxsim/ttx/server/hub"
	"github.com/ttxsim/ttx/server/metrics"
)

// countRequests counts responses by status class. It runs after the rest of
// the chain so it sees the final status, including rendered errors.
func countRequests(m *metrics.TTX) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if m != nil {
			m.HTTPRequests.With(metrics.CodeClass(c.Writer.Status())).Inc()
		}
	}
}

// serveMetrics serves the Prometheus metrics. They reveal activity (how
// many exercises run, how many people are connected), so they are not
// public: either the scraper presents the configured bearer token, or it
// connects from this machine. The peer address is the TCP one, never a
// forwarded header, so a proxy on this machine should not route /metrics
// unless a token is set. It sits beside the Gin router rather than in it
// because its bearer token is not a participant token, which the router's
// authentication chain would refuse.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	deny := func(status int, code, msg string) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"code":%q,"message":%q}}`+"\n", code, msg)
	}
	switch {
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		deny(http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed")
		return
	case s.opts.MetricsToken != "":
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.MetricsToken)) != 1 {
			deny(http.StatusUnauthorized, "unauthorized", "metrics need the bearer token")
			return
		}
	case !loopbackPeer(r.RemoteAddr):
		deny(http.StatusForbidden, "forbidden", "metrics are served to this machine only; set a metrics token to scrape remotely")
		return
	}
	s.metricsHandler.ServeHTTP(w, r)
}

func loopbackPeer(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// closeKind names why a socket closed, for the WebSocket error counter;
// "" for closes that are not errors.
func closeKind(code int) string {
	switch code {
	case hub.CloseNormal, hub.CloseGoingAway, hub.CloseSessionEnded, hub.CloseAccessRevoked, hub.CloseStreamEnded,
		hub.CloseLifetime, hub.CloseIdle, 0:
		return ""
	case hub.CloseSlowClient:
		return "slow"
	case hub.CloseMessageTooBig:
		return "too_big"
	case hub.ClosePolicyViolation:
		return "policy"
	case hub.CloseInternalError:
		return "internal"
	case hub.CloseAbnormal:
		return "abnormal"
	default:
		return "other"
	}
}
