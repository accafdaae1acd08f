// Package engine runs live exercises. Each exercise is driven by one
// goroutine (its loop) that owns the exercise's sim.Machine, maps wall
// time, speed and pause onto the exercise clock, arms one timer for the
// next scheduled item, and turns every command and timer into events
// appended to the exercise's log through the Store. The log is the truth:
// a loop (re)starts by replaying it, so a restarted server resumes every
// exercise where its log left it. The engine knows nothing of HTTP or
// WebSockets; it hands committed events to a Publisher and to
// subscriptions.
package engine

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/store"
)

// Store is the persistence the engine needs; *store.Store implements it.
type Store interface {
	PutScenario(ctx context.Context, slug, title string, source []byte, now time.Time) (store.Scenario, error)
	Scenario(ctx context.Context, id int64) (store.Scenario, error)
	CreateExercise(ctx context.Context, ex store.Exercise, teams []store.Team, events []store.Event) ([]store.Event, error)
	Exercise(ctx context.Context, id string) (store.Exercise, error)
	ListExercises(ctx context.Context, f store.ListFilter) ([]store.Exercise, error)
	Participants(ctx context.Context, exerciseID string) ([]store.Participant, error)
	Commit(ctx context.Context, c store.Commit) ([]store.Event, error)
	Events(ctx context.Context, exerciseID string, afterSeq int64, limit int) ([]store.Event, error)
	EventByClientID(ctx context.Context, exerciseID, clientID string) (store.Event, error)
	LastSeq(ctx context.Context, exerciseID string) (int64, error)
	SetArchived(ctx context.Context, id string, at time.Time) error
	DeleteExercise(ctx context.Context, id string) error
}

// Publisher receives the events of an exercise right after they commit,
// in sequence order, from that exercise's loop goroutine. Publish must not
// block and must not call back into the Engine: the exercise waits while
// it runs. Queue the events (bounded, dropping slow consumers) and return.
// The slice and its events are shared and must be treated as read-only.
type Publisher interface {
	Publish(exerciseID string, events []Event)
}

// Limits on what commands accept.
const (
	MinSpeed       = 1.0
	MaxSpeed       = 10.0
	MaxNameLen     = 64   // participant display name, in characters
	MaxTitleLen    = 200  // exercise title, in characters
	MaxNoteLen     = 4000 // observer note, in bytes
	MaxInjectBody  = 8000 // ad-hoc inject body, in bytes
	MaxInjectField = 500  // other ad-hoc inject fields, in bytes
	MaxReasonLen   = 500
	MaxClientIDLen = 64
	MaxSourceLen   = 1 << 20 // scenario source, in bytes
)

// idleTimeout is how long the loop of an exercise with nothing scheduled
// (lobby, paused, ended) stays up without commands; the next command
// restarts it from the log.
const idleTimeout = 10 * time.Minute

// Engine runs many exercises at once. Its methods are safe for concurrent
// use; commands on one exercise are applied one at a time, in arrival
// order, by that exercise's loop.
type Engine struct {
	store  Store
	clock  Clock
	pub    Publisher
	log    *slog.Logger
	rand   io.Reader
	subBuf int

	maxParticipants int // present (not removed) participants per exercise

	leases   Leases        // nil: this engine owns every exercise (one node)
	leaseTTL time.Duration // with leases

	scenarios *scenarioCache // parsed scenarios, shared by the loops running them

	quit chan struct{} // closed by Close
	wg   sync.WaitGroup

	mu     sync.Mutex
	closed bool
	loops  map[string]*loop

	subMu sync.Mutex
	subs  map[string]map[*Subscription]struct{}
}

// Option configures New.
type Option func(*Engine)

// DefaultMaxParticipants bounds an exercise's roster: well above a whole
// company in one exercise, low enough that someone with the join code
// cannot grow the roster (and every facilitator view of it) without end.
const DefaultMaxParticipants = 10000

// WithMaxParticipants sets how many participants an exercise may have at
// once (removed ones do not count); n <= 0 keeps the default.
func WithMaxParticipants(n int) Option {
	return func(e *Engine) {
		if n > 0 {
			e.maxParticipants = n
		}
	}
}

// WithRand sets the source of randomness for exercise and participant ids
// (default crypto/rand). Tests use a seeded reader to get the same ids in
// two runs.
func WithRand(r io.Reader) Option { return func(e *Engine) { e.rand = r } }

// WithSubscriptionBuffer sets the channel capacity of each subscription
// (default 256).
func WithSubscriptionBuffer(n int) Option {
	return func(e *Engine) {
		if n > 0 {
			e.subBuf = n
		}
	}
}

// New returns an engine. pub may be nil. Call Recover to resume the
// exercises that were running when the process stopped, and Close to stop.
func New(st Store, clock Clock, pub Publisher, log *slog.Logger, opts ...Option) *Engine {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{store: st, clock: clock, pub: pub, log: log, rand: rand.Reader, subBuf: 256, maxParticipants: DefaultMaxParticipants,
		scenarios: newScenarioCache(), quit: make(chan struct{}), loops: map[string]*loop{}, subs: map[string]map[*Subscription]struct{}{}}
	for _, o := range opts {
		o(e)
	}
	return e
}

// Close stops every exercise loop (each finishes the command it is
// applying, so no commit is cut in half), ends all subscriptions with
// ErrClosed and waits for every goroutine the engine started. Timers are
// disarmed; the exercise clocks keep running in the log's terms and are
// caught up by Recover on the next start.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	close(e.quit)
	e.mu.Unlock()
	e.wg.Wait()
	e.subMu.Lock()
	for _, set := range e.subs {
		for s := range set {
			s.mu.Lock()
			s.closeLocked(ErrClosed)
			s.mu.Unlock()
		}
	}
	e.subs = map[string]map[*Subscription]struct{}{}
	e.subMu.Unlock()
	return nil
}

// Recover starts the loop of every running or paused exercise: each
// replays its log, applies what fell due while the server was down (in
// order, stamped with its due time) and re-arms its timer. It returns how
// many exercises it resumed; exercises that fail to load are logged and
// reported in the error without stopping the others.
func (e *Engine) Recover(ctx context.Context) (int, error) {
	var ids []string
	for offset := 0; ; {
		page, err := e.store.ListExercises(ctx, store.ListFilter{
			Statuses: []string{store.StatusRunning, store.StatusPaused}, Limit: 1000, Offset: offset})
		if err != nil {
			return 0, fmt.Errorf("engine: recover: %w", err)
		}
		for _, ex := range page {
			ids = append(ids, ex.ID)
		}
		if len(page) < 1000 {
			break
		}
		offset += len(page)
	}
	var errs []error
	n := 0
	for _, id := range ids {
		if _, err := e.do(ctx, id, func(*loop, time.Time) (any, error) { return nil, nil }); err != nil {
			if errors.Is(err, ErrNotOwner) {
				continue // another node drives it
			}
			e.log.Error("engine: recover exercise", "exercise", id, "err", err)
			errs = append(errs, fmt.Errorf("exercise %s: %w", id, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// command is a function run by an exercise's loop with the wall time of
// the step; its result goes back on reply.
type command struct {
	ctx   context.Context
	fn    func(l *loop, now time.Time) (any, error)
	reply chan result
}

type result struct {
	v   any
	err error
}

// do runs fn on the exercise's loop, starting the loop if needed, and
// waits for its result. If ctx ends first the command may still complete;
// commands that matter are idempotent (client ids) for that reason.
func (e *Engine) do(ctx context.Context, id string, fn func(l *loop, now time.Time) (any, error)) (any, error) {
	if !validID(id) {
		return nil, fmt.Errorf("engine: exercise %q: %w", id, ErrNotFound)
	}
	for attempt := 0; ; attempt++ {
		l, err := e.loopFor(id)
		if err != nil {
			return nil, err
		}
		c := &command{ctx: ctx, fn: fn, reply: make(chan result, 1)}
		select {
		case l.cmds <- c:
			select {
			case r := <-c.reply:
				return r.v, r.err
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		case <-l.done:
			// The loop stopped (idle, reload, or engine closing) or
			// failed to load: report a load failure, else retry on a
			// fresh loop.
			if l.initErr != nil {
				return nil, l.initErr
			}
			if attempt >= 3 {
				return nil, fmt.Errorf("engine: exercise %s: %w", id, ErrUnavailable)
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// loopFor returns the running loop of an exercise, starting one if none.
func (e *Engine) loopFor(id string) (*loop, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrClosed
	}
	if l := e.loops[id]; l != nil {
		return l, nil
	}
	l := newLoop(e, id)
	e.loops[id] = l
	e.wg.Add(1)
	go l.run()
	return l, nil
}

func (e *Engine) unregister(l *loop) {
	e.mu.Lock()
	if e.loops[l.id] == l {
		delete(e.loops, l.id)
	}
	e.mu.Unlock()
}

// publish hands committed events to the publisher and the subscriptions.
func (e *Engine) publish(id string, evs []Event) {
	if len(evs) == 0 {
		return
	}
	if e.pub != nil {
		e.pub.Publish(id, evs)
	}
	e.subMu.Lock()
	for s := range e.subs[id] {
		if !s.push(evs) {
			delete(e.subs[id], s)
		}
	}
	if len(e.subs[id]) == 0 {
		delete(e.subs, id)
	}
	e.subMu.Unlock()
}

// ids: 80 random bits, lower-case base32 (16 characters).
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func (e *Engine) newID() (string, error) {
	var b [10]byte
	if _, err := io.ReadFull(e.rand, b[:]); err != nil {
		return "", fmt.Errorf("engine: new id: %w", err)
	}
	return idEncoding.EncodeToString(b[:]), nil
}

func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// CreateInput describes a new exercise.
type CreateInput struct {
	File   string            // name used in scenario error messages
	Source []byte            // the scenario file's exact bytes; stored with the exercise
	Params map[string]string // parameter overrides; defaults fill the rest
	Title  string            // "" means the scenario's title
}

// Create parses and validates the scenario, stores its source (once per
// distinct content) and creates an exercise in the lobby with the
// scenario's teams. A scenario that does not load gives an error wrapping
// ErrInvalid and the scenario's positioned error list.
func (e *Engine) Create(ctx context.Context, in CreateInput) (store.Exercise, error) {
	if len(in.Source) == 0 || len(in.Source) > MaxSourceLen {
		return store.Exercise{}, invalid("scenario source must be 1 to %d bytes", MaxSourceLen)
	}
	file := in.File
	if file == "" {
		file = "scenario.yaml"
	}
	sc, err := scenario.Parse(file, in.Source)
	if err != nil {
		return store.Exercise{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	m, err := sim.New(sc, in.Params)
	if err != nil {
		return store.Exercise{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	title := strings.TrimSpace(in.Title)
	if title == "" {
		title = scenario.Render(sc.Title, m.Params())
	}
	if err := checkText("title", title, MaxTitleLen, true); err != nil {
		return store.Exercise{}, err
	}
	now := e.clock.Now()
	row, err := e.store.PutScenario(ctx, sc.ID, sc.Title, in.Source, now)
	if err != nil {
		return store.Exercise{}, fmt.Errorf("engine: create: %w", err)
	}
	id, err := e.newID()
	if err != nil {
		return store.Exercise{}, err
	}
	ex := store.Exercise{ID: id, ScenarioID: row.ID, Title: title, Params: m.Params(), Status: store.StatusLobby, CreatedAt: now}
	teams := make([]store.Team, len(sc.Teams))
	for i, t := range sc.Teams {
		teams[i] = store.Team{ID: t.ID, Name: t.Name}
	}
	created := Event{Kind: KindCreated, WallTime: now, Audience: staff(), Payload: mustJSON(createdPayload{
		Title: title, Scenario: sc.ID, ScenarioID: row.ID, SHA256: row.SHA256, Params: ex.Params, Semantics: sim.SemanticsVersion})}
	evs, err := e.store.CreateExercise(ctx, ex, teams, []Event{created})
	if err != nil {
		return store.Exercise{}, fmt.Errorf("engine: create: %w", err)
	}
	e.publish(id, evs)
	if e.leases != nil {
		// Several nodes: the node an exercise is created through drives
		// it, so that a balancer spreading the facilitators' requests
		// spreads the exercises too (else the first node to be asked about
		// it would, whichever that is). Losing the race to another node is
		// no error: that node drives it.
		if _, err := e.Owner(ctx, id); err != nil {
			e.log.Warn("engine: take the new exercise's lease", "exercise", id, "err", err)
		}
	}
	return ex, nil
}

// Get returns an exercise's stored record (status, times, join code...).
func (e *Engine) Get(ctx context.Context, id string) (store.Exercise, error) {
	ex, err := e.store.Exercise(ctx, id)
	if err != nil {
		return store.Exercise{}, storeError("get exercise", err)
	}
	return ex, nil
}

// Exists reports whether the exercise exists: nil, or an error wrapping
// ErrNotFound (or the store's failure). A loaded exercise answers from
// memory, so a crowd connecting at once does not queue on the store.
func (e *Engine) Exists(ctx context.Context, id string) error {
	if !validID(id) {
		return fmt.Errorf("engine: exercise %q: %w", id, ErrNotFound)
	}
	if _, ok := e.knownEnd(id); ok {
		return nil
	}
	if _, err := e.store.Exercise(ctx, id); err != nil {
		return storeError("get exercise", err)
	}
	return nil
}

// knownEnd is the last seq of a loaded exercise's log, if a loop holds
// the exercise and its log is in step with what was published.
func (e *Engine) knownEnd(id string) (int64, bool) {
	e.mu.Lock()
	l := e.loops[id]
	e.mu.Unlock()
	if l == nil {
		return 0, false
	}
	last := l.known.Load()
	return last, last >= 0
}

// List returns exercises, newest first.
func (e *Engine) List(ctx context.Context, f store.ListFilter) ([]store.Exercise, error) {
	exs, err := e.store.ListExercises(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("engine: list: %w", err)
	}
	return exs, nil
}

// Events returns up to limit events with seq > afterSeq, in order, for
// catch-up after a reconnect. afterSeq 0 starts at the beginning; an
// afterSeq equal to the last seq gives an empty page; a negative one or
// one beyond the end of the log (a client from another database) is
// ErrInvalid; an unknown exercise is ErrNotFound.
func (e *Engine) Events(ctx context.Context, exerciseID string, afterSeq int64, limit int) ([]Event, error) {
	if afterSeq < 0 {
		return nil, invalid("after must not be negative")
	}
	if last, ok := e.knownEnd(exerciseID); ok && afterSeq == last {
		// Nothing to read: a reconnecting client that missed nothing.
		return nil, nil
	}
	evs, err := e.store.Events(ctx, exerciseID, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("engine: events: %w", err)
	}
	if len(evs) > 0 {
		return evs, nil
	}
	if _, err := e.store.Exercise(ctx, exerciseID); err != nil {
		return nil, storeError("events", err)
	}
	last, err := e.store.LastSeq(ctx, exerciseID)
	if err != nil {
		return nil, fmt.Errorf("engine: events: %w", err)
	}
	if afterSeq > last {
		return nil, invalid("after %d is beyond the end of the log (%d)", afterSeq, last)
	}
	return evs, nil
}

// JoinInput adds a participant to a team.
type JoinInput struct {
	Team      string
	Name      string
	TokenHash string // hash of the participant's bearer token, made by the caller; may be ""
}

// Join adds a participant. The first participant present in a team
// becomes its lead. Allowed until the exercise ends.
func (e *Engine) Join(ctx context.Context, exerciseID string, in JoinInput) (store.Participant, error) {
	v, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return l.join(now, in) })
	if err != nil {
		return store.Participant{}, err
	}
	return v.(store.Participant), nil
}

// Leave marks a participant as gone. If they led their team, the
// earliest-joined member still present becomes lead.
func (e *Engine) Leave(ctx context.Context, exerciseID, participantID string) error {
	_, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return nil, l.leave(now, participantID) })
	return err
}

// SetLead makes a present participant their team's only lead.
func (e *Engine) SetLead(ctx context.Context, exerciseID, participantID string) error {
	_, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return nil, l.setLead(now, participantID) })
	return err
}

// Start moves an exercise from the lobby to running at exercise time 0.
func (e *Engine) Start(ctx context.Context, exerciseID string) error {
	_, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return nil, l.start(now) })
	return err
}

// Pause stops the exercise clock; answers are still accepted.
func (e *Engine) Pause(ctx context.Context, exerciseID string) error {
	_, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return nil, l.pause(now) })
	return err
}

// Resume restarts a paused exercise clock where it stopped.
func (e *Engine) Resume(ctx context.Context, exerciseID string) error {
	_, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return nil, l.resume(now) })
	return err
}

// SetSpeed sets time compression: the exercise clock runs speed times as
// fast as the wall clock, from MinSpeed to MaxSpeed (fractions allowed).
func (e *Engine) SetSpeed(ctx context.Context, exerciseID string, speed float64) error {
	_, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return nil, l.setSpeed(now, speed) })
	return err
}

// Skip jumps the exercise clock forward to the next scheduled item (the
// facilitator's "next inject") and applies it. It returns the new
// exercise time; ErrConflict when nothing is scheduled.
func (e *Engine) Skip(ctx context.Context, exerciseID string) (time.Duration, error) {
	v, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return l.skip(now) })
	if err != nil {
		return 0, err
	}
	return v.(time.Duration), nil
}

// AnswerInput is one answer to a decision.
type AnswerInput struct {
	ClientID   string // required; a repeat returns the original Ack
	Decision   string
	Option     string
	Text       string
	Confidence int // 1-5, 0 when not asked
	Rationale  string
}

// Ack confirms that an answer is in the log.
type Ack struct {
	ClientID  string        `json:"client_id"`
	Seq       int64         `json:"seq"`       // of the answer_submitted event
	At        time.Duration `json:"at"`        // exercise clock when it was recorded
	Duplicate bool          `json:"duplicate"` // the client id was already recorded; Seq and At are the original's
}

// Answer records a participant's answer. It returns only after the
// answer's events have committed. Validation (decision open, the
// participant's team, lead-only decisions, options, sizes) comes from the
// scenario rules: ErrDecisionClosed, ErrForbidden, ErrInvalid, ErrNotFound.
// Answers are accepted while running or paused.
func (e *Engine) Answer(ctx context.Context, exerciseID, participantID string, in AnswerInput) (Ack, error) {
	v, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return l.answer(now, participantID, in) })
	if err != nil {
		return Ack{}, err
	}
	return v.(Ack), nil
}

// FacilitatorAnswer answers a decision addressed to the facilitator
// pseudo-team.
func (e *Engine) FacilitatorAnswer(ctx context.Context, exerciseID string, in AnswerInput) (Ack, error) {
	v, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return l.answer(now, "", in) })
	if err != nil {
		return Ack{}, err
	}
	return v.(Ack), nil
}

// CloseDecision closes an open decision early; it settles as at its time
// limit.
func (e *Engine) CloseDecision(ctx context.Context, exerciseID, decisionID string) error {
	_, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return nil, l.closeDecision(now, decisionID) })
	return err
}

// ExtendDecision gives an open, timed decision `by` more time (at most
// sim.MaxExtension per call, sim.MaxTimeLimit in all since it opened).
// A non-empty clientID makes it idempotent: a repeat of an id already in
// the log is not applied again (a retried request must not extend twice).
func (e *Engine) ExtendDecision(ctx context.Context, exerciseID, decisionID string, by time.Duration, clientID string) error {
	_, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) {
		return nil, l.extendDecision(now, decisionID, by, clientID)
	})
	return err
}

// Force moves the exercise to a state, as the facilitator's override.
func (e *Engine) Force(ctx context.Context, exerciseID, stateID string) error {
	_, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return nil, l.force(now, stateID) })
	return err
}

// Inject delivers an ad-hoc inject written by the facilitator.
func (e *Engine) Inject(ctx context.Context, exerciseID string, in AdHoc) error {
	_, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return nil, l.inject(now, in) })
	return err
}

// End ends the exercise with outcome "ended" (from the lobby too).
func (e *Engine) End(ctx context.Context, exerciseID, reason string) error {
	_, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return nil, l.end(now, reason) })
	return err
}

// NoteInput is an observer's note.
type NoteInput struct {
	Author    string // who wrote it (observer or facilitator name)
	Team      string // optional team id it is about
	Objective string // optional objective id
	Text      string
}

// AddNote logs an observer note at the current exercise time. Notes are
// accepted in every status, including after the end (debrief). It returns
// the note's seq.
func (e *Engine) AddNote(ctx context.Context, exerciseID string, in NoteInput) (int64, error) {
	v, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return l.note(now, in) })
	if err != nil {
		return 0, err
	}
	return v.(int64), nil
}

// Snapshot is the live state of an exercise.
type Snapshot struct {
	ID           string         `json:"id"`
	Title        string         `json:"title"`
	Status       string         `json:"status"`
	Outcome      string         `json:"outcome,omitempty"`
	Speed        float64        `json:"speed"`
	Clock        time.Duration  `json:"clock"` // exercise clock now
	LastSeq      int64          `json:"last_seq"`
	Teams        []store.Team   `json:"teams"`
	Participants []Participant  `json:"participants"`
	Decisions    []DecisionView `json:"decisions"` // open decisions
	Sim          sim.Snapshot   `json:"sim"`       // state, variables, open and settled decisions
	// Scheduled lists the ad-hoc injects waiting for their time, in due
	// order (empty once the exercise has ended).
	Scheduled []ScheduledInject `json:"scheduled"`
}

// Participant is a participant as shown in a snapshot (no token hash).
type Participant struct {
	ID       string    `json:"id"`
	Team     string    `json:"team"`
	Name     string    `json:"name"`
	Lead     bool      `json:"lead"`
	JoinedAt time.Time `json:"joined_at"`
	Present  bool      `json:"present"`
}

// DecisionView is an open decision with each answer so far.
type DecisionView struct {
	ID       string        `json:"id"`
	Team     string        `json:"team"`
	OpenedAt time.Duration `json:"opened_at"`
	ClosesAt time.Duration `json:"closes_at,omitempty"`
	Answers  []AnswerView  `json:"answers"`
}

// AnswerView is a participant's current answer and how long after the
// decision opened they gave it.
type AnswerView struct {
	Participant  string        `json:"participant"`
	Name         string        `json:"name,omitempty"`
	Option       string        `json:"option,omitempty"`
	Text         string        `json:"text,omitempty"`
	At           time.Duration `json:"at"`
	ResponseTime time.Duration `json:"response_time"`
}

// Log reads an exercise's whole log, page by page (what documents, the
// evaluation and the report are made from).
func (e *Engine) Log(ctx context.Context, exerciseID string) ([]Event, error) {
	var log []Event
	for after := int64(0); ; {
		page, err := e.Events(ctx, exerciseID, after, store.MaxPageSize)
		if err != nil {
			return nil, err
		}
		log = append(log, page...)
		if len(page) < store.MaxPageSize {
			return log, nil
		}
		after = page[len(page)-1].Seq
	}
}

// Snapshot returns the exercise's live state, after applying anything
// that has fallen due.
func (e *Engine) Snapshot(ctx context.Context, exerciseID string) (Snapshot, error) {
	v, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return l.snapshot(now), nil })
	if err != nil {
		return Snapshot{}, err
	}
	return v.(Snapshot), nil
}
