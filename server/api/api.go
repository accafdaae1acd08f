// Package api owns ttx's HTTP surface: the Gin router and its middleware
// (access log, recovery, one JSON error shape, security headers, body caps,
// cross-origin refusal), facilitator sessions, participant and observer
// tokens, join codes and their rate limits, the scenario library routes,
// exercise routes, and the WebSocket protocol (decoding, validating and
// authorising client messages; filtering events per role).
package api

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ttxsim/ttx/server/config"
	"github.com/ttxsim/ttx/server/hub"
	"github.com/ttxsim/ttx/server/metrics"
	"github.com/ttxsim/ttx/server/password"
)

// Options are the API's settings, taken from config.Config by the caller.
type Options struct {
	SecureCookies  string        // auto | true | false
	TrustedProxies []string      // IPs/CIDRs whose X-Forwarded-* are believed
	AllowedOrigins []string      // extra origins for CSRF and WebSocket checks
	SessionTTL     time.Duration // facilitator session lifetime
	BaseURL        string        // public URL for join links; "" = from request
	BcryptCost     int           // 0 = password.DefaultCost
	Version        string
	// MetricsToken, when set, is required as a bearer token on /metrics;
	// when empty, /metrics answers only peers on the loopback interface.
	MetricsToken string
	// PresenceInterval is the shortest time between two presence frames
	// for one exercise (0 = DefaultPresenceInterval).
	PresenceInterval time.Duration
}

// Limits are the rate limiters, owned by the caller so that their state is
// visible and nothing lives in package variables.
type Limits struct {
	JoinIP   *Limiter // failed joins per client IP
	JoinCode *Limiter // failed joins per submitted code

	Login *LoginGuard // failed password checks; see LoginGuard

	// Joins are successful joins per client IP: generous enough for a
	// room behind one NAT address, but a script cannot fill an exercise
	// with participants (and log events) as fast as it can post.
	Joins *Limiter

	// Per identity (facilitator account, participant, observer), across
	// all its connections, so that redialling buys no fresh allowance.
	Messages *Limiter // every WebSocket message
	Connects *Limiter // every WebSocket upgrade
}

// DefaultLimits returns the production limits: 10 failed joins per minute
// per IP, 20 per code; failed logins as LoginGuard describes; each table
// bounded to 10,000 keys.
func DefaultLimits(now func() time.Time) Limits {
	return Limits{
		JoinIP:   NewLimiter(10, 10, 10000, now),
		JoinCode: NewLimiter(20, 20, 10000, now),
		Login:    NewLoginGuard(now),
		Joins:    NewLimiter(joinBurst, joinsPerMinute, 10000, now),
		Messages: NewLimiter(msgBurst, msgRate*60, 100000, now),
		Connects: NewLimiter(connectBurst, connectsPerMinute, 100000, now),
	}
}

// Deps are the API's collaborators, each an interface declared here.
type Deps struct {
	Log      *slog.Logger
	Accounts AccountStore
	Tokens   TokenStore
	Library  Library
	Access   AccessStore // exercises by join code, observers
	Engine   Engine      // nil: exercise routes answer 503
	Hub      Hub         // nil: the WebSocket route answers 503
	UI       fs.FS       // built frontend (index.html, assets/); nil: none
	Ready    func(context.Context) error
	Now      func() time.Time
	Limits   Limits
	// Endings closes an ended exercise's sockets after a grace period and
	// refuses new ones then (pass the same to the Publisher); nil: sockets
	// of ended exercises stay open.
	Endings *Endings
	// Disk tells facilitators' sockets when the database's disk fills up
	// and clears (give its Changed to the store); nil: it is not said.
	Disk *DiskAlerts

	// Templates keeps facilitators' saved ad-hoc injects; nil: the
	// template routes answer 503.
	Templates TemplateStore

	// Metrics records request, socket and fan-out figures; nil records
	// nothing. MetricsHandler serves them at /metrics (nil: no route).
	Metrics        *metrics.TTX
	MetricsHandler http.Handler
}

// Server is the HTTP API. Build it with New; serve Handler().
type Server struct {
	log      *slog.Logger
	accounts AccountStore
	tokens   TokenStore
	library  Library
	access   AccessStore
	engine   Engine
	hub      Hub
	presence *presence
	endings  *Endings
	disk     *DiskAlerts

	templates TemplateStore

	metrics        *metrics.TTX // nil: record nothing
	metricsHandler http.Handler
	ready          func(context.Context) error
	now            func() time.Time
	limits         Limits
	opts           Options
	proxies        []netip.Prefix
	origins        *hub.Origins // the cross-origin rule, shared with the WebSocket upgrade
	ui             *ui
	// passwords checks logins: an unknown name costs the same time as a
	// wrong password.
	passwords *password.Login
	router    *gin.Engine
}

// Body caps. Everything is small JSON except scenario files.
const (
	defaultBodyLimit = 64 << 10
	uploadBodyLimit  = 1 << 20
)

// wsPath is the one WebSocket endpoint.
const wsPath = "/api/ws"

// New builds the server and its routes.
func New(d Deps, o Options) (*Server, error) {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	def := DefaultLimits(d.Now)
	for _, l := range []struct{ have, def **Limiter }{
		{&d.Limits.JoinIP, &def.JoinIP}, {&d.Limits.JoinCode, &def.JoinCode},
		{&d.Limits.Messages, &def.Messages}, {&d.Limits.Connects, &def.Connects},
		{&d.Limits.Joins, &def.Joins},
	} {
		if *l.have == nil {
			*l.have = *l.def
		}
	}
	if d.Limits.Login == nil {
		d.Limits.Login = def.Login
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = config.Default().SessionTTL
	}
	if o.SecureCookies == "" {
		o.SecureCookies = "auto"
	}
	if o.BcryptCost == 0 {
		o.BcryptCost = password.DefaultCost
	}
	if d.Accounts == nil || d.Tokens == nil || d.Library == nil || d.Access == nil {
		return nil, fmt.Errorf("api: Accounts, Tokens, Library and Access are required")
	}
	s := &Server{
		log: d.Log, accounts: d.Accounts, tokens: d.Tokens, library: d.Library, access: d.Access, templates: d.Templates, engine: d.Engine, hub: d.Hub,
		ready: d.Ready, now: d.Now, limits: d.Limits, opts: o,
		presence: newPresence(d.Hub, o.PresenceInterval, d.Metrics),
		endings:  d.Endings,
		disk:     d.Disk,
		metrics:  d.Metrics, metricsHandler: d.MetricsHandler,
	}
	if d.Disk != nil && d.Hub != nil {
		d.Disk.attach(d.Hub)
	}
	for _, p := range o.TrustedProxies {
		pr, err := config.ParseProxy(p)
		if err != nil {
			return nil, fmt.Errorf("api: trusted proxies: %w", err)
		}
		s.proxies = append(s.proxies, pr)
	}
	var err error
	if s.origins, err = hub.NewOrigins(o.AllowedOrigins); err != nil {
		return nil, fmt.Errorf("api: allowed origins: %w", err)
	}
	if s.ui, err = newUI(d.UI); err != nil {
		return nil, fmt.Errorf("api: web UI: %w", err)
	}
	s.passwords = password.NewLogin(o.BcryptCost)
	if s.router, err = s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler is the http.Handler to serve: the router, and /metrics beside it
// when a metrics handler was given.
func (s *Server) Handler() http.Handler {
	if s.metricsHandler == nil {
		return s.router
	}
	// Not a ServeMux: it would clean and redirect paths the router (and its
	// traversal guard) must see as sent.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			s.serveMetrics(w, r)
			return
		}
		s.router.ServeHTTP(w, r)
	})
}

// routes is the route table, grouped by who may call each route. A security
// review reads this one function.
func (s *Server) routes() (*gin.Engine, error) {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false
	r.ForwardedByClientIP = true
	r.RemoteIPHeaders = []string{"X-Forwarded-For", "X-Real-IP"}
	// Forwarded headers count only from configured proxies (none by
	// default); otherwise anyone could choose their rate-limit key.
	if err := r.SetTrustedProxies(nilIfEmpty(s.opts.TrustedProxies)); err != nil {
		return nil, fmt.Errorf("api: trusted proxies: %w", err)
	}

	r.Use(
		securityHeaders(),
		countRequests(s.metrics),
		accessLog(s.log),
		recovery(s.log),
		renderErrors(s.log),
		limitBody(defaultBodyLimit, map[string]int64{
			"/api/scenarios":             uploadBodyLimit,
			"/api/scenarios/validate":    uploadBodyLimit,
			"/api/scenarios/msel-import": uploadBodyLimit,
		}),
		crossOrigin(s.origins),
		s.authenticate(s.tokenAuth, s.sessionAuth),
	)
	r.NoRoute(s.notFound)
	r.NoMethod(func(c *gin.Context) {
		fail(c, &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: "method not allowed"})
	})

	// Anyone.
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/debrief/:token", s.publicDebrief) // the debrief link: no account
	api := r.Group("/api")
	api.GET("/version", s.version)
	api.POST("/auth/login", s.login)
	api.POST("/auth/logout", s.logout)
	api.POST("/join", s.join)
	api.POST("/join/lookup", s.lookupCode)

	// Any authenticated role.
	api.GET("/me", authenticated(), s.me) // also for a facilitator who must change the password
	api.GET("/ws", s.websocket)           // authenticates and authorises before the upgrade

	// A facilitator, even one who must still change the generated password.
	api.POST("/auth/password", anyFacilitator(), s.changePassword)

	// Facilitators.
	fac := api.Group("", require(Facilitator))
	fac.GET("/scenarios", s.listScenarios)
	fac.GET("/scenarios/:sid", s.getScenario)
	fac.POST("/scenarios/validate", s.validateScenario)
	fac.POST("/scenarios", s.uploadScenario)
	fac.GET("/scenarios/:sid/docs/:doc", s.libraryDoc)
	fac.POST("/scenarios/msel-import", s.mselImport)
	fac.GET("/exercises", s.listExercises)
	fac.POST("/exercises", s.createExercise)

	// Facilitators on any exercise; participants and observers on theirs.
	ex := api.Group("/exercises/:id", exerciseScope())
	ex.GET("", require(Facilitator, Participant, Observer), s.getExercise)
	ex.GET("/events", require(Facilitator, Participant, Observer), s.exerciseEvents)
	ex.POST("/answers", require(Participant, Facilitator), s.command(msgAnswer))
	ex.POST("/notes", require(Observer, Facilitator), s.command(msgNote))
	ex.POST("/chat", require(Participant, Facilitator), s.command(msgChat))
	ex.POST("/receipt", require(Participant), s.command(msgReceipt))
	ex.GET("/receipts", require(Facilitator, Observer), s.receipts)
	ex.POST("/ratings", require(Observer, Facilitator), s.command(msgRating))
	ex.POST("/corrective-actions", require(Facilitator), s.command(msgCorrectiveAction))
	ex.GET("/evaluation", require(Facilitator, Observer), s.evaluation)
	ex.POST("/draft", require(Participant), s.command(msgDraft))
	ex.POST("/discard-draft", require(Participant), s.command(msgDiscardDraft))
	ex.POST("/request-approval", require(Participant), s.command(msgRequestApproval))
	ex.POST("/approve", require(Participant, Facilitator), s.command(msgApprove))
	ex.POST("/reject", require(Participant, Facilitator), s.command(msgReject))
	ex.POST("/send", require(Participant), s.command(msgSend))
	ex.POST("/persona-send", require(Facilitator), s.command(msgPersonaSend))
	ex.GET("/canned", require(Facilitator), s.canned)

	exFac := ex.Group("", require(Facilitator))
	exFac.GET("/scenario", s.exerciseScenario)
	exFac.GET("/report", s.report)
	exFac.GET("/docs/:doc", s.exerciseDoc)
	exFac.POST("/debrief-link", s.createDebriefLink)
	exFac.GET("/debrief-link", s.getDebriefLink)
	exFac.DELETE("/debrief-link", s.revokeDebriefLink)
	exFac.GET("/projector", s.projector)
	exFac.POST("/rerun", s.rerunExercise)
	exFac.GET("/inject-templates", s.listInjectTemplates)
	exFac.POST("/inject-templates", s.saveInjectTemplate)
	exFac.DELETE("/inject-templates/:tid", s.deleteInjectTemplate)
	exFac.POST("/archive", s.archiveExercise(true))
	exFac.POST("/unarchive", s.archiveExercise(false))
	exFac.DELETE("", s.deleteExercise)
	exFac.POST("/start", s.command(msgStart))
	exFac.POST("/pause", s.command(msgPause))
	exFac.POST("/resume", s.command(msgResume))
	exFac.POST("/skip", s.command(msgSkip))
	exFac.POST("/speed", s.command(msgSpeed))
	exFac.POST("/inject", s.command(msgInject))
	exFac.POST("/force", s.command(msgForce))
	exFac.POST("/close-decision", s.command(msgCloseDecision))
	exFac.POST("/extend-decision", s.command(msgExtendDecision))
	exFac.POST("/end", s.command(msgEnd))
	exFac.POST("/schedule-inject", s.command(msgScheduleInject))
	exFac.POST("/cancel-scheduled-inject", s.command(msgCancelScheduled))
	exFac.DELETE("/participants/:pid", s.removeParticipant)
	exFac.POST("/participants/:pid/lead", s.promoteLead)
	exFac.POST("/participants/:pid/move", s.moveParticipant)
	exFac.POST("/join-code", s.rotateJoinCode)
	exFac.GET("/observers", s.listObservers)
	exFac.POST("/observers", s.addObserver)
	exFac.DELETE("/observers/:oid", s.revokeObserver)
	return r, nil
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz reports whether the database answers.
func (s *Server) readyz(c *gin.Context) {
	if s.ready != nil {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		if err := s.ready(ctx); err != nil {
			var nr *NotReady
			if errors.As(err, &nr) { // a known state, logged once by whoever found it
				c.JSON(http.StatusServiceUnavailable, errorBody{&Error{Code: "not_ready", Message: nr.Message, Details: nr.details()}})
				return
			}
			s.log.WarnContext(ctx, "not ready", slog.Any("error", err))
			c.JSON(http.StatusServiceUnavailable, errorBody{&Error{Code: "not_ready", Message: "database unavailable"}})
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

func (s *Server) version(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"version": s.opts.Version})
}
