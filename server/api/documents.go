package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ttxsim/ttx/server/documents"
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
	format, err := docFormat(c, kind, docFormats)
	if err != nil {
		fail(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), commandTimeout)
	defer cancel()
	ex, err := s.engine.Get(ctx, c.Param("id"))
	if err != nil {
		fail(c, engineError(err))
		return
	}
	sc, err := s.scenarioOf(ctx, ex)
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	params, err := sc.Params(ex.Params)
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	scenarioDoc(c, sc, params, ex.Title, kind, format)
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
// link, to copy again; 404 when there is none.
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
