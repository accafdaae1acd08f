package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/store"
)

// Teams acting in the world: chat between players, receipts of injects,
// drafts with approval, and messages said in the world (publications,
// replies, new messages, the personas' answers). Chat, receipts and drafts
// are engine events only: the rules never read them. A message is an input
// (message_submitted) replayed into sim.Send, whose message_sent follows.
//
// The engine's own state for these (drafts, deliveries and receipts) is
// derived from the log alone: every committed event, and every event read
// back when a loop loads, passes through observe. There is no second
// source of truth to fall out of step with the log.

// Limits of what teams write.
const (
	MaxMessageBody  = 4000 // message, draft and chat body, in characters
	MaxMessageTitle = 200  // message and draft title, in characters
	MaxComment      = 1000 // approval or rejection comment, in characters
	MaxRefLen       = 100  // ids of rooms, outlets, personas, injects, threads, drafts, in bytes
)

// Actions of a message (sim.Message.Action).
const (
	ActionPublish = "publish"
	ActionReply   = "reply"
	ActionCompose = "compose"
	ActionPersona = "persona"
)

// FacilitatorID names the facilitator where a payload names a participant
// (an approval, a persona message), as answers already do.
const FacilitatorID = scenario.FacilitatorTeam

// Actor is who sends a command: a participant by id, or a facilitator
// (Participant "") by account name.
type Actor struct {
	Participant string
	Name        string // the facilitator's account name; participants' names come from the roster
}

func (a Actor) facilitator() bool { return a.Participant == "" }

// WorldAck confirms a world command: the seq of the event it wrote (the
// original's, when Duplicate), and for drafts the draft and its version.
type WorldAck struct {
	Seq       int64  `json:"seq,omitempty"`
	Duplicate bool   `json:"duplicate,omitempty"`
	Draft     string `json:"draft,omitempty"`
	Version   int    `json:"version,omitempty"`
	Message   string `json:"message,omitempty"` // send: the message's id in the world
	Thread    string `json:"thread,omitempty"`  // send: the conversation it belongs to
}

// --- payloads ---

type chatPayload struct {
	Room          string `json:"room"`
	Participant   string `json:"participant,omitempty"`
	Name          string `json:"name,omitempty"`
	Team          string `json:"team,omitempty"`
	Body          string `json:"body"`
	ByFacilitator bool   `json:"by_facilitator,omitempty"`
	ClientID      string `json:"client_id,omitempty"`
}

type receiptPayload struct {
	Participant string `json:"participant"`
	Team        string `json:"team"`
	Inject      string `json:"inject,omitempty"`
	Seq         int64  `json:"seq"`
	Opened      bool   `json:"opened,omitempty"`
}

type draftPayload struct {
	Draft       string `json:"draft"`
	Version     int    `json:"version"`
	Action      string `json:"action"`
	Team        string `json:"team"`
	Participant string `json:"participant"`
	Outlet      string `json:"outlet,omitempty"`
	Persona     string `json:"persona,omitempty"`
	Inject      string `json:"inject,omitempty"`
	Thread      string `json:"thread,omitempty"`
	Title       string `json:"title,omitempty"`
	Body        string `json:"body"`
	ClientID    string `json:"client_id,omitempty"`
}

type draftRefPayload struct {
	Draft       string `json:"draft"`
	Team        string `json:"team"`
	Participant string `json:"participant"`
}

type approvalPayload struct {
	Draft       string `json:"draft"`
	Version     int    `json:"version"`
	Team        string `json:"team"`
	Participant string `json:"participant"`
	Name        string `json:"name,omitempty"`
	Approver    string `json:"approver"`
	Title       string `json:"title,omitempty"`
	Body        string `json:"body"`
	Outlet      string `json:"outlet,omitempty"`
}

type verdictPayload struct {
	Draft       string `json:"draft"`
	Version     int    `json:"version"`
	Team        string `json:"team"`
	Participant string `json:"participant"`
	Name        string `json:"name,omitempty"`
	Comment     string `json:"comment,omitempty"`
}

type messagePayload struct {
	ClientID      string `json:"client_id"`
	Message       string `json:"message"`
	Action        string `json:"action"`
	Team          string `json:"team"`
	Participant   string `json:"participant,omitempty"`
	Persona       string `json:"persona,omitempty"`
	Outlet        string `json:"outlet,omitempty"`
	Inject        string `json:"inject,omitempty"`
	Thread        string `json:"thread,omitempty"`
	Title         string `json:"title,omitempty"`
	Body          string `json:"body,omitempty"`
	Draft         string `json:"draft,omitempty"`
	DraftedBy     string `json:"drafted_by,omitempty"`
	ApprovedBy    string `json:"approved_by,omitempty"`
	ByFacilitator bool   `json:"by_facilitator,omitempty"`
	Canned        string `json:"canned,omitempty"`
}

// --- state derived from the log ---

// world is a loop's view of drafts, deliveries and receipts.
type world struct {
	drafts     map[string]*draft
	deliveries map[int64]*delivery // by the seq of the inject_delivered event
	seen       map[receiptKey]bool
}

type receiptKey struct {
	participant string
	seq         int64
	opened      bool
}

// draft is a team's shared, versioned draft.
type draft struct {
	payload    draftPayload // the current version's content; Participant saved it
	requested  int          // version with a pending approval request, 0 when none
	approver   string       // of the request: a team id or scenario.ApproveLead
	approved   int          // version approved, 0 when none
	approvedBy string
	closed     string // "discarded" or "sent"
}

// delivery is an inject delivered to teams, with who received and opened it.
type delivery struct {
	seq      int64
	inject   string
	at       time.Duration
	audience []string
	received []ReceiptView
	opened   []ReceiptView
}

func newWorld() *world {
	return &world{drafts: map[string]*draft{}, deliveries: map[int64]*delivery{}, seen: map[receiptKey]bool{}}
}

// world returns the loop's world state, made on first use.
func (l *loop) world() *world {
	if l.w == nil {
		l.w = newWorld()
	}
	return l.w
}

// observe updates the world state from one event of the log, committed
// now or read back on load.
func (l *loop) observe(ev Event) {
	l.observeEval(ev)
	w := l.world()
	switch ev.Kind {
	case string(sim.KindInjectDelivered):
		var p struct {
			Inject   string   `json:"inject"`
			Audience []string `json:"audience"`
		}
		if json.Unmarshal(ev.Payload, &p) == nil && len(p.Audience) > 0 {
			w.deliveries[ev.Seq] = &delivery{seq: ev.Seq, inject: p.Inject, at: ev.ExerciseTime, audience: p.Audience}
		}
	case KindReceipt:
		var p receiptPayload
		if json.Unmarshal(ev.Payload, &p) != nil {
			return
		}
		k := receiptKey{p.Participant, p.Seq, p.Opened}
		if w.seen[k] {
			return
		}
		w.seen[k] = true
		if d := w.deliveries[p.Seq]; d != nil {
			r := ReceiptView{Participant: p.Participant, Team: p.Team, At: ev.ExerciseTime, WallTime: ev.WallTime}
			if p.Opened {
				d.opened = append(d.opened, r)
			} else {
				d.received = append(d.received, r)
			}
		}
	case KindDraftSaved:
		var p draftPayload
		if json.Unmarshal(ev.Payload, &p) != nil {
			return
		}
		p.ClientID = ""
		d := w.drafts[p.Draft]
		if d == nil {
			d = &draft{}
			w.drafts[p.Draft] = d
		}
		// A new version withdraws any request or approval of an older one.
		*d = draft{payload: p}
	case KindDraftDiscarded:
		var p draftRefPayload
		if json.Unmarshal(ev.Payload, &p) == nil && w.drafts[p.Draft] != nil {
			w.drafts[p.Draft].closed = "discarded"
		}
	case KindApprovalRequested:
		var p approvalPayload
		if json.Unmarshal(ev.Payload, &p) == nil && w.drafts[p.Draft] != nil {
			d := w.drafts[p.Draft]
			d.requested, d.approver = p.Version, p.Approver
		}
	case KindDraftApproved, KindDraftRejected:
		var p verdictPayload
		if json.Unmarshal(ev.Payload, &p) == nil && w.drafts[p.Draft] != nil {
			d := w.drafts[p.Draft]
			d.requested = 0
			if ev.Kind == KindDraftApproved {
				d.approved, d.approvedBy = p.Version, p.Participant
			}
		}
	case KindMessageSubmitted:
		var p messagePayload
		if json.Unmarshal(ev.Payload, &p) == nil && p.Draft != "" && w.drafts[p.Draft] != nil {
			w.drafts[p.Draft].closed = "sent"
		}
	}
}

// --- checks shared by the commands ---

// present returns participant pid if they are still in the exercise.
func (l *loop) present(pid string) (*store.Participant, error) {
	p := l.participant(pid)
	if p == nil {
		return nil, fmt.Errorf("%w: participant %q", ErrNotFound, pid)
	}
	if !p.LeftAt.IsZero() {
		return nil, fmt.Errorf("%w: participant %q has left", ErrForbidden, pid)
	}
	return p, nil
}

// checkWritten checks a text a team writes: its length in characters
// (too_large beyond max) and that it is UTF-8.
func checkWritten(field, s string, maxChars int, required bool) error {
	if !utf8.ValidString(s) {
		return invalid("%s is not UTF-8", field)
	}
	if required && strings.TrimSpace(s) == "" {
		return invalid("%s is required", field)
	}
	if n := utf8.RuneCountInString(s); n > maxChars {
		return fmt.Errorf("%w: %s is %d characters; the limit is %d", ErrTooLarge, field, n, maxChars)
	}
	return nil
}

func checkRef(field, s string) error {
	if len(s) > MaxRefLen {
		return invalid("%s is longer than %d bytes", field, MaxRefLen)
	}
	return nil
}

// worldKey is the log key of a world command's client id, and the event
// that already holds it, if the command was applied before (a retry).
func (l *loop) worldKey(a Actor, clientID string) (string, *Event, error) {
	if !validClientID(clientID) {
		return "", nil, invalid("client id must be 1 to %d letters, digits or ._:-", MaxClientIDLen)
	}
	subject := a.Participant
	if a.facilitator() {
		subject = FacilitatorID
	}
	key := "w/" + subject + "/" + clientID
	prev, err := l.e.store.EventByClientID(context.Background(), l.id, key)
	if err == nil {
		return key, &prev, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", nil, fmt.Errorf("engine: %w: %w", ErrUnavailable, err)
	}
	return key, nil, nil
}

// worldID names a new draft or message after the command that made it:
// its log key without the prefix, "<participant|facilitator>/<client id>",
// unique in the exercise as the key is. Derived, not drawn at random, so
// that the same inputs give the same log (a replay, a reference run).
func worldID(key string) string { return strings.TrimPrefix(key, "w/") }

// duplicateAck is the ack of a command whose client id the log holds.
func duplicateAck(prev *Event) WorldAck {
	ack := WorldAck{Seq: prev.Seq, Duplicate: true}
	var p struct {
		Draft   string `json:"draft"`
		Version int    `json:"version"`
		Message string `json:"message"`
		Thread  string `json:"thread"`
	}
	if json.Unmarshal(prev.Payload, &p) == nil {
		ack.Draft, ack.Version, ack.Message, ack.Thread = p.Draft, p.Version, p.Message, p.Thread
	}
	return ack
}

// commitWorld commits one world event and acks it.
func (l *loop) commitWorld(now time.Time, ev Event, ack WorldAck) (WorldAck, error) {
	ev.WallTime, ev.ExerciseTime = now, l.clockAt(now)
	out, err := l.commit(now, []Event{ev}, store.Commit{})
	if err != nil {
		return WorldAck{}, err
	}
	ack.Seq = out[0].Seq
	return ack, nil
}

// --- chat ---

// ChatInput is a line of chat.
type ChatInput struct {
	ClientID string
	Room     string // team:<team>, control:<team> or line:<a>:<b>
	Body     string
}

// Chat posts a line in a room: team:<team> (that team), control:<team>
// (that team and the facilitator) or line:<a>:<b> (a < b, a line the
// scenario declares between the two teams). Participants write in their
// team's rooms; the facilitator in any. Accepted in every status: chat
// is out of the story.
func (e *Engine) Chat(ctx context.Context, exerciseID string, a Actor, in ChatInput) (WorldAck, error) {
	v, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return l.chat(now, a, in) })
	if err != nil {
		return WorldAck{}, err
	}
	return v.(WorldAck), nil
}

// roomTeams returns the teams of a chat room, or ErrNotFound.
func (l *loop) roomTeams(room string) ([]string, error) {
	notFound := fmt.Errorf("%w: room %q", ErrNotFound, clipText(room, 60))
	isTeam := func(t string) bool { return t != scenario.FacilitatorTeam && l.sc.Team(t) != nil }
	kind, rest, _ := strings.Cut(room, ":")
	switch kind {
	case "team", "control":
		if !isTeam(rest) {
			return nil, notFound
		}
		return []string{rest}, nil
	case "line":
		a, b, ok := strings.Cut(rest, ":")
		if !ok || a >= b || !isTeam(a) || !isTeam(b) || !l.lineDeclared(a, b) {
			return nil, notFound
		}
		return []string{a, b}, nil
	}
	return nil, notFound
}

func (l *loop) chat(now time.Time, a Actor, in ChatInput) (WorldAck, error) {
	if err := checkWritten("body", in.Body, MaxMessageBody, true); err != nil {
		return WorldAck{}, err
	}
	if err := checkRef("room", in.Room); err != nil {
		return WorldAck{}, err
	}
	key, prev, err := l.worldKey(a, in.ClientID)
	if err != nil {
		return WorldAck{}, err
	}
	if prev != nil {
		return duplicateAck(prev), nil
	}
	teams, err := l.roomTeams(in.Room)
	if err != nil {
		return WorldAck{}, err
	}
	p := chatPayload{Room: in.Room, Body: in.Body, ClientID: in.ClientID}
	if a.facilitator() {
		p.Name, p.ByFacilitator = a.Name, true
	} else {
		part, err := l.present(a.Participant)
		if err != nil {
			return WorldAck{}, err
		}
		if !slices.Contains(teams, part.TeamID) {
			// Not theirs: indistinguishable from a room that does not exist.
			return WorldAck{}, fmt.Errorf("%w: room %q", ErrNotFound, clipText(in.Room, 60))
		}
		p.Participant, p.Name, p.Team = part.ID, part.Name, part.TeamID
	}
	return l.commitWorld(now, Event{Kind: KindChat, Audience: teams, ClientID: key, Payload: mustJSON(p)}, WorldAck{})
}

// --- receipts ---

// ReceiptInput reports that a participant's client received an inject
// (its frame arrived) or opened it (its card was on screen). Seq is the
// inject_delivered event's.
type ReceiptInput struct {
	Seq    int64
	Opened bool
}

// Receipt logs a receipt once per (participant, inject, received|opened);
// a repeat is acknowledged as a duplicate and not logged.
func (e *Engine) Receipt(ctx context.Context, exerciseID, participantID string, in ReceiptInput) (WorldAck, error) {
	v, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return l.receipt(now, participantID, in) })
	if err != nil {
		return WorldAck{}, err
	}
	return v.(WorldAck), nil
}

func (l *loop) receipt(now time.Time, pid string, in ReceiptInput) (WorldAck, error) {
	part, err := l.present(pid)
	if err != nil {
		return WorldAck{}, err
	}
	w := l.world()
	d := w.deliveries[in.Seq]
	if d == nil || !(slices.Contains(d.audience, sim.AllTeams) || slices.Contains(d.audience, part.TeamID)) {
		return WorldAck{}, fmt.Errorf("%w: no inject delivered to your team at seq %d", ErrNotFound, in.Seq)
	}
	if w.seen[receiptKey{pid, in.Seq, in.Opened}] {
		return WorldAck{Duplicate: true}, nil
	}
	p := receiptPayload{Participant: pid, Team: part.TeamID, Inject: d.inject, Seq: in.Seq, Opened: in.Opened}
	return l.commitWorld(now, Event{Kind: KindReceipt, Audience: staff(), Payload: mustJSON(p)}, WorldAck{})
}

// InjectReceipts is who received and opened one delivered inject, per team.
type InjectReceipts struct {
	Seq    int64          `json:"seq"`
	Inject string         `json:"inject,omitempty"`
	At     time.Duration  `json:"at"`
	Teams  []TeamReceipts `json:"teams"`
}

// TeamReceipts is one team's receipts of an inject: Members is how many of
// the team are in the exercise now.
type TeamReceipts struct {
	Team     string        `json:"team"`
	Members  int           `json:"members"`
	Received []ReceiptView `json:"received"`
	Opened   []ReceiptView `json:"opened"`
}

// ReceiptView is one participant's receipt.
type ReceiptView struct {
	Participant string        `json:"participant"`
	Name        string        `json:"name,omitempty"`
	Team        string        `json:"-"`
	At          time.Duration `json:"at"`
	WallTime    time.Time     `json:"wall_time"`
}

// Receipts lists, for every inject delivered to teams (in log order), who
// of each addressed team received and opened it.
func (e *Engine) Receipts(ctx context.Context, exerciseID string) ([]InjectReceipts, error) {
	v, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return l.receipts(), nil })
	if err != nil {
		return nil, err
	}
	return v.([]InjectReceipts), nil
}

func (l *loop) receipts() []InjectReceipts {
	w := l.world()
	names, members := map[string]string{}, map[string]int{}
	for _, p := range l.parts {
		names[p.ID] = p.Name
		if p.LeftAt.IsZero() {
			members[p.TeamID]++
		}
	}
	seqs := make([]int64, 0, len(w.deliveries))
	for s := range w.deliveries {
		seqs = append(seqs, s)
	}
	slices.Sort(seqs)
	out := make([]InjectReceipts, 0, len(seqs))
	for _, s := range seqs {
		d := w.deliveries[s]
		var teams []string
		if slices.Contains(d.audience, sim.AllTeams) {
			for _, t := range l.sc.Teams {
				teams = append(teams, t.ID)
			}
		} else {
			teams = d.audience
		}
		ir := InjectReceipts{Seq: s, Inject: d.inject, At: d.at, Teams: make([]TeamReceipts, 0, len(teams))}
		for _, t := range teams {
			tr := TeamReceipts{Team: t, Members: members[t], Received: []ReceiptView{}, Opened: []ReceiptView{}}
			for _, r := range d.received {
				if r.Team == t {
					r.Name = names[r.Participant]
					tr.Received = append(tr.Received, r)
				}
			}
			for _, r := range d.opened {
				if r.Team == t {
					r.Name = names[r.Participant]
					tr.Opened = append(tr.Opened, r)
				}
			}
			ir.Teams = append(ir.Teams, tr)
		}
		out = append(out, ir)
	}
	return out
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// checkWorldAudience checks the audience of a world event read from an
// archive, which must not widen it: chat goes to its room's teams,
// receipts to staff, drafts and approvals to their team (and at most one
// approver team), a message to its team unless it is a publication (whose
// outlet's audience the scenario decides; the replay checks the sim's
// message_sent). known is false for other kinds.
func checkWorldAudience(ev Event) (known bool, err error) {
	var p struct {
		Room   string `json:"room"`
		Team   string `json:"team"`
		Action string `json:"action"`
	}
	switch ev.Kind {
	case KindChat, KindReceipt, KindDraftSaved, KindDraftDiscarded, KindApprovalRequested, KindDraftApproved, KindDraftRejected,
		KindMessageSubmitted:
	default:
		return false, nil
	}
	if err := json.Unmarshal(ev.Payload, &p); err != nil {
		return true, err
	}
	wrong := func() (bool, error) {
		return true, fmt.Errorf("audience %q does not fit a %s event", ev.Audience, ev.Kind)
	}
	switch ev.Kind {
	case KindReceipt:
		if len(ev.Audience) != 0 {
			return wrong()
		}
	case KindChat:
		kind, rest, _ := strings.Cut(p.Room, ":")
		var want []string
		switch kind {
		case "team", "control":
			want = []string{rest}
		case "line":
			a, b, _ := strings.Cut(rest, ":")
			want = []string{a, b}
		}
		if want == nil || !slices.Equal(want, ev.Audience) {
			return wrong()
		}
	case KindMessageSubmitted:
		if p.Action != ActionPublish && !slices.Equal(ev.Audience, []string{p.Team}) {
			return wrong()
		}
	default:
		if len(ev.Audience) < 1 || len(ev.Audience) > 2 || ev.Audience[0] != p.Team || slices.Contains(ev.Audience, sim.AllTeams) {
			return wrong()
		}
	}
	return true, nil
}

// --- drafts and approval ---

// DraftInput is the full content of a draft's next version. Draft ""
// starts a new draft.
type DraftInput struct {
	ClientID string
	Draft    string
	Action   string // publish | reply | compose
	Outlet   string
	Persona  string
	Inject   string
	Thread   string
	Title    string
	Body     string
}

// SaveDraft saves a team draft's next version (any member of the team).
// A new version withdraws a pending approval request and any approval.
func (e *Engine) SaveDraft(ctx context.Context, exerciseID, participantID string, in DraftInput) (WorldAck, error) {
	v, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return l.saveDraft(now, participantID, in) })
	if err != nil {
		return WorldAck{}, err
	}
	return v.(WorldAck), nil
}

// DraftCommand is discard, request_approval, approve or reject.
type DraftCommand struct {
	ClientID string
	Draft    string
	Do       string // DraftDiscard, DraftRequest, DraftApprove, DraftReject
	Version  int    // approve, reject: the version judged
	Comment  string // approve, reject
}

// DraftCommand.Do values.
const (
	DraftDiscard = "discard"
	DraftRequest = "request_approval"
	DraftApprove = "approve"
	DraftReject  = "reject"
)

// Draft applies a command to an existing draft: discard and request
// approval (the draft's team), approve and reject (the approver or the
// facilitator).
func (e *Engine) Draft(ctx context.Context, exerciseID string, a Actor, in DraftCommand) (WorldAck, error) {
	v, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return l.draftCommand(now, a, in) })
	if err != nil {
		return WorldAck{}, err
	}
	return v.(WorldAck), nil
}

// checkTarget checks what a message or draft is about, as far as the
// scenario says it statically: an outlet the team publishes on, a persona
// it may reach, an inject that exists. Whether a reply's inject was
// delivered to the team is the sim's to say when it is sent.
func (l *loop) checkTarget(team, action, outlet, persona, inject string) error {
	for _, f := range []struct{ name, v string }{{"outlet", outlet}, {"persona", persona}, {"inject", inject}} {
		if err := checkRef(f.name, f.v); err != nil {
			return err
		}
	}
	switch action {
	case ActionPublish:
		if outlet == "" {
			return invalid("publish needs an outlet")
		}
		return l.mayPublish(team, outlet)
	case ActionReply:
		if inject == "" {
			return invalid("reply needs an inject")
		}
		// Only an inject the team has received and may answer: a draft
		// must not tell whether an inject still to come exists.
		if in := l.sc.Inject(inject); in == nil || !in.TakesReplyFrom(team) || !l.deliveredTo(inject, team) {
			return fmt.Errorf("%w: no inject %q to reply to", ErrNotFound, clipText(inject, 60))
		}
	case ActionCompose:
		if persona == "" {
			return invalid("compose needs a persona")
		}
		return l.mayReach(team, persona)
	default:
		return invalid("action must be publish, reply or compose")
	}
	return nil
}

func (l *loop) saveDraft(now time.Time, pid string, in DraftInput) (WorldAck, error) {
	if err := checkWritten("title", in.Title, MaxMessageTitle, false); err != nil {
		return WorldAck{}, err
	}
	if err := checkWritten("body", in.Body, MaxMessageBody, false); err != nil {
		return WorldAck{}, err
	}
	if err := checkRef("thread", in.Thread); err != nil {
		return WorldAck{}, err
	}
	a := Actor{Participant: pid}
	key, prev, err := l.worldKey(a, in.ClientID)
	if err != nil {
		return WorldAck{}, err
	}
	if prev != nil {
		return duplicateAck(prev), nil
	}
	part, err := l.present(pid)
	if err != nil {
		return WorldAck{}, err
	}
	if err := l.checkTarget(part.TeamID, in.Action, in.Outlet, in.Persona, in.Inject); err != nil {
		return WorldAck{}, err
	}
	aud := team(part.TeamID)
	version := 1
	id := in.Draft
	if id == "" {
		id = worldID(key)
	} else {
		d, err := l.teamDraft(part.TeamID, id)
		if err != nil {
			return WorldAck{}, err
		}
		version = d.payload.Version + 1
		if d.requested > 0 && d.approver != part.TeamID && l.sc.Team(d.approver) != nil {
			aud = append(aud, d.approver) // their request is withdrawn: they see the new version
		}
	}
	p := draftPayload{Draft: id, Version: version, Action: in.Action, Team: part.TeamID, Participant: pid, Outlet: in.Outlet,
		Persona: in.Persona, Inject: in.Inject, Thread: in.Thread, Title: in.Title, Body: in.Body, ClientID: in.ClientID}
	return l.commitWorld(now, Event{Kind: KindDraftSaved, Audience: aud, ClientID: key, Payload: mustJSON(p)},
		WorldAck{Draft: id, Version: version})
}

// deliveredTo reports whether the inject has been delivered to the team.
func (l *loop) deliveredTo(inject, team string) bool {
	for _, d := range l.world().deliveries {
		if d.inject == inject && (slices.Contains(d.audience, sim.AllTeams) || slices.Contains(d.audience, team)) {
			return true
		}
	}
	return false
}

// teamDraft returns an open draft of the team; another team's draft is
// not found, as one that does not exist.
func (l *loop) teamDraft(team, id string) (*draft, error) {
	d := l.world().drafts[id]
	if d == nil || d.payload.Team != team {
		return nil, fmt.Errorf("%w: draft %q", ErrNotFound, clipText(id, 60))
	}
	if d.closed != "" {
		return nil, fmt.Errorf("%w: draft %q was %s", ErrConflict, id, d.closed)
	}
	return d, nil
}

// approverTeams is the audience an approval of d is shown to: its team
// and the approver team (none more for lead).
func (l *loop) approverTeams(d *draft, approver string) []string {
	aud := team(d.payload.Team)
	if approver != d.payload.Team && approver != ApproveLead && l.sc.Team(approver) != nil {
		aud = append(aud, approver)
	}
	return aud
}

func (l *loop) draftCommand(now time.Time, a Actor, in DraftCommand) (WorldAck, error) {
	if err := checkRef("draft", in.Draft); err != nil {
		return WorldAck{}, err
	}
	if err := checkWritten("comment", in.Comment, MaxComment, false); err != nil {
		return WorldAck{}, err
	}
	key, prev, err := l.worldKey(a, in.ClientID)
	if err != nil {
		return WorldAck{}, err
	}
	if prev != nil {
		return duplicateAck(prev), nil
	}
	var part *store.Participant
	if !a.facilitator() {
		if part, err = l.present(a.Participant); err != nil {
			return WorldAck{}, err
		}
	}
	w := l.world()
	switch in.Do {
	case DraftDiscard, DraftRequest:
		if part == nil {
			return WorldAck{}, fmt.Errorf("%w: only the draft's team may %s it", ErrForbidden, in.Do)
		}
		d, err := l.teamDraft(part.TeamID, in.Draft)
		if err != nil {
			return WorldAck{}, err
		}
		if in.Do == DraftDiscard {
			aud := team(d.payload.Team)
			if d.requested > 0 {
				aud = l.approverTeams(d, d.approver)
			}
			p := draftRefPayload{Draft: in.Draft, Team: d.payload.Team, Participant: part.ID}
			return l.commitWorld(now, Event{Kind: KindDraftDiscarded, Audience: aud, ClientID: key, Payload: mustJSON(p)}, WorldAck{Draft: in.Draft})
		}
		approver, err := l.approverOf(d)
		if err != nil {
			return WorldAck{}, err
		}
		if d.approved == d.payload.Version {
			return WorldAck{}, fmt.Errorf("%w: version %d is already approved", ErrConflict, d.approved)
		}
		if d.requested == d.payload.Version {
			return WorldAck{Draft: in.Draft, Version: d.payload.Version}, nil // already asked: nothing new to log
		}
		p := approvalPayload{Draft: in.Draft, Version: d.payload.Version, Team: d.payload.Team, Participant: part.ID, Name: part.Name,
			Approver: approver, Title: d.payload.Title, Body: d.payload.Body, Outlet: d.payload.Outlet}
		return l.commitWorld(now, Event{Kind: KindApprovalRequested, Audience: l.approverTeams(d, approver), ClientID: key, Payload: mustJSON(p)},
			WorldAck{Draft: in.Draft, Version: d.payload.Version})
	case DraftApprove, DraftReject:
		d := w.drafts[in.Draft]
		approver := ""
		if d != nil {
			approver, _ = l.approverOf(d)
		}
		if d == nil || !l.mayJudge(part, d, approver) {
			// Not the approver: as if there were no such draft.
			return WorldAck{}, fmt.Errorf("%w: draft %q awaiting your approval", ErrNotFound, clipText(in.Draft, 60))
		}
		if d.closed != "" {
			return WorldAck{}, fmt.Errorf("%w: draft %q was %s", ErrConflict, in.Draft, d.closed)
		}
		if in.Version != d.payload.Version {
			return WorldAck{}, fmt.Errorf("%w: draft %q is at version %d, not %d", ErrStaleDraft, in.Draft, d.payload.Version, in.Version)
		}
		if d.requested != d.payload.Version && !a.facilitator() {
			return WorldAck{}, fmt.Errorf("%w: nobody asked to approve version %d", ErrConflict, in.Version)
		}
		p := verdictPayload{Draft: in.Draft, Version: in.Version, Team: d.payload.Team, Participant: FacilitatorID, Name: a.Name, Comment: in.Comment}
		if part != nil {
			p.Participant, p.Name = part.ID, part.Name
		}
		kind := KindDraftApproved
		if in.Do == DraftReject {
			kind = KindDraftRejected
		}
		return l.commitWorld(now, Event{Kind: kind, Audience: l.approverTeams(d, approver), ClientID: key, Payload: mustJSON(p)},
			WorldAck{Draft: in.Draft, Version: in.Version})
	}
	return WorldAck{}, invalid("unknown draft command %q", in.Do)
}

// mayJudge reports whether a participant (nil: the facilitator) may
// approve or reject the draft, whose outlet's approver is approver: a
// member of the approver team, or for lead the drafting team's lead unless
// they saved the current version. The facilitator may approve anything.
func (l *loop) mayJudge(part *store.Participant, d *draft, approver string) bool {
	if part == nil {
		return true
	}
	switch approver {
	case "":
		return false
	case ApproveLead:
		return part.TeamID == d.payload.Team && part.Lead && part.ID != d.payload.Participant
	default:
		return part.TeamID == approver
	}
}

// --- messages said in the world ---

// SendInput is a message a team sends (publish, reply, compose), from a
// draft or as given, or a persona's message the facilitator sends.
type SendInput struct {
	ClientID string
	Draft    string // with a draft, the action, target and content are the draft's
	Action   string // publish | reply | compose; the facilitator's is always persona
	Outlet   string
	Persona  string
	Inject   string
	Thread   string
	Title    string
	Body     string
	Team     string // persona messages: the team answered
	Canned   string // persona messages: a canned reply instead of Body
}

// Send says something in the world: a participant publishes, replies or
// writes to a persona; the facilitator answers a team as a persona. The
// input is logged as message_submitted, then the sim's message_sent.
func (e *Engine) Send(ctx context.Context, exerciseID string, a Actor, in SendInput) (WorldAck, error) {
	v, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return l.send(now, a, in) })
	if err != nil {
		return WorldAck{}, err
	}
	return v.(WorldAck), nil
}

func (p messagePayload) simMessage() sim.Message {
	return sim.Message{ID: p.Message, Action: p.Action, Team: p.Team, Participant: p.Participant, Persona: p.Persona,
		Outlet: p.Outlet, Inject: p.Inject, Thread: p.Thread, Title: p.Title, Body: p.Body, DraftedBy: p.DraftedBy,
		ApprovedBy: p.ApprovedBy, ByFacilitator: p.ByFacilitator, Canned: p.Canned}
}

// sendError classifies an error of sim.Send.
func sendError(err error) error {
	var kind error
	switch {
	case errors.Is(err, sim.ErrNotAllowed):
		kind = ErrNotAllowed
	case errors.Is(err, sim.ErrNeedsApproval):
		kind = ErrNeedsApproval
	case errors.Is(err, sim.ErrNotFound):
		kind = ErrNotFound
	case errors.Is(err, sim.ErrMessageTooLong):
		kind = ErrTooLarge
	case errors.Is(err, sim.ErrBadMessage):
		kind = ErrInvalid
	default:
		return simError(err)
	}
	return fmt.Errorf("%w: %w", kind, err)
}

func (l *loop) send(now time.Time, a Actor, in SendInput) (WorldAck, error) {
	for _, f := range []struct{ name, v string }{{"draft", in.Draft}, {"outlet", in.Outlet}, {"persona", in.Persona},
		{"inject", in.Inject}, {"thread", in.Thread}, {"team", in.Team}, {"canned", in.Canned}} {
		if err := checkRef(f.name, f.v); err != nil {
			return WorldAck{}, err
		}
	}
	key, prev, err := l.worldKey(a, in.ClientID)
	if err != nil {
		return WorldAck{}, err
	}
	if prev != nil {
		return duplicateAck(prev), nil
	}
	if err := l.needLive(); err != nil {
		return WorldAck{}, err
	}
	var p messagePayload
	if a.facilitator() {
		if in.Team == scenario.FacilitatorTeam || l.sc.Team(in.Team) == nil {
			return WorldAck{}, fmt.Errorf("%w: team %q", ErrNotFound, clipText(in.Team, 60))
		}
		p = messagePayload{Action: ActionPersona, Team: in.Team, Persona: in.Persona, Thread: in.Thread, Body: in.Body,
			Canned: in.Canned, ByFacilitator: true}
	} else {
		part, err := l.present(a.Participant)
		if err != nil {
			return WorldAck{}, err
		}
		if l.status == store.StatusPaused {
			return WorldAck{}, fmt.Errorf("%w: the facilitator paused exercise %s; send when it resumes", ErrPaused, l.id)
		}
		p = messagePayload{Action: in.Action, Team: part.TeamID, Participant: part.ID, Persona: in.Persona, Outlet: in.Outlet,
			Inject: in.Inject, Thread: in.Thread, Title: in.Title, Body: in.Body}
		if in.Draft != "" {
			d, err := l.teamDraft(part.TeamID, in.Draft)
			if err != nil {
				return WorldAck{}, err
			}
			dp := d.payload
			p = messagePayload{Action: dp.Action, Team: dp.Team, Participant: part.ID, Persona: dp.Persona, Outlet: dp.Outlet,
				Inject: dp.Inject, Thread: dp.Thread, Title: dp.Title, Body: dp.Body, Draft: dp.Draft, DraftedBy: dp.Participant}
			if _, err := l.approverOf(d); err == nil {
				if d.approved != dp.Version {
					return WorldAck{}, fmt.Errorf("%w: draft %q version %d is not approved", ErrNeedsApproval, dp.Draft, dp.Version)
				}
				p.ApprovedBy = d.approvedBy
			}
		}
		if p.Action == ActionPersona || p.Action == "" {
			return WorldAck{}, invalid("action must be publish, reply or compose")
		}
	}
	if err := checkWritten("title", p.Title, MaxMessageTitle, false); err != nil {
		return WorldAck{}, err
	}
	if err := checkWritten("body", p.Body, MaxMessageBody, p.Canned == ""); err != nil {
		return WorldAck{}, err
	}
	p.Message, p.ClientID = worldID(key), in.ClientID
	at := l.clockAt(now)
	outs, err := l.m.Send(at, p.simMessage())
	if err != nil {
		l.keep(now, at, outs)
		return WorldAck{}, sendError(err)
	}
	aud, thread := team(p.Team), p.Thread
	for _, o := range outs {
		if o.Kind == sim.KindMessageSent && o.Message == p.Message {
			aud, thread = slices.Clone(o.Audience), o.Thread
			break
		}
	}
	evs := append([]Event{{Kind: KindMessageSubmitted, WallTime: now, ExerciseTime: at, Audience: aud, ClientID: key, Payload: mustJSON(p)}},
		fromSim(now, outs)...)
	out, err := l.commit(now, evs, store.Commit{})
	if err != nil {
		return WorldAck{}, err
	}
	return WorldAck{Seq: out[0].Seq, Message: p.Message, Thread: thread}, nil
}

// Canned lists the canned replies the facilitator may send as the persona
// of a team's thread; ErrNotFound for a thread the team does not have.
func (e *Engine) Canned(ctx context.Context, exerciseID, team, thread string) ([]sim.CannedOffer, error) {
	v, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) {
		offers := l.m.Canned(team, thread)
		if offers == nil {
			return nil, fmt.Errorf("%w: team %q has no thread %q", ErrNotFound, clipText(team, 60), clipText(thread, 60))
		}
		return offers, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]sim.CannedOffer), nil
}
