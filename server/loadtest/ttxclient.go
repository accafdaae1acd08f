package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Credentials name a facilitator account of the server under test.
type Credentials struct {
	Name     string
	Password string
	// Others name more facilitator accounts with the same password. Each
	// account has its own message budget (the same limit on every door),
	// so one account paces the set-up of hundreds of exercises; with
	// several, exercise e is created and commanded by account e mod n, as a
	// training provider's several facilitators would share the work.
	Others []string
}

// facilitator drives the ttx HTTP API as one or more logged-in
// facilitator accounts (any facilitator may command any exercise).
type facilitator struct {
	base   *url.URL
	client *http.Client // the first account's session
	// createVia are the nodes exercises are created through, exercise e
	// through createVia[e mod len]; nil: base. The node an exercise is
	// created through drives it.
	createVia []*url.URL
	// crew are the sessions of every account, client first; exercise e is
	// created and commanded through crew[e mod len].
	crew []*http.Client

	mu    sync.Mutex
	by    map[string]*http.Client // exercise id → the session that commands it
	owner map[string]*url.URL     // exercise id → the node it was created through
}

// member is the session exercise e (0-based) is created by.
func (f *facilitator) member(e int) *http.Client {
	if len(f.crew) == 0 {
		return f.client
	}
	return f.crew[e%len(f.crew)]
}

// sessionFor is the session that commands exercise exID: the one that
// created it, else the first account's.
func (f *facilitator) sessionFor(exID string) *http.Client {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.by[exID]; ok {
		return c
	}
	return f.client
}

// remember records who created exercise exID and through which node.
func (f *facilitator) remember(exID string, c *http.Client, node *url.URL) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.by == nil {
		f.by, f.owner = map[string]*http.Client{}, map[string]*url.URL{}
	}
	f.by[exID], f.owner[exID] = c, node
}

// newHTTPClient returns a client for loopback API calls: bounded time,
// enough idle connections for the tool's bounded concurrency.
func newHTTPClient(jar http.CookieJar) *http.Client {
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 32, IdleConnTimeout: 30 * time.Second}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: tr}
}

// apiError is the server's error body.
type apiError struct {
	Status     int
	RetryAfter time.Duration // from a 429's Retry-After header
	Code       string        `json:"code"`
	Message    string        `json:"message"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// call sends a JSON request and decodes a JSON answer into out (nil: drop).
func call(ctx context.Context, c *http.Client, method, u string, header http.Header, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("loadtest: encode %s %s: %w", method, u, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("loadtest: %s %s: %w", method, u, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("loadtest: %s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("loadtest: %s %s: read answer: %w", method, u, err)
	}
	if resp.StatusCode >= 300 {
		var eb struct {
			Error *apiError `json:"error"`
		}
		if json.Unmarshal(raw, &eb) == nil && eb.Error != nil {
			eb.Error.Status = resp.StatusCode
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
				eb.Error.RetryAfter = time.Duration(s) * time.Second
			}
			return fmt.Errorf("loadtest: %s %s: %w", method, u, eb.Error)
		}
		return fmt.Errorf("loadtest: %s %s: %s", method, u, resp.Status)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("loadtest: %s %s: decode answer: %w", method, u, err)
		}
	}
	return nil
}

// login opens a session for every account of cr.
func login(ctx context.Context, base *url.URL, cr Credentials) (*facilitator, error) {
	f := &facilitator{base: base}
	for _, name := range append([]string{cr.Name}, cr.Others...) {
		c, err := loginOne(ctx, base, name, cr.Password)
		if err != nil {
			return nil, err
		}
		f.crew = append(f.crew, c)
	}
	f.client = f.crew[0]
	return f, nil
}

// loginOne opens one account's session and returns its client.
func loginOne(ctx context.Context, base *url.URL, name, password string) (*http.Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("loadtest: cookie jar: %w", err)
	}
	c := newHTTPClient(jar)
	var me struct {
		MustChange bool `json:"must_change_password"`
	}
	if err := call(ctx, c, http.MethodPost, base.JoinPath("/api/auth/login").String(), nil,
		map[string]string{"name": name, "password": password}, &me); err != nil {
		return nil, fmt.Errorf("loadtest: log in as %q: %w", name, err)
	}
	if me.MustChange {
		return nil, fmt.Errorf("loadtest: account %q must change its generated password first; "+
			"log in once in the browser, or use an account made with 'ttx user add NAME' and a password on stdin", name)
	}
	return c, nil
}

func (f *facilitator) url(path string) string { return f.base.JoinPath(path).String() }

// exerciseInfo is what the tool needs to know of one exercise.
type exerciseInfo struct {
	ID    string
	Code  string
	Teams []string
}

// createExercise creates an exercise from a library scenario and reads its
// teams through the join-code lookup, as a participant's browser would.
func (f *facilitator) createExercise(ctx context.Context, scenarioID, title string) (exerciseInfo, error) {
	return f.createExerciseVia(ctx, f.client, f.base, scenarioID, title)
}

// createExerciseVia is createExercise by session c through node.
func (f *facilitator) createExerciseVia(ctx context.Context, c *http.Client, node *url.URL, scenarioID, title string) (exerciseInfo, error) {
	var created struct {
		Exercise struct {
			ID   string `json:"id"`
			Join *struct {
				Code string `json:"code"`
			} `json:"join"`
		} `json:"exercise"`
	}
	if err := call(ctx, c, http.MethodPost, node.JoinPath("/api/exercises").String(), nil,
		map[string]any{"scenario": scenarioID, "title": title}, &created); err != nil {
		return exerciseInfo{}, err
	}
	f.remember(created.Exercise.ID, c, node)
	if created.Exercise.Join == nil || created.Exercise.Join.Code == "" {
		return exerciseInfo{}, fmt.Errorf("loadtest: exercise %s has no join code", created.Exercise.ID)
	}
	info := exerciseInfo{ID: created.Exercise.ID, Code: created.Exercise.Join.Code}
	var lookup struct {
		Teams []struct {
			ID string `json:"id"`
		} `json:"teams"`
	}
	if err := call(ctx, c, http.MethodPost, f.url("/api/join/lookup"), nil,
		map[string]string{"code": info.Code}, &lookup); err != nil {
		return exerciseInfo{}, err
	}
	for _, t := range lookup.Teams {
		info.Teams = append(info.Teams, t.ID)
	}
	if len(info.Teams) == 0 {
		return exerciseInfo{}, fmt.Errorf("loadtest: exercise %s has no teams", info.ID)
	}
	return info, nil
}

// commandTries bounds how often a command refused for the facilitator's
// message budget (429 rate_limited) is sent again.
const commandTries = 60

// command posts a facilitator command (start, pause, speed, inject, ...).
// A command over the account's message budget is sent again once the
// server's Retry-After has passed, as a patient facilitator would: set-up
// of many exercises outruns the budget when the server answers fast.
func (f *facilitator) command(ctx context.Context, exID, name string, body any) error {
	if body == nil {
		body = map[string]any{}
	}
	for try := 1; ; try++ {
		err := call(ctx, f.sessionFor(exID), http.MethodPost, f.url("/api/exercises/"+exID+"/"+name), nil, body, nil)
		var ae *apiError
		if try == commandTries || !errors.As(err, &ae) || ae.Status != http.StatusTooManyRequests || ae.Code != "rate_limited" {
			return err
		}
		t := time.NewTimer(max(ae.RetryAfter, 100*time.Millisecond))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
	}
}

// adHoc is the ad-hoc inject body of POST /api/exercises/:id/inject.
type adHoc struct {
	Teams   []string `json:"teams,omitempty"`
	Channel string   `json:"channel"`
	Title   string   `json:"title,omitempty"`
	Body    string   `json:"body"`
}

// logEvent is one event of the exercise log, as the events route returns.
type logEvent struct {
	Seq      int64           `json:"seq"`
	Kind     string          `json:"kind"`
	At       time.Duration   `json:"at"`
	WallTime time.Time       `json:"wall_time"`
	Audience []string        `json:"audience"`
	Payload  json.RawMessage `json:"payload"`
}

// events reads the whole log of an exercise (bounded to maxEvents).
func (f *facilitator) events(ctx context.Context, exID string, maxEvents int) ([]logEvent, error) {
	var all []logEvent
	after := int64(0)
	for len(all) < maxEvents {
		var page struct {
			Events    []logEvent `json:"events"`
			NextAfter int64      `json:"next_after"`
			More      bool       `json:"more"`
		}
		u := f.url("/api/exercises/"+exID+"/events") + "?limit=1000&after=" + strconv.FormatInt(after, 10)
		if err := call(ctx, f.sessionFor(exID), http.MethodGet, u, nil, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Events...)
		if !page.More || page.NextAfter <= after {
			break
		}
		after = page.NextAfter
	}
	return all, nil
}

// lastSeq is the sequence number of the newest event of an exercise.
func (f *facilitator) lastSeq(ctx context.Context, exID string) (int64, error) {
	evs, err := f.events(ctx, exID, 1_000_000)
	if err != nil {
		return 0, err
	}
	if len(evs) == 0 {
		return 0, nil
	}
	return evs[len(evs)-1].Seq, nil
}

// joined is one participant's credentials.
type joined struct {
	Exercise string
	Team     string
	Token    string
}

// join joins an exercise as a participant, as the join page does.
func join(ctx context.Context, c *http.Client, base *url.URL, code, name, team string) (joined, error) {
	var resp struct {
		Token       string `json:"token"`
		Participant struct {
			ExerciseID string `json:"exercise_id"`
			Team       string `json:"team"`
		} `json:"participant"`
	}
	if err := call(ctx, c, http.MethodPost, base.JoinPath("/api/join").String(), nil,
		map[string]string{"code": code, "name": name, "team": team}, &resp); err != nil {
		return joined{}, err
	}
	return joined{Exercise: resp.Participant.ExerciseID, Team: resp.Participant.Team, Token: resp.Token}, nil
}
