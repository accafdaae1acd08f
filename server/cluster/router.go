package cluster

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// ForwardedHeader carries the cluster secret on a request one node passes
// to another: the receiving node serves it itself, never passing it on.
const ForwardedHeader = "X-Ttx-Cluster"

// maxJoinBody bounds the join request the router reads to find the
// exercise (the API's own limit is lower).
const maxJoinBody = 64 << 10

// Router sits in front of a node's API. A request about one exercise —
// /api/exercises/{id}/…, the WebSocket /api/ws?exercise={id}, a join by
// code — is served here when this node drives the exercise (taking it when
// no node does), and otherwise passed whole to the node that does,
// WebSockets included: every client of an exercise ends up on its owner,
// whichever node the load balancer chose, and the owner's own hub fans
// its events out. Everything else (login, lists, uploads) is served here
// from the shared database.
type Router struct {
	next      http.Handler
	self      string
	secret    []byte
	owner     func(ctx context.Context, exerciseID string) (string, error)
	byCode    func(ctx context.Context, code string) (string, error)
	log       *slog.Logger
	transport http.RoundTripper

	// Owners of exercises driven elsewhere, remembered for cacheFor so
	// that a stream of requests does not ask the database each time. A
	// stale entry costs one failed forward (evicted) or one 503 at the old
	// owner; clients retry.
	cacheFor time.Duration
	mu       sync.Mutex
	owners   map[string]cachedOwner
}

type cachedOwner struct {
	node  string
	until time.Time
}

// maxCachedOwners bounds the cache; it starts afresh when full.
const maxCachedOwners = 10000

// RouterConfig wires a Router.
type RouterConfig struct {
	Self   string // this node's URL (its lease name)
	Secret string
	// Owner returns "" when this node drives the exercise, else the
	// owner's URL (engine.Engine.Owner).
	Owner func(ctx context.Context, exerciseID string) (string, error)
	// ByCode returns the exercise a join code names.
	ByCode func(ctx context.Context, code string) (string, error)
	Log    *slog.Logger
	// CacheFor is how long the router remembers that another node drives
	// an exercise (0: it asks every time). A third of the lease TTL.
	CacheFor time.Duration
}

// NewRouter returns a Router in front of next.
func NewRouter(next http.Handler, c RouterConfig) *Router {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return &Router{next: next, self: c.Self, secret: []byte(c.Secret), owner: c.Owner, byCode: c.ByCode, log: c.Log,
		cacheFor: c.CacheFor, owners: map[string]cachedOwner{},
		transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64, ForceAttemptHTTP2: false}}
}

func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if v, ok := r.Header[ForwardedHeader]; ok {
		if len(v) != 1 || subtle.ConstantTimeCompare([]byte(v[0]), rt.secret) != 1 {
			writeError(w, http.StatusForbidden, "forbidden", "bad cluster secret")
			return
		}
		r.Header.Del(ForwardedHeader)
		rt.next.ServeHTTP(w, r) // passed on once already: served here
		return
	}
	id := rt.exerciseOf(r)
	if id == "" {
		rt.next.ServeHTTP(w, r)
		return
	}
	owner, err := rt.ownerOf(r.Context(), id)
	if err != nil || owner == "" || owner == rt.self {
		// Here, or not at all: the API gives the error its usual shape.
		rt.next.ServeHTTP(w, r)
		return
	}
	target, err := url.Parse(owner)
	if err != nil {
		rt.log.Error("cluster: owner's URL", "exercise", id, "owner", owner, "err", err)
		writeError(w, http.StatusServiceUnavailable, "unavailable", "the exercise's node cannot be reached; try again")
		return
	}
	rt.proxy(id, target).ServeHTTP(w, r)
}

func (rt *Router) ownerOf(ctx context.Context, id string) (string, error) {
	if rt.cacheFor <= 0 {
		return rt.owner(ctx, id)
	}
	now := time.Now()
	rt.mu.Lock()
	c, ok := rt.owners[id]
	rt.mu.Unlock()
	if ok && now.Before(c.until) {
		return c.node, nil
	}
	owner, err := rt.owner(ctx, id)
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if err != nil || owner == "" || owner == rt.self {
		delete(rt.owners, id)
		return owner, err
	}
	if len(rt.owners) >= maxCachedOwners {
		rt.owners = map[string]cachedOwner{}
	}
	rt.owners[id] = cachedOwner{node: owner, until: now.Add(rt.cacheFor)}
	return owner, nil
}

func (rt *Router) forget(id string) {
	rt.mu.Lock()
	delete(rt.owners, id)
	rt.mu.Unlock()
}

func (rt *Router) proxy(id string, target *url.URL) *httputil.ReverseProxy {
	secret := string(rt.secret)
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host // origin checks compare with the host the browser used
			pr.SetXForwarded()
			pr.Out.Header.Set(ForwardedHeader, secret)
		},
		Transport:     rt.transport,
		FlushInterval: -1,
		ErrorLog:      slog.NewLogLogger(rt.log.Handler(), slog.LevelWarn),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			rt.forget(id)
			rt.log.Warn("cluster: forward to the exercise's node", "node", target.Host, "err", err)
			writeError(w, http.StatusServiceUnavailable, "unavailable", "the exercise's node cannot be reached; try again")
		},
	}
}

// exerciseOf names the exercise a request is about, or "".
func (rt *Router) exerciseOf(r *http.Request) string {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/api/exercises/"):
		id, _, _ := strings.Cut(strings.TrimPrefix(p, "/api/exercises/"), "/")
		return id
	case p == "/api/ws":
		return r.URL.Query().Get("exercise")
	case p == "/api/join" && r.Method == http.MethodPost && rt.byCode != nil:
		body, err := io.ReadAll(io.LimitReader(r.Body, maxJoinBody))
		_ = r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err != nil {
			return ""
		}
		var req struct {
			Code string `json:"code"`
		}
		if json.Unmarshal(body, &req) != nil || req.Code == "" {
			return ""
		}
		id, err := rt.byCode(r.Context(), req.Code)
		if err != nil {
			return ""
		}
		return id
	}
	return ""
}

// writeError answers in the API's one error shape.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
