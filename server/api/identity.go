package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ttxsim/ttx/server/store"
)

// Role is what a request may do. Roles are not ordered: a facilitator is not
// a participant of any team, and an observer cannot answer.
type Role uint8

// Roles.
const (
	Anonymous Role = iota
	Participant
	Observer
	Facilitator
)

func (r Role) String() string {
	switch r {
	case Participant:
		return "participant"
	case Observer:
		return "observer"
	case Facilitator:
		return "facilitator"
	default:
		return "anonymous"
	}
}

// Identity is who made a request, produced once by the auth chain and read by
// handlers through identityOf.
type Identity struct {
	Role Role
	Name string // account name, participant display name or observer name

	// Facilitator.
	AccountID          int64
	MustChangePassword bool
	sessionHash        string // key of the session, to end it and close its sockets

	// Participant and observer: the one exercise the token is bound to.
	ExerciseID string
	Team       string // participant only
	SubjectID  string // participant or observer id
	Lead       bool
}

// limitKey names the identity in per-identity rate limits.
func (id *Identity) limitKey() string {
	if id.Role == Facilitator {
		return "f:" + strconv.FormatInt(id.AccountID, 10)
	}
	return strconv.Itoa(int(id.Role)) + ":" + id.SubjectID
}

type identityKey struct{}

// identityOf returns the request's identity; anonymous when none was set.
func identityOf(c *gin.Context) *Identity {
	if v, ok := c.Get(identityKey{}); ok {
		if id, ok := v.(*Identity); ok {
			return id
		}
	}
	return &Identity{}
}

func setIdentity(c *gin.Context, id *Identity) { c.Set(identityKey{}, id) }

// AccountStore is what the API needs from facilitator accounts and sessions.
type AccountStore interface {
	AccountByName(ctx context.Context, name string) (store.Account, error)
	SetPassword(ctx context.Context, accountID int64, passwordHash string, mustChange bool, now time.Time) error
	CreateSession(ctx context.Context, s store.Session) error
	SessionByHash(ctx context.Context, idHash string, now time.Time) (store.Session, store.Account, error)
	TouchSession(ctx context.Context, idHash string, now time.Time) error
	DeleteSession(ctx context.Context, idHash string) error
}

// TokenStore resolves participant and observer bearer tokens.
type TokenStore interface {
	ParticipantByTokenHash(ctx context.Context, hash string) (store.Participant, error)
	ObserverByTokenHash(ctx context.Context, hash string) (store.Observer, error)
}

// authResult is what one authenticator concluded.
type authResult uint8

const (
	authSkip    authResult = iota // no credential of this kind: ask the next one
	authOK                        // identity established
	authInvalid                   // a credential was presented and is bad: 401
)

// authenticator inspects one kind of credential.
type authenticator func(c *gin.Context) (*Identity, authResult, error)

// touchEvery bounds how often a session's last-seen time is written: the
// database has one writer, not to be spent on bookkeeping.
const touchEvery = 5 * time.Minute

// bearerToken extracts a participant/observer token. Browsers cannot set
// headers on a WebSocket handshake, so the WebSocket route also accepts it
// as a subprotocol ("ttx.token.<token>") or, last resort, as ?token= (which
// the access log masks).
func bearerToken(r *http.Request, websocket bool) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(tok)
		}
		return h // a malformed header is an invalid credential, not no credential
	}
	if !websocket {
		return ""
	}
	for _, p := range websocketProtocols(r) {
		if tok, ok := strings.CutPrefix(p, subprotocolTokenPrefix); ok {
			return tok
		}
	}
	return r.URL.Query().Get("token")
}

// websocketProtocols lists the subprotocols a handshake offers.
func websocketProtocols(r *http.Request) []string {
	var out []string
	for _, h := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(h, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// tokenAuth resolves a bearer token by its prefix.
func (s *Server) tokenAuth(c *gin.Context) (*Identity, authResult, error) {
	raw := bearerToken(c.Request, c.FullPath() == wsPath)
	if raw == "" {
		return nil, authSkip, nil
	}
	ctx := c.Request.Context()
	switch {
	case strings.HasPrefix(raw, participantPrefix) && wellFormedSecret(raw[len(participantPrefix):]):
		p, err := s.tokens.ParticipantByTokenHash(ctx, hashSecret(raw))
		if errors.Is(err, store.ErrNotFound) {
			return nil, authInvalid, nil
		}
		if err != nil {
			return nil, authSkip, err
		}
		if !p.LeftAt.IsZero() {
			return nil, authInvalid, nil // removed from the exercise
		}
		return &Identity{Role: Participant, Name: p.Name, ExerciseID: p.ExerciseID, Team: p.TeamID, SubjectID: p.ID, Lead: p.Lead}, authOK, nil
	case strings.HasPrefix(raw, observerPrefix) && wellFormedSecret(raw[len(observerPrefix):]):
		o, err := s.tokens.ObserverByTokenHash(ctx, hashSecret(raw))
		if errors.Is(err, store.ErrNotFound) {
			return nil, authInvalid, nil
		}
		if err != nil {
			return nil, authSkip, err
		}
		return &Identity{Role: Observer, Name: o.Name, ExerciseID: o.ExerciseID, SubjectID: o.ID}, authOK, nil
	default:
		return nil, authInvalid, nil
	}
}

// sessionAuth resolves the facilitator session cookie. A stale cookie is not
// an error: the browser is simply anonymous again (and may log in).
func (s *Server) sessionAuth(c *gin.Context) (*Identity, authResult, error) {
	ck, err := c.Request.Cookie(s.cookieName(c.Request))
	if err != nil || !wellFormedSecret(ck.Value) {
		return nil, authSkip, nil
	}
	ctx := c.Request.Context()
	h := hashSecret(ck.Value)
	now := s.now()
	se, acc, err := s.accounts.SessionByHash(ctx, h, now)
	if errors.Is(err, store.ErrNotFound) {
		return nil, authSkip, nil
	}
	if err != nil {
		return nil, authSkip, err
	}
	if now.Sub(se.LastSeenAt) > touchEvery {
		if err := s.accounts.TouchSession(ctx, h, now); err != nil {
			s.log.WarnContext(ctx, "touch session", slog.Any("error", err))
		}
	}
	return &Identity{Role: Facilitator, Name: acc.Name, AccountID: acc.ID, MustChangePassword: acc.MustChange, sessionHash: h}, authOK, nil
}

// authenticate runs the chain once per request and stores the identity. It
// never refuses anonymous requests; route groups require roles.
func (s *Server) authenticate(chain ...authenticator) gin.HandlerFunc {
	return func(c *gin.Context) {
		for _, a := range chain {
			id, res, err := a(c)
			if err != nil {
				fail(c, errInternal(err))
				return
			}
			switch res {
			case authOK:
				setIdentity(c, id)
				c.Next()
				return
			case authInvalid:
				fail(c, &Error{Status: http.StatusUnauthorized, Code: "invalid_token", Message: "the token is not valid (any more)"})
				return
			}
		}
		setIdentity(c, &Identity{})
		c.Next()
	}
}

// require lets the given roles through: 401 for anonymous requests, 403 for
// other roles. A facilitator who must change the generated password may only
// do that (the auth routes are outside these groups).
func require(roles ...Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := identityOf(c)
		for _, r := range roles {
			if id.Role == r {
				if r == Facilitator && id.MustChangePassword {
					fail(c, &Error{Status: http.StatusForbidden, Code: "password_change_required",
						Message: "change the generated password first"})
					return
				}
				c.Next()
				return
			}
		}
		if id.Role == Anonymous {
			fail(c, errUnauthorized())
			return
		}
		fail(c, errForbidden("not allowed for your role"))
	}
}

// authenticated lets every role but anonymous through.
func authenticated() gin.HandlerFunc {
	return func(c *gin.Context) {
		if identityOf(c).Role == Anonymous {
			fail(c, errUnauthorized())
			return
		}
		c.Next()
	}
}

// anyFacilitator lets facilitators through, including one who must still
// change the generated password (the password route itself).
func anyFacilitator() gin.HandlerFunc {
	return func(c *gin.Context) {
		switch identityOf(c).Role {
		case Facilitator:
			c.Next()
		case Anonymous:
			fail(c, errUnauthorized())
		default:
			fail(c, errForbidden("not allowed for your role"))
		}
	}
}

// exerciseScope lets facilitators reach any exercise and participants and
// observers only the one their token is bound to. A token for another
// exercise gets 403, not 404: the token holder knows exercises exist.
func exerciseScope() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := identityOf(c)
		switch {
		case id.Role == Anonymous:
			fail(c, errUnauthorized())
		case id.Role == Facilitator || id.ExerciseID == c.Param("id"):
			c.Next()
		default:
			fail(c, errForbidden("this token belongs to another exercise"))
		}
	}
}
