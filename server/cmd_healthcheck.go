package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/ttxsim/ttx/server/config"
)

// healthTimeout bounds one health probe; container runtimes run the probe
// on an interval and count failures, so a hung server must fail fast.
const healthTimeout = 2 * time.Second

// cmdHealthcheck probes the local server's /healthz and exits 0 when it
// answers 200, 1 otherwise. It exists for container images that carry no
// HTTP client (HEALTHCHECK CMD ["/ttx","healthcheck"]).
func cmdHealthcheck(args []string, stdout, stderr io.Writer) int {
	return runHealthcheck(args, os.Environ(), healthTimeout, stdout, stderr)
}

const healthcheckUsage = `Usage: ttx healthcheck [-addr host:port] [-q]

Asks the server on this machine for /healthz; exits 0 if it answers 200
within 2 seconds, 1 otherwise. A wildcard listen address is probed on loopback.
`

func runHealthcheck(args, env []string, timeout time.Duration, stdout, stderr io.Writer) int {
	addr := config.Default().Addr
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, config.EnvAddr+"="); ok && v != "" {
			addr = v
		}
	}
	fs := newFlags("healthcheck", healthcheckUsage, stderr)
	fs.StringVar(&addr, "addr", addr, "`host:port` the server listens on (env "+config.EnvAddr+")")
	quiet := fs.Bool("q", false, "print nothing on success")
	if _, code := parseArgs(fs, args, 0, 0, ""); code >= 0 {
		return code
	}
	url, err := healthURL(addr)
	if err != nil {
		fmt.Fprintf(stderr, "ttx healthcheck: %v\n", err)
		return 2
	}
	if err := probe(url, timeout); err != nil {
		fmt.Fprintf(stderr, "ttx healthcheck: %s: %v\n", url, err)
		return 1
	}
	if !*quiet {
		fmt.Fprintln(stdout, "ok")
	}
	return 0
}

// healthURL turns a listen address into the URL to probe: a wildcard or
// empty host (":8080", "0.0.0.0:8080", "[::]:8080") is reached on
// 127.0.0.1; a named host or address is used as given.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "", fmt.Errorf("listen address %q: want host:port or :port", addr)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}

func probe(url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	client := &http.Client{
		// A redirect means something other than ttx answers; report it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{Proxy: nil, DisableKeepAlives: true},
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	return nil
}
