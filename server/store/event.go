package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Event is one entry of an exercise's append-only log.
type Event struct {
	ExerciseID   string          `json:"-"`
	Seq          int64           `json:"seq"`  // 1, 2, 3... per exercise; assigned by the store
	Kind         string          `json:"kind"` // what happened
	WallTime     time.Time       `json:"wall_time"`
	ExerciseTime time.Duration   `json:"at"`                  // on the exercise clock
	Payload      json.RawMessage `json:"payload"`             // the kind's fields, a JSON object
	Audience     []string        `json:"audience"`            // team ids, "*" for every team, empty: facilitator and observers only
	ClientID     string          `json:"client_id,omitempty"` // idempotency key of the command that wrote it
}

// MaxPageSize caps one Events read.
const MaxPageSize = 1000

// Commit is everything one step of an exercise changes, written in one
// transaction: events appended to the log, and the rows that mirror the
// log's state for queries (status, participants).
type Commit struct {
	ExerciseID string
	Events     []Event // appended in order; Seq is assigned

	Status    string    // new status, "" to keep
	Outcome   string    // set with Status == StatusEnded
	StartedAt time.Time // set when non-zero
	EndedAt   time.Time // set when non-zero

	Join       *Participant // inserted
	Left       string       // participant id marked as left at LeftAt
	LeftAt     time.Time
	Move       *Move  // a participant changes team; applied before LeadChange
	LeadChange string // participant id that becomes its team's only lead
}

// Commit applies c atomically and returns the appended events with their
// sequence numbers. An event whose ClientID is already in the exercise's log
// fails the whole commit with ErrDuplicate.
func (s *Store) Commit(ctx context.Context, c Commit) ([]Event, error) {
	var out []Event
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if c.Status != "" || !c.StartedAt.IsZero() || !c.EndedAt.IsZero() {
			res, err := tx.ExecContext(ctx, `UPDATE exercises SET
				status = COALESCE(NULLIF(?, ''), status),
				outcome = CASE WHEN ? = 'ended' THEN ? ELSE outcome END,
				started_at = COALESCE(?, started_at),
				ended_at = COALESCE(?, ended_at)
				WHERE id = ?`,
				c.Status, c.Status, c.Outcome, nullTime(c.StartedAt), nullTime(c.EndedAt), c.ExerciseID)
			if err != nil {
				return fmt.Errorf("store: commit: exercise: %w", err)
			}
			if err := mustAffect(res, "commit: exercise"); err != nil {
				return err
			}
		}
		if c.Join != nil {
			if err := insertParticipant(ctx, tx, *c.Join); err != nil {
				return err
			}
		}
		if c.Left != "" {
			if err := markLeft(ctx, tx, c.ExerciseID, c.Left, c.LeftAt); err != nil {
				return err
			}
		}
		if c.Move != nil {
			if err := moveParticipant(ctx, tx, c.ExerciseID, *c.Move); err != nil {
				return err
			}
		}
		if c.LeadChange != "" {
			if err := setLead(ctx, tx, c.ExerciseID, c.LeadChange); err != nil {
				return err
			}
		}
		var err error
		out, err = s.appendEvents(ctx, tx, c.ExerciseID, c.Events)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// appendEvents numbers events after the exercise's last one and inserts
// them. The read of MAX(seq) and the inserts share the caller's write
// transaction, so concurrent appenders cannot take the same number.
func (s *Store) appendEvents(ctx context.Context, tx *sql.Tx, exerciseID string, events []Event) ([]Event, error) {
	if len(events) == 0 {
		return nil, nil
	}
	var last int64
	if err := tx.StmtContext(ctx, s.lastSeqStmt).QueryRowContext(ctx, exerciseID).Scan(&last); err != nil {
		return nil, fmt.Errorf("store: append events: %w", err)
	}
	stmt := tx.StmtContext(ctx, s.insertEventStmt)
	out := make([]Event, len(events))
	for i, ev := range events {
		ev.ExerciseID = exerciseID
		ev.Seq = last + int64(i) + 1
		payload := []byte(ev.Payload)
		if len(payload) == 0 {
			payload = []byte("{}")
		}
		if !json.Valid(payload) {
			return nil, fmt.Errorf("store: append event %s: payload is not JSON", ev.Kind)
		}
		aud := ev.Audience
		if aud == nil {
			aud = []string{}
		}
		audience, err := json.Marshal(aud)
		if err != nil {
			return nil, fmt.Errorf("store: append event %s: audience: %w", ev.Kind, err)
		}
		_, err = stmt.ExecContext(ctx, exerciseID, ev.Seq, ev.Kind, unixNano(ev.WallTime), int64(ev.ExerciseTime),
			string(payload), string(audience), nullString(ev.ClientID))
		if isUniqueViolation(err) {
			return nil, fmt.Errorf("store: append event %s: %w", ev.Kind, ErrDuplicate)
		}
		if err != nil {
			return nil, fmt.Errorf("store: append event %s: %w", ev.Kind, err)
		}
		ev.Payload = payload
		ev.Audience = aud
		out[i] = ev
	}
	return out, nil
}

// Statements of the append path, prepared once on the writer connection.
const (
	lastSeqSQL     = `SELECT COALESCE(MAX(seq), 0) FROM events WHERE exercise_id = ?`
	insertEventSQL = `INSERT INTO events
		(exercise_id, seq, kind, wall_time, exercise_time_ns, payload, audience, client_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
)

const eventSelect = `SELECT exercise_id, seq, kind, wall_time, exercise_time_ns, payload, audience, client_id FROM events`

// Events returns up to limit events of an exercise with seq > afterSeq, in
// order. limit <= 0 or above MaxPageSize means MaxPageSize.
func (s *Store) Events(ctx context.Context, exerciseID string, afterSeq int64, limit int) ([]Event, error) {
	if limit <= 0 || limit > MaxPageSize {
		limit = MaxPageSize
	}
	rows, err := s.r.QueryContext(ctx, eventSelect+` WHERE exercise_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
		exerciseID, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	defer rows.Close()
	// Small to start: most reads are a reconnect's catch-up, often empty,
	// and a 64-event backing array costs every one of them 7 KB.
	out := make([]Event, 0, min(limit, 8))
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
func (s *Store) EventByClientID(ctx context.Context, exerciseID, clientID string) (Event, error) {
	if clientID == "" {
		return Event{}, fmt.Errorf("store: event by client id: %w", ErrNotFound)
	}
	ev, err := scanEvent(s.r.QueryRowContext(ctx, eventSelect+` WHERE exercise_id = ? AND client_id = ?`, exerciseID, clientID))
	if err != nil {
		return Event{}, err
	}
	return ev, nil
}

// LastSeq is the sequence number of an exercise's newest event, 0 if none.
func (s *Store) LastSeq(ctx context.Context, exerciseID string) (int64, error) {
	var last int64
	if err := s.r.QueryRowContext(ctx, lastSeqSQL, exerciseID).Scan(&last); err != nil {
		return 0, fmt.Errorf("store: last seq: %w", err)
	}
	return last, nil
}

func scanEvent(row scanner) (Event, error) {
	var ev Event
	var wall, at int64
	var payload, audience string
	var client sql.NullString
	err := row.Scan(&ev.ExerciseID, &ev.Seq, &ev.Kind, &wall, &at, &payload, &audience, &client)
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, fmt.Errorf("store: event: %w", ErrNotFound)
	}
	if err != nil {
		return Event{}, fmt.Errorf("store: event: %w", err)
	}
	ev.WallTime = fromUnixNano(wall)
	ev.ExerciseTime = time.Duration(at)
	ev.Payload = json.RawMessage(payload)
	if err := json.Unmarshal([]byte(audience), &ev.Audience); err != nil {
		return Event{}, fmt.Errorf("store: event %d: audience: %w", ev.Seq, err)
	}
	ev.ClientID = client.String
	return ev, nil
}
