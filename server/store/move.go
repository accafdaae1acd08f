package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Move puts a participant in another team of the same exercise, as its
// lead or not. The old team's lead, if it changes, is a LeadChange of the
// same commit.
type Move struct {
	Participant string
	Team        string
	Lead        bool
}

func moveParticipant(ctx context.Context, tx *sql.Tx, exerciseID string, m Move) error {
	res, err := tx.ExecContext(ctx, `UPDATE participants SET team_id = ?, is_lead = ? WHERE id = ? AND exercise_id = ?`,
		m.Team, m.Lead, m.Participant, exerciseID)
	if err != nil {
		return fmt.Errorf("store: move participant: %w", err)
	}
	return mustAffect(res, "move participant")
}
