package main

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestProfiler(t *testing.T) {
	addr, stop, err := startProfiler("127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/debug/pprof/", http.StatusOK, "goroutine"},
		{"/debug/pprof/heap?debug=1", http.StatusOK, "heap profile"},
		{"/debug/pprof/goroutine?debug=1", http.StatusOK, "goroutine profile"},
		{"/api/health", http.StatusNotFound, ""}, // the profiler serves nothing else
	}
	for _, tt := range tests {
		resp, err := http.Get("http://" + addr + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.body) {
			t.Errorf("GET %s: %d %.80q, want %d containing %q", tt.path, resp.StatusCode, b, tt.status, tt.body)
		}
	}
	stop()
	if _, err := http.Get("http://" + addr + "/debug/pprof/"); err == nil {
		t.Error("profiler still answers after stop")
	}
}
