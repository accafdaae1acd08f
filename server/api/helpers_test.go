package api

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/ttxsim/ttx/server/metrics"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/engine/enginetest"
	"github.com/ttxsim/ttx/server/hub"
	"github.com/ttxsim/ttx/server/library"
	"github.com/ttxsim/ttx/server/password"
	"github.com/ttxsim/ttx/server/store"
	"golang.org/x/crypto/bcrypt"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

const testPassword = "correct horse battery"

// testEnv is a real server on a real SQLite file.
type testEnv struct {
	t     *testing.T
	st    *store.Store
	srv   *Server
	ts    *httptest.Server
	clock *enginetest.FakeClock
	eng   *engine.Engine
	hub   *hub.Hub
	logs  *syncBuffer
	// wsWait bounds each WebSocket handshake and waitFor of the
	// connections it dials; 0: 10 s.
	wsWait time.Duration
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// envSetup is what options may change before the server starts.
type envSetup struct {
	d   *Deps
	o   *Options
	tls bool
}

type envOption func(*envSetup)

func withTrustedProxies(p ...string) envOption {
	return func(e *envSetup) { e.o.TrustedProxies = p }
}

func withSecureCookies(v string) envOption {
	return func(e *envSetup) { e.o.SecureCookies = v }
}

// withTLS serves over TLS (httptest's self-signed certificate).
func withTLS() envOption {
	return func(e *envSetup) { e.tls = true }
}

func withAllowedOrigins(origins ...string) envOption {
	return func(e *envSetup) { e.o.AllowedOrigins = origins }
}

func withMetricsToken(tok string) envOption {
	return func(e *envSetup) { e.o.MetricsToken = tok }
}

func withUI(files fstest.MapFS) envOption {
	return func(e *envSetup) { e.d.UI = files }
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newEnv(t *testing.T, opts ...envOption) *testEnv {
	t.Helper()
	ctx := context.Background()
	disk := NewDiskAlerts()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "ttx.db"), store.Options{OnDisk: disk.Changed})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	clock := enginetest.NewFakeClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := hub.New(hub.Config{Subprotocols: []string{Subprotocol}, ReadLimit: maxClientMessage}, log)
	reg := metrics.NewRegistry()
	mx, err := metrics.NewTTX(reg, metrics.Funcs{})
	if err != nil {
		t.Fatal(err)
	}
	endings := NewEndings(h, clock, DefaultEndedGrace)
	eng := engine.New(st, clock, NewPublisher(h, log, WithPublisherMetrics(mx), WithEndings(endings)), log)
	t.Cleanup(func() { eng.Close() })
	t.Cleanup(h.Close)
	shipped := fstest.MapFS{
		"example.yaml": {Data: readFile(t, "../../scenarios/example.yaml")},
		"broken.yaml":  {Data: readFile(t, "testdata/broken.yaml")},
	}
	d := Deps{
		Log:      log,
		Accounts: st, Tokens: st, Access: st, Templates: st,
		Library: library.New(shipped, st),
		Engine:  eng,
		Hub:     h,
		Ready:   func(ctx context.Context) error { _, err := st.SchemaVersion(ctx); return err },
		Now:     clock.Now,
		Endings: endings,
		Disk:    disk,

		Metrics:        mx,
		MetricsHandler: reg.Handler(),
	}
	o := Options{BcryptCost: bcrypt.MinCost, Version: "test"}
	setup := envSetup{d: &d, o: &o}
	for _, f := range opts {
		f(&setup)
	}
	srv, err := New(d, o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewUnstartedServer(srv.Handler())
	if setup.tls {
		ts.StartTLS()
	} else {
		ts.Start()
	}
	t.Cleanup(ts.Close)
	hash, err := password.Hash(testPassword, bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateAccount(ctx, "alice", hash, false, clock.Now()); err != nil {
		t.Fatal(err)
	}
	return &testEnv{t: t, st: st, srv: srv, ts: ts, clock: clock, eng: eng, hub: h, logs: logs}
}

// addExercise creates an exercise from scenarios/example.yaml through the
// engine and gives it the join code, returning its id.
func (e *testEnv) addExercise(code string) string {
	e.t.Helper()
	ex, err := e.eng.Create(context.Background(), engine.CreateInput{File: "example.yaml", Source: readFile(e.t, "../../scenarios/example.yaml")})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.SetJoinCode(context.Background(), ex.ID, code); err != nil {
		e.t.Fatal(err)
	}
	return ex.ID
}

// client is a browser-like client with its own cookie jar.
func (e *testEnv) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	c := e.ts.Client()
	return &http.Client{Transport: c.Transport, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type resp struct {
	status int
	header http.Header
	body   string
}

func (r resp) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
}

// do sends a request; body may be a string (sent as is) or any value
// (sent as JSON).
func (e *testEnv) do(c *http.Client, method, path string, body any, headers map[string]string) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	if c == nil {
		c = e.client()
	}
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: string(b)}
}

// login returns a client holding a facilitator session.
func (e *testEnv) login() *http.Client {
	e.t.Helper()
	c := e.client()
	r := e.do(c, "POST", "/api/auth/login", map[string]string{"name": "alice", "password": testPassword}, nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("login: %d %s", r.status, r.body)
	}
	return c
}

// joinAs joins exercise code as name in team and returns the token.
func (e *testEnv) joinAs(code, name, team string) string {
	e.t.Helper()
	r := e.do(nil, "POST", "/api/join", map[string]string{"code": code, "name": name, "team": team}, nil)
	if r.status != http.StatusCreated {
		e.t.Fatalf("join %s/%s: %d %s", code, team, r.status, r.body)
	}
	var jr joinResponse
	r.json(e.t, &jr)
	return jr.Token
}

// observer issues an observer token for exercise id.
func (e *testEnv) observer(fac *http.Client, id string) string {
	e.t.Helper()
	r := e.do(fac, "POST", "/api/exercises/"+id+"/observers", map[string]string{"name": "Olga"}, nil)
	if r.status != http.StatusCreated {
		e.t.Fatalf("add observer: %d %s", r.status, r.body)
	}
	var out struct{ Token string }
	r.json(e.t, &out)
	return out.Token
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }
