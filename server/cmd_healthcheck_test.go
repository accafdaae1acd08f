package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestHealthURL(t *testing.T) {
	tests := []struct {
		addr, want string
		bad        bool
	}{
		{addr: ":8080", want: "http://127.0.0.1:8080/healthz"},
		{addr: "0.0.0.0:9000", want: "http://127.0.0.1:9000/healthz"},
		{addr: "[::]:8080", want: "http://127.0.0.1:8080/healthz"},
		{addr: "127.0.0.1:8080", want: "http://127.0.0.1:8080/healthz"},
		{addr: "[::1]:8080", want: "http://[::1]:8080/healthz"},
		{addr: "localhost:80", want: "http://localhost:80/healthz"},
		{addr: "10.1.2.3:8080", want: "http://10.1.2.3:8080/healthz"},
		{addr: "8080", bad: true},
		{addr: "host:", bad: true},
		{addr: "", bad: true},
	}
	for _, tc := range tests {
		got, err := healthURL(tc.addr)
		if tc.bad {
			if err == nil {
				t.Errorf("healthURL(%q) = %q, want an error", tc.addr, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", tc.addr, got, err, tc.want)
		}
	}
}

// TestHealthcheck probes real servers on loopback: healthy, failing,
// redirecting, hung, and absent.
func TestHealthcheck(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	mux := http.NewServeMux()
	var status atomic.Int64 // read by handler goroutines that may outlive a case
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		st := int(status.Load())
		switch st {
		case http.StatusFound:
			http.Redirect(w, r, "/elsewhere", st)
		case 0: // hang until the client gives up
			select {
			case <-r.Context().Done():
			case <-release:
			}
		default:
			w.WriteHeader(st)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	wildcard := ":" + itoa(port)

	// A port with nothing listening: bind, note the port, close.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := ln.Addr().String()
	ln.Close()

	tests := []struct {
		name    string
		status  int
		args    []string
		env     []string
		code    int
		errWant string
	}{
		{name: "healthy via env wildcard", status: 200, env: []string{"TTX_ADDR=" + wildcard}, code: 0},
		{name: "flag beats env", status: 200, env: []string{"TTX_ADDR=" + closedAddr}, args: []string{"-addr", srv.Listener.Addr().String()}, code: 0},
		{name: "server error", status: 503, env: []string{"TTX_ADDR=" + wildcard}, code: 1, errWant: "503"},
		{name: "redirect is a failure", status: http.StatusFound, env: []string{"TTX_ADDR=" + wildcard}, code: 1, errWant: "302"},
		{name: "hung server times out", status: 0, env: []string{"TTX_ADDR=" + wildcard}, code: 1, errWant: "deadline"},
		{name: "nothing listening", status: 200, env: []string{"TTX_ADDR=" + closedAddr}, code: 1, errWant: "refused"},
		{name: "bad address", status: 200, env: []string{"TTX_ADDR=nonsense"}, code: 2, errWant: "host:port"},
		{name: "stray argument", status: 200, args: []string{"x"}, code: 2, errWant: "unexpected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status.Store(int64(tc.status))
			var out, errOut bytes.Buffer
			start := time.Now()
			code := runHealthcheck(tc.args, tc.env, 300*time.Millisecond, &out, &errOut)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, errOut.String())
			}
			if tc.errWant != "" && !strings.Contains(errOut.String(), tc.errWant) {
				t.Errorf("stderr %q lacks %q", errOut.String(), tc.errWant)
			}
			if tc.code == 0 && out.String() != "ok\n" {
				t.Errorf("stdout %q, want ok", out.String())
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("probe took %s despite its timeout", d)
			}
		})
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
