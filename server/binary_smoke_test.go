package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/ttxtest"
)

// TestBinarySmoke builds the real binary (with the embedded UI), starts it on
// a fresh database and a free loopback port, probes the operational routes
// and the participant page, and stops it with SIGTERM.
func TestBinarySmoke(t *testing.T) {
	dir := t.TempDir()
	bin, err := ttxtest.Binary(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	stdout, stderr := &ttxtest.Output{}, &ttxtest.Output{}
	cmd := exec.Command(bin, "serve", "-addr", "127.0.0.1:0", "-db", filepath.Join(dir, "ttx.db"))
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TTX_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("stderr:\n%s", stderr.String())
		}
	})

	m, err := stderr.WaitFor(regexp.MustCompile(`msg="listening[^"]*" addr=(127\.0\.0\.1:[1-9][0-9]*)`), exited, 60*time.Second)
	if err != nil {
		t.Fatalf("ttx did not report its address: %v\n%s", err, stderr.String())
	}
	base := "http://" + m[1]
	if _, err := stdout.WaitFor(regexp.MustCompile(`one-time password\s+\S{20}\s`), exited, 10*time.Second); err != nil {
		t.Fatalf("no first-start password on stdout: %v\n%s", err, stdout.String())
	}

	client := &http.Client{Timeout: 10 * time.Second}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return resp, string(b)
	}
	status := func(path, want string) {
		t.Helper()
		resp, body := get(path)
		var v struct {
			Status string `json:"status"`
		}
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &v) != nil || v.Status != want {
			t.Fatalf("GET %s: %s %q, want 200 with status %q", path, resp.Status, body, want)
		}
	}
	status("/healthz", "ok")
	status("/readyz", "ready")

	resp, body := get("/metrics")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("GET /metrics: %s %s, want 200 in the Prometheus text format", resp.Status, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"# TYPE ttx_", "ttx_exercises_running ", "ttx_participants_connected ", "go_goroutines "} {
		if !strings.Contains(body, want) {
			t.Fatalf("GET /metrics lacks %q:\n%s", want, body)
		}
	}

	resp, body = get("/join")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /join: %s %s, want the app's HTML", resp.Status, resp.Header.Get("Content-Type"))
	}
	script := regexp.MustCompile(`<script type="module"[^>]* src="(/assets/[^"?]+\.js(?:\?[^"]*)?)"`).FindStringSubmatch(body)
	if script == nil {
		t.Fatalf("GET /join: no module script tag of the built app in:\n%s", body)
	}
	if jsResp, js := get(script[1]); jsResp.StatusCode != http.StatusOK || len(js) < 1000 {
		t.Fatalf("GET %s: %s, %d bytes: the page's script is not served", script[1], jsResp.Status, len(js))
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("GET /join: Content-Security-Policy %q", csp)
	}

	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.Fatalf("ttx did not exit within 5 s of SIGTERM")
	}
	if waitErr != nil {
		t.Fatalf("ttx exited with %v after SIGTERM, want a clean exit\n%s", waitErr, stderr.String())
	}
	t.Logf("stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(stderr.String(), "msg=stopped") {
		t.Errorf("no 'stopped' log line after SIGTERM:\n%s", stderr.String())
	}
}
