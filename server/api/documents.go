package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ttxsim/ttx/server/documents"
	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/msel"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/store"
)

// Documents made from a scenario or an exercise (package documents): the
// SITMAN, the handbook and the MSEL of a library scenario or of an
// exercise's own scenario with its parameters, and an events list (CSV)
// imported as a scenario skeleton.

// docFormats lists each document's formats, the first being its default.
var docFormats = map[string][]string{
	"sitman":   {"html", "md"},
	"handbook": {"html", "md"},
	"msel":     {"csv"},
}

// exerciseDocFormats adds the documents of a played exercise.
var exerciseDocFormats = map[string][]string{
	"sitman":   docFormats["sitman"],
	"handbook": docFormats["handbook"],
	"msel":     docFormats["msel"],
	"aar":      {"html", "md"},
	"debrief":  {"html", "md"},
	"plan":     {"csv"},
}

// docPolicy is the Content-Security-Policy of a document page: its one
// inline style element, nothing else — no scripts, no requests.
var docPolicy = "default-src 'none'; style-src " + documents.CSPHash() + "; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

var contentTypes = map[string]string{
	"html": "text/html; charset=utf-8",
	"md":   "text/markdown; charset=utf-8",
	"csv":  "text/csv; charset=utf-8",
}

// docFormat picks the requested format of a document kind, or explains
// what is on offer.
func docFormat(c *gin.Context, kind string, formats map[string][]string) (string, error) {
	fs, ok := formats[kind]
	if !ok {
		names := make([]string, 0, len(formats))
		for _, k := range []string{"sitman", "handbook", "msel", "aar", "debrief", "plan"} {
			if _, ok := formats[k]; ok {
				names = append(names, k)
			}
		}
		return "", &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no document " + clipText(kind, 30) + "; use one of " + strings.Join(names, ", ")}
	}
	f := c.Query("format")
	if f == "" {
		return fs[0], nil
	}
	for _, x := range fs {
		if x == f {
			return f, nil
		}
	}
	return "", errBadRequest("bad_format", "the "+kind+" comes as "+strings.Join(fs, " or "))
}

func clipText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// sendDoc writes a document in its format; with download=1 it is an
// attachment named after its subject and kind.
func sendDoc(c *gin.Context, name, kind, format string, d documents.Doc, csv []byte) {
	var body []byte
	switch format {
	case "html":
		body = d.HTML()
		c.Header("Content-Security-Policy", docPolicy)
	case "md":
		body = d.Markdown()
	default:
		body = csv
	}
	if c.Query("download") == "1" {
		file := strings.Trim(unsafeName.ReplaceAllString(name, "-"), "-.")
		if file == "" {
			file = "ttx"
		}
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.%s"`, file, kind, format))
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, contentTypes[format], body)
}

// scenarioDoc renders a scenario document from its parts.
func scenarioDoc(c *gin.Context, sc *scenario.Scenario, params map[string]string, name, kind, format string) {
	switch kind {
	case "msel":
		out, err := msel.Export(sc, params)
		if err != nil {
			fail(c, errInternal(err))
			return
		}
		sendDoc(c, name, kind, format, documents.Doc{}, out)
	case "sitman":
		sendDoc(c, name, kind, format, documents.SITMAN(sc, params), nil)
	case "handbook":
		sendDoc(c, name, kind, format, documents.Handbook(sc, params), nil)
	}
}

// libraryDoc serves GET /api/scenarios/:sid/docs/:doc: a library
// scenario's SITMAN, handbook or MSEL with its parameters' defaults.
func (s *Server) libraryDoc(c *gin.Context) {
	kind := c.Param("doc")
	format, err := docFormat(c, kind, docFormats)
	if err != nil {
		fail(c, err)
		return
	}
	e, err := s.library.Get(c.Request.Context(), c.Param("sid"))
	if errors.Is(err, store.ErrNotFound) {
		fail(c, errNotFound("scenario"))
		return
	}
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	sc := e.Scenario()
	params, err := sc.Params(nil)
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	scenarioDoc(c, sc, params, e.ID, kind, format)
}

// exerciseDoc serves GET /api/exercises/:id/docs/:doc: the documents of
// the exercise's own scenario (the exact file it runs) with its
// parameters.
func (s *Server) exerciseDoc(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	kind := c.Param("doc")
	format, err := docFormat(c, kind, exerciseDocFormats)
	if err != nil {
		fail(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), time.Minute)
	defer cancel()
	var b exerciseBundle
	var e *Error
	record := kind == "aar" || kind == "debrief" || kind == "plan" // made from the log
	if record {
		b, e = s.exerciseBundle(ctx, c.Param("id"), nil)
	} else {
		b.ex, b.sc, e = s.exerciseWithScenario(ctx, c.Param("id"))
	}
	if e != nil {
		fail(c, e)
		return
	}
	params, err := b.sc.Params(b.ex.Params)
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	if !record {
		scenarioDoc(c, b.sc, params, b.ex.Title, kind, format)
		return
	}
	ev, err := b.evaluate()
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	switch kind {
	case "aar":
		sendDoc(c, b.ex.Title, kind, format, documents.AAR(b.sc, params, b.info(), ev, b.log), nil)
	case "debrief":
		sendDoc(c, b.ex.Title, kind, format, documents.Debrief(b.sc, params, b.info(), ev, b.log), nil)
	case "plan":
		out, err := documents.PlanCSV(b.sc, params, ev)
		if err != nil {
			fail(c, errInternal(err))
			return
		}
		sendDoc(c, b.ex.Title, kind, format, documents.Doc{}, out)
	}
}

// info is the exercise's record and roster as the AAR and the debrief
// show them.
func (b exerciseBundle) info() documents.ExerciseInfo {
	info := documents.ExerciseInfo{ID: b.ex.ID, Title: b.ex.Title, Status: b.ex.Status, Outcome: b.ex.Outcome,
		Created: b.ex.CreatedAt, Started: b.ex.StartedAt, Ended: b.ex.EndedAt}
	for _, p := range b.snap.Participants {
		info.Participants = append(info.Participants, documents.Person{Name: p.Name, Team: p.Team, Lead: p.Lead})
	}
	for _, o := range b.obs {
		info.Observers = append(info.Observers, o.Name)
	}
	return info
}

// mselImport serves POST /api/scenarios/msel-import: an events list as CSV
// (at most 1 MiB) becomes a scenario skeleton. 200 {"yaml", "problems": []}
// when it imports; 422 invalid_msel with the problems (row, col, column,
// message) as details when it does not.
func (s *Server) mselImport(c *gin.Context) {
	y, err := msel.Import(c.Request.Body)
	var mbe *http.MaxBytesError
	var probs msel.Problems
	switch {
	case errors.As(err, &mbe):
		fail(c, errTooLarge(mbe.Limit))
	case errors.As(err, &probs):
		fail(c, &Error{Status: http.StatusUnprocessableEntity, Code: "invalid_msel",
			Message: fmt.Sprintf("the events list has %d problem(s)", len(probs)), Details: []msel.Problem(probs)})
	case err != nil:
		fail(c, errBadRequest("bad_body", "could not read the request body"))
	default:
		c.JSON(http.StatusOK, gin.H{"yaml": string(y), "problems": []msel.Problem{}})
	}
}

// createDebriefLink serves POST /api/exercises/:id/debrief-link: a new
// share link for the participants' debrief; the old one stops working.
func (s *Server) createDebriefLink(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), commandTimeout)
	defer cancel()
	token, err := s.engine.CreateDebriefLink(ctx, c.Param("id"))
	if err != nil {
		fail(c, engineError(err))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, gin.H{"url": s.publicURL(c) + "/debrief/" + token, "token": token})
}

// getDebriefLink serves GET /api/exercises/:id/debrief-link: the current
// link, to copy again; {"url": null} when there is none (not an error: the
// report asks every time it opens).
func (s *Server) getDebriefLink(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), commandTimeout)
	defer cancel()
	token, err := s.engine.DebriefLink(ctx, c.Param("id"))
	if err != nil {
		fail(c, engineError(err))
		return
	}
	c.Header("Cache-Control", "no-store")
	if token == "" {
		c.JSON(http.StatusOK, gin.H{"url": nil})
		return
	}
	c.JSON(http.StatusOK, gin.H{"url": s.publicURL(c) + "/debrief/" + token})
}

// revokeDebriefLink serves DELETE /api/exercises/:id/debrief-link.
func (s *Server) revokeDebriefLink(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), commandTimeout)
	defer cancel()
	if err := s.engine.RevokeDebriefLink(ctx, c.Param("id")); err != nil {
		fail(c, engineError(err))
		return
	}
	c.Status(http.StatusNoContent)
}

// publicDebrief serves GET /debrief/:token, for anyone holding the link:
// the participants' debrief as a print-ready page (?format=md: Markdown).
// An unknown, replaced or revoked token gets a 404 page, and counts as a
// failure against the address like a failed join; every view spends a
// token of the address's join budget (this machine is not limited).
func (s *Server) publicDebrief(c *gin.Context) {
	ipKey := "ip:" + c.ClientIP()
	local := isLoopbackRemote(c.ClientIP())
	format := "html"
	if c.Query("format") == "md" {
		format = "md"
	}
	c.Header("X-Robots-Tag", "noindex")
	if !local {
		okFail, waitFail := s.limits.JoinIP.Allow(ipKey)
		okView, waitView := s.limits.Joins.Allow(ipKey)
		if !okFail || !okView {
			c.Header("Retry-After", fmt.Sprint(int(max(waitFail, waitView).Seconds())+1))
			debriefPage(c, http.StatusTooManyRequests, "Too many requests from this address. Try again in a minute.")
			return
		}
	}
	if !s.needEngine(c) {
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), time.Minute)
	defer cancel()
	id, log, err := s.engine.DebriefExercise(ctx, c.Param("token"))
	if err != nil {
		if engine.Code(err) != "not_found" {
			s.log.ErrorContext(ctx, "debrief link", slog.Any("error", err))
			debriefPage(c, http.StatusInternalServerError, "The debrief cannot be shown right now. Try again later.")
			return
		}
		if !local {
			s.limits.JoinIP.Fail(ipKey)
		}
		debriefPage(c, http.StatusNotFound, "This debrief link does not work: it may have been replaced or revoked. Ask your facilitator for the current link.")
		return
	}
	if !local {
		s.limits.Joins.Fail(ipKey)
	}
	// The log the link was checked against: read once per view.
	if b, e := s.exerciseBundle(ctx, id, log); e != nil {
		err = e
	} else if params, perr := b.sc.Params(b.ex.Params); perr != nil {
		err = perr
	} else if ev, eerr := b.evaluate(); eerr != nil {
		err = eerr
	} else {
		sendDoc(c, b.ex.Title, "debrief", format, documents.Debrief(b.sc, params, b.info(), ev, b.log), nil)
		return
	}
	s.log.ErrorContext(ctx, "debrief page", slog.String("exercise", id), slog.Any("error", err))
	debriefPage(c, http.StatusInternalServerError, "The debrief cannot be shown right now. Try again later.")
}

// debriefPage answers the public debrief route with a short page.
func debriefPage(c *gin.Context, status int, msg string) {
	d := documents.Doc{Kind: "Participants' Debrief", Title: "Debrief unavailable", Sections: []documents.Section{
		{Title: "Sorry", Blocks: []documents.Block{documents.Text(msg)}}}}
	c.Header("Content-Security-Policy", docPolicy)
	c.Header("Cache-Control", "no-store")
	c.Data(status, contentTypes["html"], d.HTML())
	c.Abort()
}
