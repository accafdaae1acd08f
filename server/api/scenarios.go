package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ttxsim/ttx/server/library"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/store"
)

// Library is what the API needs of the scenario library (*library.Library).
type Library interface {
	List(ctx context.Context) ([]library.Entry, error)
	Get(ctx context.Context, id string) (library.Entry, error)
	// Validate parses a file without keeping it: the scenario, or the
	// positioned errors.
	Validate(file string, src []byte) (*scenario.Scenario, []*scenario.Error)
	// Upload validates and stores a file: its entry, or the positioned
	// errors (nothing stored), or library.ErrShippedID.
	Upload(ctx context.Context, file string, src []byte, by int64, now time.Time) (library.Entry, []*scenario.Error, error)
}

func (s *Server) listScenarios(c *gin.Context) {
	list, err := s.library.List(c.Request.Context())
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	if list == nil {
		list = []library.Entry{}
	}
	c.JSON(http.StatusOK, gin.H{"scenarios": list})
}

// getScenario returns a valid scenario's full model (for the facilitator's
// graph and notes) with its summary.
func (s *Server) getScenario(c *gin.Context) {
	e, err := s.library.Get(c.Request.Context(), c.Param("sid"))
	if errors.Is(err, store.ErrNotFound) {
		fail(c, errNotFound("scenario"))
		return
	}
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"entry": e, "scenario": e.Scenario()})
}

// uploadFileName keeps a client-supplied file name to a harmless base name:
// it only ever appears in error positions.
var uploadFileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// readScenarioBody reads the raw YAML body. The cap (1 MiB) was applied by
// limitBody before this runs: a declared length over it was refused with 413
// without reading, and a chunked body over it fails here, before parsing.
func readScenarioBody(c *gin.Context) (file string, src []byte, err error) {
	file = path.Base(strings.TrimSpace(c.Query("file")))
	if file == "." || file == "/" || file == "" {
		file = "upload.yaml"
	}
	if !uploadFileName.MatchString(file) {
		return "", nil, errBadRequest("bad_file_name", "file name may use letters, digits, '.', '_' and '-' (at most 100)")
	}
	src, err = io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", nil, errTooLarge(mbe.Limit)
		}
		return "", nil, errBadRequest("bad_body", "could not read the request body")
	}
	if len(src) == 0 {
		return "", nil, errBadRequest("empty", "send the scenario file as the request body")
	}
	return file, src, nil
}

func invalidScenario(errs []*scenario.Error) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid_scenario",
		Message: "the scenario has errors", Details: errs}
}

// validateScenario checks a file without storing it.
func (s *Server) validateScenario(c *gin.Context) {
	file, src, err := readScenarioBody(c)
	if err != nil {
		fail(c, err)
		return
	}
	sc, errs := s.library.Validate(file, src)
	if sc == nil {
		fail(c, invalidScenario(errs))
		return
	}
	c.JSON(http.StatusOK, gin.H{"valid": true, "entry": library.Describe(file, library.OriginUploaded, src, sc)})
}

// uploadScenario validates and stores a file.
func (s *Server) uploadScenario(c *gin.Context) {
	file, src, err := readScenarioBody(c)
	if err != nil {
		fail(c, err)
		return
	}
	e, errs, err := s.library.Upload(c.Request.Context(), file, src, identityOf(c).AccountID, s.now())
	switch {
	case errors.Is(err, library.ErrShippedID):
		fail(c, errConflict("shipped_id", "a shipped scenario already has this id; choose another id"))
	case err != nil:
		fail(c, errInternal(err))
	case errs != nil:
		fail(c, invalidScenario(errs))
	default:
		c.JSON(http.StatusCreated, gin.H{"entry": e})
	}
}
