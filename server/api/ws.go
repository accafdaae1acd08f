package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/hub"
)

// replayPage is how many log events one backlog read fetches.
const replayPage = 500

// Message limits, per identity across its connections and on top of the
// hub's read throttling: msgBurst messages at once, msgRate per second after
// that. Excess messages are dropped with an error frame (at most one per
// second); floodClose drops within floodWindow close the connection with
// 1008. The hub reads at most 20 a second, so a flood never makes
// consecutive drops: counting them in a window is what catches it. An
// identity may open connectBurst connections at once, then
// connectsPerMinute a minute: a browser reconnecting with back-off never
// meets the limit, a redial loop does.
const (
	msgRate           = 10
	msgBurst          = 20
	floodClose        = 50
	floodWindow       = 10 * time.Second
	connectBurst      = 20
	connectsPerMinute = 60
)

// websocket serves GET /api/ws?exercise=ID&after=SEQ. The request is
// authenticated (cookie session, or a token in the subprotocol, the
// Authorization header or ?token=) and authorised for the exercise before
// the upgrade: nothing unauthenticated ever gets a 101.
func (s *Server) websocket(c *gin.Context) {
	w, r := c.Writer, c.Request
	// Refusals use the one error shape, like every other route.
	refuse := func(e *Error) { fail(c, e) }
	if s.hub == nil || s.engine == nil {
		refuse(&Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "live exercises are not available"})
		return
	}
	if !s.origins.Allowed(r) {
		if s.metrics != nil {
			s.metrics.WebSocketErrors.With("origin").Inc()
		}
		refuse(errCrossOrigin())
		return
	}
	id := identityOf(c)
	switch {
	case id.Role == Anonymous:
		refuse(errUnauthorized())
		return
	case id.Role == Facilitator && id.MustChangePassword:
		refuse(&Error{Status: http.StatusForbidden, Code: "password_change_required", Message: "change the generated password first"})
		return
	}
	exID := c.Query("exercise")
	if exID == "" || len(exID) > 64 {
		refuse(errBadRequest("invalid", "exercise is required"))
		return
	}
	if id.Role != Facilitator && id.ExerciseID != exID {
		refuse(errForbidden("this token belongs to another exercise"))
		return
	}
	after := int64(0)
	if v := c.Query("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			refuse(errBadRequest("invalid", "after must be a sequence number >= 0"))
			return
		}
		after = n
	}
	ctx, cancel := withTimeout(r.Context())
	defer cancel()
	if err := s.engine.Exists(ctx, exID); err != nil {
		if errors.Is(err, engine.ErrNotFound) {
			refuse(errNotFound("exercise")) // not the engine's wording
			return
		}
		refuse(engineError(err))
		return
	}

	key := id.limitKey()
	if ok, wait := s.limits.Connects.Allow(key); !ok {
		refuse(&Error{Status: http.StatusTooManyRequests, Code: "rate_limited",
			Message: "too many connections; try again later", retryAfter: wait})
		return
	}
	s.limits.Connects.Fail(key) // every upgrade spends a token

	sess := &wsSession{s: s, id: *id, ex: exID, topics: topicsFor(id, exID)}
	conn, err := s.hub.Serve(w, r, sess)
	if err != nil {
		if s.metrics != nil {
			kind := "upgrade"
			if errors.Is(err, hub.ErrOriginNotAllowed) {
				kind = "origin"
			}
			s.metrics.WebSocketErrors.With(kind).Inc()
		}
		if !errors.Is(err, hub.ErrOriginNotAllowed) && !errors.Is(err, hub.ErrHubClosed) {
			s.log.WarnContext(r.Context(), "websocket upgrade", slog.Any("error", err))
		}
		c.Abort()
		return
	}
	// The connection is subscribed and holds live frames while the backlog
	// is read and sent. Replay runs here, in the handler's goroutine.
	rctx, rcancel := context.WithTimeout(context.Background(), time.Minute)
	defer rcancel()
	first, err := s.engine.Events(rctx, exID, after, replayPage)
	reset := false
	if errors.Is(err, engine.ErrInvalid) {
		// The client's position is beyond this log (another database, a
		// restore): tell it to drop its state, and replay from the start.
		reset = true
		first, err = s.engine.Events(rctx, exID, 0, replayPage)
	}
	hello := helloFrame{Type: "hello", Protocol: Subprotocol, Exercise: exID, Role: id.Role.String(), Team: id.Team,
		Subject: id.SubjectID, After: after, Reset: reset, ServerTime: s.now().UTC().Format(time.RFC3339Nano)}
	if reset {
		hello.After = 0
	}
	conn.Send(hub.NewDirectFrame(0, mustFrame(hello)))
	if err != nil {
		s.log.WarnContext(r.Context(), "websocket replay", slog.String("exercise", exID), slog.Any("error", err))
		conn.Close(hub.CloseInternalError, "could not read the log")
		return
	}
	last := hello.After
	page := first
	// The replay filters each event for the team the participant was in
	// at that event.
	view := *id
	for {
		frames := make([]*hub.Frame, 0, len(page))
		for _, ev := range page {
			if mp, ok := movedIn(ev); ok && id.Role == Participant && mp.Participant == id.SubjectID {
				// A move the publisher may have applied before this
				// connection was registered: from here on, the new team.
				sess.moveTo(conn, ev.Seq, mp.To)
				view.Team = mp.To
			}
			if f := frameFor(ev, &view); f != nil {
				frames = append(frames, f)
			}
			last = ev.Seq
		}
		if err := conn.Replay(frames); err != nil {
			return // closed meanwhile
		}
		if len(page) < replayPage {
			break
		}
		if page, err = s.engine.Events(rctx, exID, last, replayPage); err != nil {
			conn.Close(hub.CloseInternalError, "could not read the log")
			return
		}
	}
	gone := false // the exercise ended longer than the grace period ago
	if s.endings != nil {
		// Checked once the connection is registered (and after the
		// replay, which the client is waiting for): a close that fires
		// from now on finds it, one that fired before shows here.
		if gone, err = s.endings.expired(rctx, s.engine, exID); err != nil {
			s.log.WarnContext(r.Context(), "websocket: exercise end", slog.String("exercise", exID), slog.Any("error", err))
		}
	}
	conn.Send(hub.NewDirectFrame(0, mustFrame(liveFrame{Type: "live", LastSeq: last})))
	if id.Role == Facilitator && s.disk != nil {
		// Before the held frames: a change since the subscription comes after.
		if f := s.disk.fullFrame(); f != nil {
			conn.Send(f)
		}
	}
	if err := conn.Live(); err != nil {
		return
	}
	if gone {
		// The log, then 4501: nothing live will follow.
		conn.CloseWhenDrained(hub.CloseStreamEnded, endReason)
		return
	}
	if id.Role == Participant {
		s.presence.connected(sess, conn)
	}
}

// wsSession is the API's side of one connection: who it is, what it may
// see, and how its messages are handled.
type wsSession struct {
	s      *Server
	id     Identity // a copy: only Team changes, when the participant is moved (moveTo)
	ex     string
	topics []string

	// Used only from the connection's reader goroutine.
	dropped   int       // drops since droppedAt
	droppedAt time.Time // start of the flood window

	mu      sync.Mutex
	present bool  // counted in presence
	movedAt int64 // seq of the last participant_moved applied (moveTo); id.Team is guarded by mu
}

func (ws *wsSession) Topics() []string { return ws.topics }

func (ws *wsSession) OnClose(c *hub.Conn) {
	if ws.id.Role == Participant {
		ws.s.presence.disconnected(ws)
	}
	if m := ws.s.metrics; m != nil {
		code, _ := c.CloseStatus()
		if k := closeKind(code); k != "" {
			m.WebSocketErrors.With(k).Inc()
		}
	}
}

func (ws *wsSession) sendError(c *hub.Conn, id, code, msg string) {
	c.Send(hub.NewDirectFrame(0, mustFrame(errorFrame{Type: "error", ID: id, Code: code, Message: msg})))
}

// OnMessage handles one client frame through runCommand, the door every
// command passes. Malformed, unauthorised or over-budget messages get an
// error frame naming the message; the connection stays open, except that
// floodClose drops within floodWindow close it with 1008.
func (ws *wsSession) OnMessage(c *hub.Conn, data []byte) {
	m, ack, err := ws.s.runCommand(&ws.id, ws.ex, wsDecoder(data))
	if err != nil {
		ae := engineError(err)
		if ae.Code == codeRateLimited {
			now := ws.s.now()
			if now.Sub(ws.droppedAt) >= floodWindow {
				ws.droppedAt, ws.dropped = now, 0
			}
			ws.dropped++
			if ws.dropped >= floodClose {
				c.Close(hub.ClosePolicyViolation, "message flood")
				return
			}
		}
		if ae.Status >= 500 && ae.Code == "internal" {
			ws.s.log.Error("websocket message", slog.String("type", m.Type), slog.String("exercise", ws.ex), slog.Any("error", err))
		}
		ws.sendError(c, m.ID, ae.Code, ae.Message)
		return
	}
	ack.Type, ack.ID = "ack", m.ID
	c.Send(hub.NewDirectFrame(0, mustFrame(ack)))
}

// apply authorises and applies one message, from a WebSocket or a REST
// route; only runCommand calls it. Every type names the roles allowed to send it; the engine checks
// the rest (team, lead, decision open).
func (s *Server) apply(id *Identity, ex string, m ClientMessage) (ackFrame, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	e, role := s.engine, id.Role
	forbidden := func() (ackFrame, error) {
		return ackFrame{}, &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "not allowed for your role"}
	}
	switch m.Type {
	case msgAnswer:
		in := engine.AnswerInput{ClientID: m.ID, Decision: m.Answer.Decision, Option: m.Answer.Option, Text: m.Answer.Text,
			Confidence: m.Answer.Confidence, Rationale: m.Answer.Rationale}
		var ack engine.Ack
		var err error
		switch role {
		case Participant:
			ack, err = e.Answer(ctx, ex, id.SubjectID, in)
		case Facilitator:
			ack, err = e.FacilitatorAnswer(ctx, ex, in)
		default:
			return forbidden()
		}
		return ackFrame{Seq: ack.Seq, Duplicate: ack.Duplicate}, err
	case msgNote:
		if role != Observer && role != Facilitator {
			return forbidden()
		}
		seq, err := e.AddNote(ctx, ex, s.noteInput(id, m.Note.Text, m.Note.Team, m.Note.Objective))
		return ackFrame{Seq: seq}, err
	case msgPresence:
		if role == Participant {
			s.presence.status(ex, id, m.Presence.Status)
		}
		return ackFrame{}, nil
	}
	if m.World != nil {
		return s.applyWorld(ctx, id, ex, m)
	}
	if m.Rate != nil || m.Action != nil {
		return s.applyEval(ctx, id, ex, m)
	}
	if role != Facilitator {
		return forbidden()
	}
	switch m.Type {
	case msgStart:
		return ackFrame{}, e.Start(ctx, ex)
	case msgPause:
		return ackFrame{}, e.Pause(ctx, ex)
	case msgResume:
		return ackFrame{}, e.Resume(ctx, ex)
	case msgSkip:
		clock, err := e.Skip(ctx, ex)
		return ackFrame{Clock: clock}, err
	case msgSpeed:
		return ackFrame{}, e.SetSpeed(ctx, ex, m.Speed.Speed)
	case msgInject:
		in := m.Inject.Inject
		in.ClientID = m.ID // a repeated id is not injected twice
		return ackFrame{}, e.Inject(ctx, ex, in)
	case msgForce:
		return ackFrame{}, e.Force(ctx, ex, m.Force.State)
	case msgCloseDecision:
		return ackFrame{}, e.CloseDecision(ctx, ex, m.Decision.Decision)
	case msgExtendDecision:
		return ackFrame{}, e.ExtendDecision(ctx, ex, m.Extend.Decision, time.Duration(m.Extend.By)*time.Second, m.ID)
	case msgEnd:
		return ackFrame{}, e.End(ctx, ex, m.End.Reason)
	case msgScheduleInject:
		in := m.Schedule.Inject
		in.ClientID = m.ID // a repeated id does not schedule twice
		s, err := e.ScheduleInject(ctx, ex, engine.ScheduleInput{At: m.Schedule.At, In: m.Schedule.In, Inject: in})
		return ackFrame{Schedule: s.ID}, err
	case msgCancelScheduled:
		return ackFrame{}, e.CancelScheduledInject(ctx, ex, m.CancelSchedule.Schedule)
	}
	return ackFrame{}, &Error{Status: http.StatusBadRequest, Code: "unknown_type", Message: "unknown message type"}
}

// noteInput attributes a note. Facilitator notes carry a prefix that keeps
// them from observers (see facilitatorOnly).
func (s *Server) noteInput(id *Identity, text, team, objective string) engine.NoteInput {
	author := id.Name
	if id.Role == Facilitator {
		author = facilitatorNotePrefix + id.Name
	}
	return engine.NoteInput{Author: author, Team: team, Objective: objective, Text: text}
}

// closeSockets closes every connection whose identity matches.
func (s *Server) closeSockets(match func(*Identity) bool, code int, reason string) int {
	if s.hub == nil {
		return 0
	}
	return s.hub.CloseWhere(func(hs hub.Session) bool {
		ws, ok := hs.(*wsSession)
		return ok && match(&ws.id)
	}, code, reason)
}
