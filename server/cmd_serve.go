package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ttxsim/ttx/frontend"
	"github.com/ttxsim/ttx/scenarios"
	"github.com/ttxsim/ttx/server/api"
	"github.com/ttxsim/ttx/server/config"
	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/hub"
	"github.com/ttxsim/ttx/server/library"
	"github.com/ttxsim/ttx/server/metrics"
	"github.com/ttxsim/ttx/server/password"
	"github.com/ttxsim/ttx/server/store"
)

// cmdServe runs the live exercise server until SIGINT or SIGTERM.
func cmdServe(args []string, stdout, stderr io.Writer) int {
	var usage bytes.Buffer
	cfg, err := config.Parse(args, os.Environ(), &usage)
	if errors.Is(err, flag.ErrHelp) {
		_, _ = stdout.Write(usage.Bytes())
		return 0
	}
	if err != nil {
		_, _ = stderr.Write(usage.Bytes())
		fmt.Fprintf(stderr, "ttx serve: %v\n", err)
		return 2
	}
	shipped, err := shippedScenarios(cfg.Scenarios)
	if err != nil {
		fmt.Fprintf(stderr, "ttx serve: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, cfg, serveIO{stdout: stdout, stderr: stderr, ui: builtUI(), shipped: shipped})
}

// shippedScenarios is the directory given by -scenarios, or the scenarios
// built into the binary.
func shippedScenarios(dir string) (fs.FS, error) {
	if dir == "" {
		return embeddedScenarios(), nil
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("scenarios: %s is not a directory", dir)
	}
	return os.DirFS(dir), nil
}

// serveIO is what serve needs from outside besides the config.
type serveIO struct {
	stdout, stderr io.Writer
	ui             fs.FS // built web UI; nil: API only
	shipped        fs.FS // scenarios offered besides uploads; nil: none
	// listening, when set, is told the bound address (tests listen on :0).
	listening func(addr string)
}

// newLogger builds the one logger every part writes to.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// serve wires the server in dependency order and tears it down in reverse:
// config → logger → listener → store (migrations) → scenario library →
// hub → engine (+ recovery) → API → HTTP → first account. On ctx's end: stop HTTP, close
// the hub (1001 to every socket), stop the engine, close the database.
func serve(ctx context.Context, cfg config.Config, sio serveIO) int {
	gin.SetMode(gin.ReleaseMode) // Gin's own process-wide switch; it only silences Gin's debug output
	log := newLogger(cfg, sio.stderr)
	log.Info("starting ttx", slog.String("version", version), slog.String("commit", commit),
		slog.Group("config", anyAttrs(cfg.Dump())...))

	// Bind first: a busy port fails before anything is created on disk.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		log.Error("listen", slog.String("addr", cfg.Addr), slog.Any("error", err))
		return 1
	}
	defer ln.Close() // a no-op once the HTTP server owns and closes it

	if cfg.PprofAddr != "" {
		_, stopProfiler, err := startProfiler(cfg.PprofAddr, log.With(slog.String("component", "pprof")))
		if err != nil {
			log.Error("profiler", slog.Any("error", err))
			return 1
		}
		defer stopProfiler()
	}

	// Disk episodes go to the log and, once the API is up, to facilitators.
	diskAlerts, logDiskState := api.NewDiskAlerts(), logDisk(log.With(slog.String("component", "store")), shownDB(cfg.DB))
	// A node of a cluster shares the database: it holds leases on
	// exercises instead of the whole database.
	st, err := openDatabase(ctx, cfg.DB, dbOptions{own: cfg.ClusterURL == "", onDisk: func(d store.DiskState) { logDiskState(d); diskAlerts.Changed(d) }})
	if err != nil {
		log.Error("open database", slog.Any("error", err))
		return 1
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close database", slog.Any("error", err))
		}
	}()

	h := hub.New(hub.Config{
		AllowedOrigins: cfg.AllowedOrigins,
		Subprotocols:   []string{api.Subprotocol},
		ReadLimit:      16 << 10,
		MessageRate:    20,
		MessageBurst:   40,
		MaxLifetime:    12 * time.Hour,
	}, log.With(slog.String("component", "hub")))
	hubClosed := false
	closeHub := func() {
		if !hubClosed {
			hubClosed = true
			h.Close()
		}
	}
	defer closeHub()

	reg := metrics.NewRegistry()
	mx, err := metrics.NewTTX(reg, metrics.Funcs{ExercisesRunning: func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		running, err := st.ListExercises(ctx, store.ListFilter{Statuses: []string{store.StatusRunning}, Limit: 1000})
		if err != nil {
			return math.NaN()
		}
		return float64(len(running))
	}})
	if err == nil {
		// The Go runtime's own figure, under the name Prometheus' Go
		// collector uses, so dashboards and the load tool find it.
		_, err = reg.NewGaugeFunc("go_goroutines", "Number of goroutines that currently exist.",
			func() float64 { return float64(runtime.NumGoroutine()) })
	}
	if err != nil {
		log.Error("metrics", slog.Any("error", err))
		return 1
	}

	if err := endLeases(ctx, cfg, st); err != nil {
		log.Error("open database", slog.Any("error", err))
		return 1
	}
	node, err := newClusterNode(cfg, st, log)
	if err != nil {
		log.Error("cluster", slog.Any("error", err))
		return 1
	}

	endings := api.NewEndings(h, engine.RealClock{}, cfg.EndedGrace)
	eng := engine.New(st, engine.RealClock{}, api.NewPublisher(h, log.With(slog.String("component", "publisher")), api.WithPublisherMetrics(mx), api.WithEndings(endings)),
		log.With(slog.String("component", "engine")), append(node.engineOptions(), engine.WithMaxParticipants(cfg.MaxParticipants))...)
	defer func() {
		if err := eng.Close(); err != nil {
			log.Error("stop engine", slog.Any("error", err))
		}
	}()
	adoptCtx, stopAdopt := context.WithCancel(ctx)
	adopted := node.adopt(adoptCtx, eng)
	defer func() { stopAdopt(); <-adopted }()
	if n, err := eng.Recover(ctx); err != nil {
		log.Error("resume exercises", slog.Int("resumed", n), slog.Any("error", err))
	} else if n > 0 {
		log.Info("resumed exercises", slog.Int("count", n))
	}

	lib := library.New(sio.shipped, st)
	if cfg.Scenarios != "" {
		lib = lib.FromDirectory()
	}
	srv, err := api.New(api.Deps{
		Log:      log.With(slog.String("component", "api")),
		Accounts: st, Tokens: st, Access: st, Templates: st,
		Library: lib,
		Engine:  eng,
		Hub:     h,
		UI:      sio.ui,
		Ready:   func(ctx context.Context) error { return ready(ctx, st) },
		Limits:  api.DefaultLimits(time.Now),
		Endings: endings,
		Disk:    diskAlerts,

		Metrics:        mx,
		MetricsHandler: reg.Handler(),
	}, api.Options{
		MetricsToken:   cfg.MetricsToken,
		SecureCookies:  cfg.SecureCookies,
		TrustedProxies: cfg.TrustedProxies,
		AllowedOrigins: cfg.AllowedOrigins,
		SessionTTL:     cfg.SessionTTL,
		BaseURL:        cfg.BaseURL,
		Version:        version,
	})
	if err != nil {
		log.Error("build API", slog.Any("error", err))
		return 1
	}

	httpSrv := &http.Server{
		Handler:           node.handler(srv.Handler(), eng),
		ReadHeaderTimeout: cfg.HTTP.ReadHeader,
		ReadTimeout:       cfg.HTTP.Read,
		WriteTimeout:      cfg.HTTP.Write,
		IdleTimeout:       cfg.HTTP.Idle,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.With(slog.String("component", "http")).Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- httpSrv.Serve(ln) }()

	// The first account's bcrypt (about 140 ms) runs while the listener
	// already answers: a cold start is ready to serve without it, and no
	// one can log in with a password that has not been printed yet.
	// "listening" is logged after it, so whoever waits for that line finds
	// the password on stdout.
	if err := ensureFirstAccount(ctx, st, sio.stdout, log); err != nil {
		log.Error("first account", slog.Any("error", err))
		_ = httpSrv.Close()
		return 1
	}

	addr := ln.Addr().String()
	if cfg.IsLoopback() {
		log.Info("listening on loopback only; participants on other machines cannot join. Set TTX_ADDR=:8080 (or -addr) to open it to the network",
			slog.String("addr", addr))
	} else {
		log.Info("listening", slog.String("addr", addr))
	}
	if sio.listening != nil {
		sio.listening(addr)
	}

	// Sweep expired sessions hourly; the goroutine ends with serve.
	sweepCtx, stopSweep := context.WithCancel(context.Background())
	sweepDone := make(chan struct{})
	go func() {
		defer close(sweepDone)
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-sweepCtx.Done():
				return
			case now := <-t.C:
				if n, err := st.DeleteExpiredSessions(sweepCtx, now); err != nil {
					log.Warn("sweep sessions", slog.Any("error", err))
				} else if n > 0 {
					log.Debug("swept sessions", slog.Int64("count", n))
				}
			}
		}
	}()
	defer func() { stopSweep(); <-sweepDone }()

	code := 0
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-served:
		log.Error("http server stopped", slog.Any("error", err))
		code = 1
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), cfg.HTTP.Shutdown)
	defer cancel()
	if err := httpSrv.Shutdown(shutCtx); err != nil {
		log.Warn("http shutdown", slog.Any("error", err))
	}
	closeHub() // WebSockets are hijacked: Shutdown does not see them
	log.Info("stopped")
	return code
}

// ensureFirstAccount creates the "admin" facilitator on a database without
// accounts and prints its one-time password to stdout, once. It never goes
// through the logger: logs are kept and shipped; the terminal is not.
func ensureFirstAccount(ctx context.Context, st database, stdout io.Writer, log *slog.Logger) error {
	n, err := st.CountAccounts(ctx)
	if err != nil || n > 0 {
		return err
	}
	pw := password.Generate()
	hash, err := password.Hash(pw, password.DefaultCost)
	if err != nil {
		return err
	}
	acc, created, err := st.CreateFirstAccount(ctx, "admin", hash, time.Now())
	if err != nil || !created {
		return err
	}
	log.Info("created the first facilitator account; its one-time password is printed on standard output",
		slog.String("account", acc.Name))
	fmt.Fprintf(stdout, "\nFirst start: created facilitator account %q with one-time password\n\n    %s\n\n"+
		"Log in with it and choose a new password. It is shown only now; to reset it later run\n"+
		"'ttx user passwd %s'.\n\n", acc.Name, pw, acc.Name)
	return nil
}

func anyAttrs(attrs []slog.Attr) []any {
	out := make([]any, len(attrs))
	for i, a := range attrs {
		out[i] = a
	}
	return out
}

// builtUI is the web UI built into the binary, rooted at its dist
// directory.
func builtUI() fs.FS {
	sub, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		return nil // cannot happen for a constant, valid path
	}
	return sub
}

// embeddedScenarios are the scenarios built into the binary.
func embeddedScenarios() fs.FS {
	return scenarios.Files
}
