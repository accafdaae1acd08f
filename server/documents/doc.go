// Package documents lays out the papers trainers otherwise write by hand —
// the situation manual (SITMAN) handed to players, the facilitator and
// evaluator handbook, the after-action report with its improvement plan
// (AAR/IP) and the participants' debrief — from a scenario, its
// parameters and, for the last two, an exercise's evaluation and log.
//
// Every document is a Doc: a title and sections of blocks (Markdown text,
// tables, lists, fields). A Doc renders as Markdown and as one
// self-contained, print-ready HTML page (inline CSS with print rules, no
// scripts). Text from the scenario and from participants is Markdown;
// in HTML it goes through goldmark with raw HTML omitted and dangerous
// links dropped, so nothing anyone typed can run in the page.
package documents

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Doc is one document, ready to render.
type Doc struct {
	Kind     string // "Situation Manual", "Facilitator and Evaluator Handbook"…
	Title    string // the scenario's or exercise's title
	Subtitle string
	// Handling is the banner printed on every copy: who may read it.
	Handling string
	Lang     string // BCP 47; "en" when empty
	Sections []Section
}

// Section is a major part of a document. In print, a Break section starts
// on a new page, and a Wide one is laid out in landscape.
type Section struct {
	Title  string
	Break  bool
	Wide   bool
	Blocks []Block
}

// Block is one piece of a section.
type Block interface {
	markdown(b *bytes.Buffer)
	html(b *bytes.Buffer)
}

// Text is a paragraph or more of Markdown.
type Text string

// Heading is a sub-heading inside a section.
type Heading string

// List is a bulleted (or numbered) list of Markdown items.
type List struct {
	Items   []string
	Ordered bool
}

// Fields are labelled values (Markdown) shown as a definition list.
type Fields []Field

// Field is one labelled value.
type Field struct{ Name, Value string }

// Table is a table of Markdown cells; Head names the columns. In HTML,
// Width may give columns, by name, a share of the width in percent (1–60);
// a table with widths is laid out with them, any other column sharing
// what is left.
type Table struct {
	Head  []string
	Rows  [][]string
	Width map[string]int
}

// Markdown renders the document as Markdown (GitHub-flavoured tables).
func (d Doc) Markdown() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s — %s\n\n", d.Kind, oneLine(d.Title))
	if d.Subtitle != "" {
		fmt.Fprintf(&b, "%s\n\n", oneLine(d.Subtitle))
	}
	if d.Handling != "" {
		fmt.Fprintf(&b, "> **%s**\n\n", oneLine(d.Handling))
	}
	for _, s := range d.Sections {
		fmt.Fprintf(&b, "## %s\n\n", oneLine(s.Title))
		for _, bl := range s.Blocks {
			bl.markdown(&b)
		}
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

func (t Text) markdown(b *bytes.Buffer) {
	if s := strings.TrimSpace(string(t)); s != "" {
		b.WriteString(s)
		b.WriteString("\n\n")
	}
}

func (h Heading) markdown(b *bytes.Buffer) { fmt.Fprintf(b, "### %s\n\n", oneLine(string(h))) }

func (l List) markdown(b *bytes.Buffer) {
	if len(l.Items) == 0 {
		return
	}
	for i, it := range l.Items {
		if l.Ordered {
			fmt.Fprintf(b, "%d. %s\n", i+1, indent(it, "   "))
		} else {
			fmt.Fprintf(b, "- %s\n", indent(it, "  "))
		}
	}
	b.WriteString("\n")
}

func (f Fields) markdown(b *bytes.Buffer) {
	if len(f) == 0 {
		return
	}
	for _, x := range f {
		fmt.Fprintf(b, "- **%s:** %s\n", oneLine(x.Name), indent(x.Value, "  "))
	}
	b.WriteString("\n")
}

func (t Table) markdown(b *bytes.Buffer) {
	if len(t.Rows) == 0 {
		return
	}
	row := func(cells []string) {
		b.WriteString("|")
		for i := range t.Head {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			fmt.Fprintf(b, " %s |", cell(c))
		}
		b.WriteString("\n")
	}
	row(t.Head)
	b.WriteString("|")
	for range t.Head {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		row(r)
	}
	b.WriteString("\n")
}

// cell flattens Markdown into one table cell: line breaks become spaces
// (paragraphs a " / "), pipes are escaped.
func cell(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\n\n", " / ")
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// indent continues a multi-line list item under its marker.
func indent(s, pad string) string {
	s = strings.TrimSpace(s)
	return strings.ReplaceAll(s, "\n", "\n"+pad)
}

// md converts Markdown to HTML: raw HTML is omitted and links with
// dangerous schemes (javascript:, vbscript:, file:, data: other than
// images) are dropped — goldmark's defaults, which this package never
// loosens.
var md = goldmark.New(goldmark.WithExtensions(extension.Strikethrough))

func mdHTML(s string) string {
	var b bytes.Buffer
	if err := md.Convert([]byte(s), &b); err != nil {
		return "<p>" + html.EscapeString(s) + "</p>"
	}
	return b.String()
}

// mdInline is mdHTML without the paragraph around a single paragraph, for
// table cells and list items.
func mdInline(s string) string {
	h := strings.TrimSpace(mdHTML(strings.TrimSpace(s)))
	if strings.HasPrefix(h, "<p>") && strings.HasSuffix(h, "</p>") && strings.Count(h, "<p>") == 1 {
		return h[3 : len(h)-4]
	}
	return h
}

// HTML renders the document as one print-ready page: inline CSS with
// print rules (page breaks before major sections, landscape pages for
// wide tables, repeated table headers), no scripts, no external links.
func (d Doc) HTML() []byte {
	var b bytes.Buffer
	lang := d.Lang
	if lang == "" {
		lang = "en"
	}
	esc := html.EscapeString
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n", esc(lang))
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	fmt.Fprintf(&b, "<title>%s — %s</title>\n<style>%s</style>\n</head>\n<body>\n", esc(d.Kind), esc(oneLine(d.Title)), css)
	b.WriteString("<header>\n")
	if d.Handling != "" {
		fmt.Fprintf(&b, "<p class=\"handling\">%s</p>\n", esc(d.Handling))
	}
	fmt.Fprintf(&b, "<p class=\"kind\">%s</p>\n<h1>%s</h1>\n", esc(d.Kind), esc(oneLine(d.Title)))
	if d.Subtitle != "" {
		fmt.Fprintf(&b, "<p class=\"subtitle\">%s</p>\n", esc(oneLine(d.Subtitle)))
	}
	b.WriteString("</header>\n")
	if len(d.Sections) > 2 {
		b.WriteString("<nav class=\"toc\"><h2>Contents</h2><ol>\n")
		for _, s := range d.Sections {
			fmt.Fprintf(&b, "<li>%s</li>\n", esc(oneLine(s.Title)))
		}
		b.WriteString("</ol></nav>\n")
	}
	for _, s := range d.Sections {
		var cls []string
		if s.Break {
			cls = append(cls, "break")
		}
		if s.Wide {
			cls = append(cls, "wide")
		}
		if len(cls) > 0 {
			fmt.Fprintf(&b, "<section class=\"%s\">\n", strings.Join(cls, " "))
		} else {
			b.WriteString("<section>\n")
		}
		fmt.Fprintf(&b, "<h2>%s</h2>\n", esc(oneLine(s.Title)))
		for _, bl := range s.Blocks {
			bl.html(&b)
		}
		b.WriteString("</section>\n")
	}
	b.WriteString("</body>\n</html>\n")
	return b.Bytes()
}

func (t Text) html(b *bytes.Buffer) {
	if s := strings.TrimSpace(string(t)); s != "" {
		b.WriteString(mdHTML(s))
	}
}

func (h Heading) html(b *bytes.Buffer) {
	fmt.Fprintf(b, "<h3>%s</h3>\n", html.EscapeString(oneLine(string(h))))
}

func (l List) html(b *bytes.Buffer) {
	if len(l.Items) == 0 {
		return
	}
	tag := "ul"
	if l.Ordered {
		tag = "ol"
	}
	fmt.Fprintf(b, "<%s>\n", tag)
	for _, it := range l.Items {
		fmt.Fprintf(b, "<li>%s</li>\n", mdInline(it))
	}
	fmt.Fprintf(b, "</%s>\n", tag)
}

func (f Fields) html(b *bytes.Buffer) {
	if len(f) == 0 {
		return
	}
	b.WriteString("<dl>\n")
	for _, x := range f {
		fmt.Fprintf(b, "<dt>%s</dt><dd>%s</dd>\n", html.EscapeString(oneLine(x.Name)), mdInline(x.Value))
	}
	b.WriteString("</dl>\n")
}

func (t Table) html(b *bytes.Buffer) {
	if len(t.Rows) == 0 {
		return
	}
	if len(t.Width) > 0 {
		b.WriteString("<table class=\"sized\">\n<thead><tr>")
	} else {
		b.WriteString("<table>\n<thead><tr>")
	}
	for _, h := range t.Head {
		if w := t.Width[h]; w >= 1 && w <= maxWidth {
			fmt.Fprintf(b, "<th scope=\"col\" class=\"w%d\">%s</th>", w, html.EscapeString(h))
		} else {
			fmt.Fprintf(b, "<th scope=\"col\">%s</th>", html.EscapeString(h))
		}
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, r := range t.Rows {
		b.WriteString("<tr>")
		for i := range t.Head {
			c := ""
			if i < len(r) {
				c = r[i]
			}
			fmt.Fprintf(b, "<td>%s</td>", mdInline(c))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
}

// css is the page's only style: readable on screen, and on A4 or Letter
// paper when printed (margins fit both). It never changes after start.
var css = baseCSS + widthCSS()

// maxWidth is the largest column share a Table may ask for.
const maxWidth = 60

// widthCSS is one rule per column share a Table may give.
func widthCSS() string {
	var b strings.Builder
	for w := 1; w <= maxWidth; w++ {
		fmt.Fprintf(&b, "th.w%d{width:%d%%}\n", w, w)
	}
	return b.String()
}

const baseCSS = `
:root{color-scheme:light}
body{font:11pt/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1a1a1a;max-width:52rem;margin:2rem auto;padding:0 1rem}
header{border-bottom:2px solid #1a1a1a;margin-bottom:1.5rem}
.kind{text-transform:uppercase;letter-spacing:.08em;font-size:9pt;color:#555;margin:0}
h1{font-size:20pt;margin:.2rem 0 .4rem}
.subtitle{color:#333;margin:0 0 .8rem}
.handling{border:1.5px solid #1a1a1a;padding:.3rem .6rem;font-weight:600;font-size:9.5pt;display:inline-block;margin:0 0 .8rem}
h2{font-size:14pt;border-bottom:1px solid #bbb;padding-bottom:.15rem;margin:1.8rem 0 .6rem}
h3{font-size:11.5pt;margin:1.2rem 0 .4rem}
.toc ol{margin:.2rem 0;padding-left:1.4rem}
.toc h2{border:0;font-size:11pt;margin:.5rem 0 0}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:9.5pt}
th,td{border:1px solid #999;padding:.25rem .4rem;text-align:left;vertical-align:top}
th{background:#eee}
table.sized{table-layout:fixed;font-size:8.5pt}
table.sized td{overflow-wrap:anywhere}
td p{margin:0 0 .3rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.4rem 0 1rem}
dt{font-weight:600}
dd{margin:0}
dd p{margin:0}
blockquote{border-left:3px solid #bbb;margin:.4rem 0;padding:.1rem .8rem;color:#333}
code{font-size:9.5pt;background:#f3f3f3;padding:0 .2rem}
figure{margin:.6rem 0 1rem}
figure svg{max-height:60rem}
figcaption{font-size:9pt;color:#444;margin-top:.3rem}
@page{margin:16mm 14mm}
@page wide{size:landscape}
@media print{
body{max-width:none;margin:0;padding:0;font-size:10.5pt}
section.break{break-before:page}
section.wide{page:wide}
h2,h3{break-after:avoid}
figure{break-inside:avoid}
figure svg{max-height:230mm}
tr,li,dt,dd{break-inside:avoid}
section.wide tr{break-inside:auto}
thead{display:table-header-group}
}
`

// CSPHash is the Content-Security-Policy source that allows the page's
// one inline style element and nothing else inline.
func CSPHash() string {
	h := sha256.Sum256([]byte(css))
	return "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
}
