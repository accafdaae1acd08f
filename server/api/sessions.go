package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ttxsim/ttx/server/hub"
	"github.com/ttxsim/ttx/server/password"
	"github.com/ttxsim/ttx/server/store"
)

// Session cookie names. Under TLS the __Host- prefix makes the browser
// refuse the cookie unless it is Secure, host-only and Path=/, so a
// subdomain or a plain-HTTP page cannot plant or shadow it.
const (
	cookieSecure = "__Host-ttx_session"
	cookiePlain  = "ttx_session"
)

// secureRequest reports whether the client reached us over TLS, directly or
// through a trusted proxy that says so.
func (s *Server) secureRequest(r *http.Request) bool {
	switch s.opts.SecureCookies {
	case "true":
		return true
	case "false":
		return false
	}
	if r.TLS != nil {
		return true
	}
	return strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") && s.fromTrustedProxy(r)
}

// fromTrustedProxy reports whether the connection's peer is a configured
// proxy (forwarded headers from anyone else are ignored).
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	a, err := remoteAddr(r.RemoteAddr)
	if err != nil {
		return false
	}
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (s *Server) cookieName(r *http.Request) string {
	if s.secureRequest(r) {
		return cookieSecure
	}
	return cookiePlain
}

func (s *Server) setSessionCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name:     s.cookieName(c.Request),
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.secureRequest(c.Request),
		SameSite: http.SameSiteStrictMode,
	})
}

// decodeJSON reads one JSON object into v, strictly: unknown fields and
// trailing data are errors. The body is already capped by limitBody.
func decodeJSON(c *gin.Context, v any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge(mbe.Limit)
		}
		if errors.Is(err, io.EOF) {
			return errBadRequest("bad_json", "request body is empty")
		}
		return errBadRequest("bad_json", "request body is not valid JSON for this route: "+jsonErrorText(err))
	}
	if dec.More() {
		return errBadRequest("bad_json", "request body has data after the JSON object")
	}
	return nil
}

// jsonErrorText keeps decoder messages short and free of Go type names.
func jsonErrorText(err error) string {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return fmt.Sprintf("field %q has the wrong type", ute.Field)
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "json: unknown field") {
		return strings.TrimPrefix(msg, "json: ")
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	return "malformed"
}

type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

type meResponse struct {
	Role               string `json:"role"`
	Name               string `json:"name"`
	MustChangePassword bool   `json:"must_change_password,omitempty"`
	ExerciseID         string `json:"exercise_id,omitempty"`
	Team               string `json:"team,omitempty"`
	ID                 string `json:"id,omitempty"`
	Lead               bool   `json:"lead,omitempty"`
}

func meOf(id *Identity) meResponse {
	return meResponse{Role: id.Role.String(), Name: id.Name, MustChangePassword: id.MustChangePassword,
		ExerciseID: id.ExerciseID, Team: id.Team, ID: id.SubjectID, Lead: id.Lead}
}

// login checks a name and password and starts a new session. Failures are
// bounded by the LoginGuard (per address and account, with back-off; per
// address; a per-account ceiling that slows but never locks); an unknown name costs
// the same bcrypt comparison as a known one (password.Login), so timing
// does not reveal which names exist.
func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	name := strings.TrimSpace(req.Name)
	addr := c.ClientIP()
	if ok, wait := s.limits.Login.Allow(addr, name); !ok {
		fail(c, errRateLimitedFor(wait))
		return
	}
	ctx := c.Request.Context()
	acc, err := s.accounts.AccountByName(ctx, name)
	found := err == nil
	if !found && !errors.Is(err, store.ErrNotFound) {
		fail(c, errInternal(err))
		return
	}
	ok, err := s.passwords.Verify(acc.PasswordHash, found, req.Password)
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	if !ok {
		s.limits.Login.Fail(addr, name)
		fail(c, &Error{Status: http.StatusUnauthorized, Code: "bad_credentials", Message: "wrong name or password"})
		return
	}
	s.limits.Login.Succeed(addr, name)
	// Rotate: whatever session this browser had ends now.
	s.endCurrentSession(c)
	if err := s.startSession(c, acc); err != nil {
		fail(c, errInternal(err))
		return
	}
	c.JSON(http.StatusOK, meResponse{Role: Facilitator.String(), Name: acc.Name, MustChangePassword: acc.MustChange})
}

// startSession creates a fresh session id, stores its hash and sets the cookie.
func (s *Server) startSession(c *gin.Context, acc store.Account) error {
	sid := newSecret()
	now := s.now()
	if err := s.accounts.CreateSession(c.Request.Context(), store.Session{
		IDHash: hashSecret(sid), AccountID: acc.ID, CreatedAt: now, ExpiresAt: now.Add(s.opts.SessionTTL), LastSeenAt: now,
	}); err != nil {
		return err
	}
	s.setSessionCookie(c, sid, int(s.opts.SessionTTL.Seconds()))
	return nil
}

// endCurrentSession deletes the session named by the request's cookie, if
// any, and closes its sockets.
func (s *Server) endCurrentSession(c *gin.Context) {
	ck, err := c.Request.Cookie(s.cookieName(c.Request))
	if err != nil || !wellFormedSecret(ck.Value) {
		return
	}
	h := hashSecret(ck.Value)
	if err := s.accounts.DeleteSession(c.Request.Context(), h); err != nil {
		s.log.WarnContext(c.Request.Context(), "end session", "error", err)
	}
	s.closeSockets(func(id *Identity) bool { return id.sessionHash == h }, hub.CloseSessionEnded, "logged out")
}

// logout ends the session server-side (its sockets close at once) and
// clears the cookie. It succeeds without a session too.
func (s *Server) logout(c *gin.Context) {
	id := identityOf(c)
	if id.Role == Facilitator {
		if err := s.accounts.DeleteSession(c.Request.Context(), id.sessionHash); err != nil {
			fail(c, errInternal(err))
			return
		}
		h := id.sessionHash
		s.closeSockets(func(id *Identity) bool { return id.Role == Facilitator && id.sessionHash == h }, hub.CloseSessionEnded, "logged out")
	}
	s.setSessionCookie(c, "", -1)
	c.Status(http.StatusNoContent)
}

type passwordRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// changePassword replaces the facilitator's password. Every session of the
// account ends (other browsers are logged out, their sockets closed) and
// this browser gets a new session.
func (s *Server) changePassword(c *gin.Context) {
	id := identityOf(c)
	var req passwordRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	addr := c.ClientIP()
	if ok, wait := s.limits.Login.Allow(addr, id.Name); !ok {
		fail(c, errRateLimitedFor(wait))
		return
	}
	ctx := c.Request.Context()
	acc, err := s.accounts.AccountByName(ctx, id.Name)
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	if !password.Matches(acc.PasswordHash, req.Current) {
		s.limits.Login.Fail(addr, id.Name)
		fail(c, &Error{Status: http.StatusForbidden, Code: "bad_credentials", Message: "the current password is wrong"})
		return
	}
	if err := password.Check(req.New); err != nil {
		fail(c, &Error{Status: http.StatusBadRequest, Code: "weak_password", Message: err.Error()})
		return
	}
	if req.New == req.Current {
		fail(c, &Error{Status: http.StatusBadRequest, Code: "weak_password", Message: "the new password must differ from the current one"})
		return
	}
	hash, err := password.Hash(req.New, s.opts.BcryptCost)
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	if err := s.accounts.SetPassword(ctx, acc.ID, hash, false, s.now()); err != nil {
		fail(c, errInternal(err))
		return
	}
	s.closeSockets(func(id *Identity) bool { return id.Role == Facilitator && id.AccountID == acc.ID },
		hub.CloseSessionEnded, "password changed")
	acc.MustChange = false
	if err := s.startSession(c, acc); err != nil {
		fail(c, errInternal(err))
		return
	}
	c.JSON(http.StatusOK, meResponse{Role: Facilitator.String(), Name: acc.Name})
}

// me describes the caller.
func (s *Server) me(c *gin.Context) {
	c.JSON(http.StatusOK, meOf(identityOf(c)))
}
