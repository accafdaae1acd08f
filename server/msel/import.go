package msel

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/ttxsim/ttx/server/scenario"
)

// MaxImportSize bounds the CSV Import reads.
const MaxImportSize = 1 << 20

// maxOffset is the longest offset a scenario accepts within a state.
const maxOffset = 24 * time.Hour

// Problem is one thing wrong with an imported events list, placed at its
// row (1-based, the header is row 1) and column (1-based; 0 for the whole
// row or file).
type Problem struct {
	Row    int    `json:"row"`
	Col    int    `json:"col"`
	Column string `json:"column,omitempty"` // the column's header
	Msg    string `json:"message"`
}

func (p Problem) Error() string {
	switch {
	case p.Row == 0:
		return p.Msg
	case p.Col == 0:
		return fmt.Sprintf("row %d: %s", p.Row, p.Msg)
	default:
		return fmt.Sprintf("row %d, column %d (%s): %s", p.Row, p.Col, p.Column, p.Msg)
	}
}

// Problems is every problem found; Import returns it as its error.
type Problems []Problem

func (ps Problems) Error() string {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Error()
	}
	return "msel: " + strings.Join(msgs, "; ")
}

// field names the columns Import understands.
type field int

const (
	fNo field = iota
	fModule
	fTime
	fStory
	fFrom
	fTo
	fChannel
	fSubject
	fMessage
	fExpected
	fObjective
	fCapability
	fNotes
	nFields
)

// headers maps a normalised header (lower case, letters and digits only)
// to its field: ttx's own columns and the names spreadsheets commonly use.
var headers = map[string]field{
	"no": fNo, "number": fNo, "event": fNo, "eventno": fNo, "eventnumber": fNo, "id": fNo, "injectno": fNo,
	"module": fModule, "phase": fModule, "state": fModule, "stage": fModule,
	"exercisetime": fTime, "time": fTime, "when": fTime, "at": fTime, "offset": fTime, "relativetime": fTime,
	"storytime": fStory, "scenariotime": fStory, "scenariodatetime": fStory,
	"from": fFrom, "sender": fFrom, "persona": fFrom, "source": fFrom,
	"to": fTo, "recipient": fTo, "recipients": fTo, "team": fTo, "teams": fTo, "audience": fTo,
	"channel": fChannel, "method": fChannel, "medium": fChannel, "deliverymethod": fChannel,
	"subject": fSubject, "title": fSubject, "headline": fSubject,
	"message": fMessage, "body": fMessage, "content": fMessage, "text": fMessage, "inject": fMessage, "description": fMessage,
	"expectedaction": fExpected, "expectedactions": fExpected, "expectedplayeraction": fExpected, "expectedresponse": fExpected,
	"objective": fObjective, "objectives": fObjective,
	"capability": fCapability, "capabilities": fCapability, "corecapability": fCapability,
	"notes": fNotes, "note": fNotes, "specialinstructions": fNotes, "controllernotes": fNotes, "facilitatornotes": fNotes,
}

// channelNames maps what spreadsheets write in the channel column to a
// scenario channel.
var channelNames = map[string]scenario.Channel{
	"social": scenario.Social, "socialmedia": scenario.Social, "post": scenario.Social, "tweet": scenario.Social,
	"twitter": scenario.Social, "x": scenario.Social, "facebook": scenario.Social, "instagram": scenario.Social, "linkedin": scenario.Social,
	"email": scenario.Email, "mail": scenario.Email,
	"chat": scenario.Chat, "im": scenario.Chat, "instantmessage": scenario.Chat, "slack": scenario.Chat, "teams": scenario.Chat, "sms": scenario.Chat, "text": scenario.Chat,
	"news": scenario.News, "press": scenario.News, "newsarticle": scenario.News, "media": scenario.News, "tv": scenario.News,
	"phone": scenario.Phone, "call": scenario.Phone, "phonecall": scenario.Phone, "voicemail": scenario.Phone,
	"ticket": scenario.Ticket, "alert": scenario.Ticket, "siem": scenario.Ticket, "helpdesk": scenario.Ticket,
	"status": scenario.Status, "statuspage": scenario.Status,
	"sitrep": scenario.Sitrep, "narrative": scenario.Sitrep, "briefing": scenario.Sitrep, "situationreport": scenario.Sitrep,
	"facilitator": scenario.Sitrep, "controller": scenario.Sitrep, "verbal": scenario.Sitrep, "": scenario.Sitrep,
}

func norm(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// everyone and controller are the recipient and sender words that mean no
// particular team, and the exercise control (no persona).
var (
	everyone   = map[string]bool{"": true, "all": true, "allteams": true, "everyone": true, "allplayers": true, "players": true}
	controller = map[string]bool{"": true, "controller": true, "control": true, "exercisecontrol": true, "facilitator": true, "simcell": true, "excon": true}
)

// row is one parsed line.
type row struct {
	line       int
	module     string
	at         time.Duration
	story      time.Time
	from       string
	to         []string // team names; nil: everyone; ["facilitator"]
	channel    scenario.Channel
	subject    string
	message    string
	notes      string
	objectives []string
	caps       []string
}

// Import reads an events list as CSV (comma or semicolon separated, a
// header row — among the first ten — naming the columns; see Columns and
// the usual spreadsheet names) and writes a scenario skeleton as YAML: one state per module in
// order of first appearance (one state when there is no module column),
// chained by timed transitions and ending in a final state; injects at
// their times; a persona per sender, a team per recipient, an objective per
// objective named. Every problem is reported with its row and column, as
// Problems; the YAML is only returned when there are none.
func Import(r io.Reader) ([]byte, error) {
	src, err := io.ReadAll(io.LimitReader(r, MaxImportSize+1))
	if err != nil {
		return nil, fmt.Errorf("msel: read: %w", err)
	}
	if len(src) > MaxImportSize {
		return nil, Problems{{Msg: fmt.Sprintf("the file is larger than %d KiB", MaxImportSize>>10)}}
	}
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(src))
	first := src[:min(len(src), 2048)] // the header is near the top
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, Problems{{Row: pe.StartLine, Col: pe.Column, Msg: pe.Err.Error()}}
		}
		return nil, fmt.Errorf("msel: read: %w", err)
	}
	if len(recs) < 2 {
		return nil, Problems{{Row: 1, Msg: "the file needs a header row and at least one event"}}
	}
	// The header is the first of the first ten rows that names a time
	// and a message column: spreadsheets often start with a title.
	columns := func(rec []string) (col [nFields]int) {
		for i, h := range rec {
			if f, ok := headers[norm(h)]; ok && col[f] == 0 {
				col[f] = i + 1
			}
		}
		return col
	}
	head := 0
	for i := range min(10, len(recs)) {
		if c := columns(recs[i]); c[fTime] > 0 && c[fMessage] > 0 {
			head = i
			break
		}
	}
	col := columns(recs[head]) // 1-based column of each field, 0 when absent
	var probs Problems
	for _, f := range []struct {
		f    field
		name string
	}{{fTime, "Exercise time"}, {fMessage, "Message"}} {
		if col[f.f] == 0 {
			probs = append(probs, Problem{Row: 1, Msg: fmt.Sprintf("no %q column; the first row has: %s", f.name, strings.Join(recs[0], ", "))})
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	get := func(rec []string, f field) string {
		if c := col[f]; c > 0 && c <= len(rec) {
			return strings.TrimSpace(rec[c-1])
		}
		return ""
	}
	bad := func(line int, f field, format string, args ...any) {
		probs = append(probs, Problem{Row: line, Col: col[f], Column: strings.TrimSpace(recs[head][col[f]-1]), Msg: fmt.Sprintf(format, args...)})
	}
	var rows []row
	for i, rec := range recs[head+1:] {
		line := head + i + 2
		blank := true
		for _, c := range rec {
			blank = blank && strings.TrimSpace(c) == ""
		}
		if blank {
			continue
		}
		rw := row{line: line, module: get(rec, fModule), subject: get(rec, fSubject), message: get(rec, fMessage)}
		at, err := ParseTime(get(rec, fTime))
		if err != nil {
			bad(line, fTime, "%v", err)
		}
		rw.at = at
		if s := get(rec, fStory); s != "" {
			rw.story = parseStory(s)
		}
		if rw.message == "" {
			bad(line, fMessage, "the message is empty")
		}
		ch, ok := channelNames[norm(get(rec, fChannel))]
		if !ok {
			names := make([]string, len(scenario.Channels))
			for i, c := range scenario.Channels {
				names[i] = string(c)
			}
			bad(line, fChannel, "unknown channel %q; use one of %s", get(rec, fChannel), strings.Join(names, ", "))
		}
		rw.channel = ch
		if from := get(rec, fFrom); !controller[norm(from)] {
			rw.from = from
		} else if ch == scenario.Social {
			bad(line, fFrom, "a social post needs a sender: name the account that posts it")
		}
		for _, t := range splitList(get(rec, fTo), ",;") {
			switch {
			case norm(t) == "facilitator" || norm(t) == "controller":
				rw.to = append(rw.to, scenario.FacilitatorTeam)
			case everyone[norm(t)]:
				rw.to = nil
			default:
				rw.to = append(rw.to, t)
			}
			if everyone[norm(t)] {
				break
			}
		}
		if contains(rw.to, scenario.FacilitatorTeam) && len(rw.to) > 1 {
			bad(line, fTo, "send it either to the facilitator alone, or to teams")
		}
		var notes []string
		if x := get(rec, fExpected); x != "" {
			notes = append(notes, "Expected action: "+x)
		}
		if x := get(rec, fNotes); x != "" {
			notes = append(notes, x)
		}
		rw.notes = strings.Join(notes, "\n\n")
		rw.objectives = splitList(get(rec, fObjective), ";")
		rw.caps = splitList(get(rec, fCapability), ";")
		rows = append(rows, rw)
	}
	if len(rows) == 0 {
		probs = append(probs, Problem{Row: 2, Msg: "the file has no events"})
	}
	if len(probs) > 0 {
		return nil, probs
	}
	out, err := build(rows)
	if err != nil {
		return nil, err
	}
	if _, err := scenario.Parse("imported.yaml", out); err != nil {
		return nil, Problems{{Msg: "the generated scenario does not validate: " + err.Error()}}
	}
	return out, nil
}

func splitList(s, seps string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if p = strings.TrimSpace(p); p != "" && !contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

var (
	clockTime = regexp.MustCompile(`^(\d+):(\d{1,2})(?::(\d{1,2}))?$`)
	dhmTime   = regexp.MustCompile(`(?i)^(?:D\s*\+\s*(\d+))?\s*(?:H\s*\+\s*(\d+))?\s*(?:M\s*\+\s*(\d+))?\s*(?:S\s*\+\s*(\d+))?$`)
)

// ParseTime reads a relative exercise time: "0:04:30" (H:MM:SS), "00:15"
// (H:MM), "15m", "1h30m", "90s", a bare number of minutes ("15"), or
// "D+0 H+1 M+30"; a leading "T+" or "+" is allowed.
func ParseTime(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(strings.TrimPrefix(t, "T"), "t")
	t = strings.TrimSpace(strings.TrimPrefix(t, "+"))
	var d time.Duration
	switch {
	case t == "":
		return 0, errors.New("the time is empty; write it like 0:15, 15m or D+0 H+0 M+15")
	case clockTime.MatchString(t):
		m := clockTime.FindStringSubmatch(t)
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		sec := 0
		if m[3] != "" {
			sec, _ = strconv.Atoi(m[3])
		}
		if mi > 59 || sec > 59 {
			return 0, fmt.Errorf("%q is not a time: minutes and seconds go up to 59", s)
		}
		d = time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(sec)*time.Second
	case isDigits(t):
		n, _ := strconv.Atoi(t)
		d = time.Duration(n) * time.Minute
	case strings.ContainsAny(t, "+") || strings.HasPrefix(strings.ToUpper(t), "D"):
		m := dhmTime.FindStringSubmatch(t)
		if m == nil {
			return 0, fmt.Errorf("%q is not a time; write it like D+0 H+1 M+30", s)
		}
		for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute, time.Second} {
			if m[i+1] != "" {
				n, _ := strconv.Atoi(m[i+1])
				d += time.Duration(n) * unit
			}
		}
	default:
		v, err := time.ParseDuration(strings.ReplaceAll(t, " ", ""))
		if err != nil {
			return 0, fmt.Errorf("%q is not a time; write it like 0:15, 15m or D+0 H+0 M+15", s)
		}
		d = v
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is before the start", s)
	}
	if d > maxOffset {
		return 0, fmt.Errorf("%q is more than 24 hours into its module; split the list into modules", s)
	}
	return d.Truncate(time.Second), nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// moduleStory is the story time on entering a module, from the first of
// its rows that gives one (zero if none does).
func moduleStory(list []row) time.Time {
	for _, r := range list {
		if !r.story.IsZero() {
			return r.story.Add(-r.at).Truncate(time.Minute)
		}
	}
	return time.Time{}
}

func parseStory(s string) time.Time {
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_-]+)\s*\}\}`)

// ids hands out unique scenario ids made from names.
type ids map[string]bool

func (u ids) make(name, fallback string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	id := strings.Trim(b.String(), "_")
	if len(id) > 40 {
		id = strings.Trim(id[:40], "_")
	}
	switch {
	case id == "":
		id = fallback
	case id[0] >= '0' && id[0] <= '9':
		id = fallback + "_" + id
	}
	base := id
	for n := 2; u[id] || id == scenario.FacilitatorTeam; n++ {
		id = fmt.Sprintf("%s_%d", base, n)
	}
	u[id] = true
	return id
}

// build writes the skeleton for parsed rows.
func build(rows []row) ([]byte, error) {
	var modules []string
	byModule := map[string][]row{}
	for _, r := range rows {
		if _, ok := byModule[r.module]; !ok {
			modules = append(modules, r.module)
		}
		byModule[r.module] = append(byModule[r.module], r)
	}
	teamIDs, teamNames := map[string]string{}, []string{}
	personaIDs, personaNames := map[string]string{}, []string{}
	objIDs, objTitles := map[string]string{}, []string{}
	objCaps := map[string]string{}
	used := ids{}
	params := map[string]bool{}
	var paramOrder []string
	for _, r := range rows {
		for _, t := range r.to {
			if t != scenario.FacilitatorTeam && teamIDs[t] == "" {
				teamIDs[t] = used.make(t, "team")
				teamNames = append(teamNames, t)
			}
		}
		if r.from != "" && personaIDs[r.from] == "" {
			personaIDs[r.from] = used.make(r.from, "persona")
			personaNames = append(personaNames, r.from)
		}
		for i, o := range r.objectives {
			if objIDs[o] == "" {
				objIDs[o] = used.make(o, "objective")
				objTitles = append(objTitles, o)
			}
			if objCaps[o] == "" {
				switch {
				case len(r.caps) == len(r.objectives):
					objCaps[o] = r.caps[i]
				case len(r.caps) == 1:
					objCaps[o] = r.caps[0]
				}
			}
		}
		for _, m := range placeholder.FindAllStringSubmatch(r.subject+r.message+r.from+strings.Join(r.to, " "), -1) {
			if !params[m[1]] {
				params[m[1]] = true
				paramOrder = append(paramOrder, m[1])
			}
		}
	}
	if len(teamNames) == 0 {
		teamIDs["Players"] = used.make("players", "team")
		teamNames = append(teamNames, "Players")
	}

	doc := mapping()
	doc.add("id", str("imported-events-list"))
	doc.add("title", str("Imported events list"))
	doc.add("summary", str("A scenario skeleton made from an events list: write the summary, the team briefs, the decisions and the branches."))
	var total time.Duration
	stateIDs := make([]string, len(modules))
	for i, m := range modules {
		stateIDs[i] = used.make(m, "module")
		if m == "" {
			stateIDs[i] = used.make("events", "module")
		}
		total += last(byModule[m]) + time.Minute
	}
	endID := used.make("end", "end")
	doc.add("duration", str(formatDuration(total.Round(time.Minute))))
	var story time.Time // the story time on entering the module being written
	if st := byModule[modules[0]]; !st[0].story.IsZero() {
		story = st[0].story.Add(-st[0].at).Truncate(time.Minute)
		doc.add("story_start", str(story.Format("2006-01-02T15:04")))
	}
	if len(paramOrder) > 0 {
		ps := mapping()
		for _, p := range paramOrder {
			pm := mapping()
			pm.add("default", str(p))
			ps.add(p, pm.Node)
		}
		doc.add("parameters", ps.Node)
	}
	teams := mapping()
	for _, t := range teamNames {
		tm := mapping()
		tm.add("name", str(t))
		tm.add("brief", str("What "+t+" knows and owns at the start."))
		teams.add(teamIDs[t], tm.Node)
	}
	doc.add("teams", teams.Node)
	if len(objTitles) > 0 {
		objs := mapping()
		for _, o := range objTitles {
			om := mapping()
			om.add("title", str(o))
			if objCaps[o] != "" {
				om.add("capability", str(objCaps[o]))
			}
			objs.add(objIDs[o], om.Node)
		}
		doc.add("objectives", objs.Node)
	}
	if len(personaNames) > 0 {
		ps := mapping()
		for _, p := range personaNames {
			pm := mapping()
			pm.add("name", str(p))
			ps.add(personaIDs[p], pm.Node)
		}
		doc.add("personas", ps.Node)
	}
	doc.add("start", str(stateIDs[0]))
	states := mapping()
	n := 0
	for i, m := range modules {
		st := mapping()
		title := m
		if title == "" {
			title = "Events"
		}
		st.add("title", str(title))
		list := byModule[m]
		sort.SliceStable(list, func(a, b int) bool { return list[a].at < list[b].at })
		if i > 0 && !story.IsZero() {
			// Entered when the module before it ends; a later story time
			// in its rows moves the story clock there.
			story = story.Add(last(byModule[modules[i-1]]) + time.Minute)
			if at := moduleStory(list); at.After(story) {
				story = at
				st.add("story_at", str(at.Format("2006-01-02T15:04")))
			}
		}
		injects := seq()
		for _, r := range list {
			n++
			in := mapping()
			in.add("id", str(fmt.Sprintf("inject_%d", n)))
			if r.at > 0 {
				in.add("at", str(formatDuration(r.at)))
			}
			if len(r.to) > 0 {
				ts := seq()
				for _, t := range r.to {
					if t == scenario.FacilitatorTeam {
						ts.Content = append(ts.Content, str(t))
					} else {
						ts.Content = append(ts.Content, str(teamIDs[t]))
					}
				}
				ts.Style = yaml.FlowStyle
				in.add("teams", ts)
			}
			in.add("channel", str(string(r.channel)))
			if r.from != "" {
				in.add("from", str(personaIDs[r.from]))
			}
			if r.subject != "" {
				in.add("title", str(r.subject))
			}
			in.add("body", str(r.message))
			if r.notes != "" {
				in.add("notes", str(r.notes))
			}
			if len(r.objectives) > 0 {
				os := seq()
				for _, o := range r.objectives {
					os.Content = append(os.Content, str(objIDs[o]))
				}
				os.Style = yaml.FlowStyle
				in.add("objectives", os)
			}
			injects.Content = append(injects.Content, in.Node)
		}
		st.add("injects", injects)
		next := endID
		if i+1 < len(modules) {
			next = stateIDs[i+1]
		}
		tr := mapping()
		tr.add("to", str(next))
		tr.add("after", str(formatDuration(last(list)+time.Minute)))
		trs := seq()
		trs.Content = append(trs.Content, tr.Node)
		st.add("transitions", trs)
		states.add(stateIDs[i], st.Node)
	}
	end := mapping()
	end.add("title", str("End of exercise"))
	end.add("outcome", str("ended"))
	end.add("rating", str("partial"))
	end.add("debrief", str("The events list has run out. Write the outcomes and the debrief."))
	states.add(endID, end.Node)
	doc.add("states", states.Node)

	var b bytes.Buffer
	b.WriteString("# A scenario skeleton made by 'ttx msel import' from an events list.\n")
	b.WriteString("# Check it with 'ttx validate', then add decisions and branches (scenarios/README.md).\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc.Node); err != nil {
		return nil, fmt.Errorf("msel: encode: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("msel: encode: %w", err)
	}
	return b.Bytes(), nil
}

func last(rows []row) time.Duration {
	var m time.Duration
	for _, r := range rows {
		m = max(m, r.at)
	}
	return m
}

// formatDuration writes 4m30s, 15m, 1h or 0s, as the format reads them.
func formatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

type mapNode struct{ *yaml.Node }

func mapping() mapNode { return mapNode{&yaml.Node{Kind: yaml.MappingNode}} }

func (m mapNode) add(k string, v *yaml.Node) { m.Content = append(m.Content, str(k), v) }

func seq() *yaml.Node { return &yaml.Node{Kind: yaml.SequenceNode} }

func str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if strings.Contains(s, "\n") {
		n.Style = yaml.LiteralStyle
	}
	return n
}
