package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ttxsim/ttx/server/config"
)

// lockedBuffer is a goroutine-safe bytes.Buffer.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestServeHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := cmdServe([]string{"-h"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d; stderr %s", code, errOut.String())
	}
	for _, w := range []string{"Usage: ttx serve", "TTX_ADDR", "loopback"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("help lacks %q", w)
		}
	}
	out.Reset()
	errOut.Reset()
	if code := cmdServe([]string{"-log-format", "xml", "-addr", "x"}, &out, &errOut); code != 2 {
		t.Fatalf("bad flags: exit %d", code)
	}
	if !strings.Contains(errOut.String(), "log-format") || !strings.Contains(errOut.String(), "addr") {
		t.Errorf("both problems should be reported: %s", errOut.String())
	}
}

// startServe runs serve on a loopback port until the test ends and returns
// its base URL, stdout and stderr.
func startServe(t *testing.T, db string) (url string, stdout, stderr *lockedBuffer, stop func() int) {
	t.Helper()
	cfg, err := config.Parse([]string{"-addr", "127.0.0.1:0", "-db", db, "-log-level", "debug"}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr = &lockedBuffer{}, &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan string, 1)
	done := make(chan int, 1)
	ui := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><p>ttx ui")}}
	shipped := fstest.MapFS{"example.yaml": {Data: mustRead(t, "../scenarios/example.yaml")}}
	go func() {
		done <- serve(ctx, cfg, serveIO{stdout: stdout, stderr: stderr, ui: ui, shipped: shipped, listening: func(a string) { addrs <- a }})
	}()
	select {
	case a := <-addrs:
		url = "http://" + a
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start")
	}
	stopped := false
	var code int
	stop = func() int {
		if !stopped {
			stopped = true
			cancel()
			select {
			case code = <-done:
			case <-time.After(60 * time.Second):
				t.Fatal("serve did not stop")
			}
		}
		return code
	}
	t.Cleanup(func() { stop() })
	return url, stdout, stderr, stop
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestServeFirstStartAndShutdown(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ttx.db")
	url, stdout, stderr, stop := startServe(t, db)

	m := regexp.MustCompile(`one-time password\s+([23456789A-HJKMNP-Z]{20})\s`).FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no one-time password on stdout: %q", stdout.String())
	}
	pw := m[1]
	if strings.Contains(stderr.String(), pw) {
		t.Fatal("the one-time password must never reach the log")
	}

	for _, p := range []string{"/healthz", "/readyz", "/"} {
		res, err := http.Get(url + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: %d %v", p, res.StatusCode, res.Header)
		}
	}
	body, _ := json.Marshal(map[string]string{"name": "admin", "password": pw})
	res, err := http.Post(url+"/api/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), `"must_change_password":true`) {
		t.Fatalf("login with the one-time password: %d %s", res.StatusCode, b)
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("log lacks the shutdown: %s", stderr.String())
	}

	// A second start on the same database creates no account and prints
	// no password.
	_, stdout2, _, stop2 := startServe(t, db)
	if strings.Contains(stdout2.String(), "one-time password") {
		t.Fatalf("second start printed a password: %q", stdout2.String())
	}
	if code := stop2(); code != 0 {
		t.Fatalf("second run exit %d", code)
	}
}
