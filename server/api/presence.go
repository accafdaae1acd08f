package api

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/ttxsim/ttx/server/hub"
	"github.com/ttxsim/ttx/server/metrics"
)

// DefaultPresenceInterval is the shortest time between two presence frames
// of one exercise. Sending every connect to a whole team costs n² frames
// when a room of n connects at once (5 teams of 1,000: 2.5 million); one
// coalesced frame a second costs n per second whatever the churn.
const DefaultPresenceInterval = time.Second

// presence tracks which participants have a live connection, in memory
// only: the log records joins and leaves, not tabs opened and closed.
//
// Changes are coalesced per exercise: the first change after a quiet
// interval goes out at once, later ones wait for the interval to end and
// leave together. Facilitators and observers get who changed and the
// changed team counts; a team gets only its own count, which is all a
// participant's page shows and stays one small frame however big the team.
type presence struct {
	hub      Hub // nil: count only
	interval time.Duration
	metrics  *metrics.TTX // nil: record nothing

	mu sync.Mutex
	ex map[string]*exercisePresence
}

// exercisePresence is one exercise's online participants and the changes
// not yet sent.
type exercisePresence struct {
	// flushMu keeps two flushes of one exercise from overtaking each other
	// between collecting and broadcasting. Taken before presence.mu.
	flushMu sync.Mutex

	people    map[string]*presenceEntry // participant -> entry
	online    map[string]int            // team -> participants online
	changed   map[string]presenceFrame  // participant -> latest state, unsent
	teamsDiff map[string]bool           // teams whose count changed, unsent
	lastFlush time.Time
	timer     *time.Timer // pending flush; nil when none
}

type presenceEntry struct {
	name, team, status string
	conns              int
}

func newPresence(h Hub, interval time.Duration, m *metrics.TTX) *presence {
	if interval <= 0 {
		interval = DefaultPresenceInterval
	}
	return &presence{hub: h, interval: interval, metrics: m, ex: make(map[string]*exercisePresence)}
}

// exercise returns ex's record, creating it. Called with p.mu held.
func (p *presence) exercise(ex string) *exercisePresence {
	e := p.ex[ex]
	if e == nil {
		e = &exercisePresence{
			people:    make(map[string]*presenceEntry),
			online:    make(map[string]int),
			changed:   make(map[string]presenceFrame),
			teamsDiff: make(map[string]bool),
		}
		p.ex[ex] = e
	}
	return e
}

// note records a change and makes sure a flush is scheduled. Called with
// p.mu held.
func (p *presence) note(ex string, e *exercisePresence, f presenceFrame, teamChanged bool) {
	e.changed[f.Participant] = f
	if teamChanged {
		e.teamsDiff[f.Team] = true
	}
	if e.timer != nil {
		return
	}
	delay := max(time.Until(e.lastFlush.Add(p.interval)), 0)
	e.timer = time.AfterFunc(delay, func() { p.flush(ex, e) })
}

// flush sends what changed in ex since the last flush.
func (p *presence) flush(ex string, e *exercisePresence) {
	e.flushMu.Lock()
	defer e.flushMu.Unlock()

	p.mu.Lock()
	e.timer = nil
	e.lastFlush = time.Now()
	changes := make([]presenceFrame, 0, len(e.changed))
	for _, f := range e.changed {
		changes = append(changes, f)
	}
	clear(e.changed)
	teams := make(map[string]int, len(e.teamsDiff))
	for t := range e.teamsDiff {
		teams[t] = e.online[t]
	}
	clear(e.teamsDiff)
	if len(e.people) == 0 && p.ex[ex] == e {
		// Nothing left to track; a later connect starts afresh (and
		// flushes at once, which is what a first connect should do).
		delete(p.ex, ex)
	}
	p.mu.Unlock()

	if p.hub == nil || (len(changes) == 0 && len(teams) == 0) {
		return
	}
	slices.SortFunc(changes, func(a, b presenceFrame) int {
		return cmp.Or(cmp.Compare(a.Team, b.Team), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Participant, b.Participant))
	})
	all := hub.NewFrame(0, mustFrame(presenceBatch{Type: "presence", Changes: changes, Teams: teams}))
	p.hub.Broadcast(topicFacilitator(ex), all)
	p.hub.Broadcast(topicObserver(ex), all)
	for t, n := range teams {
		p.hub.Broadcast(topicTeam(ex, t), hub.NewFrame(0, teamPresence(t, n)))
	}
}

func teamPresence(team string, n int) []byte {
	return mustFrame(presenceBatch{Type: "presence", Teams: map[string]int{team: n}})
}

// connected counts a live participant connection and tells it how many of
// its team are online. It checks, under the session's lock, that the
// connection has not closed already, so a close racing with the end of
// replay cannot leave a ghost online.
func (p *presence) connected(ws *wsSession, c *hub.Conn) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	select {
	case <-c.Done():
		return
	default:
	}
	if ws.present {
		return
	}
	ws.present = true
	if p.metrics != nil {
		p.metrics.ParticipantsConnected.Inc()
	}
	p.mu.Lock()
	e := p.exercise(ws.ex)
	pe := e.people[ws.id.SubjectID]
	if pe == nil {
		pe = &presenceEntry{name: ws.id.Name, team: ws.id.Team, status: "active"}
		e.people[ws.id.SubjectID] = pe
	}
	pe.conns++
	if pe.conns == 1 {
		e.online[pe.team]++
		p.note(ws.ex, e, presenceFrame{Participant: ws.id.SubjectID, Name: pe.name, Team: pe.team, Online: true, Status: pe.status}, true)
	}
	n := e.online[pe.team]
	p.mu.Unlock()
	c.Send(hub.NewDirectFrame(0, teamPresence(ws.id.Team, n)))
}

func (p *presence) disconnected(ws *wsSession) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if !ws.present {
		return
	}
	ws.present = false
	if p.metrics != nil {
		p.metrics.ParticipantsConnected.Dec()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.ex[ws.ex]
	if e == nil {
		return
	}
	pe := e.people[ws.id.SubjectID]
	if pe == nil {
		return
	}
	pe.conns--
	if pe.conns > 0 {
		return
	}
	delete(e.people, ws.id.SubjectID)
	e.online[pe.team]--
	if e.online[pe.team] <= 0 {
		delete(e.online, pe.team)
	}
	p.note(ws.ex, e, presenceFrame{Participant: ws.id.SubjectID, Name: pe.name, Team: pe.team, Online: false}, true)
}

func (p *presence) status(ex string, id *Identity, status string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.ex[ex]
	if e == nil {
		return
	}
	pe := e.people[id.SubjectID]
	if pe == nil || pe.status == status {
		return
	}
	pe.status = status
	p.note(ex, e, presenceFrame{Participant: id.SubjectID, Name: pe.name, Team: pe.team, Online: true, Status: status}, false)
}

// online lists the participants of an exercise with a live connection.
func (p *presence) online(ex string) []presenceFrame {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := []presenceFrame{}
	if e := p.ex[ex]; e != nil {
		for id, pe := range e.people {
			out = append(out, presenceFrame{Type: "presence", Participant: id, Name: pe.name, Team: pe.team, Online: true, Status: pe.status})
		}
	}
	return out
}
