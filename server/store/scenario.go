package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Scenario is a scenario file as it was when an exercise was created from
// it. Exercises reference it by ID, so editing or deleting the file later
// never changes a past or running exercise.
type Scenario struct {
	ID       int64
	Slug     string // the id written in the file
	Title    string
	Source   []byte // the exact bytes
	SHA256   string // hex of sha256(Source)
	LoadedAt time.Time
}

// PutScenario stores source unless identical bytes are already stored, and
// returns the stored row either way.
func (s *Store) PutScenario(ctx context.Context, slug, title string, source []byte, now time.Time) (Scenario, error) {
	sum := sha256.Sum256(source)
	digest := hex.EncodeToString(sum[:])
	var sc Scenario
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO scenarios (slug, title, source, sha256, loaded_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
			slug, title, source, digest, unixNano(now)); err != nil {
			return fmt.Errorf("store: put scenario: %w", err)
		}
		var err error
		sc, err = scanScenario(tx.QueryRowContext(ctx, scenarioSelect+` WHERE sha256 = ?`, digest))
		return err
	})
	return sc, err
}

// Scenario returns the stored scenario with the given id.
func (s *Store) Scenario(ctx context.Context, id int64) (Scenario, error) {
	return scanScenario(s.r.QueryRowContext(ctx, scenarioSelect+` WHERE id = ?`, id))
}

const scenarioSelect = `SELECT id, slug, title, source, sha256, loaded_at FROM scenarios`

func scanScenario(row *sql.Row) (Scenario, error) {
	var sc Scenario
	var loaded int64
	err := row.Scan(&sc.ID, &sc.Slug, &sc.Title, &sc.Source, &sc.SHA256, &loaded)
	if errors.Is(err, sql.ErrNoRows) {
		return Scenario{}, fmt.Errorf("store: scenario: %w", ErrNotFound)
	}
	if err != nil {
		return Scenario{}, fmt.Errorf("store: scenario: %w", err)
	}
	sc.LoadedAt = fromUnixNano(loaded)
	return sc, nil
}
