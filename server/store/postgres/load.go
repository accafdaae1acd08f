package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ttxsim/ttx/server/store"
)

// ErrNotEmpty is returned by Load when the database already holds
// accounts, scenarios or exercises and replace was not asked for.
var ErrNotEmpty = errors.New("store: the database is not empty")

// Load fills the database from fill in one transaction: every row fill
// hands the loader (a store.Sink) is inserted with its ids, times, token
// hashes and seqs as given, and the id sequences then continue after the
// largest id. Nothing is written unless everything is. A database that
// holds anything is refused with ErrNotEmpty, unless replace: then its
// rows are deleted first, in the same transaction. Before committing, Load
// counts what the transaction holds and gives it to verify: an error
// from verify rolls everything back.
func (s *Store) Load(ctx context.Context, replace bool, fill func(sink store.Sink) error, verify func(got store.Census) error) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var n int64
		if err := tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM accounts) + (SELECT COUNT(*) FROM scenarios)
			+ (SELECT COUNT(*) FROM exercises) + (SELECT COUNT(*) FROM scenario_uploads)`).Scan(&n); err != nil {
			return fmt.Errorf("store: load: %w", err)
		}
		if n > 0 && !replace {
			return fmt.Errorf("%w: it holds %d accounts, scenarios, uploads and exercises", ErrNotEmpty, n)
		}
		if n > 0 {
			if _, err := tx.Exec(ctx, `TRUNCATE accounts, sessions, scenarios, scenario_uploads, inject_templates,
				exercises, exercise_leases, teams, participants, observers, events RESTART IDENTITY`); err != nil {
				return fmt.Errorf("store: load: empty the database: %w", err)
			}
		}
		if err := fill(&loader{ctx: ctx, tx: tx}); err != nil {
			return err
		}
		for _, table := range []string{"accounts", "scenarios", "inject_templates"} {
			// table names from the constant list above
			if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+table+`', 'id'),
				COALESCE((SELECT MAX(id) FROM `+table+`), 0) + 1, false)`); err != nil {
				return fmt.Errorf("store: load: %s ids: %w", table, err)
			}
		}
		got, err := census(ctx, tx)
		if err != nil {
			return err
		}
		return verify(got)
	})
}

// loader writes the rows Load's fill hands it, on Load's transaction.
type loader struct {
	ctx context.Context
	tx  pgx.Tx
}

func (l *loader) exec(what, q string, args ...any) error {
	if _, err := l.tx.Exec(l.ctx, q, args...); err != nil {
		return fmt.Errorf("store: load: %s: %w", what, err)
	}
	return nil
}

func (l *loader) Account(a store.Account) error {
	return l.exec("account "+a.Name, `INSERT INTO accounts (id, name, password_hash, must_change, created_at, password_changed_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, a.ID, a.Name, a.PasswordHash, a.MustChange, unixNano(a.CreatedAt), unixNano(a.PasswordChangedAt))
}

func (l *loader) Session(se store.Session) error {
	return l.exec("session", `INSERT INTO sessions (id_hash, account_id, created_at, expires_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $5)`, se.IDHash, se.AccountID, unixNano(se.CreatedAt), unixNano(se.ExpiresAt), unixNano(se.LastSeenAt))
}

func (l *loader) Scenario(sc store.Scenario) error {
	return l.exec("scenario "+sc.Slug, `INSERT INTO scenarios (id, slug, title, source, sha256, loaded_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, sc.ID, sc.Slug, sc.Title, sc.Source, sc.SHA256, unixNano(sc.LoadedAt))
}

func (l *loader) ScenarioUpload(u store.ScenarioUpload) error {
	var by *int64
	if u.UploadedBy != 0 {
		by = &u.UploadedBy
	}
	return l.exec("scenario upload "+u.Slug, `INSERT INTO scenario_uploads (slug, file, source, uploaded_by, uploaded_at)
		VALUES ($1, $2, $3, $4, $5)`, u.Slug, u.File, u.Source, by, unixNano(u.UploadedAt))
}

func (l *loader) InjectTemplate(t store.InjectTemplate) error {
	return l.exec("inject template "+t.Name, `INSERT INTO inject_templates (id, account_id, scenario, name, inject, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, t.ID, t.AccountID, t.Scenario, t.Name, string(t.Inject), unixNano(t.CreatedAt))
}

func (l *loader) Exercise(ex store.Exercise, teams []store.Team) error {
	params, err := json.Marshal(ex.Params)
	if err != nil {
		return fmt.Errorf("store: load: exercise %s: params: %w", ex.ID, err)
	}
	if ex.Params == nil {
		params = []byte("{}")
	}
	if err := l.exec("exercise "+ex.ID, `INSERT INTO exercises
		(id, scenario_id, title, params, status, outcome, join_code, created_at, started_at, ended_at, archived_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		ex.ID, ex.ScenarioID, ex.Title, string(params), ex.Status, ex.Outcome, nullString(ex.JoinCode),
		unixNano(ex.CreatedAt), nullTime(ex.StartedAt), nullTime(ex.EndedAt), nullTime(ex.ArchivedAt)); err != nil {
		return err
	}
	for i, t := range teams {
		if err := l.exec("exercise "+ex.ID+": team "+t.ID, `INSERT INTO teams (exercise_id, team_id, name, position) VALUES ($1, $2, $3, $4)`,
			ex.ID, t.ID, t.Name, i); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) Participant(p store.Participant) error {
	return l.exec("participant "+p.ID, `INSERT INTO participants
		(id, exercise_id, team_id, display_name, is_lead, joined_at, left_at, token_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		p.ID, p.ExerciseID, p.TeamID, p.Name, p.Lead, unixNano(p.JoinedAt), nullTime(p.LeftAt), nullString(p.TokenHash))
}

func (l *loader) Observer(o store.Observer) error {
	return l.exec("observer "+o.ID, `INSERT INTO observers (id, exercise_id, name, token_hash, created_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, o.ID, o.ExerciseID, o.Name, o.TokenHash, unixNano(o.CreatedAt), nullTime(o.RevokedAt))
}

// Events writes a batch with COPY: the log is most of a database.
func (l *loader) Events(evs []store.Event) error {
	rows := make([][]any, len(evs))
	for i, ev := range evs {
		ev, err := normalise(ev)
		if err != nil {
			return fmt.Errorf("store: load: event %s/%d: %w", ev.ExerciseID, ev.Seq, err)
		}
		audience, err := json.Marshal(ev.Audience)
		if err != nil {
			return fmt.Errorf("store: load: event %s/%d: audience: %w", ev.ExerciseID, ev.Seq, err)
		}
		rows[i] = []any{ev.ExerciseID, ev.Seq, ev.Kind, unixNano(ev.WallTime), int64(ev.ExerciseTime),
			string(ev.Payload), string(audience), nullString(ev.ClientID)}
	}
	if _, err := l.tx.CopyFrom(l.ctx, pgx.Identifier{"events"},
		[]string{"exercise_id", "seq", "kind", "wall_time", "exercise_time_ns", "payload", "audience", "client_id"},
		pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("store: load: events: %w", err)
	}
	return nil
}

// Census counts the database's rows in one repeatable-read transaction,
// as store.(*Store).Census does, to compare the two after a copy.
func (s *Store) Census(ctx context.Context) (store.Census, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return store.Census{}, fmt.Errorf("store: census: begin: %w", err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // read-only
	return census(ctx, tx)
}

func census(ctx context.Context, tx pgx.Tx) (store.Census, error) {
	c := store.Census{Rows: map[string]int64{}, LastSeq: map[string]int64{}}
	for _, table := range store.CensusTables() {
		var n int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM `+pgx.Identifier{table}.Sanitize()).Scan(&n); err != nil {
			return store.Census{}, fmt.Errorf("store: census: %s: %w", table, err)
		}
		c.Rows[table] = n
	}
	rows, err := tx.Query(ctx, `SELECT exercise_id, MAX(seq) FROM events GROUP BY exercise_id`)
	if err != nil {
		return store.Census{}, fmt.Errorf("store: census: events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var last int64
		if err := rows.Scan(&id, &last); err != nil {
			return store.Census{}, fmt.Errorf("store: census: events: %w", err)
		}
		c.LastSeq[id] = last
	}
	if err := rows.Err(); err != nil {
		return store.Census{}, fmt.Errorf("store: census: events: %w", err)
	}
	return c, nil
}
