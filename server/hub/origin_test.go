package hub

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestOriginAllowed(t *testing.T) {
	logs := &lockedBuffer{}
	h := New(Config{AllowedOrigins: []string{
		"https://App.Example:443", "http://localhost:5173", "*", "not a url", "https://x.example/path",
	}}, slog.New(slog.NewTextHandler(logs, nil)))

	tests := []struct {
		name    string
		host    string
		origins []string
		want    bool
	}{
		{"no origin (non-browser client)", "ttx.test", nil, true},
		{"same origin", "ttx.test", []string{"https://ttx.test"}, true},
		{"same origin http", "ttx.test:8080", []string{"http://ttx.test:8080"}, true},
		{"same origin, case and default port", "TTX.test", []string{"https://ttx.TEST:443"}, true},
		{"same host other port", "ttx.test:8080", []string{"http://ttx.test:9090"}, false},
		{"allow-listed, normalised", "ttx.test", []string{"https://app.example"}, true},
		{"allow-listed dev server", "ttx.test", []string{"http://localhost:5173"}, true},
		{"allow-listed host, other scheme", "ttx.test", []string{"http://app.example"}, false},
		{"cross origin", "ttx.test", []string{"https://evil.example"}, false},
		{"suffix trick", "ttx.test", []string{"https://ttx.test.evil.example"}, false},
		{"null origin", "ttx.test", []string{"null"}, false},
		{"garbage", "ttx.test", []string{"::::"}, false},
		{"non-http scheme", "ttx.test", []string{"file://ttx.test"}, false},
		{"two origin headers", "ttx.test", []string{"https://ttx.test", "https://evil.example"}, false},
		{"star is not allow-all", "ttx.test", []string{"https://anything.example"}, false},
		{"entry with a path ignored", "ttx.test", []string{"https://x.example"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "http://"+tt.host+"/ws", nil)
			r.Host = tt.host
			for _, o := range tt.origins {
				r.Header.Add("Origin", o)
			}
			if got := h.OriginAllowed(r); got != tt.want {
				t.Errorf("OriginAllowed = %v, want %v", got, tt.want)
			}
		})
	}
	for _, bad := range []string{"allow-all is not supported", `origin="not a url"`, `origin=https://x.example/path`} {
		if !strings.Contains(logs.String(), bad) {
			t.Errorf("no warning for ignored entry %s in logs:\n%s", bad, logs)
		}
	}
}

func TestSanitizeClose(t *testing.T) {
	long := strings.Repeat("é", 100) // 200 bytes
	tests := []struct {
		name     string
		code     int
		reason   string
		wantCode int
		wantLen  int
	}{
		{"normal", CloseNormal, "bye", CloseNormal, 3},
		{"app terminal", CloseSessionEnded, "logged out", CloseSessionEnded, 10},
		{"reserved 1005", 1005, "", CloseInternalError, 0},
		{"reserved 1006", CloseAbnormal, "", CloseInternalError, 0},
		{"out of range", 5000, "", CloseInternalError, 0},
		{"zero", 0, "", CloseInternalError, 0},
		{"long reason cut on a rune", CloseNormal, long, CloseNormal, 122},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, reason := sanitizeClose(tt.code, tt.reason)
			if code != tt.wantCode || len(reason) != tt.wantLen {
				t.Errorf("sanitizeClose(%d, len %d) = %d, len %d; want %d, len %d",
					tt.code, len(tt.reason), code, len(reason), tt.wantCode, tt.wantLen)
			}
		})
	}
}

func TestIsTerminal(t *testing.T) {
	tests := []struct {
		code int
		want bool
	}{
		{CloseNormal, false}, {CloseGoingAway, false}, {CloseAbnormal, false}, {CloseInternalError, false},
		{ClosePolicyViolation, true}, {CloseReconnect, false}, {CloseSlowClient, false}, {4499, false},
		{4500, true}, {CloseStreamEnded, true}, {CloseSessionEnded, true}, {4999, true},
	}
	for _, tt := range tests {
		if got := IsTerminal(tt.code); got != tt.want {
			t.Errorf("IsTerminal(%d) = %v, want %v", tt.code, got, tt.want)
		}
	}
}
