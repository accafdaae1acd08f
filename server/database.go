package main

import (
	"context"
	"time"

	"github.com/ttxsim/ttx/server/api"
	"github.com/ttxsim/ttx/server/config"
	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/library"
	"github.com/ttxsim/ttx/server/store"
	"github.com/ttxsim/ttx/server/store/postgres"
)

// database is what ttx serve needs of its store: SQLite (*store.Store) or
// PostgreSQL (*postgres.Store), chosen by the form of -db.
type database interface {
	engine.Store
	api.AccountStore
	api.TokenStore
	api.AccessStore
	api.TemplateStore
	library.UploadStore
	engine.Dumper
	engine.Restorer
	CountAccounts(ctx context.Context) (int, error)
	Accounts(ctx context.Context) ([]store.Account, error)
	CreateAccount(ctx context.Context, name, passwordHash string, mustChange bool, now time.Time) (store.Account, error)
	CreateFirstAccount(ctx context.Context, name, passwordHash string, now time.Time) (store.Account, bool, error)
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
	Disk() store.DiskState
	SchemaVersion(ctx context.Context) (int, error)
	Close() error
}

// dbOptions are what every backend is opened with.
type dbOptions struct {
	// own: this process serves the database (see store.Options.Own).
	own    bool
	onDisk func(store.DiskState)
	// readers sizes SQLite's read pool (0: its default).
	readers int
}

// openDatabase opens db: a postgres:// (postgresql://) URL is a PostgreSQL
// database, anything else a SQLite file.
func openDatabase(ctx context.Context, db string, o dbOptions) (database, error) {
	if postgres.IsURL(db) {
		st, err := postgres.Open(ctx, db, postgres.Options{Own: o.own, OnDisk: o.onDisk})
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	st, err := store.Open(ctx, db, store.Options{Own: o.own, OnDisk: o.onDisk, Readers: o.readers})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// shownDB is db as messages and logs show it (no password).
func shownDB(db string) string { return config.RedactDB(db) }
