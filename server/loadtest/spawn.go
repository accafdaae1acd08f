package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"net/http"
	"path/filepath"
	"strconv"
	"time"
)

// startTimeout bounds how long a spawned server may take to answer.
const startTimeout = 30 * time.Second

// SpawnServer starts exe with args(addr) on a free loopback port and waits
// until GET health answers 200. env is added to a minimal environment (no
// TTX_* variables of the caller leak into the child).
func SpawnServer(ctx context.Context, exe string, args func(addr string) []string, env []string, health string) (*Process, error) {
	port, err := freeLoopbackPort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	p, err := startChild(exe, args(addr), env, "")
	if err != nil {
		return nil, err
	}
	p.URL = "http://" + addr
	sctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if _, err := waitHealthy(sctx, &http.Client{Timeout: 2 * time.Second}, p.URL+health, p, 20*time.Millisecond); err != nil {
		_ = p.Stop(5 * time.Second)
		return nil, err
	}
	return p, nil
}

// SpawnTTX creates a fresh database under dir with a facilitator account
// ('ttx user add', password on standard input), then starts 'ttx serve' on
// it. exe is the ttx binary.
func SpawnTTX(ctx context.Context, exe, dir string) (*Process, Credentials, error) {
	db := filepath.Join(dir, "ttx.db")
	cred := Credentials{Name: "loadtest", Password: newPassword()}
	actx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if _, err := runChild(actx, exe, []string{"user", "add", cred.Name, "-db", db}, nil, cred.Password+"\n"); err != nil {
		return nil, Credentials{}, err
	}
	p, err := SpawnServer(ctx, exe, func(addr string) []string {
		return []string{"serve", "-addr", addr, "-db", db}
	}, nil, "/healthz")
	if err != nil {
		return nil, Credentials{}, err
	}
	return p, cred, nil
}

// newPassword returns 130 random bits as 26 base32 characters.
func newPassword() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
}
