package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ttxsim/ttx/server/store"
)

// PutScenario stores source unless identical bytes are already stored, and
// returns the stored row either way.
func (s *Store) PutScenario(ctx context.Context, slug, title string, source []byte, now time.Time) (store.Scenario, error) {
	sum := sha256.Sum256(source)
	digest := hex.EncodeToString(sum[:])
	var sc store.Scenario
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO scenarios (slug, title, source, sha256, loaded_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING`,
			slug, title, source, digest, unixNano(now)); err != nil {
			return fmt.Errorf("store: put scenario: %w", err)
		}
		var err error
		sc, err = scanScenario(tx.QueryRow(ctx, scenarioSelect+` WHERE sha256 = $1`, digest))
		return err
	})
	return sc, err
}

// Scenario returns the stored scenario with the given id.
func (s *Store) Scenario(ctx context.Context, id int64) (store.Scenario, error) {
	return scanScenario(s.pool.QueryRow(ctx, scenarioSelect+` WHERE id = $1`, id))
}

const scenarioSelect = `SELECT id, slug, title, source, sha256, loaded_at FROM scenarios`

func scanScenario(row pgx.Row) (store.Scenario, error) {
	var sc store.Scenario
	var loaded int64
	if err := row.Scan(&sc.ID, &sc.Slug, &sc.Title, &sc.Source, &sc.SHA256, &loaded); err != nil {
		return store.Scenario{}, notFound(err, "scenario")
	}
	sc.LoadedAt = fromUnixNano(loaded)
	return sc, nil
}

// CreateExercise inserts the exercise, its teams and its first events in one
// transaction and returns the events with their sequence numbers.
func (s *Store) CreateExercise(ctx context.Context, ex store.Exercise, teams []store.Team, events []store.Event) ([]store.Event, error) {
	params, err := json.Marshal(ex.Params)
	if err != nil {
		return nil, fmt.Errorf("store: create exercise: params: %w", err)
	}
	if ex.Params == nil {
		params = []byte("{}")
	}
	if ex.Status == "" {
		ex.Status = store.StatusLobby
	}
	var out []store.Event
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO exercises
			(id, scenario_id, title, params, status, outcome, join_code, created_at, started_at, ended_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			ex.ID, ex.ScenarioID, ex.Title, string(params), ex.Status, ex.Outcome, nullString(ex.JoinCode),
			unixNano(ex.CreatedAt), nullTime(ex.StartedAt), nullTime(ex.EndedAt))
		if isUniqueViolation(err) {
			return fmt.Errorf("store: create exercise: %w", store.ErrDuplicate)
		}
		if err != nil {
			return fmt.Errorf("store: create exercise: %w", err)
		}
		for i, t := range teams {
			if _, err := tx.Exec(ctx, `INSERT INTO teams (exercise_id, team_id, name, position) VALUES ($1, $2, $3, $4)`,
				ex.ID, t.ID, t.Name, i); err != nil {
				return fmt.Errorf("store: create exercise: team %s: %w", t.ID, err)
			}
		}
		out, err = appendEvents(ctx, tx, ex.ID, events)
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
func (s *Store) Exercise(ctx context.Context, id string) (store.Exercise, error) {
	return scanExercise(s.pool.QueryRow(ctx, exerciseSelect+` WHERE id = $1`, id))
}

// ExerciseByJoinCode returns the exercise a join code belongs to.
func (s *Store) ExerciseByJoinCode(ctx context.Context, code string) (store.Exercise, error) {
	if code == "" {
		return store.Exercise{}, fmt.Errorf("store: exercise by join code: %w", store.ErrNotFound)
	}
	return scanExercise(s.pool.QueryRow(ctx, exerciseSelect+` WHERE join_code = $1`, code))
}

// SetJoinCode sets (or, with "", clears) an exercise's join code. A code
// already used by another exercise gives store.ErrDuplicate.
func (s *Store) SetJoinCode(ctx context.Context, id, code string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE exercises SET join_code = $1 WHERE id = $2`, nullString(code), id)
		if isUniqueViolation(err) {
			return fmt.Errorf("store: set join code: %w", store.ErrDuplicate)
		}
		if err != nil {
			return fmt.Errorf("store: set join code: %w", err)
		}
		return mustAffect(tag, "set join code")
	})
}

// ListExercises returns exercises, newest first.
func (s *Store) ListExercises(ctx context.Context, f store.ListFilter) ([]store.Exercise, error) {
	q := exerciseSelect
	switch f.Archived {
	case store.ArchivedOnly:
		q += ` WHERE archived_at IS NOT NULL`
	case store.ArchivedNo:
		q += ` WHERE archived_at IS NULL`
	default:
		q += ` WHERE TRUE`
	}
	args := []any{}
	if len(f.Statuses) > 0 {
		args = append(args, f.Statuses)
		q += ` AND status = ANY($1)`
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	args = append(args, f.Limit, max(f.Offset, 0))
	q += fmt.Sprintf(` ORDER BY created_at DESC, id COLLATE "C" LIMIT $%d OFFSET $%d`, len(args)-1, len(args))
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list exercises: %w", err)
	}
	defer rows.Close()
	var out []store.Exercise
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
func (s *Store) Teams(ctx context.Context, exerciseID string) ([]store.Team, error) {
	return queryTeams(ctx, s.pool, exerciseID)
}

type queryer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func queryTeams(ctx context.Context, q queryer, exerciseID string) ([]store.Team, error) {
	rows, err := q.Query(ctx, `SELECT team_id, name FROM teams WHERE exercise_id = $1 ORDER BY position`, exerciseID)
	if err != nil {
		return nil, fmt.Errorf("store: teams: %w", err)
	}
	defer rows.Close()
	var out []store.Team
	for rows.Next() {
		var t store.Team
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

func scanExercise(row pgx.Row) (store.Exercise, error) {
	var ex store.Exercise
	var params string
	var join *string
	var created int64
	var started, ended, archived *int64
	if err := row.Scan(&ex.ID, &ex.ScenarioID, &ex.Title, &params, &ex.Status, &ex.Outcome, &join,
		&created, &started, &ended, &archived); err != nil {
		return store.Exercise{}, notFound(err, "exercise")
	}
	if err := json.Unmarshal([]byte(params), &ex.Params); err != nil {
		return store.Exercise{}, fmt.Errorf("store: exercise %s: params: %w", ex.ID, err)
	}
	ex.JoinCode = deref(join)
	ex.CreatedAt = fromUnixNano(created)
	ex.StartedAt = fromNullTime(started)
	ex.EndedAt = fromNullTime(ended)
	ex.ArchivedAt = fromNullTime(archived)
	return ex, nil
}

// SetArchived archives an exercise at the given time or, with a zero time,
// restores it.
func (s *Store) SetArchived(ctx context.Context, id string, at time.Time) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE exercises SET archived_at = $1 WHERE id = $2`, nullTime(at), id)
		if err != nil {
			return fmt.Errorf("store: set archived: %w", err)
		}
		return mustAffect(tag, "set archived")
	})
}

// DeleteExercise removes an exercise with its whole log, teams,
// participants and observers. The scenario row stays.
func (s *Store) DeleteExercise(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		for _, q := range []string{
			`DELETE FROM participants WHERE exercise_id = $1`,
			`DELETE FROM observers WHERE exercise_id = $1`,
			`DELETE FROM events WHERE exercise_id = $1`,
			`DELETE FROM teams WHERE exercise_id = $1`,
		} {
			if _, err := tx.Exec(ctx, q, id); err != nil {
				return fmt.Errorf("store: delete exercise: %w", err)
			}
		}
		tag, err := tx.Exec(ctx, `DELETE FROM exercises WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("store: delete exercise: %w", err)
		}
		return mustAffect(tag, "delete exercise")
	})
}

const participantSelect = `SELECT id, exercise_id, team_id, display_name, is_lead, joined_at, left_at, token_hash FROM participants`

// Participant returns one participant.
func (s *Store) Participant(ctx context.Context, id string) (store.Participant, error) {
	return scanParticipant(s.pool.QueryRow(ctx, participantSelect+` WHERE id = $1`, id))
}

// ParticipantByTokenHash finds the participant holding a token.
func (s *Store) ParticipantByTokenHash(ctx context.Context, hash string) (store.Participant, error) {
	if hash == "" {
		return store.Participant{}, fmt.Errorf("store: participant by token: %w", store.ErrNotFound)
	}
	return scanParticipant(s.pool.QueryRow(ctx, participantSelect+` WHERE token_hash = $1`, hash))
}

// Participants returns an exercise's participants in join order.
func (s *Store) Participants(ctx context.Context, exerciseID string) ([]store.Participant, error) {
	return queryParticipants(ctx, s.pool, exerciseID)
}

func queryParticipants(ctx context.Context, q queryer, exerciseID string) ([]store.Participant, error) {
	rows, err := q.Query(ctx, participantSelect+` WHERE exercise_id = $1 ORDER BY joined_at, id COLLATE "C"`, exerciseID)
	if err != nil {
		return nil, fmt.Errorf("store: participants: %w", err)
	}
	defer rows.Close()
	var out []store.Participant
	for rows.Next() {
		p, err := scanParticipant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: participants: %w", err)
	}
	return out, nil
}

func scanParticipant(row pgx.Row) (store.Participant, error) {
	var p store.Participant
	var joined int64
	var left *int64
	var token *string
	if err := row.Scan(&p.ID, &p.ExerciseID, &p.TeamID, &p.Name, &p.Lead, &joined, &left, &token); err != nil {
		return store.Participant{}, notFound(err, "participant")
	}
	p.JoinedAt = fromUnixNano(joined)
	p.LeftAt = fromNullTime(left)
	p.TokenHash = deref(token)
	return p, nil
}

func insertParticipant(ctx context.Context, tx pgx.Tx, p store.Participant) error {
	_, err := tx.Exec(ctx, `INSERT INTO participants
		(id, exercise_id, team_id, display_name, is_lead, joined_at, left_at, token_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		p.ID, p.ExerciseID, p.TeamID, p.Name, p.Lead, unixNano(p.JoinedAt), nullTime(p.LeftAt), nullString(p.TokenHash))
	if isUniqueViolation(err) {
		return fmt.Errorf("store: add participant: %w", store.ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("store: add participant: %w", err)
	}
	return nil
}

// Commit applies c atomically and returns the appended events with their
// sequence numbers. An event whose ClientID is already in the exercise's
// log fails the whole commit with store.ErrDuplicate.
func (s *Store) Commit(ctx context.Context, c store.Commit) ([]store.Event, error) {
	var out []store.Event
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = commitTx(ctx, tx, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// commitTx applies c in tx.
func commitTx(ctx context.Context, tx pgx.Tx, c store.Commit) ([]store.Event, error) {
	err := func() error {
		if c.Status != "" || !c.StartedAt.IsZero() || !c.EndedAt.IsZero() {
			tag, err := tx.Exec(ctx, `UPDATE exercises SET
				status = COALESCE(NULLIF($1, ''), status),
				outcome = CASE WHEN $1 = 'ended' THEN $2 ELSE outcome END,
				started_at = COALESCE($3, started_at),
				ended_at = COALESCE($4, ended_at)
				WHERE id = $5`,
				c.Status, c.Outcome, nullTime(c.StartedAt), nullTime(c.EndedAt), c.ExerciseID)
			if err != nil {
				return fmt.Errorf("store: commit: exercise: %w", err)
			}
			if err := mustAffect(tag, "commit: exercise"); err != nil {
				return err
			}
		}
		if c.Join != nil {
			if err := insertParticipant(ctx, tx, *c.Join); err != nil {
				return err
			}
		}
		if c.Left != "" {
			tag, err := tx.Exec(ctx, `UPDATE participants SET left_at = $1 WHERE id = $2 AND exercise_id = $3`,
				unixNano(c.LeftAt), c.Left, c.ExerciseID)
			if err != nil {
				return fmt.Errorf("store: participant left: %w", err)
			}
			if err := mustAffect(tag, "participant left"); err != nil {
				return err
			}
		}
		if c.Move != nil {
			tag, err := tx.Exec(ctx, `UPDATE participants SET team_id = $1, is_lead = $2 WHERE id = $3 AND exercise_id = $4`,
				c.Move.Team, c.Move.Lead, c.Move.Participant, c.ExerciseID)
			if err != nil {
				return fmt.Errorf("store: move participant: %w", err)
			}
			if err := mustAffect(tag, "move participant"); err != nil {
				return err
			}
		}
		if c.LeadChange != "" {
			tag, err := tx.Exec(ctx, `UPDATE participants SET is_lead = (id = $1)
				WHERE exercise_id = $2 AND team_id = (SELECT team_id FROM participants WHERE id = $1 AND exercise_id = $2)`,
				c.LeadChange, c.ExerciseID)
			if err != nil {
				return fmt.Errorf("store: set lead: %w", err)
			}
			if err := mustAffect(tag, "set lead"); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		return nil, err
	}
	return appendEvents(ctx, tx, c.ExerciseID, c.Events)
}

// appendEvents numbers events after the exercise's last one and inserts
// them. It first locks the exercise's row (FOR NO KEY UPDATE: appenders of
// one exercise queue, while inserts that merely reference the row do not),
// so the MAX(seq) it then reads, in a fresh read-committed snapshot,
// includes every append committed before; the primary key (exercise_id,
// seq) would refuse a duplicate number if anything got past the lock.
func appendEvents(ctx context.Context, tx pgx.Tx, exerciseID string, events []store.Event) ([]store.Event, error) {
	if len(events) == 0 {
		return nil, nil
	}
	// One round trip for both: the statements of a batch run in order,
	// each with a snapshot of its own, so MAX(seq) is read after the lock.
	b := &pgx.Batch{}
	b.Queue(`SELECT 1 FROM exercises WHERE id = $1 FOR NO KEY UPDATE`, exerciseID)
	b.Queue(lastSeqSQL, exerciseID)
	br := tx.SendBatch(ctx, b)
	var one int
	var last int64
	lockErr := br.QueryRow().Scan(&one)
	var seqErr error
	if lockErr == nil {
		seqErr = br.QueryRow().Scan(&last)
	}
	closeErr := br.Close()
	if lockErr != nil {
		return nil, notFound(lockErr, "append events: exercise "+exerciseID)
	}
	if err := errors.Join(seqErr, closeErr); err != nil {
		return nil, fmt.Errorf("store: append events: %w", err)
	}
	out := make([]store.Event, len(events))
	for i, ev := range events {
		ev.ExerciseID = exerciseID
		ev.Seq = last + int64(i) + 1
		var err error
		if out[i], err = normalise(ev); err != nil {
			return nil, fmt.Errorf("store: append event %s: %w", ev.Kind, err)
		}
	}
	if err := insertEvents(ctx, tx, out); err != nil {
		return nil, fmt.Errorf("store: append event: %w", err)
	}
	return out, nil
}

// normalise checks an event's payload and fills the defaults the log
// stores: {} for no payload, [] for no audience.
func normalise(ev store.Event) (store.Event, error) {
	if len(ev.Payload) == 0 {
		ev.Payload = []byte("{}")
	}
	if !json.Valid(ev.Payload) {
		return ev, errors.New("payload is not JSON")
	}
	if ev.Audience == nil {
		ev.Audience = []string{}
	}
	return ev, nil
}

// insertEvents writes events in one round trip (a batch). A repeated
// client id is store.ErrDuplicate.
func insertEvents(ctx context.Context, tx pgx.Tx, events []store.Event) error {
	b := &pgx.Batch{}
	for _, ev := range events {
		audience, err := json.Marshal(ev.Audience)
		if err != nil {
			return fmt.Errorf("event %d: audience: %w", ev.Seq, err)
		}
		b.Queue(insertEventSQL, ev.ExerciseID, ev.Seq, ev.Kind, unixNano(ev.WallTime), int64(ev.ExerciseTime),
			string(ev.Payload), string(audience), nullString(ev.ClientID))
	}
	br := tx.SendBatch(ctx, b)
	var first error
	for _, ev := range events {
		if _, err := br.Exec(); err != nil && first == nil {
			if code, constraint := pgCode(err); code == uniqueViolation && constraint == "events_client_id" {
				first = fmt.Errorf("event %d (%s): client id %q repeats: %w", ev.Seq, ev.Kind, ev.ClientID, store.ErrDuplicate)
			} else {
				first = fmt.Errorf("event %d (%s): %w", ev.Seq, ev.Kind, leaseErr(err))
			}
		}
	}
	return errors.Join(first, br.Close())
}

const (
	lastSeqSQL     = `SELECT COALESCE(MAX(seq), 0) FROM events WHERE exercise_id = $1`
	insertEventSQL = `INSERT INTO events
		(exercise_id, seq, kind, wall_time, exercise_time_ns, payload, audience, client_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	eventSelect = `SELECT exercise_id, seq, kind, wall_time, exercise_time_ns, payload, audience, client_id FROM events`
)

// Events returns up to limit events of an exercise with seq > afterSeq, in
// order. limit <= 0 or above store.MaxPageSize means store.MaxPageSize.
func (s *Store) Events(ctx context.Context, exerciseID string, afterSeq int64, limit int) ([]store.Event, error) {
	if limit <= 0 || limit > store.MaxPageSize {
		limit = store.MaxPageSize
	}
	rows, err := s.pool.Query(ctx, eventSelect+` WHERE exercise_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
		exerciseID, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	return collectEvents(rows, min(limit, 8))
}

func collectEvents(rows pgx.Rows, capacity int) ([]store.Event, error) {
	defer rows.Close()
	out := make([]store.Event, 0, capacity)
	for rows.Next() {
		ev, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	return out, nil
}

// EventByClientID returns the event a command with this client id wrote.
func (s *Store) EventByClientID(ctx context.Context, exerciseID, clientID string) (store.Event, error) {
	if clientID == "" {
		return store.Event{}, fmt.Errorf("store: event by client id: %w", store.ErrNotFound)
	}
	return scanEvent(s.pool.QueryRow(ctx, eventSelect+` WHERE exercise_id = $1 AND client_id = $2`, exerciseID, clientID))
}

// LastSeq is the sequence number of an exercise's newest event, 0 if none.
func (s *Store) LastSeq(ctx context.Context, exerciseID string) (int64, error) {
	var last int64
	if err := s.pool.QueryRow(ctx, lastSeqSQL, exerciseID).Scan(&last); err != nil {
		return 0, fmt.Errorf("store: last seq: %w", err)
	}
	return last, nil
}

func scanEvent(row pgx.Row) (store.Event, error) {
	var ev store.Event
	var wall, at int64
	var payload, audience string
	var client *string
	if err := row.Scan(&ev.ExerciseID, &ev.Seq, &ev.Kind, &wall, &at, &payload, &audience, &client); err != nil {
		return store.Event{}, notFound(err, "event")
	}
	ev.WallTime = fromUnixNano(wall)
	ev.ExerciseTime = time.Duration(at)
	ev.Payload = json.RawMessage(payload)
	if err := json.Unmarshal([]byte(audience), &ev.Audience); err != nil {
		return store.Event{}, fmt.Errorf("store: event %d: audience: %w", ev.Seq, err)
	}
	ev.ClientID = deref(client)
	return ev, nil
}
