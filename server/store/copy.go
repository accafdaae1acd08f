package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Sink receives every row of a database from CopyOut, in an order that
// satisfies the foreign keys: accounts, sessions, scenarios, uploads,
// templates, exercises (with their teams), participants (token hashes
// included), observers, and then each exercise's log in seq order, in
// batches. ttx migrate gives the PostgreSQL store's loader.
type Sink interface {
	Account(a Account) error
	Session(s Session) error
	Scenario(sc Scenario) error
	ScenarioUpload(u ScenarioUpload) error
	InjectTemplate(t InjectTemplate) error
	Exercise(ex Exercise, teams []Team) error
	Participant(p Participant) error
	Observer(o Observer) error
	Events(evs []Event) error
}

// copyBatch is how many events one Sink.Events call gets at most.
const copyBatch = 1000

// CopyOut reads the whole database in one read transaction (a consistent
// snapshot, even beside a writer) and hands every row to sink.
func (s *Store) CopyOut(ctx context.Context, sink Sink) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: copy out: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only

	each := func(what, q string, row func(rows *sql.Rows) error) error {
		rows, err := tx.QueryContext(ctx, q)
		if err != nil {
			return fmt.Errorf("store: copy out: %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := row(rows); err != nil {
				return fmt.Errorf("store: copy out: %s: %w", what, err)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: copy out: %s: %w", what, err)
		}
		return nil
	}
	if err := each("accounts", accountSelect+` ORDER BY id`, func(rows *sql.Rows) error {
		a, err := scanAccount(rows)
		if err != nil {
			return err
		}
		return sink.Account(a)
	}); err != nil {
		return err
	}
	if err := each("sessions", `SELECT id_hash, account_id, created_at, expires_at, last_seen_at FROM sessions ORDER BY id_hash`, func(rows *sql.Rows) error {
		var se Session
		var c, x, l int64
		if err := rows.Scan(&se.IDHash, &se.AccountID, &c, &x, &l); err != nil {
			return err
		}
		se.CreatedAt, se.ExpiresAt, se.LastSeenAt = fromUnixNano(c), fromUnixNano(x), fromUnixNano(l)
		return sink.Session(se)
	}); err != nil {
		return err
	}
	if err := each("scenarios", scenarioSelect+` ORDER BY id`, func(rows *sql.Rows) error {
		var sc Scenario
		var loaded int64
		if err := rows.Scan(&sc.ID, &sc.Slug, &sc.Title, &sc.Source, &sc.SHA256, &loaded); err != nil {
			return err
		}
		sc.LoadedAt = fromUnixNano(loaded)
		return sink.Scenario(sc)
	}); err != nil {
		return err
	}
	if err := each("scenario uploads", `SELECT slug, file, source, uploaded_by, uploaded_at FROM scenario_uploads ORDER BY slug`, func(rows *sql.Rows) error {
		var u ScenarioUpload
		var by sql.NullInt64
		var at int64
		if err := rows.Scan(&u.Slug, &u.File, &u.Source, &by, &at); err != nil {
			return err
		}
		u.UploadedBy, u.UploadedAt = by.Int64, fromUnixNano(at)
		return sink.ScenarioUpload(u)
	}); err != nil {
		return err
	}
	if err := each("inject templates", `SELECT id, account_id, scenario, name, inject, created_at FROM inject_templates ORDER BY id`, func(rows *sql.Rows) error {
		var t InjectTemplate
		var inject string
		var created int64
		if err := rows.Scan(&t.ID, &t.AccountID, &t.Scenario, &t.Name, &inject, &created); err != nil {
			return err
		}
		t.Inject, t.CreatedAt = []byte(inject), fromUnixNano(created)
		return sink.InjectTemplate(t)
	}); err != nil {
		return err
	}
	var exercises []Exercise
	if err := each("exercises", exerciseSelect+` ORDER BY created_at, id`, func(rows *sql.Rows) error {
		ex, err := scanExercise(rows)
		exercises = append(exercises, ex)
		return err
	}); err != nil {
		return err
	}
	for _, ex := range exercises {
		teams, err := queryTeams(ctx, tx, ex.ID)
		if err != nil {
			return fmt.Errorf("store: copy out: %w", err)
		}
		if err := sink.Exercise(ex, teams); err != nil {
			return fmt.Errorf("store: copy out: exercise %s: %w", ex.ID, err)
		}
	}
	if err := each("participants", participantSelect+` ORDER BY exercise_id, joined_at, id`, func(rows *sql.Rows) error {
		p, err := scanParticipant(rows)
		if err != nil {
			return err
		}
		return sink.Participant(p)
	}); err != nil {
		return err
	}
	if err := each("observers", observerSelect+` ORDER BY exercise_id, created_at, id`, func(rows *sql.Rows) error {
		o, err := scanObserver(rows)
		if err != nil {
			return err
		}
		return sink.Observer(o)
	}); err != nil {
		return err
	}
	batch := make([]Event, 0, copyBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := sink.Events(batch)
		batch = batch[:0]
		return err
	}
	if err := each("events", eventSelect+` ORDER BY exercise_id, seq`, func(rows *sql.Rows) error {
		ev, err := scanEvent(rows)
		if err != nil {
			return err
		}
		if len(batch) == copyBatch || len(batch) > 0 && batch[0].ExerciseID != ev.ExerciseID {
			if err := flush(); err != nil {
				return err
			}
		}
		batch = append(batch, ev)
		return nil
	}); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return fmt.Errorf("store: copy out: events: %w", err)
	}
	return nil
}

// CensusTables are the tables ttx keeps, as Census counts them.
func CensusTables() []string {
	return []string{"accounts", "sessions", "scenarios", "scenario_uploads", "inject_templates",
		"exercises", "teams", "participants", "observers", "events"}
}

// Census is what a database holds, for comparing two after a copy: the
// rows of each table, and each exercise's last seq.
type Census struct {
	Rows    map[string]int64
	LastSeq map[string]int64 // by exercise id; exercises without events absent
}

// Census counts the database's rows in one read transaction.
func (s *Store) Census(ctx context.Context) (Census, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Census{}, fmt.Errorf("store: census: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	c := Census{Rows: map[string]int64{}, LastSeq: map[string]int64{}}
	for _, table := range CensusTables() {
		var n int64
		// table names come from the constant list above
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			return Census{}, fmt.Errorf("store: census: %s: %w", table, err)
		}
		c.Rows[table] = n
	}
	rows, err := tx.QueryContext(ctx, `SELECT exercise_id, MAX(seq) FROM events GROUP BY exercise_id`)
	if err != nil {
		return Census{}, fmt.Errorf("store: census: events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var last int64
		if err := rows.Scan(&id, &last); err != nil {
			return Census{}, fmt.Errorf("store: census: events: %w", err)
		}
		c.LastSeq[id] = last
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return Census{}, fmt.Errorf("store: census: events: %w", err)
	}
	return c, nil
}
