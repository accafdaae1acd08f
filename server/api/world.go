package api

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/scenario"
)

// Teams acting in the world: the client messages (and their REST mirrors)
// for chat, receipts, drafts and approvals, and messages said in the
// world. Every one goes through runCommand like the others.

// Client message types of the world.
const (
	msgChat            = "chat"
	msgReceipt         = "receipt"
	msgDraft           = "draft"
	msgDiscardDraft    = "discard_draft"
	msgRequestApproval = "request_approval"
	msgApprove         = "approve"
	msgReject          = "reject"
	msgSend            = "send"
	msgPersonaSend     = "persona_send"
)

// WorldMsg is the body of every world message; messageKeys says which of
// its fields each type accepts.
type WorldMsg struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Room    string `json:"room,omitempty"`
	Seq     int64  `json:"seq,omitempty"`
	Opened  bool   `json:"opened,omitempty"`
	Draft   string `json:"draft,omitempty"`
	Version int    `json:"version,omitempty"`
	Comment string `json:"comment,omitempty"`
	Action  string `json:"action,omitempty"`
	Outlet  string `json:"outlet,omitempty"`
	Persona string `json:"persona,omitempty"`
	Inject  string `json:"inject,omitempty"`
	Thread  string `json:"thread,omitempty"`
	Team    string `json:"team,omitempty"`
	Title   string `json:"title,omitempty"`
	Body    string `json:"body,omitempty"`
	Canned  string `json:"canned,omitempty"`
}

// check validates shapes: required fields and the length of ids. Text
// lengths (in characters) and meaning are the engine's.
func (w *WorldMsg) check(typ string) string {
	for _, f := range []struct{ name, v string }{{"room", w.Room}, {"draft", w.Draft}, {"action", w.Action},
		{"outlet", w.Outlet}, {"persona", w.Persona}, {"inject", w.Inject}, {"thread", w.Thread}, {"team", w.Team}, {"canned", w.Canned}} {
		if len(f.v) > engine.MaxRefLen {
			return f.name + " is longer than 100 bytes"
		}
	}
	switch typ {
	case msgChat:
		if w.Room == "" {
			return "room is required"
		}
		if strings.TrimSpace(w.Body) == "" {
			return "body is required"
		}
	case msgReceipt:
		if w.Seq < 1 {
			return "seq must be the inject's event seq"
		}
	case msgDraft:
		if w.Action == "" {
			return "action is required"
		}
	case msgDiscardDraft, msgRequestApproval:
		if w.Draft == "" {
			return "draft is required"
		}
	case msgApprove, msgReject:
		if w.Draft == "" {
			return "draft is required"
		}
		if w.Version < 1 {
			return "version is required: the draft's version you read"
		}
	case msgSend:
		if w.Draft == "" && w.Action == "" {
			return "give a draft, or an action and its content"
		}
	case msgPersonaSend:
		if w.Persona == "" || w.Team == "" || w.Thread == "" {
			return "persona, team and thread are required: a persona answers in a team's thread"
		}
		if strings.TrimSpace(w.Body) == "" && w.Canned == "" {
			return "give a body or a canned reply"
		}
	}
	return ""
}

// isWorldType reports whether typ is one of the world's message types.
func isWorldType(typ string) bool {
	switch typ {
	case msgChat, msgReceipt, msgDraft, msgDiscardDraft, msgRequestApproval, msgApprove, msgReject, msgSend, msgPersonaSend:
		return true
	}
	return false
}

// actorOf is who sends a command, for the engine.
func actorOf(id *Identity) engine.Actor {
	if id.Role == Facilitator {
		return engine.Actor{Name: id.Name}
	}
	return engine.Actor{Participant: id.SubjectID}
}

// applyWorld authorises a world message by role and applies it; the
// engine checks teams, rooms, drafts and the scenario's rules.
func (s *Server) applyWorld(ctx context.Context, id *Identity, ex string, m ClientMessage) (ackFrame, error) {
	w, e, role := m.World, s.engine, id.Role
	allowed := map[string][]Role{
		msgChat:            {Participant, Facilitator},
		msgReceipt:         {Participant},
		msgDraft:           {Participant},
		msgDiscardDraft:    {Participant},
		msgRequestApproval: {Participant},
		msgApprove:         {Participant, Facilitator},
		msgReject:          {Participant, Facilitator},
		msgSend:            {Participant},
		msgPersonaSend:     {Facilitator},
	}[m.Type]
	ok := false
	for _, r := range allowed {
		ok = ok || r == role
	}
	if !ok {
		return ackFrame{}, &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "not allowed for your role"}
	}
	var ack engine.WorldAck
	var err error
	switch m.Type {
	case msgChat:
		ack, err = e.Chat(ctx, ex, actorOf(id), engine.ChatInput{ClientID: m.ID, Room: w.Room, Body: w.Body})
	case msgReceipt:
		ack, err = e.Receipt(ctx, ex, id.SubjectID, engine.ReceiptInput{Seq: w.Seq, Opened: w.Opened})
	case msgDraft:
		ack, err = e.SaveDraft(ctx, ex, id.SubjectID, engine.DraftInput{ClientID: m.ID, Draft: w.Draft, Action: w.Action,
			Outlet: w.Outlet, Persona: w.Persona, Inject: w.Inject, Thread: w.Thread, Title: w.Title, Body: w.Body})
	case msgDiscardDraft, msgRequestApproval, msgApprove, msgReject:
		do := map[string]string{msgDiscardDraft: engine.DraftDiscard, msgRequestApproval: engine.DraftRequest,
			msgApprove: engine.DraftApprove, msgReject: engine.DraftReject}[m.Type]
		ack, err = e.Draft(ctx, ex, actorOf(id), engine.DraftCommand{ClientID: m.ID, Draft: w.Draft, Do: do, Version: w.Version, Comment: w.Comment})
	case msgSend, msgPersonaSend:
		ack, err = e.Send(ctx, ex, actorOf(id), engine.SendInput{ClientID: m.ID, Draft: w.Draft, Action: w.Action, Outlet: w.Outlet,
			Persona: w.Persona, Inject: w.Inject, Thread: w.Thread, Title: w.Title, Body: w.Body, Team: w.Team, Canned: w.Canned})
	}
	return ackFrame{Seq: ack.Seq, Duplicate: ack.Duplicate, Draft: ack.Draft, Version: ack.Version, Message: ack.Message, Thread: ack.Thread}, err
}

// worldReply answers a REST world command: what the WebSocket ack says.
func worldReply(c *gin.Context, m ClientMessage, ack ackFrame) {
	out := gin.H{"client_id": m.ID, "duplicate": ack.Duplicate}
	if ack.Seq != 0 {
		out["seq"] = ack.Seq
	}
	if ack.Draft != "" {
		out["draft"], out["version"] = ack.Draft, ack.Version
	}
	if ack.Message != "" {
		out["message"], out["thread"] = ack.Message, ack.Thread
	}
	c.JSON(http.StatusOK, out)
}

// receipts serves GET /api/exercises/:id/receipts: per delivered inject and
// per team, who received and who opened it (staff).
func (s *Server) receipts(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	ctx, cancel := withTimeout(c.Request.Context())
	defer cancel()
	rs, err := s.engine.Receipts(ctx, c.Param("id"))
	if err != nil {
		fail(c, engineError(err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"injects": rs})
}

// canned serves GET /api/exercises/:id/canned?team=&thread=: the canned
// replies the facilitator may send as the persona of a team's thread.
func (s *Server) canned(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	team, thread := c.Query("team"), c.Query("thread")
	if team == "" || thread == "" || len(team) > engine.MaxRefLen || len(thread) > engine.MaxRefLen {
		fail(c, errBadRequest("invalid", "team and thread are required"))
		return
	}
	ctx, cancel := withTimeout(c.Request.Context())
	defer cancel()
	offers, err := s.engine.Canned(ctx, c.Param("id"), team, thread)
	if err != nil {
		fail(c, engineError(err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"canned": offers})
}

// worldInfo is what the scenario lets a participant's team do in the
// world, for its composer: the outlets it publishes on or approves for,
// the personas it may write to, the teams it has a chat line with, and
// the injects delivered so far that take its replies (not the ones still
// to come: that would tell the story ahead).
type worldInfo struct {
	Outlets  []worldOutlet  `json:"outlets"`
	Personas []worldPersona `json:"personas"`
	Lines    []string       `json:"lines"`
	Replies  []string       `json:"replies"`
}

type worldOutlet struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Channel  string   `json:"channel"`
	Platform string   `json:"platform,omitempty"`
	Approval string   `json:"approval,omitempty"`
	Teams    []string `json:"teams"`
}

type worldPersona struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Via  string `json:"via"`
}

func worldInfoFor(sc *scenario.Scenario, params map[string]string, team string, delivered []string) worldInfo {
	w := worldInfo{Outlets: []worldOutlet{}, Personas: []worldPersona{}, Lines: []string{}, Replies: []string{}}
	for _, o := range sc.Outlets {
		if o.PublishedBy(team) || o.Approval == team {
			w.Outlets = append(w.Outlets, worldOutlet{ID: o.ID, Name: scenario.Render(o.Name, params), Channel: string(o.Channel),
				Platform: scenario.Render(o.Platform, params), Approval: o.Approval, Teams: o.Teams})
		}
	}
	for _, p := range sc.Personas {
		if p.ReachableBy(team) {
			w.Personas = append(w.Personas, worldPersona{ID: p.ID, Name: scenario.Render(p.Name, params), Via: string(p.ViaChannel())})
		}
	}
	for _, t := range sc.Teams {
		if t.ID != team && sc.HasLine(team, t.ID) {
			w.Lines = append(w.Lines, t.ID)
		}
	}
	for _, id := range delivered {
		if in := sc.Inject(id); in != nil && in.TakesReplyFrom(team) && !slices.Contains(w.Replies, id) {
			w.Replies = append(w.Replies, id)
		}
	}
	return w
}
