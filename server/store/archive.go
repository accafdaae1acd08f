package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// ExerciseDump is everything that makes up one exercise, as read for an
// export or written by an import: the exercise row, the scenario it was
// created from, its teams and participants, and its whole event log.
// Participants never carry token hashes out of the database: a dump is a
// file that travels, and a token hash would let its holder be recognised
// as the participant by the server it came from.
type ExerciseDump struct {
	Exercise     Exercise
	Scenario     Scenario
	Teams        []Team
	Participants []Participant // TokenHash always ""
	Events       []Event       // the whole log, seq 1..n
}

// DumpExercise reads an exercise and everything that belongs to it in one
// read transaction, so the parts are consistent with each other even while
// the exercise is live: the log ends at a commit boundary and the status
// and participants match it.
func (s *Store) DumpExercise(ctx context.Context, id string) (ExerciseDump, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return ExerciseDump{}, fmt.Errorf("store: dump exercise: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only

	var d ExerciseDump
	if d.Exercise, err = scanExercise(tx.QueryRowContext(ctx, exerciseSelect+` WHERE id = ?`, id)); err != nil {
		return ExerciseDump{}, err
	}
	if d.Scenario, err = scanScenario(tx.QueryRowContext(ctx, scenarioSelect+` WHERE id = ?`, d.Exercise.ScenarioID)); err != nil {
		return ExerciseDump{}, err
	}
	if d.Teams, err = queryTeams(ctx, tx, id); err != nil {
		return ExerciseDump{}, err
	}
	rows, err := tx.QueryContext(ctx, participantSelect+` WHERE exercise_id = ? ORDER BY joined_at, id`, id)
	if err != nil {
		return ExerciseDump{}, fmt.Errorf("store: dump exercise: participants: %w", err)
	}
	for rows.Next() {
		p, err := scanParticipant(rows)
		if err != nil {
			rows.Close()
			return ExerciseDump{}, err
		}
		p.TokenHash = ""
		d.Participants = append(d.Participants, p)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return ExerciseDump{}, fmt.Errorf("store: dump exercise: participants: %w", err)
	}
	rows, err = tx.QueryContext(ctx, eventSelect+` WHERE exercise_id = ? ORDER BY seq`, id)
	if err != nil {
		return ExerciseDump{}, fmt.Errorf("store: dump exercise: events: %w", err)
	}
	for rows.Next() {
		ev, err := scanEvent(rows)
		if err != nil {
			rows.Close()
			return ExerciseDump{}, err
		}
		d.Events = append(d.Events, ev)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return ExerciseDump{}, fmt.Errorf("store: dump exercise: events: %w", err)
	}
	return d, nil
}

func queryTeams(ctx context.Context, tx *sql.Tx, exerciseID string) ([]Team, error) {
	rows, err := tx.QueryContext(ctx, `SELECT team_id, name FROM teams WHERE exercise_id = ? ORDER BY position`, exerciseID)
	if err != nil {
		return nil, fmt.Errorf("store: teams: %w", err)
	}
	defer rows.Close()
	var out []Team
	for rows.Next() {
		var t Team
		if err := rows.Scan(&t.ID, &t.Name); err != nil {
			return nil, fmt.Errorf("store: teams: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: teams: %w", err)
	}
	return out, nil
}

// RestoreExercise writes a dump as a new exercise in one transaction: the
// scenario (reusing an identical stored source), the exercise row, its
// teams, its participants (without token hashes) and its events with their
// sequence numbers as given. The caller validates the dump's meaning; the
// store still refuses what would corrupt the database: a scenario whose
// bytes do not match its hash, a log that does not run 1, 2, 3... without
// gaps, and an exercise id or participant id that already exists
// (ErrDuplicate). Nothing is written unless everything is. The join code is
// not restored (codes are unique per database). It returns the exercise as
// stored, with the ScenarioID of this database.
func (s *Store) RestoreExercise(ctx context.Context, d ExerciseDump) (Exercise, error) {
	sum := sha256.Sum256(d.Scenario.Source)
	digest := hex.EncodeToString(sum[:])
	if d.Scenario.SHA256 != digest {
		return Exercise{}, fmt.Errorf("store: restore exercise: scenario sha256 %s does not match its source (%s)", d.Scenario.SHA256, digest)
	}
	if len(d.Events) == 0 {
		return Exercise{}, errors.New("store: restore exercise: the event log is empty")
	}
	for i, ev := range d.Events {
		if ev.Seq != int64(i)+1 {
			return Exercise{}, fmt.Errorf("store: restore exercise: event %d has seq %d: the log must run 1, 2, 3... without gaps", i+1, ev.Seq)
		}
	}
	ex := d.Exercise
	ex.JoinCode = ""
	params, err := json.Marshal(ex.Params)
	if err != nil {
		return Exercise{}, fmt.Errorf("store: restore exercise: params: %w", err)
	}
	if ex.Params == nil {
		params = []byte("{}")
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM exercises WHERE id = ?`, ex.ID).Scan(&exists); err != nil {
			return fmt.Errorf("store: restore exercise: %w", err)
		}
		if exists > 0 {
			return fmt.Errorf("store: restore exercise: exercise %s already exists: %w", ex.ID, ErrDuplicate)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO scenarios (slug, title, source, sha256, loaded_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
			d.Scenario.Slug, d.Scenario.Title, d.Scenario.Source, digest, unixNano(d.Scenario.LoadedAt)); err != nil {
			return fmt.Errorf("store: restore exercise: scenario: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT id FROM scenarios WHERE sha256 = ?`, digest).Scan(&ex.ScenarioID); err != nil {
			return fmt.Errorf("store: restore exercise: scenario: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO exercises
			(id, scenario_id, title, params, status, outcome, join_code, created_at, started_at, ended_at)
			VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
			ex.ID, ex.ScenarioID, ex.Title, string(params), ex.Status, ex.Outcome,
			unixNano(ex.CreatedAt), nullTime(ex.StartedAt), nullTime(ex.EndedAt)); err != nil {
			return fmt.Errorf("store: restore exercise: %w", err)
		}
		for i, t := range d.Teams {
			if _, err := tx.ExecContext(ctx, `INSERT INTO teams (exercise_id, team_id, name, position) VALUES (?, ?, ?, ?)`,
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
		stmt := tx.StmtContext(ctx, s.insertEventStmt)
		for _, ev := range d.Events {
			payload := []byte(ev.Payload)
			if len(payload) == 0 || !json.Valid(payload) {
				return fmt.Errorf("store: restore exercise: event %d (%s): payload is not JSON", ev.Seq, ev.Kind)
			}
			aud := ev.Audience
			if aud == nil {
				aud = []string{}
			}
			audience, err := json.Marshal(aud)
			if err != nil {
				return fmt.Errorf("store: restore exercise: event %d: audience: %w", ev.Seq, err)
			}
			_, err = stmt.ExecContext(ctx, ex.ID, ev.Seq, ev.Kind, unixNano(ev.WallTime), int64(ev.ExerciseTime),
				string(payload), string(audience), nullString(ev.ClientID))
			if isUniqueViolation(err) {
				return fmt.Errorf("store: restore exercise: event %d: client id %q repeats: %w", ev.Seq, ev.ClientID, ErrDuplicate)
			}
			if err != nil {
				return fmt.Errorf("store: restore exercise: event %d: %w", ev.Seq, err)
			}
		}
		return nil
	})
	if err != nil {
		return Exercise{}, err
	}
	return ex, nil
}
