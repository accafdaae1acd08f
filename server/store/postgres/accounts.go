package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ttxsim/ttx/server/store"
)

// CountAccounts returns how many facilitator accounts exist.
func (s *Store) CountAccounts(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count accounts: %w", err)
	}
	return n, nil
}

// CreateAccount adds an account. A name already taken (case-insensitively)
// gives store.ErrDuplicate.
func (s *Store) CreateAccount(ctx context.Context, name, passwordHash string, mustChange bool, now time.Time) (store.Account, error) {
	a := store.Account{Name: name, PasswordHash: passwordHash, MustChange: mustChange, CreatedAt: now.UTC(), PasswordChangedAt: now.UTC()}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO accounts (name, password_hash, must_change, created_at, password_changed_at)
			VALUES ($1, $2, $3, $4, $4) RETURNING id`, name, passwordHash, mustChange, unixNano(now)).Scan(&a.ID)
		if isUniqueViolation(err) {
			return fmt.Errorf("store: create account %q: %w", name, store.ErrDuplicate)
		}
		if err != nil {
			return fmt.Errorf("store: create account %q: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return store.Account{}, err
	}
	return a, nil
}

// CreateFirstAccount adds an account only if there is none yet: the
// transaction locks the table, so two servers starting on a new database
// cannot both create the initial administrator.
func (s *Store) CreateFirstAccount(ctx context.Context, name, passwordHash string, now time.Time) (a store.Account, created bool, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("store: create first account: %w", err)
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n); err != nil {
			return fmt.Errorf("store: create first account: %w", err)
		}
		if n > 0 {
			return nil
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO accounts (name, password_hash, must_change, created_at, password_changed_at)
			VALUES ($1, $2, TRUE, $3, $3) RETURNING id`, name, passwordHash, unixNano(now)).Scan(&id); err != nil {
			return fmt.Errorf("store: create first account: %w", err)
		}
		a = store.Account{ID: id, Name: name, PasswordHash: passwordHash, MustChange: true, CreatedAt: now.UTC(), PasswordChangedAt: now.UTC()}
		created = true
		return nil
	})
	return a, created, err
}

const accountSelect = `SELECT id, name, password_hash, must_change, created_at, password_changed_at FROM accounts`

// AccountByID returns an account by id.
func (s *Store) AccountByID(ctx context.Context, id int64) (store.Account, error) {
	return scanAccount(s.pool.QueryRow(ctx, accountSelect+` WHERE id = $1`, id))
}

// AccountByName returns an account by name, compared case-insensitively.
func (s *Store) AccountByName(ctx context.Context, name string) (store.Account, error) {
	return scanAccount(s.pool.QueryRow(ctx, accountSelect+` WHERE lower(name) = lower($1)`, name))
}

// Accounts lists every account by name.
func (s *Store) Accounts(ctx context.Context) ([]store.Account, error) {
	rows, err := s.pool.Query(ctx, accountSelect+` ORDER BY lower(name) COLLATE "C", name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("store: accounts: %w", err)
	}
	defer rows.Close()
	var out []store.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: accounts: %w", err)
	}
	return out, nil
}

func scanAccount(row pgx.Row) (store.Account, error) {
	var a store.Account
	var created, changed int64
	if err := row.Scan(&a.ID, &a.Name, &a.PasswordHash, &a.MustChange, &created, &changed); err != nil {
		return store.Account{}, notFound(err, "account")
	}
	a.CreatedAt, a.PasswordChangedAt = fromUnixNano(created), fromUnixNano(changed)
	return a, nil
}

// SetPassword replaces an account's password hash and, in the same
// transaction, ends every session of the account.
func (s *Store) SetPassword(ctx context.Context, accountID int64, passwordHash string, mustChange bool, now time.Time) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE accounts SET password_hash = $1, must_change = $2, password_changed_at = $3 WHERE id = $4`,
			passwordHash, mustChange, unixNano(now), accountID)
		if err != nil {
			return fmt.Errorf("store: set password: %w", err)
		}
		if err := mustAffect(tag, "set password"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE account_id = $1`, accountID); err != nil {
			return fmt.Errorf("store: set password: end sessions: %w", err)
		}
		return nil
	})
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, se store.Session) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO sessions (id_hash, account_id, created_at, expires_at, last_seen_at)
			VALUES ($1, $2, $3, $4, $5)`, se.IDHash, se.AccountID, unixNano(se.CreatedAt), unixNano(se.ExpiresAt), unixNano(se.LastSeenAt))
		if isUniqueViolation(err) {
			return fmt.Errorf("store: create session: %w", store.ErrDuplicate)
		}
		if err != nil {
			return fmt.Errorf("store: create session: %w", err)
		}
		return nil
	})
}

// SessionByHash returns a live session and its account. An unknown or
// expired session gives store.ErrNotFound.
func (s *Store) SessionByHash(ctx context.Context, idHash string, now time.Time) (store.Session, store.Account, error) {
	row := s.pool.QueryRow(ctx, `SELECT s.id_hash, s.account_id, s.created_at, s.expires_at, s.last_seen_at,
		a.id, a.name, a.password_hash, a.must_change, a.created_at, a.password_changed_at
		FROM sessions s JOIN accounts a ON a.id = s.account_id
		WHERE s.id_hash = $1 AND s.expires_at > $2`, idHash, unixNano(now))
	var se store.Session
	var a store.Account
	var sc, sx, sl, ac, ap int64
	if err := row.Scan(&se.IDHash, &se.AccountID, &sc, &sx, &sl, &a.ID, &a.Name, &a.PasswordHash, &a.MustChange, &ac, &ap); err != nil {
		return store.Session{}, store.Account{}, notFound(err, "session")
	}
	se.CreatedAt, se.ExpiresAt, se.LastSeenAt = fromUnixNano(sc), fromUnixNano(sx), fromUnixNano(sl)
	a.CreatedAt, a.PasswordChangedAt = fromUnixNano(ac), fromUnixNano(ap)
	return se, a, nil
}

// TouchSession records that a session was used.
func (s *Store) TouchSession(ctx context.Context, idHash string, now time.Time) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2`, unixNano(now), idHash); err != nil {
			return fmt.Errorf("store: touch session: %w", err)
		}
		return nil
	})
}

// DeleteSession ends one session; ending one that does not exist is not
// an error.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash); err != nil {
			return fmt.Errorf("store: delete session: %w", err)
		}
		return nil
	})
}

// DeleteExpiredSessions removes sessions that expired before now and
// reports how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, unixNano(now))
		if err != nil {
			return fmt.Errorf("store: delete expired sessions: %w", err)
		}
		n = tag.RowsAffected()
		return nil
	})
	return n, err
}

// CreateObserver stores an observer.
func (s *Store) CreateObserver(ctx context.Context, o store.Observer) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO observers (id, exercise_id, name, token_hash, created_at)
			VALUES ($1, $2, $3, $4, $5)`, o.ID, o.ExerciseID, o.Name, o.TokenHash, unixNano(o.CreatedAt))
		if isUniqueViolation(err) {
			return fmt.Errorf("store: create observer: %w", store.ErrDuplicate)
		}
		if err != nil {
			return fmt.Errorf("store: create observer: %w", err)
		}
		return nil
	})
}

const observerSelect = `SELECT id, exercise_id, name, token_hash, created_at, revoked_at FROM observers`

// ObserverByTokenHash returns the observer holding a token; a revoked or
// unknown token gives store.ErrNotFound.
func (s *Store) ObserverByTokenHash(ctx context.Context, tokenHash string) (store.Observer, error) {
	return scanObserver(s.pool.QueryRow(ctx, observerSelect+` WHERE token_hash = $1 AND revoked_at IS NULL`, tokenHash))
}

// Observers lists an exercise's observers, revoked ones included.
func (s *Store) Observers(ctx context.Context, exerciseID string) ([]store.Observer, error) {
	rows, err := s.pool.Query(ctx, observerSelect+` WHERE exercise_id = $1 ORDER BY created_at, id COLLATE "C"`, exerciseID)
	if err != nil {
		return nil, fmt.Errorf("store: observers: %w", err)
	}
	defer rows.Close()
	var out []store.Observer
	for rows.Next() {
		o, err := scanObserver(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: observers: %w", err)
	}
	return out, nil
}

// RevokeObserver invalidates an observer's token.
func (s *Store) RevokeObserver(ctx context.Context, exerciseID, id string, now time.Time) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE observers SET revoked_at = $1 WHERE exercise_id = $2 AND id = $3 AND revoked_at IS NULL`,
			unixNano(now), exerciseID, id)
		if err != nil {
			return fmt.Errorf("store: revoke observer: %w", err)
		}
		return mustAffect(tag, "revoke observer")
	})
}

func scanObserver(row pgx.Row) (store.Observer, error) {
	var o store.Observer
	var created int64
	var revoked *int64
	if err := row.Scan(&o.ID, &o.ExerciseID, &o.Name, &o.TokenHash, &created, &revoked); err != nil {
		return store.Observer{}, notFound(err, "observer")
	}
	o.CreatedAt, o.RevokedAt = fromUnixNano(created), fromNullTime(revoked)
	return o, nil
}

// PutScenarioUpload stores an upload, replacing an earlier one with the
// same slug.
func (s *Store) PutScenarioUpload(ctx context.Context, u store.ScenarioUpload) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var by *int64
		if u.UploadedBy != 0 {
			by = &u.UploadedBy
		}
		if _, err := tx.Exec(ctx, `INSERT INTO scenario_uploads (slug, file, source, uploaded_by, uploaded_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (slug) DO UPDATE SET file = excluded.file, source = excluded.source,
				uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at`,
			u.Slug, u.File, u.Source, by, unixNano(u.UploadedAt)); err != nil {
			return fmt.Errorf("store: put scenario upload: %w", err)
		}
		return nil
	})
}

// ScenarioUploads lists every upload by slug.
func (s *Store) ScenarioUploads(ctx context.Context) ([]store.ScenarioUpload, error) {
	rows, err := s.pool.Query(ctx, `SELECT slug, file, source, uploaded_by, uploaded_at FROM scenario_uploads ORDER BY slug COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("store: scenario uploads: %w", err)
	}
	defer rows.Close()
	var out []store.ScenarioUpload
	for rows.Next() {
		var u store.ScenarioUpload
		var by *int64
		var at int64
		if err := rows.Scan(&u.Slug, &u.File, &u.Source, &by, &at); err != nil {
			return nil, fmt.Errorf("store: scenario uploads: %w", err)
		}
		if by != nil {
			u.UploadedBy = *by
		}
		u.UploadedAt = fromUnixNano(at)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: scenario uploads: %w", err)
	}
	return out, nil
}

// DeleteScenarioUpload removes an upload.
func (s *Store) DeleteScenarioUpload(ctx context.Context, slug string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM scenario_uploads WHERE slug = $1`, slug)
		if err != nil {
			return fmt.Errorf("store: delete scenario upload: %w", err)
		}
		return mustAffect(tag, "delete scenario upload")
	})
}

// PutInjectTemplate saves a template, replacing one with the same name for
// the same account and scenario, and returns its id.
func (s *Store) PutInjectTemplate(ctx context.Context, t store.InjectTemplate) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO inject_templates (account_id, scenario, name, inject, created_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (account_id, scenario, name) DO UPDATE SET inject = excluded.inject, created_at = excluded.created_at
			RETURNING id`, t.AccountID, t.Scenario, t.Name, string(t.Inject), unixNano(t.CreatedAt)).Scan(&id)
		if err != nil {
			return fmt.Errorf("store: put inject template: %w", err)
		}
		return nil
	})
	return id, err
}

// InjectTemplates lists an account's templates for a scenario, by name.
func (s *Store) InjectTemplates(ctx context.Context, accountID int64, scenario string) ([]store.InjectTemplate, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, account_id, scenario, name, inject, created_at FROM inject_templates
		WHERE account_id = $1 AND scenario = $2 ORDER BY name COLLATE "C"`, accountID, scenario)
	if err != nil {
		return nil, fmt.Errorf("store: inject templates: %w", err)
	}
	defer rows.Close()
	var out []store.InjectTemplate
	for rows.Next() {
		var t store.InjectTemplate
		var inject string
		var created int64
		if err := rows.Scan(&t.ID, &t.AccountID, &t.Scenario, &t.Name, &inject, &created); err != nil {
			return nil, fmt.Errorf("store: inject templates: %w", err)
		}
		t.Inject = []byte(inject)
		t.CreatedAt = fromUnixNano(created)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: inject templates: %w", err)
	}
	return out, nil
}

// DeleteInjectTemplate removes one of an account's templates; another
// account's id is store.ErrNotFound.
func (s *Store) DeleteInjectTemplate(ctx context.Context, accountID, id int64) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM inject_templates WHERE id = $1 AND account_id = $2`, id, accountID)
		if err != nil {
			return fmt.Errorf("store: delete inject template: %w", err)
		}
		return mustAffect(tag, "delete inject template")
	})
}
