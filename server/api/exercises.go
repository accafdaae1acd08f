package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/hub"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/store"
)

// exerciseView is an exercise as the API shows it.
type exerciseView struct {
	ID        string            `json:"id"`
	Title     string            `json:"title"`
	Status    string            `json:"status"`
	Outcome   string            `json:"outcome,omitempty"`
	Params    map[string]string `json:"params,omitempty"` // facilitator only
	Join      *joinCodeResponse `json:"join,omitempty"`   // facilitator only
	CreatedAt time.Time         `json:"created_at"`
	StartedAt time.Time         `json:"started_at,omitzero"`
	EndedAt   time.Time         `json:"ended_at,omitzero"`
	Archived  bool              `json:"archived,omitempty"` // facilitator only
}

func (s *Server) viewOf(c *gin.Context, ex store.Exercise, staff bool) exerciseView {
	v := exerciseView{ID: ex.ID, Title: ex.Title, Status: ex.Status, Outcome: ex.Outcome,
		CreatedAt: ex.CreatedAt, StartedAt: ex.StartedAt, EndedAt: ex.EndedAt}
	if staff {
		v.Params = ex.Params
		v.Archived = !ex.ArchivedAt.IsZero()
		if ex.JoinCode != "" && ex.Status != store.StatusEnded {
			j := s.joinCodeOf(c, ex.JoinCode)
			v.Join = &j
		}
	}
	return v
}

func (s *Server) needEngine(c *gin.Context) bool {
	if s.engine == nil {
		fail(c, errUnavailable())
		return false
	}
	return true
}

func (s *Server) listExercises(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	f := store.ListFilter{Limit: 200, Archived: store.ArchivedNo}
	switch c.Query("archived") {
	case "":
	case "1":
		f.Archived = store.ArchivedOnly
	default:
		fail(c, errBadRequest("bad_archived", "archived must be 1 (list the archived exercises) or absent"))
		return
	}
	if st := c.Query("status"); st != "" {
		switch st {
		case store.StatusLobby, store.StatusRunning, store.StatusPaused, store.StatusEnded:
			f.Statuses = []string{st}
		default:
			fail(c, errBadRequest("bad_status", "status must be lobby, running, paused or ended"))
			return
		}
	}
	exs, err := s.engine.List(c.Request.Context(), f)
	if err != nil {
		fail(c, engineError(err))
		return
	}
	out := make([]exerciseView, 0, len(exs))
	for _, ex := range exs {
		out = append(out, s.viewOf(c, ex, true))
	}
	c.JSON(http.StatusOK, gin.H{"exercises": out})
}

type createRequest struct {
	Scenario string            `json:"scenario"` // library id
	Params   map[string]string `json:"params,omitempty"`
	Title    string            `json:"title,omitempty"`
}

// createExercise starts an exercise in the lobby from a library scenario
// and gives it a join code.
func (s *Server) createExercise(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	var req createRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if len(req.Params) > 100 {
		fail(c, errBadRequest("bad_params", "too many parameters"))
		return
	}
	for k, v := range req.Params {
		if len(k) > 100 || len(v) > 1000 {
			fail(c, errBadRequest("bad_params", "parameter names are at most 100 bytes and values 1000"))
			return
		}
	}
	ctx, cancel := withTimeout(c.Request.Context())
	defer cancel()
	entry, err := s.library.Get(ctx, req.Scenario)
	if errors.Is(err, store.ErrNotFound) {
		fail(c, errNotFound("scenario"))
		return
	}
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	s.createAndReply(ctx, c, engine.CreateInput{File: entry.File, Source: entry.Source(), Params: req.Params, Title: req.Title})
}

// createAndReply creates the exercise, gives it a join code and answers 201
// with the facilitator's view of it: one way for a new exercise and a
// re-run of an old one.
func (s *Server) createAndReply(ctx context.Context, c *gin.Context, in engine.CreateInput) {
	ex, err := s.engine.Create(ctx, in)
	if err != nil {
		fail(c, engineError(err))
		return
	}
	code, err := s.assignJoinCode(ctx, ex.ID)
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	ex.JoinCode = code
	c.JSON(http.StatusCreated, gin.H{"exercise": s.viewOf(c, ex, true)})
}

// teamView is a team as its members see it: the brief with parameters
// filled in.
type teamView struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Brief string `json:"brief,omitempty"`
}

// scenarioOf loads the exact scenario an exercise was created from.
func (s *Server) scenarioOf(ctx context.Context, ex store.Exercise) (*scenario.Scenario, error) {
	row, err := s.access.Scenario(ctx, ex.ScenarioID)
	if err != nil {
		return nil, err
	}
	sc, errs := s.library.Validate(row.Slug+".yaml", row.Source)
	if sc == nil {
		return nil, scenario.ErrorList(errs)
	}
	return sc, nil
}

// getExercise shows an exercise according to the caller's role: the full
// live state to facilitators; the state without facilitator-only parts to
// observers; to a participant, the exercise, their team and its brief.
func (s *Server) getExercise(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	id := identityOf(c)
	ctx, cancel := withTimeout(c.Request.Context())
	defer cancel()
	ex, err := s.engine.Get(ctx, c.Param("id"))
	if err != nil {
		fail(c, engineError(err))
		return
	}
	switch id.Role {
	case Participant:
		sc, err := s.scenarioOf(ctx, ex)
		if err != nil {
			fail(c, errInternal(err))
			return
		}
		var teams []teamView
		var mine teamView
		for _, t := range sc.Teams {
			teams = append(teams, teamView{ID: t.ID, Name: t.Name})
			if t.ID == id.Team {
				mine = teamView{ID: t.ID, Name: t.Name, Brief: scenario.Render(t.Brief, ex.Params)}
			}
		}
		// The exercise clock, so the page can count down decisions from
		// its first load (and after a reload) without replaying the log.
		snap, err := s.engine.Snapshot(ctx, ex.ID)
		if err != nil {
			fail(c, engineError(err))
			return
		}
		clock := clockView{At: snap.Clock, Speed: snap.Speed, Status: snap.Status, ServerTime: s.now().UTC()}
		c.JSON(http.StatusOK, gin.H{"exercise": s.viewOf(c, ex, false), "me": meOf(id), "team": mine, "teams": teams, "clock": clock,
			"world": worldInfoFor(sc, ex.Params, id.Team, snap.Sim.Delivered)})
	default:
		snap, err := s.engine.Snapshot(ctx, ex.ID)
		if err != nil {
			fail(c, engineError(err))
			return
		}
		var sc *scenario.Scenario // loaded for observers only
		if id.Role == Observer {
			snap.Decisions = slices.DeleteFunc(snap.Decisions, func(d engine.DecisionView) bool { return d.Team == scenario.FacilitatorTeam })
			fac := func(d sim.DecisionSnapshot) bool { return d.Team == scenario.FacilitatorTeam }
			snap.Sim.Open = slices.DeleteFunc(snap.Sim.Open, fac)
			snap.Sim.Settled = slices.DeleteFunc(snap.Sim.Settled, fac)
			// Observers learn which injects went out, but not that a
			// facilitator-only one exists. Ad-hoc injects are not in the
			// file, so their audience is unknown here: leave them out.
			if sc, err = s.scenarioOf(ctx, ex); err != nil {
				fail(c, errInternal(err))
				return
			}
			snap.Scheduled = slices.DeleteFunc(snap.Scheduled, func(s engine.ScheduledInject) bool {
				return slices.Contains(s.Inject.Teams, scenario.FacilitatorTeam)
			})
			snap.Sim.Delivered = slices.DeleteFunc(slices.Clone(snap.Sim.Delivered), func(injID string) bool {
				inj := sc.Inject(injID)
				return inj == nil || (len(inj.Teams) > 0 && !slices.ContainsFunc(inj.Teams, func(t string) bool { return t != scenario.FacilitatorTeam }))
			})
		}
		out := gin.H{"exercise": s.viewOf(c, ex, id.Role == Facilitator), "snapshot": snap,
			"online": s.presence.online(ex.ID)}
		if sc != nil {
			// Observers tag notes with objectives; the scenario route is
			// the facilitator's, so give them the titles here.
			objs := make([]objectiveView, 0, len(sc.Objectives))
			for _, o := range sc.Objectives {
				objs = append(objs, objectiveView{ID: o.ID, Title: scenario.Render(o.Title, ex.Params), Teams: o.Teams})
			}
			out["objectives"] = objs
		}
		c.JSON(http.StatusOK, out)
	}
}

// exerciseScenario returns the exercise's scenario model (states, notes,
// graph material) to the facilitator.
func (s *Server) exerciseScenario(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	_, sc, e := s.exerciseWithScenario(c.Request.Context(), c.Param("id"))
	if e != nil {
		fail(c, e)
		return
	}
	c.JSON(http.StatusOK, gin.H{"scenario": sc})
}

// Event paging.
const (
	defaultEventPage = 100
	maxEventPage     = 1000
)

// exerciseEvents pages through the log by sequence number: after is the
// last seq the client has, and the response's next_after is where the next
// page starts. Events the caller's role may not see are skipped, so a page
// may hold fewer than limit events while more remains.
func (s *Server) exerciseEvents(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	after, limit := int64(0), defaultEventPage
	if v := c.Query("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fail(c, errBadRequest("bad_after", "after must be a sequence number >= 0"))
			return
		}
		after = n
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxEventPage {
			fail(c, errBadRequest("bad_limit", "limit must be 1 to 1000"))
			return
		}
		limit = n
	}
	id := identityOf(c)
	ctx, cancel := withTimeout(c.Request.Context())
	defer cancel()
	evs, err := s.engine.Events(ctx, c.Param("id"), after, limit)
	if err != nil {
		fail(c, engineError(err))
		return
	}
	// A full page may or may not be the end: look one event further. (Not
	// by asking for limit+1: the log caps a read at its own page size, and
	// a capped peek would say "no more" at the documented maximum.)
	more := false
	if len(evs) == limit {
		peek, err := s.engine.Events(ctx, c.Param("id"), evs[len(evs)-1].Seq, 1)
		if err != nil {
			fail(c, engineError(err))
			return
		}
		more = len(peek) > 0
	}
	out := make([]json.RawMessage, 0, len(evs))
	next := after
	for _, ev := range evs {
		next = ev.Seq
		if visibleTo(ev, id.Role, id.Team) {
			out = append(out, encodeEvent(ev, id.Role == Facilitator))
		}
	}
	resp := gin.H{"events": out, "next_after": next, "more": more}
	if more {
		resp["next"] = "/api/exercises/" + c.Param("id") + "/events?after=" + strconv.FormatInt(next, 10) + "&limit=" + strconv.Itoa(limit)
	}
	c.JSON(http.StatusOK, resp)
}

// restMessage turns a REST body into the client message of the given type,
// so that REST and WebSocket commands share one decoder and validator. The
// body must not carry "type" or "id"; answers carry their idempotency key
// as "client_id". A command's body has a WebSocket message's limit; an
// empty body stands for {} where that is a valid command (start, end…)
// and is bad_json elsewhere, as an empty WebSocket message is.
func (s *Server) restMessage(c *gin.Context, typ string) (ClientMessage, *Error) {
	if c.Request.ContentLength > maxClientMessage {
		return ClientMessage{}, errTooLarge(maxClientMessage)
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxClientMessage))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return ClientMessage{}, errTooLarge(mbe.Limit)
		}
		return ClientMessage{}, errBadRequest("bad_body", "could not read the request body")
	}
	top := map[string]json.RawMessage{}
	empty := len(bytes.TrimSpace(raw)) == 0
	if !empty {
		if err := json.Unmarshal(raw, &top); err != nil || top == nil {
			return ClientMessage{}, errBadRequest("bad_json", "request body must be a JSON object")
		}
	}
	for _, k := range []string{"type", "id"} {
		if _, ok := top[k]; ok {
			return ClientMessage{}, errBadRequest("bad_field", "unknown field \""+k+"\"")
		}
	}
	if typ == msgAnswer {
		cid, ok := top["client_id"]
		if !ok && empty {
			return ClientMessage{}, errBadRequest("bad_json", "request body must be a JSON object")
		}
		if !ok {
			return ClientMessage{}, errBadRequest("bad_id", "client_id is required: a key you choose, so that a retry is not counted twice")
		}
		delete(top, "client_id")
		top["id"] = cid
	} else if cid, ok := top["client_id"]; ok && (isWorldType(typ) || isEvalType(typ)) {
		// World and evaluation commands are idempotent by client_id, as answers.
		delete(top, "client_id")
		top["id"] = cid
	} else if key := c.GetHeader("Idempotency-Key"); key != "" && (typ == msgInject || typ == msgExtendDecision || typ == msgScheduleInject || isWorldType(typ) || isEvalType(typ)) {
		// The request id of the commands that must not apply twice: a
		// retry with the same key is acknowledged without effect.
		top["id"], _ = json.Marshal(key)
	} else {
		top["id"], _ = json.Marshal("rest-" + newID(""))
	}
	top["type"], _ = json.Marshal(typ)
	b, err := json.Marshal(top)
	if err != nil {
		return ClientMessage{}, errBadRequest("bad_json", "request body must be a JSON object")
	}
	m, perr := decodeClientMessage(b, false)
	if perr != nil && empty {
		return ClientMessage{}, errBadRequest("bad_json", "request body must be a JSON object")
	}
	if perr != nil {
		return ClientMessage{}, &Error{Status: http.StatusBadRequest, Code: perr.Code, Message: perr.Message}
	}
	return m, nil
}

// command serves one REST command through the same path as WebSocket
// messages.
func (s *Server) command(typ string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.needEngine(c) {
			return
		}
		m, ack, err := s.runCommand(identityOf(c), c.Param("id"), func() (ClientMessage, *Error) { return s.restMessage(c, typ) })
		if err != nil {
			fail(c, engineError(err))
			return
		}
		switch typ {
		case msgAnswer:
			c.JSON(http.StatusOK, gin.H{"client_id": m.ID, "seq": ack.Seq, "duplicate": ack.Duplicate})
		case msgNote:
			c.JSON(http.StatusCreated, gin.H{"seq": ack.Seq})
		case msgSkip:
			c.JSON(http.StatusOK, gin.H{"clock": ack.Clock})
		case msgScheduleInject:
			c.JSON(http.StatusOK, gin.H{"schedule": ack.Schedule})
		case msgChat, msgReceipt, msgDraft, msgDiscardDraft, msgRequestApproval, msgApprove, msgReject, msgSend, msgPersonaSend:
			worldReply(c, m, ack)
		case msgRating, msgCorrectiveAction:
			evalReply(c, m, ack)
		default:
			c.JSON(http.StatusOK, gin.H{"ok": true})
		}
	}
}

// report is everything the after-action report is built from: the
// exercise, its final or current state, its scenario and the whole log.
func (s *Server) report(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), time.Minute)
	defer cancel()
	b, e := s.exerciseBundle(ctx, c.Param("id"), nil) // the log also for the world section and the evaluation
	if e != nil {
		fail(c, e)
		return
	}
	events := make([]json.RawMessage, 0, len(b.log))
	for _, ev := range b.log {
		events = append(events, encodeEvent(ev, true))
	}
	receipts, err := s.engine.Receipts(ctx, b.ex.ID)
	if err != nil {
		fail(c, engineError(err))
		return
	}
	names := map[string]string{}
	for _, p := range b.snap.Participants {
		names[p.ID] = p.Name
	}
	evaluation, err := b.evaluate()
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"exercise": s.viewOf(c, b.ex, true), "snapshot": b.snap, "scenario": b.sc, "events": events,
		"world": buildWorldReport(b.log, names), "receipts": receipts, "evaluation": evaluation})
}

// removeParticipant takes a participant out of the exercise: their token
// stops working and their sockets close at once.
func (s *Server) removeParticipant(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	ex, pid := c.Param("id"), c.Param("pid")
	if err := s.engine.Leave(c.Request.Context(), ex, pid); err != nil {
		fail(c, engineError(err))
		return
	}
	s.closeSockets(func(id *Identity) bool { return id.Role == Participant && id.SubjectID == pid && id.ExerciseID == ex },
		hub.CloseAccessRevoked, "removed from the exercise")
	c.Status(http.StatusNoContent)
}

// clockView is the exercise clock as read at ServerTime: At advances at Speed
// while Status is running.
type clockView struct {
	At         time.Duration `json:"at"`
	Speed      float64       `json:"speed"`
	Status     string        `json:"status"`
	ServerTime time.Time     `json:"server_time"`
}

// objectiveView is an objective as observers see it.
type objectiveView struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Teams []string `json:"teams,omitempty"`
}
