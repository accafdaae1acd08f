package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// ColdStartResult is how long 'ttx serve' takes from exec to its first
// 200 on /healthz, with the scenarios built into the binary.
type ColdStartResult struct {
	Runs int `json:"runs"`
	// First: a new database (migrations, the first account and its
	// generated password). Restart: the same database again.
	First   Dist `json:"first_start"`
	Restart Dist `json:"restart"`
}

// ColdStart measures runs first starts and runs restarts of exe (the ttx
// binary), each in its own temporary directory under dir.
func ColdStart(ctx context.Context, exe, dir string, runs int) (*ColdStartResult, error) {
	if runs < 1 || runs > 50 {
		return nil, fmt.Errorf("loadtest: cold start runs must be 1 to 50, got %d", runs)
	}
	res := &ColdStartResult{Runs: runs}
	var first, restart []time.Duration
	for i := range runs {
		d, err := os.MkdirTemp(dir, "coldstart-")
		if err != nil {
			return nil, fmt.Errorf("loadtest: cold start: %w", err)
		}
		db := filepath.Join(d, "ttx.db")
		t, err := timeStart(ctx, exe, db)
		if err != nil {
			return nil, fmt.Errorf("loadtest: cold start %d (new database): %w", i+1, err)
		}
		first = append(first, t)
		t, err = timeStart(ctx, exe, db)
		if err != nil {
			return nil, fmt.Errorf("loadtest: cold start %d (restart): %w", i+1, err)
		}
		restart = append(restart, t)
		_ = os.RemoveAll(d)
	}
	res.First, res.Restart = distOf(first), distOf(restart)
	return res, nil
}

// timeStart starts one server and returns the time to its first healthy
// answer, then stops it.
func timeStart(ctx context.Context, exe, db string) (time.Duration, error) {
	port, err := freeLoopbackPort()
	if err != nil {
		return 0, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	began := time.Now()
	p, err := startChild(exe, []string{"serve", "-addr", addr, "-db", db}, nil, "")
	if err != nil {
		return 0, err
	}
	defer p.Stop(10 * time.Second)
	sctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	ok, err := waitHealthy(sctx, client, "http://"+addr+"/healthz", p, time.Millisecond)
	if err != nil {
		return 0, err
	}
	return ok.Sub(began), nil
}
