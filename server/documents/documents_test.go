package documents

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"flag"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ttxsim/ttx/server/msel"
	"github.com/ttxsim/ttx/server/scenario"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func shipped(t *testing.T) []*scenario.Scenario {
	t.Helper()
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no shipped scenarios: %v", err)
	}
	// and the format's test file that uses every key (tasks, milestones,
	// expected options, scores…), so each part of the format shows
	files = append(files, "../scenario/testdata/valid/all_keys.yaml")
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

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./server/documents -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is intended, run go test ./server/documents -update and review the diff", path)
	}
}

// TestScenarioGoldens: every document of every shipped scenario, in every
// format, with the parameters' defaults.
func TestScenarioGoldens(t *testing.T) {
	for _, sc := range shipped(t) {
		params, err := sc.Params(nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []struct {
			name string
			doc  Doc
		}{{"sitman", SITMAN(sc, params)}, {"handbook", Handbook(sc, params)}} {
			golden(t, sc.ID+"."+d.name+".md", d.doc.Markdown())
			golden(t, sc.ID+"."+d.name+".html", d.doc.HTML())
		}
		csv, err := msel.Export(sc, params)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, sc.ID+".msel.csv", csv)
	}
}

var tags = regexp.MustCompile(`<[^>]*>`)

// visibleText is what a reader of the HTML page sees, as plain text.
func visibleText(h []byte) string {
	return html.UnescapeString(tags.ReplaceAllString(string(h), " "))
}

// facilitatorOnly lists every facilitator-only text of a scenario, line by
// line, parameters filled: notes, descriptions, facilitator notes, persona
// roles, variables, effects and conditions, "met" criteria and measures,
// option labels and notes, canned replies, outcomes and debriefs, and
// everything of the states after the first (titles, discussion, injects,
// decisions) as well as the first state's injects, which teams must
// discover in play. Lines under 12 characters are left out: they are
// words any text may hold.
func facilitatorOnly(sc *scenario.Scenario, params map[string]string) []string {
	var out []string
	add := func(texts ...string) {
		for _, t := range texts {
			for _, line := range strings.Split(scenario.Render(t, params), "\n") {
				line = strings.Join(strings.Fields(line), " ")
				if utf8.RuneCountInString(line) >= 12 {
					out = append(out, line)
				}
			}
		}
	}
	// The summary tells the plot, root cause included: it is for the
	// library and the staff, never for players before they play.
	add(sc.Summary)
	effs := func(fs []*scenario.Effect) {
		for _, f := range fs {
			add(f.Src)
		}
	}
	cond := func(x *scenario.Expr) {
		if x != nil {
			add(x.Src)
		}
	}
	canned := func(cs []*scenario.Canned) {
		for _, c := range cs {
			add(c.Label, c.Body)
			cond(c.If)
		}
	}
	for _, o := range sc.Objectives {
		add(o.Met)
		cond(o.Measure)
		for _, tk := range o.Tasks {
			add(tk.Title)
		}
		for _, m := range o.Milestones {
			add(m.Title)
			cond(m.Done)
			cond(m.Due)
		}
	}
	for _, p := range sc.Personas {
		add(p.Role)
		canned(p.Canned)
	}
	for _, v := range sc.Variables {
		add(v.Label, v.Description)
	}
	for _, st := range sc.States {
		later := st.ID != sc.Start
		add(st.Description, st.FacilitatorNotes, st.Debrief, st.Outcome)
		if later {
			add(st.Title)
			add(st.Discussion...)
		}
		effs(st.OnEnter)
		for _, in := range st.Injects {
			add(in.Notes, in.Title, in.Body, in.Image)
			cond(in.If)
			canned(in.Canned)
		}
		for _, d := range st.Decisions {
			add(d.Notes)
			cond(d.If)
			if later {
				add(d.Prompt)
			}
			for _, o := range d.Options {
				add(o.Label, o.Notes)
				effs(o.Effects)
			}
		}
		for _, tm := range st.Timers {
			cond(tm.If)
			effs(tm.Effects)
		}
		for _, tr := range st.Transitions {
			add(tr.Label)
			cond(tr.When)
			effs(tr.Effects)
		}
	}
	return out
}

// TestSITMANLeaksNothing: no facilitator-only text of any shipped scenario
// reaches its SITMAN, in Markdown or in what the HTML page shows. The
// handbook, made from the same scenario, holds nearly all of them — so the
// list is real and the check can see a leak.
func TestSITMANLeaksNothing(t *testing.T) {
	for _, sc := range shipped(t) {
		t.Run(sc.ID, func(t *testing.T) {
			params, _ := sc.Params(map[string]string{})
			secrets := facilitatorOnly(sc, params)
			// A line the player-safe parts of the file also hold (a
			// short inject title that repeats the summary's words, a
			// name in a brief) is no secret.
			public := []string{sc.Title}
			for _, tm := range sc.Teams {
				public = append(public, tm.Name, tm.Brief)
			}
			for _, o := range sc.Objectives {
				public = append(public, o.Title, o.Capability)
			}
			for _, v := range params {
				public = append(public, v)
			}
			pub := strings.Join(strings.Fields(scenario.Render(strings.Join(public, "\n"), params)), " ")
			kept := secrets[:0]
			for _, s := range secrets {
				if !strings.Contains(pub, s) {
					kept = append(kept, s)
				}
			}
			secrets = kept
			if len(secrets) < 10 {
				t.Fatalf("only %d facilitator-only texts found", len(secrets))
			}
			doc := SITMAN(sc, params)
			md, page := string(doc.Markdown()), visibleText(doc.HTML())
			for _, s := range secrets {
				if strings.Contains(md, s) {
					t.Errorf("the SITMAN's Markdown holds facilitator-only text %q", s)
				}
				if strings.Contains(page, s) {
					t.Errorf("the SITMAN's HTML holds facilitator-only text %q", s)
				}
			}
			hb := string(Handbook(sc, params).Markdown())
			found := 0
			for _, s := range secrets {
				if strings.Contains(hb, s) {
					found++
				}
			}
			if found*10 < len(secrets)*8 {
				t.Errorf("the handbook holds only %d of %d facilitator-only texts", found, len(secrets))
			}
		})
	}
}

// TestHTMLIsSafeAndSelfContained: author Markdown cannot put markup,
// scripts or dangerous links into a page, and the page loads nothing.
func TestHTMLIsSafeAndSelfContained(t *testing.T) {
	doc := Doc{Kind: "Test", Title: "<script>alert(1)</script>", Sections: []Section{{Title: "A <b>section</b>", Blocks: []Block{
		Text("Hello <img src=x onerror=alert(1)> [click](javascript:alert(1)) <script>alert(2)</script>"),
		Table{Head: []string{"<i>h</i>"}, Rows: [][]string{{"<iframe src=//evil.example></iframe> | pipe"}}},
		List{Items: []string{"[x](vbscript:msgbox(1))"}},
		Fields{{"<u>k</u>", "<style>body{}</style>"}},
	}}}}
	page := string(doc.HTML())
	for _, bad := range []string{"<script", "<img", "<iframe", "javascript:", "vbscript:", "<b>", "<i>", "<u>", "onerror", "<link", "src=", "href=\"http"} {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("the page holds %q:\n%s", bad, page)
		}
	}
	if strings.Count(page, "<style>") != 1 {
		t.Errorf("want exactly the page's own style element")
	}
	if !strings.Contains(page, `<html lang="en">`) || !strings.Contains(page, "@media print") {
		t.Errorf("want a lang attribute and print rules")
	}
	md := string(doc.Markdown())
	if !strings.Contains(md, `pipe`) || strings.Contains(md, "></iframe> | pipe") {
		t.Errorf("a pipe in a cell must be escaped in Markdown:\n%s", md)
	}
}

// TestCSPHashMatchesStyle: the policy's hash is the hash of the page's
// style element, so a browser that enforces the policy still applies it.
func TestCSPHashMatchesStyle(t *testing.T) {
	page := string(Doc{Kind: "K", Title: "T"}.HTML())
	i, j := strings.Index(page, "<style>"), strings.Index(page, "</style>")
	if i < 0 || j < i {
		t.Fatal("no style element")
	}
	sum := sha256.Sum256([]byte(page[i+len("<style>") : j]))
	if want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; CSPHash() != want {
		t.Errorf("CSPHash() = %s, want %s", CSPHash(), want)
	}
}

// TestHandbookGraphEscapes: a state's title cannot put markup into the
// branch graph's SVG (or anywhere else in the handbook).
func TestHandbookGraphEscapes(t *testing.T) {
	src, err := os.ReadFile("../../scenarios/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src = bytes.Replace(src, []byte("title: The giveaway post"), []byte(`title: "<script>alert(1)</script><img src=x onerror=alert(2)>"`), 1)
	sc, err := scenario.Parse("example.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	params, _ := sc.Params(nil)
	page := strings.ToLower(string(Handbook(sc, params).HTML()))
	if !strings.Contains(page, "<svg") || !strings.Contains(page, "&lt;script&gt;") {
		t.Fatal("want the graph, with the title escaped")
	}
	for _, bad := range []string{"<script", "<img"} { // the words stay, as text
		if strings.Contains(page, bad) {
			t.Errorf("the handbook holds %q", bad)
		}
	}
}

// TestNoPlaceholderLeftUnfilled: every "{{param}}" of a shipped scenario is
// filled in its documents; a text the renderer forgot shows the braces.
func TestNoPlaceholderLeftUnfilled(t *testing.T) {
	for _, sc := range shipped(t) {
		params, err := sc.Params(nil)
		if err != nil {
			t.Fatal(err)
		}
		for name, doc := range map[string]Doc{"sitman": SITMAN(sc, params), "handbook": Handbook(sc, params)} {
			md := doc.Markdown()
			if i := bytes.Index(md, []byte("{{")); i >= 0 {
				end := min(len(md), i+60)
				t.Errorf("%s %s: unfilled placeholder at %q", sc.ID, name, md[i:end])
			}
		}
	}
}
