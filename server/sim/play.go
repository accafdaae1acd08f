package sim

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ttxsim/ttx/server/scenario"
)

// PlayOptions drive a dry run.
type PlayOptions struct {
	Params  map[string]string
	Choices map[string]string        // decision id -> option id, answered when it opens
	Delays  map[string]time.Duration // decision id -> delay after opening before the choice is answered
	Acts    []Act                    // team actions in the world, at exercise times
	Until   time.Duration            // stop at this exercise time; 0: Horizon(sc)
	// MaxEvents stops a run that keeps producing events (a repeating
	// timer in a state nothing leaves); 0: 100000.
	MaxEvents int
}

// PlayResult is the outcome of a dry run.
type PlayResult struct {
	Events  []Event
	Done    bool // an outcome was reached
	Outcome string
	Rating  string
	Title   string        // title of the final state
	End     time.Duration // exercise clock at the end of the run
	State   string        // state at the end of the run
	Stopped string        // why the run ended without an outcome
	Notes   []string      // choices that could not be applied
}

// Horizon is how far a dry run or an exploration follows a scenario before
// calling it stuck: four times its stated duration, and at least a day.
func Horizon(sc *scenario.Scenario) time.Duration {
	return max(24*time.Hour, 4*sc.Duration)
}

type pendingAnswer struct {
	at  time.Duration
	dec int // global decision index, for tie order; acts follow the decisions, in script order
	id  string
	act *Act
}

// Play runs the scenario on a virtual clock: each decision named in
// Choices is answered by its team's lead when it opens (plus its delay);
// every other decision takes its default or expires as the file says.
func Play(sc *scenario.Scenario, opts PlayOptions) (*PlayResult, error) {
	m, err := New(sc, opts.Params)
	if err != nil {
		return nil, err
	}
	for d, o := range opts.Choices {
		dc := sc.Decision(d)
		if dc == nil {
			return nil, fmt.Errorf("sim: play: --choose %s=%s: %w", d, o, ErrUnknownDecision)
		}
		if dc.Option(o) == nil && !(dc.FreeText && len(dc.Options) == 0) {
			return nil, fmt.Errorf("sim: play: --choose %s=%s: %w", d, o, ErrUnknownOption)
		}
	}
	for d := range opts.Delays {
		if _, ok := opts.Choices[d]; !ok {
			return nil, fmt.Errorf("sim: play: --answer-at %s needs --choose %s=OPTION", d, d)
		}
	}
	until := opts.Until
	if until <= 0 {
		until = Horizon(sc)
	}
	maxEvents := opts.MaxEvents
	if maxEvents <= 0 {
		maxEvents = 100000
	}
	res := &PlayResult{}
	var pending []pendingAnswer
	for i := range opts.Acts {
		if err := opts.Acts[i].check(sc); err != nil {
			return nil, fmt.Errorf("sim: play: --act %q: %w", opts.Acts[i].String(), err)
		}
		pending = append(pending, pendingAnswer{at: opts.Acts[i].At, dec: len(m.p.decs) + i, act: &opts.Acts[i]})
	}
	opened := map[string]bool{}
	runaways := 0 // loops caught by the runaway guard; the second one ends the run
	take := func(evs []Event) {
		if folded, cycle := foldRunaway(evs, runaways > 0); cycle != "" {
			if runaways++; runaways > 1 && res.Stopped == "" {
				res.Stopped = fmt.Sprintf("runaway loop %s started again at %s; it would each time the clock moves", cycle, FormatClock(evs[len(evs)-1].At))
			}
			evs = folded
		}
		res.Events = append(res.Events, evs...)
		for _, e := range evs {
			if e.Kind != KindDecisionOpened {
				continue
			}
			if _, ok := opts.Choices[e.Decision]; ok {
				opened[e.Decision] = true
				pending = append(pending, pendingAnswer{at: e.At + opts.Delays[e.Decision], dec: m.p.decIdx[e.Decision], id: e.Decision})
			}
		}
		slices.SortStableFunc(pending, func(a, b pendingAnswer) int {
			if c := cmp.Compare(a.at, b.at); c != 0 {
				return c
			}
			return cmp.Compare(a.dec, b.dec)
		})
	}
	take(m.Start(0))
	for !m.Done() && res.Stopped == "" {
		if len(res.Events) > maxEvents {
			res.Stopped = fmt.Sprintf("stopped after %d events", maxEvents)
			break
		}
		next, due := m.NextDue()
		if len(pending) > 0 && (!due || pending[0].at <= next) {
			p := pending[0]
			pending = pending[1:]
			if p.at > until {
				take(m.Advance(until))
				res.Stopped = fmt.Sprintf("no outcome by %s", FormatClock(until))
				break
			}
			if p.act != nil {
				evs, err := m.Send(p.at, p.act.message(sc, p.dec-len(m.p.decs)+1))
				take(evs)
				if err != nil && !errors.Is(err, ErrDone) {
					res.Notes = append(res.Notes, fmt.Sprintf("%s: --act %q not applied: %v", FormatClock(p.at), p.act.String(), errors.Unwrap(err)))
				}
				continue
			}
			dc := sc.Decision(p.id)
			a := Answer{Decision: p.id, Team: dc.Team, Participant: "play", Lead: true, Option: opts.Choices[p.id]}
			if dc.Option(a.Option) == nil {
				a.Option, a.Text = "", opts.Choices[p.id]
			}
			evs, err := m.Answer(p.at, a)
			take(evs)
			if err != nil {
				if !errors.Is(err, ErrDone) {
					res.Notes = append(res.Notes, fmt.Sprintf("%s: --choose %s=%s not applied: %v", FormatClock(p.at), p.id, opts.Choices[p.id], errors.Unwrap(err)))
				}
			}
			continue
		}
		if !due {
			res.Stopped = "stuck: nothing more is scheduled and no transition can fire"
			break
		}
		if next > until {
			take(m.Advance(until))
			res.Stopped = fmt.Sprintf("no outcome by %s", FormatClock(until))
			break
		}
		take(m.Advance(next))
	}
	for _, p := range pending {
		if p.act != nil {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: --act %q not applied: the run ended first", FormatClock(p.at), p.act.String()))
			continue
		}
		res.Notes = append(res.Notes, fmt.Sprintf("%s: --choose %s=%s not applied: the run ended first", FormatClock(p.at), p.id, opts.Choices[p.id]))
	}
	for _, d := range sortedKeys(opts.Choices) {
		if !opened[d] {
			res.Notes = append(res.Notes, fmt.Sprintf("--choose %s=%s not applied: the decision never opened", d, opts.Choices[d]))
		}
	}
	s := m.Snapshot()
	res.Done, res.Outcome, res.Rating, res.End, res.State = s.Done, s.Outcome, s.Rating, s.At, s.State
	if res.Done {
		res.Title = sc.State(s.State).Title
		res.Title = scenario.Render(res.Title, m.params)
	}
	return res, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// FormatClock writes an exercise time as +HH:MM:SS (with milliseconds
// when there are any).
func FormatClock(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	h := d / time.Hour
	mnt := (d % time.Hour) / time.Minute
	s := (d % time.Minute) / time.Second
	out := fmt.Sprintf("%s%02d:%02d:%02d", sign, h, mnt, s)
	if ms := (d % time.Second) / time.Millisecond; ms != 0 {
		out += fmt.Sprintf(".%03d", ms)
	}
	return out
}

// Line renders one event as a line of the play timeline:
//
//	+00:05:00  [state]  INJECT  email  "Subject"  -> comms, legal
func Line(e Event) string {
	var b strings.Builder
	b.WriteString(FormatClock(e.At))
	b.WriteString("  [")
	if e.State == "" {
		b.WriteString("-")
	}
	b.WriteString(e.State)
	b.WriteString("]  ")
	w := func(parts ...string) {
		first := true
		for _, p := range parts {
			if p == "" {
				continue
			}
			if !first {
				b.WriteString("  ")
			}
			first = false
			b.WriteString(p)
		}
	}
	switch e.Kind {
	case KindStarted:
		var ps []string
		for _, k := range sortedKeys(e.Params) {
			ps = append(ps, k+"="+e.Params[k])
		}
		params := ""
		if len(ps) > 0 {
			params = "params: " + strings.Join(ps, ", ")
		}
		w("START", e.Scenario, quote(e.Title), params)
	case KindStateEntered:
		story := ""
		if e.StoryTime != "" {
			story = "story " + e.StoryTime
			if e.StoryJump > 0 {
				story += " (+" + FormatDuration(e.StoryJump) + ")"
			}
		}
		w("ENTER", quote(e.Title), story)
	case KindInjectDelivered:
		title := e.Title
		if title == "" {
			title = excerpt(e.Body, 60)
		}
		from := ""
		if e.PersonaName != "" {
			from = "from " + e.PersonaName
			if e.PersonaHandle != "" {
				from += " (" + e.PersonaHandle + ")"
			}
		}
		id := e.Inject
		if e.AdHoc {
			id = "adhoc " + id
		}
		w("INJECT", e.Channel, quote(title), from, "-> "+teamList(e.Teams), "("+strings.TrimSpace(id)+")")
	case KindInjectSkipped:
		w("SKIP", e.Inject, parens(e.Reason))
	case KindDecisionSkipped:
		w("SKIP", e.Decision, e.Team+": decision not opened", parens(e.Reason))
	case KindDecisionOpened:
		var ops []string
		for _, o := range e.Options {
			ops = append(ops, o.ID)
		}
		if e.FreeText {
			ops = append(ops, "free text")
		}
		extra := []string{"mode " + e.Mode}
		if e.TimeLimit > 0 {
			extra = append(extra, "limit "+FormatDuration(e.TimeLimit))
		}
		if e.SettleFirst {
			extra = append(extra, "first answer final")
		}
		if e.Default != "" {
			extra = append(extra, "default "+e.Default)
		}
		w("DECIDE", e.Decision, e.Team+": "+quote(excerpt(e.Prompt, 60)), "["+strings.Join(ops, " | ")+"]", strings.Join(extra, ", "))
	case KindDecisionAnswered:
		w("ANSWER", e.Decision, e.Team+": "+answerText(e), "by "+e.Participant)
	case KindDecisionClosed:
		how := e.Settled
		if len(e.Votes) > 0 {
			var vs []string
			for _, v := range e.Votes {
				vs = append(vs, fmt.Sprintf("%s=%d", v.Option, v.Count))
			}
			how += ", votes " + strings.Join(vs, " ")
		}
		got := answerText(e)
		if got == "" {
			got = "(no answer)"
		}
		w("CLOSED", e.Decision, "-> "+got, "("+how+"; "+e.CloseReason+")")
	case KindDecisionExtended:
		w("EXTEND", e.Decision, e.Team+": +"+FormatDuration(e.By), "closes "+FormatClock(e.ClosesAt), "(limit "+FormatDuration(e.TimeLimit)+")")
	case KindEffectApplied:
		w("EFFECT", fmt.Sprintf("%s %s -> %s", e.Var, value(e.Old), value(e.New)), "("+e.Expr+"; "+e.Cause+")")
	case KindTimerFired:
		w("TIMER", fmt.Sprintf("#%d", e.Timer))
	case KindTransitionTaken:
		label := ""
		if e.Label != "" {
			label = quote(e.Label)
		}
		w("GOTO", e.FromState+" -> "+e.ToState, label, parens(e.Reason))
	case KindOutcomeReached:
		rating := ""
		if e.Rating != "" {
			rating = "(" + e.Rating + ")"
		}
		title := ""
		if e.Title != "" {
			title = quote(e.Title)
		}
		w("OUTCOME", e.Outcome, rating, title, parens(e.Reason))
	case KindMessageSent:
		text := quote(excerpt(e.Body, 50))
		if e.Title != "" {
			text = quote(excerpt(e.Title, 50))
		}
		canned := ""
		if e.Canned != "" {
			canned = "(canned " + e.Canned + ")"
		}
		switch e.Action {
		case ActionPublish:
			approved := ""
			if e.ApprovedBy != "" {
				approved = "(approved by " + e.ApprovedBy + ")"
			}
			w("PUBLISH", e.Team+" on "+e.Outlet, e.Channel, text, "-> "+teamList(audienceTeams(e.Audience)), approved)
		case ActionReply:
			w("REPLY", e.Team+" -> "+e.Persona, e.Channel, text, "(re "+e.Inject+")")
		case ActionCompose:
			w("WRITE", e.Team+" -> "+e.Persona, e.Channel, text, "(thread "+e.Thread+")")
		default:
			w("PERSONA", e.Persona+" -> "+e.Team, e.Channel, text, canned)
		}
	case KindObjectiveMeasure:
		met := "not met"
		if e.Met {
			met = "met"
		}
		var vs []string
		for _, v := range e.Values {
			vs = append(vs, v.Name+"="+value(v.Value))
		}
		w("MEASURE", e.Objective, met, parens(strings.Join(vs, ", ")), parens(e.Error))
	case KindMilestone:
		met := "missed"
		if e.Met {
			met = "met"
		}
		w("MILESTONE", e.Objective+"/"+e.Milestone, met, parens("done "+minute(e.Done)+", due "+minute(e.Due)), parens(e.Error))
	case KindError:
		w("ERROR", e.Code+": "+e.Error)
	default:
		w(strings.ToUpper(string(e.Kind)))
	}
	return strings.TrimRight(b.String(), " ")
}

func answerText(e Event) string {
	var parts []string
	if e.Option != "" {
		parts = append(parts, e.Option)
		if e.OptionLabel != "" {
			parts = append(parts, quote(excerpt(e.OptionLabel, 40)))
		}
	}
	if e.Text != "" {
		parts = append(parts, "text "+quote(excerpt(e.Text, 40)))
	}
	return strings.Join(parts, " ")
}

func parens(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

func quote(s string) string { return `"` + s + `"` }

func teamList(teams []string) string {
	if len(teams) == 0 {
		return "all"
	}
	return strings.Join(teams, ", ")
}

func value(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case float64:
		return fmt.Sprintf("%g", x)
	case nil:
		return "(none)"
	}
	return fmt.Sprint(v)
}

// excerpt is the first line of s cut to n runes.
func excerpt(s string, n int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i]) + " …"
	}
	if utf8.RuneCountInString(s) > n {
		r := []rune(s)
		s = strings.TrimSpace(string(r[:n-1])) + "…"
	}
	return s
}

func audienceTeams(a []string) []string {
	if len(a) == 1 && a[0] == AllTeams {
		return nil
	}
	return a
}

// Act is a team action in the world scripted for a dry run: publish on an
// outlet, reply to an inject, or send a new message to a persona.
type Act struct {
	At     time.Duration
	Team   string
	Action string // "publish", "reply" or "send"
	Target string // the outlet, inject or persona
}

// ParseAct reads an act written "6m comms publish newsroom",
// "3m comms reply reporter_email" or "4m soc send platform_support".
func ParseAct(s string) (Act, error) {
	f := strings.Fields(s)
	if len(f) != 4 {
		return Act{}, fmt.Errorf("want \"TIME TEAM publish|reply|send TARGET\", e.g. \"6m comms publish newsroom\"")
	}
	at, err := time.ParseDuration(f[0])
	if err != nil || at < 0 {
		return Act{}, fmt.Errorf("%q is not a time such as 90s or 6m", f[0])
	}
	switch f[2] {
	case "publish", "reply", "send":
	default:
		return Act{}, fmt.Errorf("unknown action %q: want publish, reply or send", f[2])
	}
	return Act{At: at, Team: f[1], Action: f[2], Target: f[3]}, nil
}

func (a Act) String() string {
	return FormatDuration(a.At) + " " + a.Team + " " + a.Action + " " + a.Target
}

// check refuses an act naming what the scenario does not have.
func (a Act) check(sc *scenario.Scenario) error {
	if sc.Team(a.Team) == nil {
		return fmt.Errorf("unknown team %q", a.Team)
	}
	switch {
	case a.Action == "publish" && sc.Outlet(a.Target) == nil:
		return fmt.Errorf("unknown outlet %q", a.Target)
	case a.Action == "reply" && sc.Inject(a.Target) == nil:
		return fmt.Errorf("unknown inject %q", a.Target)
	case a.Action == "send" && sc.Persona(a.Target) == nil:
		return fmt.Errorf("unknown persona %q", a.Target)
	}
	return nil
}

// message is the act as a message from the participant "play"; a
// publication that needs approval is approved by "play-approver".
func (a Act) message(sc *scenario.Scenario, n int) Message {
	msg := Message{ID: fmt.Sprintf("play-%d", n), Team: a.Team, Participant: "play", Body: "(scripted by ttx play)"}
	switch a.Action {
	case "publish":
		msg.Action, msg.Outlet, msg.DraftedBy = ActionPublish, a.Target, "play"
		if o := sc.Outlet(a.Target); o != nil && o.Approval != "" {
			msg.ApprovedBy = "play-approver"
		}
	case "reply":
		msg.Action, msg.Inject = ActionReply, a.Target
	default:
		msg.Action, msg.Persona = ActionCompose, a.Target
	}
	return msg
}

// minute shows a milestone's minute: "-" when it did not happen.
func minute(v *float64) string {
	if v == nil || *v < 0 {
		return "-"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
