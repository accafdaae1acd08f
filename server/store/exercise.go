package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Exercise statuses.
const (
	StatusLobby   = "lobby"
	StatusRunning = "running"
	StatusPaused  = "paused"
	StatusEnded   = "ended"
)

// Exercise is one run of a scenario.
type Exercise struct {
	ID         string
	ScenarioID int64
	Title      string
	Params     map[string]string
	Status     string
	Outcome    string // outcome id once ended
	JoinCode   string // "" when none
	CreatedAt  time.Time
	StartedAt  time.Time // zero until started
	EndedAt    time.Time // zero until ended
	ArchivedAt time.Time // zero unless archived (hidden from the default list)
}

// Team is a team of an exercise, copied from its scenario at creation.
type Team struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// CreateExercise inserts the exercise, its teams and its first events in one
// transaction and returns the events with their sequence numbers.
func (s *Store) CreateExercise(ctx context.Context, ex Exercise, teams []Team, events []Event) ([]Event, error) {
	params, err := json.Marshal(ex.Params)
	if err != nil {
		return nil, fmt.Errorf("store: create exercise: params: %w", err)
	}
	if ex.Params == nil {
		params = []byte("{}")
	}
	if ex.Status == "" {
		ex.Status = StatusLobby
	}
	var out []Event
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO exercises
			(id, scenario_id, title, params, status, outcome, join_code, created_at, started_at, ended_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			ex.ID, ex.ScenarioID, ex.Title, string(params), ex.Status, ex.Outcome, nullString(ex.JoinCode),
			unixNano(ex.CreatedAt), nullTime(ex.StartedAt), nullTime(ex.EndedAt))
		if isUniqueViolation(err) {
			return fmt.Errorf("store: create exercise: %w", ErrDuplicate)
		}
		if err != nil {
			return fmt.Errorf("store: create exercise: %w", err)
		}
		for i, t := range teams {
			if _, err := tx.ExecContext(ctx, `INSERT INTO teams (exercise_id, team_id, name, position) VALUES (?, ?, ?, ?)`,
				ex.ID, t.ID, t.Name, i); err != nil {
				return fmt.Errorf("store: create exercise: team %s: %w", t.ID, err)
			}
		}
		out, err = s.appendEvents(ctx, tx, ex.ID, events)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

const exerciseSelect = `SELECT id, scenario_id, title, params, status, outcome, join_code,
	created_at, started_at, ended_at, archived_at FROM exercises`

// Exercise returns one exercise.
func (s *Store) Exercise(ctx context.Context, id string) (Exercise, error) {
	return scanExercise(s.r.QueryRowContext(ctx, exerciseSelect+` WHERE id = ?`, id))
}

// ExerciseByJoinCode returns the exercise a join code belongs to.
func (s *Store) ExerciseByJoinCode(ctx context.Context, code string) (Exercise, error) {
	if code == "" {
		return Exercise{}, fmt.Errorf("store: exercise by join code: %w", ErrNotFound)
	}
	return scanExercise(s.r.QueryRowContext(ctx, exerciseSelect+` WHERE join_code = ?`, code))
}

// SetJoinCode sets (or, with "", clears) an exercise's join code. A code
// already used by another exercise gives ErrDuplicate.
func (s *Store) SetJoinCode(ctx context.Context, id, code string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE exercises SET join_code = ? WHERE id = ?`, nullString(code), id)
		if isUniqueViolation(err) {
			return fmt.Errorf("store: set join code: %w", ErrDuplicate)
		}
		if err != nil {
			return fmt.Errorf("store: set join code: %w", err)
		}
		return mustAffect(res, "set join code")
	})
}

// ListFilter.Archived values.
const (
	ArchivedNo   = "no"
	ArchivedOnly = "only"
)

// ListFilter narrows ListExercises. Zero values mean "any".
type ListFilter struct {
	Statuses []string
	// Archived narrows by archiving: "" any, "no" the others, "only" the archived.
	Archived string
	Limit    int // default and maximum 1000
	Offset   int
}

// ListExercises returns exercises, newest first.
func (s *Store) ListExercises(ctx context.Context, f ListFilter) ([]Exercise, error) {
	q := exerciseSelect
	var args []any
	switch f.Archived {
	case ArchivedOnly:
		q += ` WHERE archived_at IS NOT NULL`
	case ArchivedNo:
		q += ` WHERE archived_at IS NULL`
	default:
		q += ` WHERE 1`
	}
	if len(f.Statuses) > 0 {
		q += ` AND status IN (?` + strings.Repeat(`, ?`, len(f.Statuses)-1) + `)`
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	q += ` ORDER BY created_at DESC, id LIMIT ? OFFSET ?`
	args = append(args, f.Limit, max(f.Offset, 0))
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list exercises: %w", err)
	}
	defer rows.Close()
	var out []Exercise
	for rows.Next() {
		ex, err := scanExercise(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ex)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list exercises: %w", err)
	}
	return out, nil
}

// Teams returns an exercise's teams in scenario order.
func (s *Store) Teams(ctx context.Context, exerciseID string) ([]Team, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT team_id, name FROM teams WHERE exercise_id = ? ORDER BY position`, exerciseID)
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

type scanner interface{ Scan(dest ...any) error }

func scanExercise(row scanner) (Exercise, error) {
	var ex Exercise
	var params string
	var join sql.NullString
	var created int64
	var started, ended, archived sql.NullInt64
	err := row.Scan(&ex.ID, &ex.ScenarioID, &ex.Title, &params, &ex.Status, &ex.Outcome, &join,
		&created, &started, &ended, &archived)
	if errors.Is(err, sql.ErrNoRows) {
		return Exercise{}, fmt.Errorf("store: exercise: %w", ErrNotFound)
	}
	if err != nil {
		return Exercise{}, fmt.Errorf("store: exercise: %w", err)
	}
	if err := json.Unmarshal([]byte(params), &ex.Params); err != nil {
		return Exercise{}, fmt.Errorf("store: exercise %s: params: %w", ex.ID, err)
	}
	ex.JoinCode = join.String
	ex.CreatedAt = fromUnixNano(created)
	ex.StartedAt = fromNullTime(started)
	ex.EndedAt = fromNullTime(ended)
	ex.ArchivedAt = fromNullTime(archived)
	return ex, nil
}

func mustAffect(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return nil
}
