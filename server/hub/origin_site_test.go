package hub

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Origin and Sec-Fetch-Site are both the browser's word on where a request
// comes from; when they disagree the request is refused, whichever of the
// two names this server.
func TestOriginAndFetchSiteMustAgree(t *testing.T) {
	o, err := NewOrigins([]string{"https://ui.example"})
	if err != nil {
		t.Fatal(err)
	}
	h := New(Config{AllowedOrigins: []string{"https://ui.example"}}, slog.New(slog.DiscardHandler))
	const host = "ttx.test"
	tests := []struct {
		name, origin, site string
		want               bool
	}{
		{"non-browser", "", "", true},
		{"no origin, same-origin", "", "same-origin", true},
		{"no origin, typed URL", "", "none", true},
		{"no origin, cross-site", "", "cross-site", false},
		{"no origin, same-site", "", "same-site", false},
		{"no origin, unknown value", "", "bogus", false},
		{"same origin, no site (older browser)", "http://" + host, "", true},
		{"same origin, same-origin", "http://" + host, "same-origin", true},
		{"same origin, but cross-site", "http://" + host, "cross-site", false},
		{"same origin, but same-site", "http://" + host, "same-site", false},
		{"foreign, no site", "https://evil.example", "", false},
		{"foreign, cross-site", "https://evil.example", "cross-site", false},
		{"foreign, but same-origin", "https://evil.example", "same-origin", false},
		{"foreign, but none", "https://evil.example", "none", false},
		{"allow-listed, cross-site", "https://ui.example", "cross-site", true},
		{"allow-listed behind a Host-rewriting proxy", "https://ui.example", "same-origin", true},
		{"allow-listed, unknown value", "https://ui.example", "bogus", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "http://"+host+"/ws", nil)
			r.Host = host
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if tt.site != "" {
				r.Header.Set("Sec-Fetch-Site", tt.site)
			}
			if got := o.Allowed(r); got != tt.want {
				t.Errorf("Origins.Allowed = %v, want %v", got, tt.want)
			}
			if got := h.OriginAllowed(r); got != tt.want {
				t.Errorf("Hub.OriginAllowed = %v, want %v", got, tt.want)
			}
		})
	}
	r := httptest.NewRequest(http.MethodGet, "http://"+host+"/ws", nil)
	r.Header.Add("Sec-Fetch-Site", "same-origin")
	r.Header.Add("Sec-Fetch-Site", "cross-site")
	if o.Allowed(r) {
		t.Error("two Sec-Fetch-Site headers accepted")
	}
}

func TestNewOriginsRefusesMalformedEntries(t *testing.T) {
	for _, bad := range []string{"*", "not a url", "https://x.example/path", "ftp://x.example"} {
		if _, err := NewOrigins([]string{bad}); err == nil {
			t.Errorf("NewOrigins(%q): no error", bad)
		}
	}
}
