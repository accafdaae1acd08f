package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/store"
)

// MovePayload is the payload of participant_moved: who moved, from which
// team to which, and whether they lead the new team. The old team's new
// lead, if any, follows as a lead_changed to the old team.
type MovePayload struct {
	Participant string `json:"participant"`
	Name        string `json:"name"`
	From        string `json:"from"`
	To          string `json:"to"`
	Lead        bool   `json:"lead,omitempty"`
}

// audience: both teams hear of a move (and staff, who see everything).
func (p MovePayload) audience() []string { return []string{p.From, p.To} }

// Move puts a present participant in another team, on the facilitator's
// order, in the lobby or while the exercise runs or is paused. They lead
// the new team only if it has no present lead; if they led the old team,
// its lead passes as when a lead leaves (to the first present member by
// join order) or becomes none. Answers already given stay as they were:
// from the move on the engine takes the participant's answers for the new
// team's decisions only. Moving to the team they are in changes nothing.
func (e *Engine) Move(ctx context.Context, exerciseID, participantID, team string) error {
	_, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return nil, l.move(now, participantID, team) })
	return err
}

func (l *loop) move(now time.Time, pid, to string) error {
	if l.status == store.StatusEnded {
		return fmt.Errorf("%w: exercise %s", ErrEnded, l.id)
	}
	p := l.participant(pid)
	if p == nil {
		return fmt.Errorf("%w: participant %q", ErrNotFound, pid)
	}
	if !p.LeftAt.IsZero() {
		return fmt.Errorf("%w: participant %q has left", ErrConflict, pid)
	}
	if to == scenario.FacilitatorTeam || l.sc.Team(to) == nil {
		return fmt.Errorf("%w: team %q", ErrNotFound, to)
	}
	from := p.TeamID
	if to == from {
		return nil
	}
	lead := true
	var next *store.Participant
	for _, q := range l.parts {
		if q == p || !q.LeftAt.IsZero() {
			continue
		}
		if q.TeamID == to && q.Lead {
			lead = false
		}
		if p.Lead && next == nil && q.TeamID == from {
			next = q
		}
	}
	at := l.clockAt(now)
	mp := MovePayload{Participant: pid, Name: p.Name, From: from, To: to, Lead: lead}
	evs := []Event{{Kind: KindMoved, WallTime: now, ExerciseTime: at, Audience: mp.audience(), Payload: mustJSON(mp)}}
	c := store.Commit{Move: &store.Move{Participant: pid, Team: to, Lead: lead}}
	if next != nil {
		c.LeadChange = next.ID
		evs = append(evs, Event{Kind: KindLeadChanged, WallTime: now, ExerciseTime: at, Audience: team(from),
			Payload: mustJSON(participantPayload{Participant: next.ID, Team: from, Name: next.Name, Lead: true})})
	}
	if _, err := l.commit(now, evs, c); err != nil {
		return err
	}
	p.TeamID, p.Lead = to, lead
	if next != nil {
		l.applyLead(next)
	}
	return nil
}
