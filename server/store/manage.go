package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// SetArchived archives an exercise at the given time (hidden from the
// default list) or, with a zero time, restores it.
func (s *Store) SetArchived(ctx context.Context, id string, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE exercises SET archived_at = ? WHERE id = ?`, nullTime(at), id)
		if err != nil {
			return fmt.Errorf("store: set archived: %w", err)
		}
		return mustAffect(res, "set archived")
	})
}

// DeleteExercise removes an exercise with its whole log, teams,
// participants and observers (their tokens stop working with them). The
// scenario row stays: other exercises may share it.
func (s *Store) DeleteExercise(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// participants reference teams, which cascade from the exercise
		// too; delete them first so the order never matters.
		for _, q := range []string{
			`DELETE FROM participants WHERE exercise_id = ?`,
			`DELETE FROM observers WHERE exercise_id = ?`,
			`DELETE FROM events WHERE exercise_id = ?`,
			`DELETE FROM teams WHERE exercise_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("store: delete exercise: %w", err)
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM exercises WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("store: delete exercise: %w", err)
		}
		return mustAffect(res, "delete exercise")
	})
}
