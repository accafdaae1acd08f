package msel

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
)

func shipped(t *testing.T) []*scenario.Scenario {
	t.Helper()
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no shipped scenarios: %v", err)
	}
	var out []*scenario.Scenario
	for _, f := range files {
		sc, err := scenario.Load(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, sc)
	}
	return out
}

// TestRoundTrip exports every shipped scenario's MSEL, imports it back and
// checks that every inject kept its module, time, sender, recipients,
// channel, subject and message, and its story time where the export gave one.
func TestRoundTrip(t *testing.T) {
	for _, sc := range shipped(t) {
		t.Run(sc.ID, func(t *testing.T) {
			params, err := sc.Params(nil)
			if err != nil {
				t.Fatal(err)
			}
			csv, err := Export(sc, params)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(csv, []byte(BOM+"No.,Module,")) {
				t.Errorf("the CSV starts %q, want a BOM and the header", csv[:min(20, len(csv))])
			}
			y, err := Import(bytes.NewReader(csv))
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			back, err := scenario.Parse("imported.yaml", y)
			if err != nil {
				t.Fatalf("imported skeleton does not validate: %v\n%s", err, y)
			}
			want, got := Rows(sc, params), Rows(back, nil)
			if len(got) != len(want) {
				t.Fatalf("%d injects after the round trip, want %d", len(got), len(want))
			}
			branched := false
			for i, w := range want {
				g := got[i]
				type key struct {
					Module, From, To, Channel, Subject, Message string
					At                                          time.Duration
				}
				kw := key{w.Module, w.From, w.To, w.Channel, w.Subject, w.Message, w.At}
				kg := key{g.Module, g.From, g.To, g.Channel, g.Subject, g.Message, g.At}
				if kw != kg {
					t.Errorf("row %d (%s):\n got %+v\nwant %+v", w.No, w.Inject.ID, kg, kw)
				}
				// The skeleton plays the modules one after the other. Once a
				// module's time depends on the path (alternative branches),
				// the later ones may come later in the skeleton than in the
				// scenario, and the story clock never goes back.
				branched = branched || w.StoryTime == ""
				if !branched && g.StoryTime != w.StoryTime {
					t.Errorf("row %d (%s): story time %q after the round trip, want %q", w.No, w.Inject.ID, g.StoryTime, w.StoryTime)
				}
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
	}{
		{"0:04:30", 4*time.Minute + 30*time.Second},
		{"00:15", 15 * time.Minute},
		{"1:05", time.Hour + 5*time.Minute},
		{"15m", 15 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"90s", 90 * time.Second},
		{"15", 15 * time.Minute},
		{"D+0 H+1 M+30", 90 * time.Minute},
		{"d+0 h+0 m+5", 5 * time.Minute},
		{"H+2", 2 * time.Hour},
		{"T+00:10", 10 * time.Minute},
		{"+5m", 5 * time.Minute},
	} {
		got, err := ParseTime(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "soon", "1:75", "D+2 H+1", "25:00", "-5m", "M+"} {
		if d, err := ParseTime(in); err == nil {
			t.Errorf("ParseTime(%q) = %v, want an error", in, d)
		}
	}
}

// TestImportTrainerList imports a list written by hand, in a
// spreadsheet's own column names, with semicolons.
func TestImportTrainerList(t *testing.T) {
	in := "\xef\xbb\xbfEvent;Time;From;To;Method;Subject;Message;Expected player action;Objective;Capability\n" +
		"1;D+0 H+0 M+0;Exercise Control;All;Briefing;;The exercise begins.;;;\n" +
		"2;00:05;Dana Reyes;Communications;E-mail;Request for comment;\"Is {{company}} running a giveaway?\nReaders lost money.\";Reply within 15 minutes;Warn customers;Public Information and Warning\n" +
		"3;15m;@brand;Communications, SOC;Tweet;;Send 0.1 BTC!;;\"Warn customers; Recover the account\";\"Public Information and Warning; Cybersecurity\"\n" +
		"4;0:20:00;;Facilitator;;;Customers say they sent money.;;;\n"
	y, err := Import(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse("imported.yaml", y)
	if err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	rows := Rows(sc, map[string]string{"company": "Acme"})
	if len(rows) != 4 {
		t.Fatalf("%d injects, want 4\n%s", len(rows), y)
	}
	checks := []struct{ at, to, from, channel, msg string }{
		{"0:00:00", AllTeams, "", "sitrep", "The exercise begins."},
		{"0:05:00", "Communications", "Dana Reyes", "email", "Is Acme running a giveaway?\nReaders lost money."},
		{"0:15:00", "Communications, SOC", "@brand", "social", "Send 0.1 BTC!"},
		{"0:20:00", FacilitatorTo, "", "sitrep", "Customers say they sent money."},
	}
	for i, c := range checks {
		r := rows[i]
		if FormatTime(r.At) != c.at || r.To != c.to || r.From != c.from || r.Channel != c.channel || r.Message != c.msg {
			t.Errorf("row %d = %s %q %q %s %q; want %+v", i+1, FormatTime(r.At), r.To, r.From, r.Channel, r.Message, c)
		}
	}
	if o := sc.Objective("recover_the_account"); o == nil || o.Capability != "Cybersecurity" {
		t.Errorf("objective 'Recover the account' = %+v, want capability Cybersecurity\n%s", o, y)
	}
	if !strings.Contains(rows[1].Notes, "Expected action: Reply within 15 minutes") {
		t.Errorf("notes = %q, want the expected action", rows[1].Notes)
	}
	titled, err := Import(strings.NewReader("Exercise Spring drill — events list;;\n;;\n" + in[len("\xef\xbb\xbf"):]))
	if err != nil {
		t.Fatalf("with title rows above the header: %v", err)
	}
	if _, err := scenario.Parse("imported.yaml", titled); err != nil {
		t.Fatalf("with title rows above the header: %v", err)
	}
	if len(sc.Parameters) != 1 || sc.Parameters[0].ID != "company" {
		t.Errorf("parameters = %+v, want company", sc.Parameters)
	}
}

// TestImportProblems: every bad cell is reported at its row and column,
// and nothing is returned.
func TestImportProblems(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     []string
	}{
		{"unknown channel", "No.,Exercise time,From,To,Channel,Message\n1,0:05,Dana,Comms,fax,Hello\n",
			[]string{`row 2, column 5 (Channel): unknown channel "fax"`}},
		{"bad time", "No.,Exercise time,Channel,Message\n1,soon,email,Hello\n2,0:99,email,Hi\n",
			[]string{`row 2, column 2 (Exercise time): "soon" is not a time`, `row 3, column 2 (Exercise time): "0:99" is not a time`}},
		{"empty message", "Time,Channel,Message\n5m,email,\n", []string{"row 2, column 3 (Message): the message is empty"}},
		{"social without sender", "Time,From,Channel,Message\n5m,,social,Hi\n", []string{"row 2, column 2 (From): a social post needs a sender"}},
		{"facilitator and teams", "Time,To,Message\n5m,Facilitator; Comms,Hi\n", []string{"row 2, column 2 (To): send it either to the facilitator alone"}},
		{"no time column", "From,Message\nDana,Hi\n", []string{`no "Exercise time" column`}},
		{"header only", "Time,Message\n", []string{"row 1: the file needs a header row and at least one event"}},
		{"title rows above the header", "Spring drill MSEL,,\nversion 3,,\nNo.,Time,Channel,Message\n1,5m,fax,Hi\n",
			[]string{`row 4, column 3 (Channel): unknown channel "fax"`}},
		{"broken quotes", "Time,Message\n5m,\"Hi\n", []string{"row 2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			y, err := Import(strings.NewReader(c.in))
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("err = %v, want Problems", err)
			}
			if y != nil {
				t.Errorf("got YAML with problems")
			}
			if len(ps) != len(c.want) {
				t.Fatalf("problems = %v, want %d", ps, len(c.want))
			}
			for i, w := range c.want {
				if !strings.Contains(ps[i].Error(), w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, ps[i].Error(), w)
				}
			}
		})
	}
}
