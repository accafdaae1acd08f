package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Participant is a person who joined an exercise in a team.
type Participant struct {
	ID         string
	ExerciseID string
	TeamID     string
	Name       string
	Lead       bool
	JoinedAt   time.Time
	LeftAt     time.Time // zero while present
	TokenHash  string    // hash of the bearer token; "" when none
}

const participantSelect = `SELECT id, exercise_id, team_id, display_name, is_lead, joined_at, left_at, token_hash FROM participants`

// Participant returns one participant.
func (s *Store) Participant(ctx context.Context, id string) (Participant, error) {
	return scanParticipant(s.r.QueryRowContext(ctx, participantSelect+` WHERE id = ?`, id))
}

// ParticipantByTokenHash finds the participant holding a token.
func (s *Store) ParticipantByTokenHash(ctx context.Context, hash string) (Participant, error) {
	if hash == "" {
		return Participant{}, fmt.Errorf("store: participant by token: %w", ErrNotFound)
	}
	return scanParticipant(s.r.QueryRowContext(ctx, participantSelect+` WHERE token_hash = ?`, hash))
}

// Participants returns an exercise's participants in join order.
func (s *Store) Participants(ctx context.Context, exerciseID string) ([]Participant, error) {
	rows, err := s.r.QueryContext(ctx, participantSelect+` WHERE exercise_id = ? ORDER BY joined_at, id`, exerciseID)
	if err != nil {
		return nil, fmt.Errorf("store: participants: %w", err)
	}
	defer rows.Close()
	var out []Participant
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

func insertParticipant(ctx context.Context, tx *sql.Tx, p Participant) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO participants
		(id, exercise_id, team_id, display_name, is_lead, joined_at, left_at, token_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.ExerciseID, p.TeamID, p.Name, p.Lead, unixNano(p.JoinedAt), nullTime(p.LeftAt), nullString(p.TokenHash))
	if isUniqueViolation(err) {
		return fmt.Errorf("store: add participant: %w", ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("store: add participant: %w", err)
	}
	return nil
}

func markLeft(ctx context.Context, tx *sql.Tx, exerciseID, id string, at time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE participants SET left_at = ? WHERE id = ? AND exercise_id = ?`,
		unixNano(at), id, exerciseID)
	if err != nil {
		return fmt.Errorf("store: participant left: %w", err)
	}
	return mustAffect(res, "participant left")
}

// setLead makes id the only lead of its team.
func setLead(ctx context.Context, tx *sql.Tx, exerciseID, id string) error {
	res, err := tx.ExecContext(ctx, `UPDATE participants SET is_lead = (id = ?)
		WHERE exercise_id = ? AND team_id = (SELECT team_id FROM participants WHERE id = ? AND exercise_id = ?)`,
		id, exerciseID, id, exerciseID)
	if err != nil {
		return fmt.Errorf("store: set lead: %w", err)
	}
	return mustAffect(res, "set lead")
}

func scanParticipant(row scanner) (Participant, error) {
	var p Participant
	var joined int64
	var left sql.NullInt64
	var token sql.NullString
	err := row.Scan(&p.ID, &p.ExerciseID, &p.TeamID, &p.Name, &p.Lead, &joined, &left, &token)
	if errors.Is(err, sql.ErrNoRows) {
		return Participant{}, fmt.Errorf("store: participant: %w", ErrNotFound)
	}
	if err != nil {
		return Participant{}, fmt.Errorf("store: participant: %w", err)
	}
	p.JoinedAt = fromUnixNano(joined)
	p.LeftAt = fromNullTime(left)
	p.TokenHash = token.String
	return p, nil
}
