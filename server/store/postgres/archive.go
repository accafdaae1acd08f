package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ttxsim/ttx/server/store"
)

// DumpExercise reads an exercise and everything that belongs to it in one
// repeatable-read transaction, so the parts are consistent with each other
// even while the exercise is live. Participants carry no token hashes.
func (s *Store) DumpExercise(ctx context.Context, id string) (store.ExerciseDump, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return store.ExerciseDump{}, fmt.Errorf("store: dump exercise: begin: %w", err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // read-only

	var d store.ExerciseDump
	if d.Exercise, err = scanExercise(tx.QueryRow(ctx, exerciseSelect+` WHERE id = $1`, id)); err != nil {
		return store.ExerciseDump{}, err
	}
	if d.Scenario, err = scanScenario(tx.QueryRow(ctx, scenarioSelect+` WHERE id = $1`, d.Exercise.ScenarioID)); err != nil {
		return store.ExerciseDump{}, err
	}
	if d.Teams, err = queryTeams(ctx, tx, id); err != nil {
		return store.ExerciseDump{}, err
	}
	if d.Participants, err = queryParticipants(ctx, tx, id); err != nil {
		return store.ExerciseDump{}, fmt.Errorf("store: dump exercise: %w", err)
	}
	for i := range d.Participants {
		d.Participants[i].TokenHash = ""
	}
	rows, err := tx.Query(ctx, eventSelect+` WHERE exercise_id = $1 ORDER BY seq`, id)
	if err != nil {
		return store.ExerciseDump{}, fmt.Errorf("store: dump exercise: events: %w", err)
	}
	if d.Events, err = collectEvents(rows, 64); err != nil {
		return store.ExerciseDump{}, fmt.Errorf("store: dump exercise: %w", err)
	}
	return d, nil
}

// RestoreExercise writes a dump as a new exercise in one transaction, as
// store.(*Store).RestoreExercise does, with the same refusals.
func (s *Store) RestoreExercise(ctx context.Context, d store.ExerciseDump) (store.Exercise, error) {
	sum := sha256.Sum256(d.Scenario.Source)
	digest := hex.EncodeToString(sum[:])
	if d.Scenario.SHA256 != digest {
		return store.Exercise{}, fmt.Errorf("store: restore exercise: scenario sha256 %s does not match its source (%s)", d.Scenario.SHA256, digest)
	}
	if len(d.Events) == 0 {
		return store.Exercise{}, errors.New("store: restore exercise: the event log is empty")
	}
	for i, ev := range d.Events {
		if ev.Seq != int64(i)+1 {
			return store.Exercise{}, fmt.Errorf("store: restore exercise: event %d has seq %d: the log must run 1, 2, 3... without gaps", i+1, ev.Seq)
		}
	}
	ex := d.Exercise
	ex.JoinCode = ""
	params, err := json.Marshal(ex.Params)
	if err != nil {
		return store.Exercise{}, fmt.Errorf("store: restore exercise: params: %w", err)
	}
	if ex.Params == nil {
		params = []byte("{}")
	}
	events := make([]store.Event, len(d.Events))
	for i, ev := range d.Events {
		if len(ev.Payload) == 0 || !json.Valid(ev.Payload) {
			return store.Exercise{}, fmt.Errorf("store: restore exercise: event %d (%s): payload is not JSON", ev.Seq, ev.Kind)
		}
		ev.ExerciseID = ex.ID
		events[i], _ = normalise(ev)
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		var exists int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM exercises WHERE id = $1`, ex.ID).Scan(&exists); err != nil {
			return fmt.Errorf("store: restore exercise: %w", err)
		}
		if exists > 0 {
			return fmt.Errorf("store: restore exercise: exercise %s already exists: %w", ex.ID, store.ErrDuplicate)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO scenarios (slug, title, source, sha256, loaded_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING`,
			d.Scenario.Slug, d.Scenario.Title, d.Scenario.Source, digest, unixNano(d.Scenario.LoadedAt)); err != nil {
			return fmt.Errorf("store: restore exercise: scenario: %w", err)
		}
		if err := tx.QueryRow(ctx, `SELECT id FROM scenarios WHERE sha256 = $1`, digest).Scan(&ex.ScenarioID); err != nil {
			return fmt.Errorf("store: restore exercise: scenario: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO exercises
			(id, scenario_id, title, params, status, outcome, join_code, created_at, started_at, ended_at)
			VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9)`,
			ex.ID, ex.ScenarioID, ex.Title, string(params), ex.Status, ex.Outcome,
			unixNano(ex.CreatedAt), nullTime(ex.StartedAt), nullTime(ex.EndedAt)); err != nil {
			return fmt.Errorf("store: restore exercise: %w", err)
		}
		for i, t := range d.Teams {
			if _, err := tx.Exec(ctx, `INSERT INTO teams (exercise_id, team_id, name, position) VALUES ($1, $2, $3, $4)`,
				ex.ID, t.ID, t.Name, i); err != nil {
				return fmt.Errorf("store: restore exercise: team %s: %w", t.ID, err)
			}
		}
		for _, p := range d.Participants {
			p.ExerciseID = ex.ID
			p.TokenHash = ""
			if err := insertParticipant(ctx, tx, p); err != nil {
				return fmt.Errorf("store: restore exercise: participant %s: %w", p.ID, err)
			}
		}
		if err := insertEvents(ctx, tx, events); err != nil {
			return fmt.Errorf("store: restore exercise: %w", err)
		}
		return nil
	})
	if err != nil {
		return store.Exercise{}, err
	}
	return ex, nil
}
