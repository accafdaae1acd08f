package eval

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
)

// The team measures, computed from the sim's events in the log. Each rule
// is written out in the How of the number it gives; scenarios/README.md
// (Evaluation) says the same for authors.

// How texts of the measures.
const (
	howResponses = "Responses: for each decision opened for the team, the minutes from its opening to the first answer of a member (not the facilitator's for the team); " +
		"for each inject delivered to the team, the minutes to the team's first message (reply or message to a persona) " +
		"and first publication that answer it — a reply answers its inject, any other act the last inject the team had received. " +
		"Median response: the median of those minutes."
	howQuality = "Decision quality: the sum of the scores of the options the team's decisions settled on (answered or default), " +
		"over the decisions that give their options scores, out of the sum of each decision's best score. " +
		"Expected: how many settled decisions that name expected options settled on one of them."
	howWeighted = "Confidence-weighted score: for each scored decision settled by answers that gave a confidence c (1-5, their mean), " +
		"mean + (score - mean) × c/5, where mean is the average score of the decision's options. " +
		"A sure answer (5) counts its full score; an unsure one is pulled toward the average: " +
		"confidence earns more on a better-than-average option and costs more on a worse one. Out of the best scores."
	howAlignment = "Alignment: for each decision more than one member answered, the share of members whose last answer was the settled option; " +
		"the team's alignment is the mean over those decisions (-1 with none)."
)

// decisionRun is one decision of one team, as the log tells it.
type decisionRun struct {
	dc       *scenario.Decision
	team     string
	openedAt time.Duration
	first    time.Duration // first answer; -1 none
	last     map[string]lastAnswer
	order    []string // participants in the order they first answered
	closed   *sim.Event
	seq      int64
}

type lastAnswer struct {
	option     string
	confidence int
}

// delivery is an inject delivered to teams.
type delivery struct {
	id    string
	at    time.Duration
	teams []string
}

// teamActs gathers what the sim events say of the teams.
type teamActs struct {
	decisions []*decisionRun
	open      map[string]*decisionRun  // decision id + team → the open run
	lastInj   map[string]*delivery     // team → the last inject it received
	delivered map[string]time.Duration // inject + team → its first delivery
	responses map[string][]Response    // team → responses
	answered  map[string]bool          // prompt/kind/team → the first act was counted
}

func newTeamActs() *teamActs {
	return &teamActs{open: map[string]*decisionRun{}, lastInj: map[string]*delivery{}, delivered: map[string]time.Duration{}, responses: map[string][]Response{}, answered: map[string]bool{}}
}

func minutesOf(d time.Duration) float64 { return math.Round(d.Minutes()*100) / 100 }

// audienceTeams resolves an event's audience to scenario team ids.
func audienceTeams(sc *scenario.Scenario, aud []string) []string {
	var out []string
	for _, a := range aud {
		if a == sim.AllTeams {
			out = out[:0]
			for _, t := range sc.Teams {
				out = append(out, t.ID)
			}
			return out
		}
		if sc.Team(a) != nil {
			out = append(out, a)
		}
	}
	return out
}

func (a *teamActs) respond(team string, r Response) {
	k := r.Prompt + "\x00" + r.Kind + "\x00" + team
	if a.answered[k] {
		return
	}
	a.answered[k] = true
	a.responses[team] = append(a.responses[team], r)
}

// sim reads one sim event.
func (a *teamActs) sim(sc *scenario.Scenario, ev engine.Event, e *sim.Event) {
	switch e.Kind {
	case sim.KindInjectDelivered:
		d := &delivery{id: e.Inject, at: e.At, teams: audienceTeams(sc, ev.Audience)}
		if d.id == "" {
			d.id = fmt.Sprintf("seq %d", ev.Seq) // an ad-hoc inject without id
		}
		for _, t := range d.teams {
			a.lastInj[t] = d
			if _, seen := a.delivered[d.id+"\x00"+t]; !seen {
				a.delivered[d.id+"\x00"+t] = d.at
			}
		}
	case sim.KindDecisionOpened:
		dc := sc.Decision(e.Decision)
		if dc == nil || e.Team == scenario.FacilitatorTeam {
			return
		}
		r := &decisionRun{dc: dc, team: e.Team, openedAt: e.At, first: -1, last: map[string]lastAnswer{}}
		a.open[e.Decision+"\x00"+e.Team] = r
		a.decisions = append(a.decisions, r)
	case sim.KindDecisionAnswered:
		r := a.open[e.Decision+"\x00"+e.Team]
		if r == nil {
			return
		}
		if e.ByFacilitator || e.Participant == "" {
			return // the facilitator answering for the team is not the team's response
		}
		if r.first < 0 {
			r.first = e.At
			a.respond(e.Team, Response{Prompt: e.Decision, Kind: "answer", Minutes: minutesOf(e.At - r.openedAt), Seq: ev.Seq})
		}
		if e.Option == "" {
			return
		}
		if _, seen := r.last[e.Participant]; !seen {
			r.order = append(r.order, e.Participant)
		}
		r.last[e.Participant] = lastAnswer{option: e.Option, confidence: e.Confidence}
	case sim.KindDecisionClosed:
		k := e.Decision + "\x00" + e.Team
		r := a.open[k]
		if r == nil {
			return
		}
		delete(a.open, k)
		c := *e
		r.closed, r.seq = &c, ev.Seq
	case sim.KindMessageSent:
		if e.Action == sim.ActionPersona || sc.Team(e.Team) == nil {
			return
		}
		kind, via := "message", e.Persona
		if e.Action == sim.ActionPublish {
			kind, via = "publication", e.Outlet
		}
		var prompt string
		var at time.Duration
		if d := a.lastInj[e.Team]; d != nil {
			prompt, at = d.id, d.at
		}
		if e.Action == sim.ActionReply && e.Inject != "" {
			first, ok := a.delivered[e.Inject+"\x00"+e.Team]
			if !ok {
				return
			}
			prompt, at = e.Inject, first
		}
		if prompt == "" {
			return
		}
		a.respond(e.Team, Response{Prompt: prompt, Kind: kind, Minutes: minutesOf(e.At - at), Seq: ev.Seq, Via: via})
	}
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// scoring is what a decision's option scores allow: whether it has any,
// the best and the mean of the scores given.
type scoring struct {
	scored     bool
	best, mean float64
}

func scoringOf(dc *scenario.Decision) scoring {
	var s scoring
	n := 0
	for _, o := range dc.Options {
		if o.Score == nil {
			continue
		}
		if !s.scored || *o.Score > s.best {
			s.best = *o.Score
		}
		s.scored = true
		s.mean += *o.Score
		n++
	}
	if n > 0 {
		s.mean /= float64(n)
	}
	return s
}

// result judges one closed decision run.
func (r *decisionRun) result(params map[string]string) DecisionResult {
	dc, c := r.dc, r.closed
	d := DecisionResult{Decision: dc.ID, Title: scenario.Render(dc.Prompt, params), Team: r.team, Option: c.Option,
		Label: c.OptionLabel, Reason: c.Settled, Minutes: -1, Alignment: -1, Seq: r.seq}
	if c.Settled == sim.SettledExpired && c.CloseReason != "" && c.CloseReason != sim.CloseTimeLimit {
		d.Reason = c.CloseReason // state_left, ended, facilitator
	}
	if o := dc.Option(c.Option); o != nil {
		if d.Label == "" {
			d.Label = scenario.Render(o.Label, params)
		}
		if o.Score != nil {
			v := *o.Score
			d.Score = &v
		}
	}
	if len(dc.Expected) > 0 {
		ok := c.Option != "" && slices.Contains(dc.Expected, c.Option)
		d.Expected = &ok
	}
	if r.first >= 0 {
		d.Minutes = minutesOf(r.first - r.openedAt)
	}
	var sum, n, agree int
	for _, p := range r.order {
		a := r.last[p]
		if a.option == c.Option {
			agree++
			if a.confidence > 0 {
				sum += a.confidence
				n++
			}
		}
	}
	if n > 0 {
		d.Confidence = round2(float64(sum) / float64(n))
	} else if c.Option != "" && c.Confidence > 0 {
		d.Confidence = float64(c.Confidence)
	}
	if len(r.order) >= 2 && c.Option != "" {
		d.Alignment = round2(float64(agree) / float64(len(r.order)))
	}
	return d
}

// teams assembles every team's measures, in the scenario's order, and
// returns the judged decisions in log order for the objectives.
func (a *teamActs) teams(sc *scenario.Scenario, params map[string]string) ([]TeamMeasures, []DecisionResult) {
	var all []DecisionResult
	out := make([]TeamMeasures, 0, len(sc.Teams))
	byTeam := map[string]int{}
	for _, t := range sc.Teams {
		byTeam[t.ID] = len(out)
		out = append(out, TeamMeasures{Team: t.ID, Name: scenario.Render(t.Name, params), MedianResponse: -1, Alignment: -1,
			Responses: a.responses[t.ID],
			Quality:   Score{How: howQuality}, Weighted: Score{How: howWeighted}, How: howResponses + " " + howAlignment})
	}
	aligned := map[string][]float64{}
	for _, r := range a.decisions {
		i, ok := byTeam[r.team]
		if !ok || r.closed == nil {
			continue
		}
		tm := &out[i]
		d := r.result(params)
		all = append(all, d)
		tm.Decisions = append(tm.Decisions, d)
		if d.Alignment >= 0 {
			aligned[r.team] = append(aligned[r.team], d.Alignment)
		}
		if len(r.dc.Expected) > 0 {
			tm.Quality.Of++
			if *d.Expected {
				tm.Quality.Expected++
			}
		}
		s := scoringOf(r.dc)
		if !s.scored || d.Option == "" {
			continue
		}
		points := 0.0
		if d.Score != nil {
			points = *d.Score
		}
		tm.Quality.Points += points
		tm.Quality.Max += s.best
		tm.Quality.Count++
		if d.Confidence > 0 {
			tm.Weighted.Points += s.mean + (points-s.mean)*d.Confidence/5
			tm.Weighted.Max += s.best
			tm.Weighted.Count++
		}
	}
	for i := range out {
		tm := &out[i]
		tm.Quality.Points, tm.Quality.Max = round2(tm.Quality.Points), round2(tm.Quality.Max)
		tm.Weighted.Points, tm.Weighted.Max = round2(tm.Weighted.Points), round2(tm.Weighted.Max)
		var mins []float64
		for _, r := range tm.Responses {
			mins = append(mins, r.Minutes)
		}
		tm.MedianResponse = median(mins)
		if al := aligned[tm.Team]; len(al) > 0 {
			sum := 0.0
			for _, v := range al {
				sum += v
			}
			tm.Alignment = round2(sum / float64(len(al)))
		}
	}
	return out, all
}

// median of the values, -1 with none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return -1
	}
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return round2((s[n/2-1] + s[n/2]) / 2)
}

// milestoneHow says how a milestone was judged, with the minutes read.
func milestoneHow(m *scenario.Milestone, done, due float64, errText string) string {
	minute := func(v float64) string {
		if v < 0 {
			return "-1 (did not happen, or could not be computed)"
		}
		return fmt.Sprintf("minute %g", round2(v))
	}
	how := fmt.Sprintf("done = %s → %s; due = %s → %s; met when done is 0 or more and at most due, evaluated when the exercise ended.",
		m.Done.Src, minute(done), m.Due.Src, minute(due))
	if errText != "" {
		how += " Error: " + strings.TrimPrefix(errText, "scenario: ")
	}
	return how
}
