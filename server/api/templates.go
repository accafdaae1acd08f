package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/store"
)

// TemplateStore keeps ad-hoc injects a facilitator saved, per account and
// scenario; *store.Store implements it.
type TemplateStore interface {
	PutInjectTemplate(ctx context.Context, t store.InjectTemplate) (int64, error)
	InjectTemplates(ctx context.Context, accountID int64, scenario string) ([]store.InjectTemplate, error)
	DeleteInjectTemplate(ctx context.Context, accountID, id int64) error
}

// maxTemplates bounds one account's templates for one scenario.
const maxTemplates = 100

type templateView struct {
	ID     int64           `json:"id"`
	Name   string          `json:"name"`
	Inject json.RawMessage `json:"inject"`
}

type templateRequest struct {
	Name   string       `json:"name"`
	Inject engine.AdHoc `json:"inject"`
}

// templateScope is the caller's account and the slug of the exercise's
// scenario: templates follow the scenario from one exercise to the next.
func (s *Server) templateScope(c *gin.Context) (int64, string, bool) {
	if s.templates == nil || !s.needEngine(c) {
		if s.templates == nil {
			fail(c, errUnavailable())
		}
		return 0, "", false
	}
	ex, err := s.engine.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, engineError(err))
		return 0, "", false
	}
	row, err := s.access.Scenario(c.Request.Context(), ex.ScenarioID)
	if err != nil {
		fail(c, errInternal(err))
		return 0, "", false
	}
	return identityOf(c).AccountID, row.Slug, true
}

func (s *Server) listInjectTemplates(c *gin.Context) {
	acct, slug, ok := s.templateScope(c)
	if !ok {
		return
	}
	ts, err := s.templates.InjectTemplates(c.Request.Context(), acct, slug)
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	out := make([]templateView, 0, len(ts))
	for _, t := range ts {
		out = append(out, templateView{ID: t.ID, Name: t.Name, Inject: t.Inject})
	}
	c.JSON(http.StatusOK, gin.H{"templates": out})
}

// saveInjectTemplate stores an ad-hoc inject under a name, with the same
// checks as sending one (one door, one set of limits).
func (s *Server) saveInjectTemplate(c *gin.Context) {
	acct, slug, ok := s.templateScope(c)
	if !ok {
		return
	}
	var req templateRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	name := strings.TrimSpace(req.Name)
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > 80 {
		fail(c, errBadRequest("invalid", "name must be 1 to 80 characters"))
		return
	}
	if msg := (&ClientMessage{Inject: &InjectMsg{Inject: req.Inject}}).check(); msg != "" {
		fail(c, errBadRequest("invalid", msg))
		return
	}
	existing, err := s.templates.InjectTemplates(c.Request.Context(), acct, slug)
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	if len(existing) >= maxTemplates {
		fail(c, errBadRequest("too_many", "at most 100 templates per scenario: delete one first"))
		return
	}
	body, err := json.Marshal(req.Inject)
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	id, err := s.templates.PutInjectTemplate(c.Request.Context(), store.InjectTemplate{AccountID: acct, Scenario: slug, Name: name, Inject: body, CreatedAt: s.now()})
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	c.JSON(http.StatusCreated, gin.H{"template": templateView{ID: id, Name: name, Inject: body}})
}

func (s *Server) deleteInjectTemplate(c *gin.Context) {
	acct, _, ok := s.templateScope(c)
	if !ok {
		return
	}
	tid, err := strconv.ParseInt(c.Param("tid"), 10, 64)
	if err != nil || tid <= 0 {
		fail(c, errNotFound("template"))
		return
	}
	if err := s.templates.DeleteInjectTemplate(c.Request.Context(), acct, tid); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			fail(c, errNotFound("template"))
			return
		}
		fail(c, errInternal(err))
		return
	}
	c.Status(http.StatusNoContent)
}
