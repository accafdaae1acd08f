package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/store"
)

// projectorWindow is how far back in the log the projector looks for the
// latest inject every team received. Every inject is a handful of events,
// so a headline older than this many events is long out of date.
const projectorWindow = 500

// projectorView is what the room's screen shows: public data only, the
// same things every participant sees or is told (never notes, variables,
// answers, names of people or anything addressed to one team).
type projectorView struct {
	ID         string            `json:"id"`
	Title      string            `json:"title"`
	Status     string            `json:"status"`
	Clock      time.Duration     `json:"clock"`
	Speed      float64           `json:"speed"`
	ServerTime time.Time         `json:"server_time"`
	Join       *joinCodeResponse `json:"join,omitempty"` // none once ended
	Headline   *headlineView     `json:"headline,omitempty"`
}

// headlineView is the latest inject delivered to every team.
type headlineView struct {
	Seq       int64         `json:"seq"`
	At        time.Duration `json:"at"`
	StoryTime string        `json:"story_time,omitempty"`
	Channel   string        `json:"channel"`
	Title     string        `json:"title"`
	From      string        `json:"from,omitempty"`
}

// projector answers GET /api/exercises/:id/projector for the facilitator's
// room screen (the facilitator's session authenticates it; it shows only
// public data, so nothing facilitator-only can reach the wall).
func (s *Server) projector(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	ctx, cancel := withTimeout(c.Request.Context())
	defer cancel()
	ex, err := s.engine.Get(ctx, c.Param("id"))
	if err != nil {
		fail(c, engineError(err))
		return
	}
	snap, err := s.engine.Snapshot(ctx, ex.ID)
	if err != nil {
		fail(c, engineError(err))
		return
	}
	out := projectorView{ID: ex.ID, Title: ex.Title, Status: snap.Status, Clock: snap.Clock, Speed: snap.Speed, ServerTime: s.now().UTC()}
	if ex.JoinCode != "" && snap.Status != store.StatusEnded {
		j := s.joinCodeOf(c, ex.JoinCode)
		out.Join = &j
	}
	after := max(snap.LastSeq-projectorWindow, 0)
	for after < snap.LastSeq {
		evs, err := s.engine.Events(ctx, ex.ID, after, maxEventPage)
		if err != nil {
			fail(c, engineError(err))
			return
		}
		if len(evs) == 0 {
			break
		}
		for _, ev := range evs {
			if h := headlineOf(ev); h != nil {
				out.Headline = h
			}
		}
		after = evs[len(evs)-1].Seq
	}
	c.JSON(http.StatusOK, out)
}

// headlineOf is the headline an event makes: an inject delivered to every
// team, else nil.
func headlineOf(ev engine.Event) *headlineView {
	if ev.Kind != string(sim.KindInjectDelivered) || !slices.Equal(ev.Audience, []string{sim.AllTeams}) {
		return nil
	}
	var p sim.Event
	if err := json.Unmarshal(ev.Payload, &p); err != nil {
		return nil
	}
	title := strings.TrimSpace(p.Title)
	if title == "" {
		// Chat and social posts have no title: their first line is the news.
		title, _, _ = strings.Cut(strings.TrimSpace(p.Body), "\n")
		if r := []rune(title); len(r) > 160 {
			title = string(r[:159]) + "…"
		}
	}
	return &headlineView{Seq: ev.Seq, At: p.At, StoryTime: p.StoryTime, Channel: p.Channel, Title: title, From: p.PersonaName}
}
