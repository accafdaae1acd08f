package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/hub"
	"github.com/ttxsim/ttx/server/store"
)

// AccessStore is what the API needs to let people into exercises: join
// codes, teams, and observer tokens.
type AccessStore interface {
	Exercise(ctx context.Context, id string) (store.Exercise, error)
	ExerciseByJoinCode(ctx context.Context, code string) (store.Exercise, error)
	SetJoinCode(ctx context.Context, id, code string) error
	Teams(ctx context.Context, exerciseID string) ([]store.Team, error)
	Scenario(ctx context.Context, id int64) (store.Scenario, error)
	CreateObserver(ctx context.Context, o store.Observer) error
	Observers(ctx context.Context, exerciseID string) ([]store.Observer, error)
	RevokeObserver(ctx context.Context, exerciseID, id string, now time.Time) error
}

const maxNameLen = 40

// Successful joins per client address (Limits.Joins).
const (
	joinBurst      = 200
	joinsPerMinute = 100
)

// cleanName trims a display name and checks it is printable and short.
func cleanName(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxNameLen {
		return "", false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			return "", false
		}
	}
	return s, true
}

// joinKeys are the limiter keys of one join attempt: the client address
// (gin's ClientIP only believes X-Forwarded-For from trusted proxies) and
// the code as typed.
func joinKeys(c *gin.Context, code string) (ip, cd string) {
	raw := normalizeJoinCode(code)
	if raw == "" {
		raw = strings.ToUpper(strings.TrimSpace(code))
		if len(raw) > 32 {
			raw = raw[:32]
		}
	}
	return "ip:" + c.ClientIP(), "code:" + raw
}

// checkJoinLimit answers 429 when the address or code has failed too often.
func (s *Server) checkJoinLimit(c *gin.Context, ipKey, codeKey string) bool {
	okIP, waitIP := s.limits.JoinIP.Allow(ipKey)
	okCode, waitCode := s.limits.JoinCode.Allow(codeKey)
	if okIP && okCode {
		return true
	}
	fail(c, errRateLimitedFor(max(waitIP, waitCode)))
	return false
}

func (s *Server) joinFailed(ipKey, codeKey string) {
	s.limits.JoinIP.Fail(ipKey)
	s.limits.JoinCode.Fail(codeKey)
}

// errBadCode is the same answer for a code that is malformed, unknown or
// belongs to an ended exercise: a guesser learns nothing from the message.
func errBadCode() *Error {
	return &Error{Status: http.StatusNotFound, Code: "bad_code", Message: "no exercise is open with this code"}
}

// openExercise resolves a join code to an exercise that still accepts
// participants.
func (s *Server) openExercise(ctx context.Context, code string) (store.Exercise, error) {
	norm := normalizeJoinCode(code)
	if norm == "" {
		return store.Exercise{}, errBadCode()
	}
	ex, err := s.access.ExerciseByJoinCode(ctx, norm)
	if errors.Is(err, store.ErrNotFound) || (err == nil && ex.Status == store.StatusEnded) {
		return store.Exercise{}, errBadCode()
	}
	if err != nil {
		return store.Exercise{}, errInternal(err)
	}
	return ex, nil
}

type lookupRequest struct {
	Code string `json:"code"`
}

// TeamInfo names a team a participant can join.
type TeamInfo struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type joinInfo struct {
	ExerciseID string     `json:"exercise_id"`
	Title      string     `json:"title"`
	Status     string     `json:"status"`
	Teams      []TeamInfo `json:"teams"`
}

// lookupCode tells a would-be participant which exercise a code opens and
// which teams they can pick. It is limited like join: it is the same oracle.
func (s *Server) lookupCode(c *gin.Context) {
	var req lookupRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	ex, ok := s.admitCode(c, req.Code)
	if !ok {
		return
	}
	info, err := s.joinInfoOf(c.Request.Context(), ex)
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	c.JSON(http.StatusOK, info)
}

type joinRequest struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Team string `json:"team"`
}

type joinResponse struct {
	Token       string     `json:"token"`
	Participant meResponse `json:"participant"`
	Exercise    joinInfo   `json:"exercise"`
}

// join exchanges a join code, a display name and a team for a participant
// token bound to that exercise and team. Failures count against the
// address and the code, so guessing stops after a few misses; successes
// against the address only, with a budget (joinBurst at once,
// joinsPerMinute after) a class behind one address does not meet.
func (s *Server) join(c *gin.Context) {
	var req joinRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	ex, ok := s.admitCode(c, req.Code)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	name, ok := cleanName(req.Name)
	if !ok {
		fail(c, errBadRequest("bad_name", "give a name of 1 to 40 printable characters"))
		return
	}
	info, err := s.joinInfoOf(ctx, ex)
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	if !slices.ContainsFunc(info.Teams, func(t TeamInfo) bool { return t.ID == req.Team }) {
		fail(c, errBadRequest("bad_team", "pick one of the exercise's teams"))
		return
	}
	if !s.needEngine(c) {
		return
	}
	// This machine itself (a load test, a participant on the server's own
	// screen) is not limited.
	ipKey, _ := joinKeys(c, req.Code)
	local := isLoopbackRemote(c.ClientIP())
	if ok, wait := s.limits.Joins.Allow(ipKey); !ok && !local {
		fail(c, &Error{Status: http.StatusTooManyRequests, Code: "rate_limited",
			Message: "too many people joined from this address; try again in a minute", retryAfter: wait})
		return
	}
	token := participantPrefix + newSecret()
	p, err := s.engine.Join(ctx, ex.ID, engine.JoinInput{Team: req.Team, Name: name, TokenHash: hashSecret(token)})
	if err != nil {
		fail(c, asJoinError(err))
		return
	}
	if !local {
		s.limits.Joins.Fail(ipKey) // a join spends a token of its address
	}
	c.JSON(http.StatusCreated, joinResponse{
		Token:       token,
		Participant: meOf(&Identity{Role: Participant, Name: p.Name, ExerciseID: p.ExerciseID, Team: p.TeamID, SubjectID: p.ID, Lead: p.Lead}),
		Exercise:    info,
	})
}

// admitCode checks the join limits and opens the exercise a code names,
// counting a failure against the client's address and the code. On false
// the response has been written.
func (s *Server) admitCode(c *gin.Context, code string) (store.Exercise, bool) {
	ipKey, codeKey := joinKeys(c, code)
	if !s.checkJoinLimit(c, ipKey, codeKey) {
		return store.Exercise{}, false
	}
	ex, err := s.openExercise(c.Request.Context(), code)
	if err != nil {
		s.joinFailed(ipKey, codeKey)
		fail(c, err)
		return store.Exercise{}, false
	}
	return ex, true
}

// joinInfoOf is what a would-be participant may know of an exercise.
func (s *Server) joinInfoOf(ctx context.Context, ex store.Exercise) (joinInfo, error) {
	teams, err := s.access.Teams(ctx, ex.ID)
	if err != nil {
		return joinInfo{}, err
	}
	info := joinInfo{ExerciseID: ex.ID, Title: ex.Title, Status: ex.Status, Teams: make([]TeamInfo, 0, len(teams))}
	for _, t := range teams {
		info.Teams = append(info.Teams, TeamInfo{ID: t.ID, Name: t.Name})
	}
	return info, nil
}

// asJoinError maps an engine failure: an exercise that ended between
// lookup and join is a bad code like any other.
func asJoinError(err error) error {
	if errors.Is(err, engine.ErrEnded) {
		return errBadCode()
	}
	return engineError(err)
}

func errUnavailable() *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "live exercises are not available on this server"}
}

// exerciseFor loads the exercise named in the path, 404 when unknown.
func (s *Server) exerciseFor(c *gin.Context) (store.Exercise, bool) {
	ex, err := s.access.Exercise(c.Request.Context(), c.Param("id"))
	if errors.Is(err, store.ErrNotFound) {
		fail(c, errNotFound("exercise"))
		return store.Exercise{}, false
	}
	if err != nil {
		fail(c, errInternal(err))
		return store.Exercise{}, false
	}
	return ex, true
}

// publicURL is the URL people should open: the configured base URL, or the
// scheme and host this request came in on.
func (s *Server) publicURL(c *gin.Context) string {
	if s.opts.BaseURL != "" {
		return strings.TrimRight(s.opts.BaseURL, "/")
	}
	scheme := "http"
	if s.secureRequest(c.Request) {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

type joinCodeResponse struct {
	Code    string `json:"code"`
	Display string `json:"display"`
	URL     string `json:"url"`
}

// assignJoinCode gives an exercise a fresh code, retrying on the rare
// collision with another exercise's code.
func (s *Server) assignJoinCode(ctx context.Context, exerciseID string) (string, error) {
	for range 5 {
		code := newJoinCode()
		err := s.access.SetJoinCode(ctx, exerciseID, code)
		if errors.Is(err, store.ErrDuplicate) {
			continue
		}
		if err != nil {
			return "", err
		}
		return code, nil
	}
	return "", errors.New("api: could not find a free join code")
}

// rotateJoinCode replaces the exercise's join code (for instance after it
// leaked); people who already joined keep their tokens.
func (s *Server) rotateJoinCode(c *gin.Context) {
	ex, ok := s.exerciseFor(c)
	if !ok {
		return
	}
	if ex.Status == store.StatusEnded {
		fail(c, errConflict("ended", "the exercise has ended"))
		return
	}
	code, err := s.assignJoinCode(c.Request.Context(), ex.ID)
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	c.JSON(http.StatusOK, s.joinCodeOf(c, code))
}

func (s *Server) joinCodeOf(c *gin.Context, code string) joinCodeResponse {
	return joinCodeResponse{Code: code, Display: formatJoinCode(code), URL: s.publicURL(c) + "/join/" + code}
}

type observerRequest struct {
	Name string `json:"name"`
}

type observerInfo struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	Revoked   bool      `json:"revoked,omitempty"`
}

// addObserver issues an observer token for the exercise. The token is in
// the response once and never again; the link carries it in the fragment,
// which browsers do not send to servers or in Referer headers.
func (s *Server) addObserver(c *gin.Context) {
	ex, ok := s.exerciseFor(c)
	if !ok {
		return
	}
	var req observerRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	name, ok := cleanName(req.Name)
	if !ok || strings.HasPrefix(strings.ToLower(name), facilitatorNotePrefix) {
		fail(c, errBadRequest("bad_name", "give a name of 1 to 40 printable characters"))
		return
	}
	token := observerPrefix + newSecret()
	o := store.Observer{ID: newID("ob_"), ExerciseID: ex.ID, Name: name, TokenHash: hashSecret(token), CreatedAt: s.now()}
	if err := s.access.CreateObserver(c.Request.Context(), o); err != nil {
		fail(c, errInternal(err))
		return
	}
	c.JSON(http.StatusCreated, gin.H{
		"observer": observerInfo{ID: o.ID, Name: o.Name, CreatedAt: o.CreatedAt},
		"token":    token,
		"url":      s.publicURL(c) + "/observe#token=" + token,
	})
}

func (s *Server) listObservers(c *gin.Context) {
	ex, ok := s.exerciseFor(c)
	if !ok {
		return
	}
	obs, err := s.access.Observers(c.Request.Context(), ex.ID)
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	out := []observerInfo{}
	for _, o := range obs {
		out = append(out, observerInfo{ID: o.ID, Name: o.Name, CreatedAt: o.CreatedAt, Revoked: !o.RevokedAt.IsZero()})
	}
	c.JSON(http.StatusOK, gin.H{"observers": out})
}

// revokeObserver invalidates the token and closes its sockets at once.
func (s *Server) revokeObserver(c *gin.Context) {
	ex, ok := s.exerciseFor(c)
	if !ok {
		return
	}
	err := s.access.RevokeObserver(c.Request.Context(), ex.ID, c.Param("oid"), s.now())
	if errors.Is(err, store.ErrNotFound) {
		fail(c, errNotFound("observer"))
		return
	}
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	oid := c.Param("oid")
	s.closeSockets(func(id *Identity) bool { return id.Role == Observer && id.SubjectID == oid },
		hub.CloseAccessRevoked, "observer access revoked")
	c.Status(http.StatusNoContent)
}
