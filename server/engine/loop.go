package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"slices"
	"sync/atomic"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/store"
)

// loop is the single writer of one exercise. Every field after done is
// owned by the run goroutine.
type loop struct {
	e    *Engine
	id   string
	cmds chan *command // unbuffered: a send succeeds only while the loop runs
	wake chan struct{} // a timer fired
	done chan struct{} // closed when run returns
	// initErr is why the loop could not load; written before done closes.
	initErr error

	ex     store.Exercise
	sc     *scenario.Scenario
	m      *sim.Machine
	status string
	speed  float64
	// The exercise clock reads anchorEx at wall time anchorWall and, while
	// running, advances speed times as fast as the wall clock. It never
	// reads less than floor, the latest exercise time in the log, even if
	// the wall clock steps back.
	anchorWall time.Time
	anchorEx   time.Duration
	floor      time.Duration
	lastSeq    int64
	parts      []*store.Participant // join order
	// sched holds the scheduled injects not yet sent, in due order;
	// schedDone the ids of those sent (true) or cancelled (false).
	sched     []ScheduledInject
	schedDone map[string]bool
	w         *world     // drafts, deliveries, receipts: derived from the log (world.go)
	ev        *evalState // corrective actions' versions: derived from the log (evaluation.go)

	// known is lastSeq for other goroutines: the log's end while the loop
	// holds it, -1 while loading or after a failed commit (then the log
	// may hold more than was published). A connecting client that is
	// already at the end needs no read of the log.
	known atomic.Int64

	gone      bool // the exercise was deleted: the loop stops after the command
	lost      bool // the exercise's lease was lost: the loop stops at once
	lease     *Lease
	renew     chan struct{} // the lease's renewal is due
	stopRenew func() bool
	broken    bool // a commit failed: the machine may be ahead of the log
	diskFull  bool // and it failed for want of disk space
	retryAt   time.Time
	stopTimer func() bool
	armed     armKey
}

// diskFullRetry is how long an exercise whose write met a full disk waits
// before it tries again.
const diskFullRetry = time.Second

// armKey identifies what the current timer was armed for, to avoid
// re-arming after every command.
type armKey struct {
	kind   int // 0 none, 1 due item, 2 idle, 3 retry
	due    time.Duration
	wall   time.Time
	ex     time.Duration
	speed  float64
	status string
}

func newLoop(e *Engine, id string) *loop {
	l := &loop{e: e, id: id, cmds: make(chan *command), wake: make(chan struct{}, 1), renew: make(chan struct{}, 1), done: make(chan struct{})}
	l.known.Store(-1)
	return l
}

func (l *loop) run() {
	defer l.e.wg.Done()
	defer func() {
		if l.stopTimer != nil {
			l.stopTimer()
		}
		l.releaseLease()
		l.e.unregister(l)
		close(l.done)
	}()
	if err := l.load(); err != nil {
		if !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrNotOwner) {
			l.e.log.Error("engine: load exercise", "exercise", l.id, "err", err)
		}
		l.initErr = err
		return
	}
	l.known.Store(l.lastSeq)
	l.catchUp()
	for !l.lost {
		if l.broken && !l.e.clock.Now().Before(l.retryAt) {
			l.reload()
		}
		l.arm()
		select {
		case <-l.e.quit:
			return
		case <-l.renew:
			if !l.renewLease() {
				return
			}
		case <-l.wake:
			if l.armed.kind == 2 {
				return // idle
			}
			l.safely(func() { l.catchUp() })
		case c := <-l.cmds:
			l.serve(c)
			if l.gone {
				return
			}
		}
	}
}

// reload rebuilds the machine from the log after a failed commit.
func (l *loop) reload() {
	if err := l.load(); err != nil {
		l.e.log.Error("engine: reload exercise", "exercise", l.id, "err", err)
		l.retryAt = l.e.clock.Now().Add(time.Second)
		return
	}
	l.broken, l.diskFull = false, false
	l.known.Store(l.lastSeq)
	l.catchUp()
}

// safely runs f, turning a panic into a broken loop (rebuilt from the log
// on the next step) instead of a crashed server.
func (l *loop) safely(f func()) (panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			l.e.log.Error("engine: panic in exercise loop", "exercise", l.id, "panic", r, "stack", string(debug.Stack()))
			l.broken = true
			panicked = true
		}
	}()
	f()
	return false
}

func (l *loop) serve(c *command) {
	var r result
	if c.ctx.Err() != nil {
		c.reply <- result{err: c.ctx.Err()}
		return
	}
	if l.broken && l.diskFull {
		// The loop waits a second between its own retries on a full disk;
		// a command is worth a try at once: space may have returned.
		l.reload()
	}
	if l.broken {
		c.reply <- result{err: l.unavailable()}
		return
	}
	if l.safely(func() {
		l.catchUp()
		if l.broken {
			r.err = l.unavailable()
			return
		}
		r.v, r.err = c.fn(l, l.e.clock.Now())
	}) {
		r = result{err: fmt.Errorf("engine: exercise %s: internal error: %w", l.id, ErrUnavailable)}
	}
	// Arm before replying, so that when a command returns the exercise's
	// timer reflects it (tests driving a fake clock rely on this).
	l.arm()
	c.reply <- r
}

// unavailable is a command's error while the loop is broken, saying when
// the disk is full.
func (l *loop) unavailable() error {
	if l.diskFull {
		return fmt.Errorf("engine: exercise %s: %w: %w", l.id, ErrUnavailable, store.ErrDiskFull)
	}
	return fmt.Errorf("engine: exercise %s: %w", l.id, ErrUnavailable)
}

// arm sets the one timer the loop needs: the next scheduled item of a
// running exercise, converted to wall time at the current speed; an idle
// timeout for an exercise with nothing scheduled; or a retry after a
// failed commit.
func (l *loop) arm() {
	var k armKey
	now := l.e.clock.Now()
	switch {
	case l.broken:
		k = armKey{kind: 3, wall: l.retryAt}
	case l.status == store.StatusRunning && l.m != nil:
		if due, ok := l.nextDue(); ok {
			k = armKey{kind: 1, due: due, wall: l.anchorWall, ex: l.anchorEx, speed: l.speed, status: l.status}
		}
	default:
		k = armKey{kind: 2}
	}
	if k == l.armed && l.stopTimer != nil {
		return
	}
	if l.stopTimer != nil {
		l.stopTimer()
		l.stopTimer = nil
	}
	l.armed = k
	var wait time.Duration
	switch k.kind {
	case 0:
		return
	case 1:
		wait = l.wallUntil(now, k.due)
	case 2:
		wait = idleTimeout
	case 3:
		wait = max(k.wall.Sub(now), 0)
	}
	wake := l.wake
	l.stopTimer = l.e.clock.AfterFunc(wait, func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	})
}

// wallUntil is the wall time from now until the exercise clock reaches
// at, rounded up so the timer never fires before the item is due.
func (l *loop) wallUntil(now time.Time, at time.Duration) time.Duration {
	d := at - l.clockAt(now)
	if d <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(float64(d) / l.speed))
}

// clockAt reads the exercise clock at wall time now.
func (l *loop) clockAt(now time.Time) time.Duration {
	t := l.anchorEx
	if l.status == store.StatusRunning {
		t += time.Duration(float64(now.Sub(l.anchorWall)) * l.speed)
	}
	return max(t, l.floor)
}

// catchUp applies everything that has fallen due on the exercise clock,
// as one clock_tick input followed by the sim's events (each stamped with
// its own due time). Scheduled injects due meanwhile are sent at their own
// times, in order with the scenario's items (see fireDue), in the same
// commit.
func (l *loop) catchUp() {
	if l.broken || l.m == nil || (l.status != store.StatusRunning && l.status != store.StatusPaused) {
		return
	}
	now := l.e.clock.Now()
	at := l.clockAt(now)
	due, ok := l.nextDue()
	if !ok || due > at {
		return
	}
	evs := l.fireDue(now, at)
	if due, ok := l.m.NextDue(); ok && due <= at {
		evs = append(evs, tickEvent(now, at))
		evs = append(evs, fromSim(now, l.m.Advance(at))...)
	}
	if len(evs) == 0 {
		return
	}
	if _, err := l.commit(now, evs, store.Commit{}); err != nil {
		l.e.log.Error("engine: commit clock tick", "exercise", l.id, "err", err)
	}
}

// commit writes one step. If the machine has reached an outcome it also
// marks the exercise ended. On failure the loop is broken: the machine
// may hold changes the log does not, so it is rebuilt from the log.
func (l *loop) commit(now time.Time, evs []Event, c store.Commit) ([]Event, error) {
	c.ExerciseID = l.id
	c.Events = evs
	if l.m != nil && l.m.Done() && l.status != store.StatusEnded {
		c.Status = store.StatusEnded
		c.Outcome = l.m.Snapshot().Outcome
		c.EndedAt = now
	}
	out, err := l.append(c)
	if err != nil {
		l.broken = true
		l.known.Store(-1)
		l.retryAt = now
		if l.diskFull = errors.Is(err, store.ErrDiskFull); l.diskFull {
			// Every write fails until space is freed: retrying at once
			// would replay the log and fail again in a hot loop while a
			// timer's item stays due.
			l.retryAt = now.Add(diskFullRetry)
		}
		return nil, fmt.Errorf("engine: exercise %s: commit: %w: %w", l.id, ErrUnavailable, err)
	}
	for _, ev := range out {
		l.lastSeq = ev.Seq
		l.floor = max(l.floor, ev.ExerciseTime)
		l.observe(ev)
	}
	if c.Status != "" {
		l.status = c.Status
		l.ex.Status = c.Status
		if c.Status == store.StatusEnded {
			l.ex.Outcome = c.Outcome
		}
	}
	// Before publishing: a client that saw these events live and
	// reconnects at once must find the end moved.
	l.known.Store(l.lastSeq)
	l.e.publish(l.id, out)
	return out, nil
}

// load reads the exercise and rebuilds its machine by replaying the log:
// every input is re-applied at its logged exercise time and the sim's
// output is checked against the logged output (the sim is deterministic,
// so a difference means the scenario semantics changed under the log).
func (l *loop) load() error {
	ctx := context.Background()
	if l.lease == nil {
		if err := l.acquire(); err != nil {
			return err
		}
	}
	ex, err := l.e.store.Exercise(ctx, l.id)
	if err != nil {
		return storeError("load exercise "+l.id, err)
	}
	sc, err := l.e.scenarios.get(ex.ScenarioID, func() (*scenario.Scenario, error) {
		row, err := l.e.store.Scenario(ctx, ex.ScenarioID)
		if err != nil {
			return nil, storeError("load scenario of "+l.id, err)
		}
		sc, err := scenario.Parse(row.Slug+".yaml", row.Source)
		if err != nil {
			return nil, fmt.Errorf("engine: exercise %s: stored scenario no longer loads: %w", l.id, err)
		}
		return sc, nil
	})
	if err != nil {
		return err
	}
	m, err := sim.New(sc, ex.Params)
	if err != nil {
		return fmt.Errorf("engine: exercise %s: %w", l.id, err)
	}
	// Every call's events are turned into log events (fromSim) before the
	// next call, so the machine may reuse its buffer.
	m.ReuseEvents()
	parts, err := l.e.store.Participants(ctx, l.id)
	if err != nil {
		return fmt.Errorf("engine: exercise %s: %w", l.id, err)
	}
	l.ex, l.sc, l.m = ex, sc, m
	l.parts = l.parts[:0]
	for i := range parts {
		l.parts = append(l.parts, &parts[i])
	}
	l.status, l.speed = store.StatusLobby, MinSpeed
	l.anchorWall, l.anchorEx, l.floor, l.lastSeq = time.Time{}, 0, 0, 0
	l.sched, l.schedDone = nil, nil
	l.w = newWorld()
	l.ev = nil

	r := replayer{l: l}
	for {
		page, err := l.e.store.Events(ctx, l.id, l.lastSeq, store.MaxPageSize)
		if err != nil {
			return fmt.Errorf("engine: exercise %s: replay: %w", l.id, err)
		}
		for _, ev := range page {
			r.apply(ev)
		}
		if len(page) < store.MaxPageSize {
			break
		}
	}
	r.finish()
	if l.m.Done() {
		l.status = store.StatusEnded
	}
	if l.status != ex.Status {
		l.e.log.Error("engine: exercise status in table differs from its log; using the log",
			"exercise", l.id, "table", ex.Status, "log", l.status)
		l.ex.Status = l.status
	}
	return nil
}

// replayer re-applies logged inputs and compares outputs.
type replayer struct {
	l        *loop
	want     []sim.Event // produced by replay, not yet matched with the log
	mismatch bool
	// semantics is the sim.SemanticsVersion the log says it was written
	// under (0: none recorded).
	semantics int
}

func decode[T any](r *replayer, ev Event) T {
	var v T
	if err := json.Unmarshal(ev.Payload, &v); err != nil {
		r.report(ev, fmt.Sprintf("undecodable payload: %v", err))
	}
	return v
}

func (r *replayer) apply(ev Event) {
	l := r.l
	l.lastSeq = ev.Seq
	l.floor = max(l.floor, ev.ExerciseTime)
	l.observe(ev)
	at := ev.ExerciseTime
	var got []sim.Event
	var err error
	switch ev.Kind {
	case KindCreated:
		r.semantics = decode[createdPayload](r, ev).Semantics
	case KindJoined, KindLeft, KindLeadChanged, KindMoved, KindNote, KindRating, KindCorrectiveAction:
		// Participants come from their table; these change no machine state.
	case KindStart:
		l.speed = max(decode[speedPayload](r, ev).Speed, MinSpeed)
		l.status, l.anchorWall, l.anchorEx = store.StatusRunning, ev.WallTime, at
		got = l.m.Start(at)
	case KindPaused:
		l.status, l.anchorEx = store.StatusPaused, at
	case KindResumed:
		l.status, l.anchorWall, l.anchorEx = store.StatusRunning, ev.WallTime, at
	case KindSpeed:
		l.speed = decode[speedPayload](r, ev).Speed
		l.anchorWall, l.anchorEx = ev.WallTime, at
	case KindSkipped:
		to := decode[skipPayload](r, ev).To
		l.anchorWall, l.anchorEx = ev.WallTime, to
		got = l.m.Advance(to)
	case KindTick:
		got = l.m.Advance(decode[tickPayload](r, ev).To)
	case KindAnswer, KindFacAnswer:
		got, err = l.m.Answer(at, decode[answerPayload](r, ev).simAnswer())
	case KindFacInject:
		p := decode[injectPayload](r, ev)
		if p.Schedule != "" {
			l.dropScheduled(p.Schedule, true)
		}
		got = l.m.Inject(at, p.sim())
	case KindInjectScheduled:
		p := decode[scheduledPayload](r, ev)
		l.addScheduled(ScheduledInject{ID: p.Schedule, At: p.At, Inject: p.AdHoc})
	case KindScheduleCancelled:
		l.dropScheduled(decode[cancelPayload](r, ev).Schedule, false)
	case KindFacClose:
		got, err = l.m.CloseDecision(at, decode[decisionPayload](r, ev).Decision)
	case KindFacExtend:
		p := decode[extendPayload](r, ev)
		got, err = l.m.ExtendDecision(at, p.Decision, p.By)
	case KindFacForce:
		got, err = l.m.Force(at, decode[statePayload](r, ev).State)
	case KindMessageSubmitted:
		got, err = l.m.Send(at, decode[messagePayload](r, ev).simMessage())
	case KindFacEnd:
		got = l.m.End(at, decode[endPayload](r, ev).Reason)
		l.status = store.StatusEnded
	default:
		if IsEngineKind(ev.Kind) {
			return
		}
		r.match(ev)
		return
	}
	if err != nil {
		r.report(ev, fmt.Sprintf("input rejected on replay: %v", err))
	}
	r.want = append(r.want, got...)
}

// match compares a logged sim event with the next replayed one.
func (r *replayer) match(ev Event) {
	if len(r.want) == 0 {
		r.report(ev, "logged event was not produced by replay")
		return
	}
	w := r.want[0]
	r.want = r.want[1:]
	if string(w.Kind) != ev.Kind || w.At != ev.ExerciseTime || !bytes.Equal(simPayload(w), ev.Payload) {
		r.report(ev, fmt.Sprintf("replay produced %s at %s: %s", w.Kind, sim.FormatClock(w.At), simPayload(w)))
	}
}

func (r *replayer) finish() {
	if len(r.want) > 0 {
		r.report(Event{Seq: r.l.lastSeq, Kind: string(r.want[0].Kind)}, fmt.Sprintf("replay produced %d events missing from the log", len(r.want)))
	}
}

// report logs the first divergence between the log and the replay.
func (r *replayer) report(ev Event, msg string) {
	if r.mismatch {
		return
	}
	r.mismatch = true
	r.l.e.log.Error("engine: replay diverges from the log; continuing with the replayed state",
		"exercise", r.l.id, "seq", ev.Seq, "kind", ev.Kind, "detail", msg,
		"log_semantics", max(r.semantics, 1), "semantics", sim.SemanticsVersion)
}

// --- commands (run on the loop) ---

func (l *loop) needLive() error {
	switch l.status {
	case store.StatusLobby:
		return fmt.Errorf("%w: exercise %s has not started", ErrConflict, l.id)
	case store.StatusEnded:
		return fmt.Errorf("%w: exercise %s", ErrEnded, l.id)
	}
	return nil
}

func (l *loop) participant(id string) *store.Participant {
	for _, p := range l.parts {
		if p.ID == id {
			return p
		}
	}
	return nil
}

func (l *loop) join(now time.Time, in JoinInput) (store.Participant, error) {
	if l.status == store.StatusEnded {
		return store.Participant{}, fmt.Errorf("%w: exercise %s", ErrEnded, l.id)
	}
	if in.Team == scenario.FacilitatorTeam || l.sc.Team(in.Team) == nil {
		return store.Participant{}, fmt.Errorf("%w: team %q", ErrNotFound, in.Team)
	}
	name, err := cleanName(in.Name)
	if err != nil {
		return store.Participant{}, err
	}
	lead, present := true, 0
	for _, p := range l.parts {
		if !p.LeftAt.IsZero() {
			continue
		}
		present++
		if p.TeamID == in.Team && p.Lead {
			lead = false
		}
	}
	if present >= l.e.maxParticipants {
		return store.Participant{}, fmt.Errorf("%w: the exercise is full (%d participants); ask the facilitator", ErrConflict, l.e.maxParticipants)
	}
	id, err := l.e.newID()
	if err != nil {
		return store.Participant{}, err
	}
	p := store.Participant{ID: id, ExerciseID: l.id, TeamID: in.Team, Name: name, Lead: lead, JoinedAt: now, TokenHash: in.TokenHash}
	ev := Event{Kind: KindJoined, WallTime: now, ExerciseTime: l.clockAt(now), Audience: team(in.Team),
		Payload: mustJSON(participantPayload{Participant: id, Team: in.Team, Name: name, Lead: lead})}
	if _, err := l.commit(now, []Event{ev}, store.Commit{Join: &p}); err != nil {
		return store.Participant{}, err
	}
	l.parts = append(l.parts, &p)
	return p, nil
}

func (l *loop) leave(now time.Time, pid string) error {
	p := l.participant(pid)
	if p == nil {
		return fmt.Errorf("%w: participant %q", ErrNotFound, pid)
	}
	if !p.LeftAt.IsZero() {
		return nil
	}
	at := l.clockAt(now)
	evs := []Event{{Kind: KindLeft, WallTime: now, ExerciseTime: at, Audience: team(p.TeamID),
		Payload: mustJSON(participantPayload{Participant: pid, Team: p.TeamID, Name: p.Name})}}
	c := store.Commit{Left: pid, LeftAt: now}
	var next *store.Participant
	if p.Lead {
		for _, q := range l.parts {
			if q != p && q.TeamID == p.TeamID && q.LeftAt.IsZero() {
				next = q
				break
			}
		}
	}
	if next != nil {
		c.LeadChange = next.ID
		evs = append(evs, Event{Kind: KindLeadChanged, WallTime: now, ExerciseTime: at, Audience: team(p.TeamID),
			Payload: mustJSON(participantPayload{Participant: next.ID, Team: p.TeamID, Name: next.Name, Lead: true})})
	}
	if _, err := l.commit(now, evs, c); err != nil {
		return err
	}
	p.LeftAt = now
	if next != nil {
		l.applyLead(next)
	}
	return nil
}

func (l *loop) applyLead(lead *store.Participant) {
	for _, q := range l.parts {
		if q.TeamID == lead.TeamID {
			q.Lead = q == lead
		}
	}
}

func (l *loop) setLead(now time.Time, pid string) error {
	if l.status == store.StatusEnded {
		return fmt.Errorf("%w: exercise %s", ErrEnded, l.id)
	}
	p := l.participant(pid)
	if p == nil {
		return fmt.Errorf("%w: participant %q", ErrNotFound, pid)
	}
	if !p.LeftAt.IsZero() {
		return fmt.Errorf("%w: participant %q has left", ErrConflict, pid)
	}
	if p.Lead {
		return nil
	}
	ev := Event{Kind: KindLeadChanged, WallTime: now, ExerciseTime: l.clockAt(now), Audience: team(p.TeamID),
		Payload: mustJSON(participantPayload{Participant: pid, Team: p.TeamID, Name: p.Name, Lead: true})}
	if _, err := l.commit(now, []Event{ev}, store.Commit{LeadChange: pid}); err != nil {
		return err
	}
	l.applyLead(p)
	return nil
}

func (l *loop) start(now time.Time) error {
	switch l.status {
	case store.StatusEnded:
		return fmt.Errorf("%w: exercise %s", ErrEnded, l.id)
	case store.StatusRunning, store.StatusPaused:
		return fmt.Errorf("%w: exercise %s already started", ErrConflict, l.id)
	}
	outs := l.m.Start(0)
	evs := append([]Event{{Kind: KindStart, WallTime: now, ExerciseTime: 0, Audience: everyone(),
		Payload: mustJSON(speedPayload{Speed: l.speed})}}, fromSim(now, outs)...)
	l.anchorWall, l.anchorEx = now, 0
	_, err := l.commit(now, evs, store.Commit{Status: store.StatusRunning, StartedAt: now})
	return err
}

func (l *loop) pause(now time.Time) error {
	if err := l.needLive(); err != nil {
		return err
	}
	if l.status == store.StatusPaused {
		return nil
	}
	at := l.clockAt(now)
	ev := Event{Kind: KindPaused, WallTime: now, ExerciseTime: at, Audience: everyone(), Payload: mustJSON(struct{}{})}
	if _, err := l.commit(now, []Event{ev}, store.Commit{Status: store.StatusPaused}); err != nil {
		return err
	}
	l.anchorEx = at
	return nil
}

func (l *loop) resume(now time.Time) error {
	if err := l.needLive(); err != nil {
		return err
	}
	if l.status == store.StatusRunning {
		return nil
	}
	at := l.clockAt(now)
	ev := Event{Kind: KindResumed, WallTime: now, ExerciseTime: at, Audience: everyone(), Payload: mustJSON(struct{}{})}
	if _, err := l.commit(now, []Event{ev}, store.Commit{Status: store.StatusRunning}); err != nil {
		return err
	}
	l.anchorWall, l.anchorEx = now, at
	return nil
}

func (l *loop) setSpeed(now time.Time, speed float64) error {
	if math.IsNaN(speed) || speed < MinSpeed || speed > MaxSpeed {
		return invalid("speed must be from %g to %g", MinSpeed, MaxSpeed)
	}
	if l.status == store.StatusEnded {
		return fmt.Errorf("%w: exercise %s", ErrEnded, l.id)
	}
	at := l.clockAt(now)
	ev := Event{Kind: KindSpeed, WallTime: now, ExerciseTime: at, Audience: everyone(),
		Payload: mustJSON(speedPayload{Speed: speed, From: l.speed})}
	if _, err := l.commit(now, []Event{ev}, store.Commit{}); err != nil {
		return err
	}
	l.anchorWall, l.anchorEx, l.speed = now, at, speed
	return nil
}

func (l *loop) skip(now time.Time) (time.Duration, error) {
	if err := l.needLive(); err != nil {
		return 0, err
	}
	from := l.clockAt(now)
	due, ok := l.nextDue()
	if !ok {
		return 0, fmt.Errorf("%w: nothing is scheduled", ErrConflict)
	}
	to := max(due, from)
	outs := l.m.Advance(to)
	evs := append([]Event{{Kind: KindSkipped, WallTime: now, ExerciseTime: to, Audience: everyone(),
		Payload: mustJSON(skipPayload{From: from, To: to})}}, fromSim(now, outs)...)
	// A scheduled inject due then follows the scenario's items of that
	// instant, as it does when the clock reaches it.
	evs = append(evs, l.fireDue(now, to)...)
	l.anchorWall, l.anchorEx = now, to
	if _, err := l.commit(now, evs, store.Commit{}); err != nil {
		return 0, err
	}
	return to, nil
}

// answer records an answer by participant pid, or by the facilitator when
// pid is "".
func (l *loop) answer(now time.Time, pid string, in AnswerInput) (Ack, error) {
	if !validClientID(in.ClientID) {
		return Ack{}, invalid("client id must be 1 to %d letters, digits or ._:-", MaxClientIDLen)
	}
	p := answerPayload{Decision: in.Decision, Option: in.Option, Text: in.Text, Confidence: in.Confidence,
		Rationale: in.Rationale, ClientID: in.ClientID}
	kind, key := KindAnswer, pid+"/"+in.ClientID
	if pid == "" {
		kind, key = KindFacAnswer, "facilitator/"+in.ClientID
		p.Participant, p.Team, p.Lead = scenario.FacilitatorTeam, scenario.FacilitatorTeam, true
		if dc := l.sc.Decision(in.Decision); dc != nil && dc.Team != scenario.FacilitatorTeam {
			// On a team's behalf (a team nobody joined): logged as the
			// facilitator's, and marked so wherever the answer shows.
			p.Team, p.OnBehalf = dc.Team, true
		}
	} else {
		part := l.participant(pid)
		if part == nil {
			return Ack{}, fmt.Errorf("%w: participant %q", ErrNotFound, pid)
		}
		if !part.LeftAt.IsZero() {
			return Ack{}, fmt.Errorf("%w: participant %q has left", ErrForbidden, pid)
		}
		p.Participant, p.Team, p.Lead = pid, part.TeamID, part.Lead
	}
	// A repeated client id (a retry after a lost ack or a crash) gets the
	// original ack. The loop is the exercise's only writer, so nothing can
	// slip in between this check and the commit.
	if prev, err := l.e.store.EventByClientID(context.Background(), l.id, key); err == nil {
		return Ack{ClientID: in.ClientID, Seq: prev.Seq, At: prev.ExerciseTime, Duplicate: true}, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return Ack{}, fmt.Errorf("engine: answer: %w: %w", ErrUnavailable, err)
	}
	if err := l.needLive(); err != nil {
		return Ack{}, err
	}
	if pid != "" && l.status == store.StatusPaused {
		// Pause stops the room: the clock and the teams' answers wait for
		// the facilitator, who may still answer and steer.
		return Ack{}, fmt.Errorf("%w: the facilitator paused exercise %s; answer when it resumes", ErrPaused, l.id)
	}
	at := l.clockAt(now)
	outs, err := l.m.Answer(at, p.simAnswer())
	if err != nil {
		l.keep(now, at, outs)
		return Ack{}, simError(err)
	}
	aud := team(p.Team)
	if pid == "" {
		aud = staff()
	}
	evs := append([]Event{{Kind: kind, WallTime: now, ExerciseTime: at, Audience: aud, ClientID: key, Payload: mustJSON(p)}},
		fromSim(now, outs)...)
	out, err := l.commit(now, evs, store.Commit{})
	if err != nil {
		return Ack{}, err
	}
	return Ack{ClientID: in.ClientID, Seq: out[0].Seq, At: at}, nil
}

// keep commits the events a rejected input still produced by advancing
// the clock, as a tick. catchUp runs before every command, so there are
// normally none.
func (l *loop) keep(now time.Time, at time.Duration, outs []sim.Event) {
	if len(outs) == 0 {
		return
	}
	evs := append([]Event{{Kind: KindTick, WallTime: now, ExerciseTime: at, Payload: mustJSON(tickPayload{To: at}), Audience: staff()}},
		fromSim(now, outs)...)
	if _, err := l.commit(now, evs, store.Commit{}); err != nil {
		l.e.log.Error("engine: commit clock tick", "exercise", l.id, "err", err)
	}
}

func (l *loop) closeDecision(now time.Time, id string) error {
	if err := l.needLive(); err != nil {
		return err
	}
	at := l.clockAt(now)
	outs, err := l.m.CloseDecision(at, id)
	if err != nil {
		l.keep(now, at, outs)
		return simError(err)
	}
	evs := append([]Event{{Kind: KindFacClose, WallTime: now, ExerciseTime: at, Audience: staff(),
		Payload: mustJSON(decisionPayload{Decision: id})}}, fromSim(now, outs)...)
	_, err = l.commit(now, evs, store.Commit{})
	return err
}

// extendDecision moves an open decision's close later. The bounds are
// checked before the clock is read, so a refused extension commits nothing.
func (l *loop) extendDecision(now time.Time, id string, by time.Duration, clientID string) error {
	if by <= 0 || by > sim.MaxExtension {
		return invalid("an extension must be more than 0 and at most %s", sim.FormatDuration(sim.MaxExtension))
	}
	key, done, err := l.commandKey(clientID)
	if err != nil || done {
		return err
	}
	if err := l.needLive(); err != nil {
		return err
	}
	at := l.clockAt(now)
	outs, err := l.m.ExtendDecision(at, id, by)
	if err != nil {
		l.keep(now, at, outs)
		return simError(err)
	}
	evs := append([]Event{{Kind: KindFacExtend, WallTime: now, ExerciseTime: at, Audience: staff(), ClientID: key,
		Payload: mustJSON(extendPayload{Decision: id, By: by})}}, fromSim(now, outs)...)
	_, err = l.commit(now, evs, store.Commit{})
	return err
}

func (l *loop) force(now time.Time, state string) error {
	if err := l.needLive(); err != nil {
		return err
	}
	at := l.clockAt(now)
	outs, err := l.m.Force(at, state)
	if err != nil {
		l.keep(now, at, outs)
		return simError(err)
	}
	evs := append([]Event{{Kind: KindFacForce, WallTime: now, ExerciseTime: at, Audience: staff(),
		Payload: mustJSON(statePayload{State: state})}}, fromSim(now, outs)...)
	_, err = l.commit(now, evs, store.Commit{})
	return err
}

func (l *loop) inject(now time.Time, in AdHoc) error {
	if err := l.needLive(); err != nil {
		return err
	}
	if err := l.checkAdHoc(in); err != nil {
		return err
	}
	key, done, err := l.commandKey(in.ClientID)
	if err != nil || done {
		return err
	}
	at := l.clockAt(now)
	outs := l.m.Inject(at, in.sim())
	evs := append([]Event{{Kind: KindFacInject, WallTime: now, ExerciseTime: at, Audience: staff(), ClientID: key, Payload: mustJSON(in)}},
		fromSim(now, outs)...)
	_, err = l.commit(now, evs, store.Commit{})
	return err
}

// commandKey is the log key of a facilitator command's client id, and
// whether the log already holds it (the command was applied: a retry after
// a lost reply). No id: no key, never done.
func (l *loop) commandKey(clientID string) (key string, done bool, err error) {
	if clientID == "" {
		return "", false, nil
	}
	if !validClientID(clientID) {
		return "", false, invalid("client id must be 1 to %d letters, digits or ._:-", MaxClientIDLen)
	}
	key = "command/" + clientID
	if _, err := l.e.store.EventByClientID(context.Background(), l.id, key); err == nil {
		return key, true, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", false, fmt.Errorf("engine: command: %w: %w", ErrUnavailable, err)
	}
	return key, false, nil
}

func (l *loop) checkAdHoc(in AdHoc) error {
	if !slices.Contains(scenario.Channels, in.Channel) {
		return invalid("channel %q is not one of %v", in.Channel, scenario.Channels)
	}
	if in.Body == "" || len(in.Body) > MaxInjectBody {
		return invalid("body must be 1 to %d bytes", MaxInjectBody)
	}
	for _, f := range []string{in.ID, in.From, in.Title, in.To, in.Platform, in.Level, in.Ref, in.Image} {
		if len(f) > MaxInjectField {
			return invalid("inject fields other than body are limited to %d bytes", MaxInjectField)
		}
	}
	if len(in.Teams) > len(l.sc.Teams)+1 {
		return invalid("too many teams")
	}
	for _, t := range in.Teams {
		if t != scenario.FacilitatorTeam && l.sc.Team(t) == nil {
			return fmt.Errorf("%w: team %q", ErrNotFound, t)
		}
	}
	return nil
}

func (l *loop) end(now time.Time, reason string) error {
	if l.status == store.StatusEnded {
		return fmt.Errorf("%w: exercise %s", ErrEnded, l.id)
	}
	if len(reason) > MaxReasonLen {
		return invalid("reason is limited to %d bytes", MaxReasonLen)
	}
	at := l.clockAt(now)
	outs := l.m.End(at, reason)
	evs := append([]Event{{Kind: KindFacEnd, WallTime: now, ExerciseTime: at, Audience: everyone(),
		Payload: mustJSON(endPayload{Reason: reason})}}, fromSim(now, outs)...)
	// From the lobby the machine never started and reaches no outcome;
	// the exercise still ends.
	_, err := l.commit(now, evs, store.Commit{Status: store.StatusEnded, Outcome: sim.OutcomeEnded, EndedAt: now})
	return err
}

func (l *loop) note(now time.Time, in NoteInput) (int64, error) {
	if in.Text == "" || len(in.Text) > MaxNoteLen {
		return 0, invalid("note text must be 1 to %d bytes", MaxNoteLen)
	}
	if err := checkText("author", in.Author, MaxNameLen, false); err != nil {
		return 0, err
	}
	if in.Team != "" && in.Team != scenario.FacilitatorTeam && l.sc.Team(in.Team) == nil {
		return 0, fmt.Errorf("%w: team %q", ErrNotFound, in.Team)
	}
	if in.Objective != "" && l.sc.Objective(in.Objective) == nil {
		return 0, fmt.Errorf("%w: objective %q", ErrNotFound, in.Objective)
	}
	//lint:ignore S1016 the payload is the log's format: naming its fields keeps it from following the input struct's changes
	payload := notePayload{Author: in.Author, Team: in.Team, Objective: in.Objective, Text: in.Text}
	ev := Event{Kind: KindNote, WallTime: now, ExerciseTime: l.clockAt(now), Audience: staff(), Payload: mustJSON(payload)}
	out, err := l.commit(now, []Event{ev}, store.Commit{})
	if err != nil {
		return 0, err
	}
	return out[0].Seq, nil
}

func (l *loop) snapshot(now time.Time) Snapshot {
	at := l.clockAt(now)
	if l.status == store.StatusRunning || l.status == store.StatusPaused {
		// Nothing is due by now (catchUp ran), so this only moves the
		// machine's clock for elapsed and story time; no event results.
		if evs := l.m.Advance(at); len(evs) > 0 {
			l.keep(now, at, evs)
		}
	}
	s := Snapshot{ID: l.id, Title: l.ex.Title, Status: l.status, Outcome: l.ex.Outcome, Speed: l.speed, Clock: at,
		LastSeq: l.lastSeq, Sim: l.m.Snapshot(), Scheduled: l.scheduledView(), Teams: make([]store.Team, 0, len(l.sc.Teams)),
		Participants: make([]Participant, 0, len(l.parts)), Decisions: []DecisionView{}}
	if l.status == store.StatusEnded && s.Outcome == "" {
		s.Outcome = s.Sim.Outcome
	}
	for _, t := range l.sc.Teams {
		s.Teams = append(s.Teams, store.Team{ID: t.ID, Name: t.Name})
	}
	names := map[string]string{}
	for _, p := range l.parts {
		names[p.ID] = p.Name
		s.Participants = append(s.Participants, Participant{ID: p.ID, Team: p.TeamID, Name: p.Name, Lead: p.Lead,
			JoinedAt: p.JoinedAt, Present: p.LeftAt.IsZero()})
	}
	for _, d := range s.Sim.Open {
		v := DecisionView{ID: d.ID, Team: d.Team, OpenedAt: d.OpenedAt, ClosesAt: d.ClosesAt, Answers: []AnswerView{}}
		for _, a := range d.Answers {
			v.Answers = append(v.Answers, AnswerView{Participant: a.Participant, Name: names[a.Participant],
				Option: a.Option, Text: a.Text, At: a.At, ResponseTime: a.At - d.OpenedAt})
		}
		s.Decisions = append(s.Decisions, v)
	}
	return s
}
