package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// InjectTemplate is an ad-hoc inject a facilitator saved for a scenario.
type InjectTemplate struct {
	ID        int64
	AccountID int64
	Scenario  string // scenario slug
	Name      string
	Inject    json.RawMessage
	CreatedAt time.Time
}

// PutInjectTemplate saves a template; one with the same name for the same
// account and scenario is replaced. It returns the template's id.
func (s *Store) PutInjectTemplate(ctx context.Context, t InjectTemplate) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO inject_templates (account_id, scenario, name, inject, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account_id, scenario, name) DO UPDATE SET inject = excluded.inject, created_at = excluded.created_at
			RETURNING id`, t.AccountID, t.Scenario, t.Name, string(t.Inject), unixNano(t.CreatedAt)).Scan(&id)
		if err != nil {
			return fmt.Errorf("store: put inject template: %w", err)
		}
		return nil
	})
	return id, err
}

// InjectTemplates lists an account's templates for a scenario, by name.
func (s *Store) InjectTemplates(ctx context.Context, accountID int64, scenario string) ([]InjectTemplate, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, account_id, scenario, name, inject, created_at FROM inject_templates
		WHERE account_id = ? AND scenario = ? ORDER BY name`, accountID, scenario)
	if err != nil {
		return nil, fmt.Errorf("store: inject templates: %w", err)
	}
	defer rows.Close()
	var out []InjectTemplate
	for rows.Next() {
		var t InjectTemplate
		var inject string
		var created int64
		if err := rows.Scan(&t.ID, &t.AccountID, &t.Scenario, &t.Name, &inject, &created); err != nil {
			return nil, fmt.Errorf("store: inject templates: %w", err)
		}
		t.Inject = json.RawMessage(inject)
		t.CreatedAt = fromUnixNano(created)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: inject templates: %w", err)
	}
	return out, nil
}

// DeleteInjectTemplate removes one of an account's templates; another
// account's id is ErrNotFound.
func (s *Store) DeleteInjectTemplate(ctx context.Context, accountID, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM inject_templates WHERE id = ? AND account_id = ?`, id, accountID)
		if err != nil {
			return fmt.Errorf("store: delete inject template: %w", err)
		}
		return mustAffect(res, "delete inject template")
	})
}
