package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Account is a facilitator login. PasswordHash is a bcrypt hash; the store
// never sees a password.
type Account struct {
	ID                int64
	Name              string
	PasswordHash      string
	MustChange        bool // the password was generated and must be replaced at first login
	CreatedAt         time.Time
	PasswordChangedAt time.Time
}

// Session is a logged-in facilitator. IDHash is the hex SHA-256 of the
// session id held in the browser's cookie.
type Session struct {
	IDHash     string
	AccountID  int64
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

// CountAccounts returns how many facilitator accounts exist.
func (s *Store) CountAccounts(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count accounts: %w", err)
	}
	return n, nil
}

// CreateAccount adds an account. A name already taken (case-insensitively)
// gives ErrDuplicate.
func (s *Store) CreateAccount(ctx context.Context, name, passwordHash string, mustChange bool, now time.Time) (Account, error) {
	a := Account{Name: name, PasswordHash: passwordHash, MustChange: mustChange, CreatedAt: now.UTC(), PasswordChangedAt: now.UTC()}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO accounts (name, password_hash, must_change, created_at, password_changed_at)
			VALUES (?, ?, ?, ?, ?)`, name, passwordHash, mustChange, unixNano(now), unixNano(now))
		if isUniqueViolation(err) {
			return fmt.Errorf("store: create account %q: %w", name, ErrDuplicate)
		}
		if err != nil {
			return fmt.Errorf("store: create account %q: %w", name, err)
		}
		a.ID, err = res.LastInsertId()
		if err != nil {
			return fmt.Errorf("store: create account %q: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	return a, nil
}

// CreateFirstAccount adds an account only if there is none yet, in one
// transaction, so that two processes starting on a new file cannot both
// create the initial administrator. created reports whether it did.
func (s *Store) CreateFirstAccount(ctx context.Context, name, passwordHash string, now time.Time) (a Account, created bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n); err != nil {
			return fmt.Errorf("store: create first account: %w", err)
		}
		if n > 0 {
			return nil
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO accounts (name, password_hash, must_change, created_at, password_changed_at)
			VALUES (?, ?, 1, ?, ?)`, name, passwordHash, unixNano(now), unixNano(now))
		if err != nil {
			return fmt.Errorf("store: create first account: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("store: create first account: %w", err)
		}
		a = Account{ID: id, Name: name, PasswordHash: passwordHash, MustChange: true, CreatedAt: now.UTC(), PasswordChangedAt: now.UTC()}
		created = true
		return nil
	})
	return a, created, err
}

const accountSelect = `SELECT id, name, password_hash, must_change, created_at, password_changed_at FROM accounts`

// AccountByID returns an account by id.
func (s *Store) AccountByID(ctx context.Context, id int64) (Account, error) {
	return scanAccount(s.r.QueryRowContext(ctx, accountSelect+` WHERE id = ?`, id))
}

// AccountByName returns an account by name, compared case-insensitively.
func (s *Store) AccountByName(ctx context.Context, name string) (Account, error) {
	return scanAccount(s.r.QueryRowContext(ctx, accountSelect+` WHERE name = ?`, name))
}

// Accounts lists every account by name.
func (s *Store) Accounts(ctx context.Context) ([]Account, error) {
	rows, err := s.r.QueryContext(ctx, accountSelect+` ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: accounts: %w", err)
	}
	defer rows.Close()
	var out []Account
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

func scanAccount(row scanner) (Account, error) {
	var a Account
	var created, changed int64
	err := row.Scan(&a.ID, &a.Name, &a.PasswordHash, &a.MustChange, &created, &changed)
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, fmt.Errorf("store: account: %w", ErrNotFound)
	}
	if err != nil {
		return Account{}, fmt.Errorf("store: account: %w", err)
	}
	a.CreatedAt, a.PasswordChangedAt = fromUnixNano(created), fromUnixNano(changed)
	return a, nil
}

// SetPassword replaces an account's password hash and, in the same
// transaction, ends every session of the account: whoever knew the old
// password is logged out.
func (s *Store) SetPassword(ctx context.Context, accountID int64, passwordHash string, mustChange bool, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = ?, must_change = ?, password_changed_at = ? WHERE id = ?`,
			passwordHash, mustChange, unixNano(now), accountID)
		if err != nil {
			return fmt.Errorf("store: set password: %w", err)
		}
		if err := mustAffect(res, "set password"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = ?`, accountID); err != nil {
			return fmt.Errorf("store: set password: end sessions: %w", err)
		}
		return nil
	})
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, se Session) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, account_id, created_at, expires_at, last_seen_at)
			VALUES (?, ?, ?, ?, ?)`, se.IDHash, se.AccountID, unixNano(se.CreatedAt), unixNano(se.ExpiresAt), unixNano(se.LastSeenAt))
		if isUniqueViolation(err) {
			return fmt.Errorf("store: create session: %w", ErrDuplicate)
		}
		if err != nil {
			return fmt.Errorf("store: create session: %w", err)
		}
		return nil
	})
}

// SessionByHash returns a live session and its account. An unknown or
// expired session gives ErrNotFound.
func (s *Store) SessionByHash(ctx context.Context, idHash string, now time.Time) (Session, Account, error) {
	row := s.r.QueryRowContext(ctx, `SELECT s.id_hash, s.account_id, s.created_at, s.expires_at, s.last_seen_at,
		a.id, a.name, a.password_hash, a.must_change, a.created_at, a.password_changed_at
		FROM sessions s JOIN accounts a ON a.id = s.account_id
		WHERE s.id_hash = ? AND s.expires_at > ?`, idHash, unixNano(now))
	var se Session
	var a Account
	var sc, sx, sl, ac, ap int64
	err := row.Scan(&se.IDHash, &se.AccountID, &sc, &sx, &sl, &a.ID, &a.Name, &a.PasswordHash, &a.MustChange, &ac, &ap)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, Account{}, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, Account{}, fmt.Errorf("store: session: %w", err)
	}
	se.CreatedAt, se.ExpiresAt, se.LastSeenAt = fromUnixNano(sc), fromUnixNano(sx), fromUnixNano(sl)
	a.CreatedAt, a.PasswordChangedAt = fromUnixNano(ac), fromUnixNano(ap)
	return se, a, nil
}

// TouchSession records that a session was used. Callers write it rarely
// (every few minutes at most): the database has one writer.
func (s *Store) TouchSession(ctx context.Context, idHash string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, unixNano(now), idHash); err != nil {
			return fmt.Errorf("store: touch session: %w", err)
		}
		return nil
	})
}

// DeleteSession ends one session. Ending a session that does not exist is
// not an error: logout is idempotent.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
			return fmt.Errorf("store: delete session: %w", err)
		}
		return nil
	})
}

// DeleteExpiredSessions removes sessions that expired before now and
// reports how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, unixNano(now))
		if err != nil {
			return fmt.Errorf("store: delete expired sessions: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// Observer is a read-only viewer of one exercise, holding a bearer token
// whose hex SHA-256 is TokenHash.
type Observer struct {
	ID         string
	ExerciseID string
	Name       string
	TokenHash  string
	CreatedAt  time.Time
	RevokedAt  time.Time // zero while valid
}

// CreateObserver stores an observer.
func (s *Store) CreateObserver(ctx context.Context, o Observer) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO observers (id, exercise_id, name, token_hash, created_at)
			VALUES (?, ?, ?, ?, ?)`, o.ID, o.ExerciseID, o.Name, o.TokenHash, unixNano(o.CreatedAt))
		if isUniqueViolation(err) {
			return fmt.Errorf("store: create observer: %w", ErrDuplicate)
		}
		if err != nil {
			return fmt.Errorf("store: create observer: %w", err)
		}
		return nil
	})
}

const observerSelect = `SELECT id, exercise_id, name, token_hash, created_at, revoked_at FROM observers`

// ObserverByTokenHash returns the observer holding a token; a revoked or
// unknown token gives ErrNotFound.
func (s *Store) ObserverByTokenHash(ctx context.Context, tokenHash string) (Observer, error) {
	return scanObserver(s.r.QueryRowContext(ctx, observerSelect+` WHERE token_hash = ? AND revoked_at IS NULL`, tokenHash))
}

// Observers lists an exercise's observers, revoked ones included.
func (s *Store) Observers(ctx context.Context, exerciseID string) ([]Observer, error) {
	rows, err := s.r.QueryContext(ctx, observerSelect+` WHERE exercise_id = ? ORDER BY created_at, id`, exerciseID)
	if err != nil {
		return nil, fmt.Errorf("store: observers: %w", err)
	}
	defer rows.Close()
	var out []Observer
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
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE observers SET revoked_at = ? WHERE exercise_id = ? AND id = ? AND revoked_at IS NULL`,
			unixNano(now), exerciseID, id)
		if err != nil {
			return fmt.Errorf("store: revoke observer: %w", err)
		}
		return mustAffect(res, "revoke observer")
	})
}

func scanObserver(row scanner) (Observer, error) {
	var o Observer
	var created int64
	var revoked sql.NullInt64
	err := row.Scan(&o.ID, &o.ExerciseID, &o.Name, &o.TokenHash, &created, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return Observer{}, fmt.Errorf("store: observer: %w", ErrNotFound)
	}
	if err != nil {
		return Observer{}, fmt.Errorf("store: observer: %w", err)
	}
	o.CreatedAt, o.RevokedAt = fromUnixNano(created), fromNullTime(revoked)
	return o, nil
}

// ScenarioUpload is a scenario file a facilitator uploaded, kept so that it
// is offered alongside the shipped ones after a restart.
type ScenarioUpload struct {
	Slug       string // the id written in the file
	File       string
	Source     []byte
	UploadedBy int64 // account id; 0 when the account was deleted
	UploadedAt time.Time
}

// PutScenarioUpload stores an upload, replacing an earlier one with the
// same slug.
func (s *Store) PutScenarioUpload(ctx context.Context, u ScenarioUpload) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		by := sql.NullInt64{Int64: u.UploadedBy, Valid: u.UploadedBy != 0}
		if _, err := tx.ExecContext(ctx, `INSERT INTO scenario_uploads (slug, file, source, uploaded_by, uploaded_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (slug) DO UPDATE SET file = excluded.file, source = excluded.source,
				uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at`,
			u.Slug, u.File, u.Source, by, unixNano(u.UploadedAt)); err != nil {
			return fmt.Errorf("store: put scenario upload: %w", err)
		}
		return nil
	})
}

// ScenarioUploads lists every upload by slug.
func (s *Store) ScenarioUploads(ctx context.Context) ([]ScenarioUpload, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT slug, file, source, uploaded_by, uploaded_at FROM scenario_uploads ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("store: scenario uploads: %w", err)
	}
	defer rows.Close()
	var out []ScenarioUpload
	for rows.Next() {
		var u ScenarioUpload
		var by sql.NullInt64
		var at int64
		if err := rows.Scan(&u.Slug, &u.File, &u.Source, &by, &at); err != nil {
			return nil, fmt.Errorf("store: scenario uploads: %w", err)
		}
		u.UploadedBy, u.UploadedAt = by.Int64, fromUnixNano(at)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: scenario uploads: %w", err)
	}
	return out, nil
}

// DeleteScenarioUpload removes an upload. Exercises created from it keep
// their own copy of the source.
func (s *Store) DeleteScenarioUpload(ctx context.Context, slug string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM scenario_uploads WHERE slug = ?`, slug)
		if err != nil {
			return fmt.Errorf("store: delete scenario upload: %w", err)
		}
		return mustAffect(res, "delete scenario upload")
	})
}
