package api

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/hub"
)

// moveRequest is the body of POST /participants/:pid/move.
type moveRequest struct {
	Team string `json:"team"`
}

// moveParticipant puts a participant in another team, on the facilitator's
// order (the route is the facilitator's). The engine logs
// participant_moved to both teams; the publisher switches the
// participant's open sockets to the new team at that event.
func (s *Server) moveParticipant(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	var req moveRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.Team == "" || len(req.Team) > 100 {
		fail(c, errBadRequest("invalid", "team is required"))
		return
	}
	ctx, cancel := withTimeout(c.Request.Context())
	defer cancel()
	if err := s.engine.Move(ctx, c.Param("id"), c.Param("pid"), req.Team); err != nil {
		fail(c, engineError(err))
		return
	}
	c.Status(http.StatusNoContent)
}

// connWalker is the part of the hub the publisher needs to find a moved
// participant's connections; *hub.Hub implements it.
type connWalker interface {
	Each(match func(hub.Session) bool, f func(*hub.Conn)) int
}

// moved switches the connections of the participant an event moved to the
// new team's topic. Publish calls it after the move's own frames are queued
// and before any later event's, so each connection gets the old team's
// frames up to the move and the new team's from then on.
func (p *Publisher) moved(exerciseID string, ev engine.Event) {
	w, ok := p.hub.(connWalker)
	if !ok {
		return
	}
	var mp engine.MovePayload
	if err := json.Unmarshal(ev.Payload, &mp); err != nil || mp.Participant == "" {
		p.log.Error("publisher: unreadable participant_moved", "exercise", exerciseID, "seq", ev.Seq)
		return
	}
	w.Each(func(hs hub.Session) bool {
		ws, ok := hs.(*wsSession)
		return ok && ws.ex == exerciseID && ws.id.Role == Participant && ws.id.SubjectID == mp.Participant
	}, func(c *hub.Conn) {
		ws, ok := c.Session().(*wsSession)
		if ok {
			ws.moveTo(c, ev.Seq, mp.To)
		}
	})
}

// movedIn reports whom a participant_moved event moved and where.
func movedIn(ev engine.Event) (engine.MovePayload, bool) {
	if ev.Kind != engine.KindMoved {
		return engine.MovePayload{}, false
	}
	var mp engine.MovePayload
	if err := json.Unmarshal(ev.Payload, &mp); err != nil {
		return engine.MovePayload{}, false
	}
	return mp, true
}

// moveTo puts the connection in team to, as of the move logged at seq: it
// leaves the old team's topic and joins the new one's (one step, so no
// frame of the exercise falls between), later frames and the rest of a
// replay are filtered for the new team, and presence counts it there. A
// move at or before one already applied changes nothing: the publisher and
// a replay racing with it may both report the same move.
func (ws *wsSession) moveTo(c *hub.Conn, seq int64, to string) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if seq <= ws.movedAt {
		return
	}
	ws.movedAt = seq
	from := ws.id.Team
	if from == to {
		return
	}
	c.Switch(topicTeam(ws.ex, from), topicTeam(ws.ex, to))
	ws.id.Team = to
	if ws.present {
		ws.s.presence.moved(ws.ex, ws.id.SubjectID, to)
	}
}

// moved counts an online participant in their new team.
func (p *presence) moved(ex, participant, to string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.ex[ex]
	if e == nil {
		return
	}
	pe := e.people[participant]
	if pe == nil || pe.team == to {
		return
	}
	from := pe.team
	e.online[from]--
	if e.online[from] <= 0 {
		delete(e.online, from)
	}
	e.online[to]++
	pe.team = to
	e.teamsDiff[from] = true
	p.note(ex, e, presenceFrame{Participant: participant, Name: pe.name, Team: to, Online: true, Status: pe.status}, true)
}
