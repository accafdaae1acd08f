package engine

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ttxsim/ttx/server/store"
)

// The participants' debrief can be shared by link with people who have no
// account. The link's token is "<exercise id>.<secret>" (32 random bytes,
// base64url), so finding it reads one exercise's log. It is an engine event
// for the facilitator alone (debrief_link_set / debrief_link_revoked): the
// facilitator copies the link again later, so the token is kept, not only
// a hash; a new link replaces the old one, which stops working.

// debriefLinkPayload is the payload of debrief_link_set.
type debriefLinkPayload struct {
	Token string `json:"token"`
}

// debriefSecretLen is the secret's length in bytes.
const debriefSecretLen = 32

// CreateDebriefLink makes a new debrief token for an exercise, replacing
// any earlier one, and returns it.
func (e *Engine) CreateDebriefLink(ctx context.Context, exerciseID string) (string, error) {
	var secret [debriefSecretLen]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return "", fmt.Errorf("engine: debrief link: %w", err)
	}
	token := exerciseID + "." + base64.RawURLEncoding.EncodeToString(secret[:])
	_, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) {
		ev := Event{Kind: KindDebriefLinkSet, WallTime: now, ExerciseTime: l.clockAt(now), Audience: staff(),
			Payload: mustJSON(debriefLinkPayload{Token: token})}
		_, err := l.commit(now, []Event{ev}, store.Commit{})
		return nil, err
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// RevokeDebriefLink stops the exercise's debrief link from working. An
// exercise without a link is left as it is.
func (e *Engine) RevokeDebriefLink(ctx context.Context, exerciseID string) error {
	if token, err := e.DebriefLink(ctx, exerciseID); err != nil || token == "" {
		return err
	}
	_, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) {
		ev := Event{Kind: KindDebriefLinkRevoked, WallTime: now, ExerciseTime: l.clockAt(now), Audience: staff(),
			Payload: mustJSON(struct{}{})}
		_, err := l.commit(now, []Event{ev}, store.Commit{})
		return nil, err
	})
	return err
}

// DebriefLink returns the exercise's current debrief token, "" when it has
// none (never made, or revoked); ErrNotFound when the exercise is unknown.
func (e *Engine) DebriefLink(ctx context.Context, exerciseID string) (string, error) {
	log, err := e.Log(ctx, exerciseID)
	if err != nil {
		return "", err
	}
	return debriefToken(log)
}

// debriefToken is the debrief token a log leaves current: the last set or
// revoke wins ("" for none).
func debriefToken(events []Event) (string, error) {
	token := ""
	for _, ev := range events {
		switch ev.Kind {
		case KindDebriefLinkSet:
			var p debriefLinkPayload
			if err := json.Unmarshal(ev.Payload, &p); err != nil {
				return "", fmt.Errorf("engine: debrief link: event %d: %w", ev.Seq, err)
			}
			token = p.Token
		case KindDebriefLinkRevoked:
			token = ""
		}
	}
	return token, nil
}

// DebriefExercise returns the exercise a debrief token opens, with the
// exercise's whole log (read once, to find the token, and handed on so the
// debrief is made from the same read): ErrNotFound for a malformed,
// unknown, replaced or revoked token. The secret is compared in constant
// time.
func (e *Engine) DebriefExercise(ctx context.Context, token string) (string, []Event, error) {
	i := strings.LastIndexByte(token, '.')
	notFound := fmt.Errorf("engine: debrief link: %w", ErrNotFound)
	if i <= 0 || len(token) > 200 || !validID(token[:i]) {
		return "", nil, notFound
	}
	id := token[:i]
	log, err := e.Log(ctx, id)
	if err != nil {
		if Code(err) == "not_found" || Code(err) == "invalid" {
			return "", nil, notFound
		}
		return "", nil, err
	}
	want, err := debriefToken(log)
	if err != nil {
		return "", nil, err
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(token)) != 1 {
		return "", nil, notFound
	}
	return id, log, nil
}
