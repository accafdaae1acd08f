package loadtest

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ttxsim/ttx/scenarios"
	"github.com/ttxsim/ttx/server/api"
	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/hub"
	"github.com/ttxsim/ttx/server/library"
	"github.com/ttxsim/ttx/server/password"
	"github.com/ttxsim/ttx/server/store"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

const testPassword = "load test password 1"

// startTTX serves the real ttx stack (store, hub, engine with the real
// clock, API, shipped scenarios) on an httptest loopback listener, with a
// facilitator account. It is wired as 'ttx serve' wires it.
func startTTX(t testing.TB) (Endpoint, Credentials) {
	t.Helper()
	h, cred := ttxHandler(t)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return Endpoint{URL: ts.URL}, cred
}

// ttxHandler is the real ttx stack of startTTX, not yet listening; the
// stack is closed when the test ends, after the listeners registered later.
func ttxHandler(t testing.TB) (http.Handler, Credentials) {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "ttx.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	hash, err := password.Hash(testPassword, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"loadtest", "loadtest-2"} {
		if _, err := st.CreateAccount(ctx, name, hash, false, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	h := hub.New(hub.Config{Subprotocols: []string{api.Subprotocol}, ReadLimit: 16 << 10}, log)
	eng := engine.New(st, engine.RealClock{}, api.NewPublisher(h, log), log)
	srv, err := api.New(api.Deps{
		Log: log, Accounts: st, Tokens: st, Access: st,
		Library: library.New(scenarios.Files, st),
		Engine:  eng, Hub: h,
	}, api.Options{BcryptCost: 4})
	if err != nil {
		t.Fatal(err)
	}
	// Reverse order of start: HTTP (registered by the caller, after
	// this), hub, engine (the store's cleanup ran first in registration,
	// so it closes last).
	t.Cleanup(func() { eng.Close() })
	t.Cleanup(h.Close)
	return srv.Handler(), Credentials{Name: "loadtest", Password: testPassword}
}

// startBaseline serves the baseline hub in-process on loopback.
func startBaseline(t testing.TB) Endpoint {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ServeBaseline(ctx, ln, nil) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("baseline: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("baseline did not stop")
		}
	})
	return Endpoint{URL: "http://" + ln.Addr().String()}
}
