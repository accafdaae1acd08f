package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/api"
	"github.com/ttxsim/ttx/server/store"
)

// Issue 17 item 8, as serve wires it: the log says "disk full" once per
// episode and when it is over; readiness is refused with reason disk_full
// while it lasts.
func TestServeSaysDiskFull(t *testing.T) {
	var logs lockedBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	db := filepath.Join(t.TempDir(), "ttx.db")
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{Own: true, OnDisk: logDisk(log, db)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := ready(ctx, st); err != nil {
		t.Fatalf("ready on a fresh database: %v", err)
	}
	if err := st.SetMaxSize(ctx, 1); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("x"), 64<<10)
	for i := range 5 {
		if _, err := st.PutScenario(ctx, "big", "Big", append(big, byte(i)), time.Now()); !errors.Is(err, store.ErrDiskFull) {
			t.Fatalf("write %d on a full disk: %v", i, err)
		}
	}
	var nr *api.NotReady
	if err := ready(ctx, st); !errors.As(err, &nr) || nr.Reason != "disk_full" || nr.Since.IsZero() || !strings.Contains(nr.Message, "disk is full") {
		t.Fatalf("ready on a full disk: %v", err)
	}
	if err := st.SetMaxSize(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutScenario(ctx, "big", "Big", big, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := ready(ctx, st); err != nil {
		t.Fatalf("ready once space returned: %v", err)
	}
	out := logs.String()
	full := strings.Count(out, `level=ERROR msg="disk full`)
	back := strings.Count(out, `level=INFO msg="disk space returned`)
	if full != 1 || back != 1 || !strings.Contains(out, fmt.Sprintf("db=%s", db)) {
		t.Fatalf("log has %d disk-full and %d space-returned lines, want 1 and 1:\n%s", full, back, out)
	}
}
