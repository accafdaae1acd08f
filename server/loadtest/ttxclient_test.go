package loadtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

// TestCommandWaitsOutTheBudget checks that a facilitator command refused
// for the account's message budget (429 rate_limited, Retry-After) is sent
// again, and that other refusals are not.
func TestCommandWaitsOutTheBudget(t *testing.T) {
	for _, tc := range []struct {
		name      string
		refusals  int    // 429s before the server accepts
		code      string // error code of the 429
		wantCalls int64
		wantErr   bool
	}{
		{"accepted at once", 0, "rate_limited", 1, false},
		{"over the budget twice", 2, "rate_limited", 3, false},
		{"another 429 is an answer", 1, "too_many_joins", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int64
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n := calls.Add(1); n <= int64(tc.refusals) {
					w.Header().Set("Retry-After", "0")
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusTooManyRequests)
					_, _ = w.Write([]byte(`{"error":{"code":"` + tc.code + `","message":"slow down"}}`))
					return
				}
				_, _ = w.Write([]byte(`{}`))
			}))
			defer ts.Close()
			base, _ := url.Parse(ts.URL)
			f := &facilitator{base: base, client: newHTTPClient(nil)}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := f.command(ctx, "ex1", "start", nil)
			if (err != nil) != tc.wantErr || calls.Load() != tc.wantCalls {
				t.Errorf("error %v after %d calls; want error %v after %d", err, calls.Load(), tc.wantErr, tc.wantCalls)
			}
		})
	}
}
