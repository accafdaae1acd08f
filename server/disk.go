package main

import (
	"context"
	"log/slog"

	"github.com/ttxsim/ttx/server/api"
	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/store"
)

// diskFullReadiness is /readyz's message while the database's disk is full.
const diskFullReadiness = "the database's disk is full: commands are refused, nothing acknowledged is lost; free space and ttx recovers by itself"

// logDisk says in the log, once each, that the database's disk filled up
// and that writes succeed again.
func logDisk(log *slog.Logger, db string) func(store.DiskState) {
	return func(d store.DiskState) {
		if d.Full {
			log.Error("disk full: the database cannot grow, so commands are refused until space is freed; nothing acknowledged is lost",
				slog.String("db", db), slog.Any("error", d.Err))
			return
		}
		log.Info("disk space returned: writes succeed again", slog.String("db", db))
	}
}

// ready is the server's readiness: not while the database's disk is full,
// nor while the database does not answer.
func ready(ctx context.Context, st database) error {
	if d := st.Disk(); d.Full {
		return &api.NotReady{Reason: engine.ReasonDiskFull, Message: diskFullReadiness, Since: d.Since}
	}
	_, err := st.SchemaVersion(ctx)
	return err
}
