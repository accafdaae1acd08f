package scenario

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem found in a scenario file, with the position an author
// can jump to and, when we can guess the fix, a hint.
type Error struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
	Msg  string `json:"message"`
	Hint string `json:"hint,omitempty"`
}

// Error formats the problem as "file:line:col: message — hint", the form
// editors and terminals recognise as a clickable location.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, max(e.Col, 1))
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString(" — ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// ErrorList is every problem found in one file, sorted by position.
type ErrorList []*Error

// Error joins the problems, one per line.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sort orders the list by position, keeping the order of discovery for
// problems at the same place.
func (l ErrorList) sort() {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].Line != l[j].Line {
			return l[i].Line < l[j].Line
		}
		return l[i].Col < l[j].Col
	})
}

// maxErrors bounds how many problems one file reports: past that, the rest
// are usually consequences of the first ones.
const maxErrors = 50

// errs collects problems for one file.
type errs struct {
	file    string
	list    ErrorList
	stopped bool // checking stopped at the limit
}

// tooMany is the panic value that stops checking once maxErrors problems
// are found: past that the rest are mostly consequences of the first, and
// a hostile file must not buy unbounded work with endless mistakes.
type tooMany struct{}

func (c *errs) add(p Pos, hint, format string, args ...any) {
	if len(c.list) >= maxErrors {
		c.stopped = true
		panic(tooMany{})
	}
	c.list = append(c.list, &Error{File: c.file, Line: p.Line, Col: p.Col, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

// run calls f, turning the tooMany panic back into a normal return.
func (c *errs) run(f func()) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(tooMany); !ok {
				panic(r)
			}
		}
	}()
	f()
}

func (c *errs) result() error {
	if len(c.list) == 0 {
		return nil
	}
	c.list.sort()
	if c.stopped {
		last := c.list[len(c.list)-1]
		c.list = append(c.list, &Error{File: c.file, Line: last.Line, Col: last.Col,
			Msg: fmt.Sprintf("too many problems: checking stopped after %d", maxErrors), Hint: "fix the ones above first"})
	}
	return c.list
}

// didYouMean suggests the closest candidate to a misspelt name, or "" when
// nothing is close enough to be a plausible typo.
func didYouMean(name string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := editDistance(strings.ToLower(name), strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	limit := 2
	switch n := len([]rune(name)); {
	case n <= 2:
		limit = 0
	case n <= 4:
		limit = 1
	case n >= 9:
		limit = 3
	}
	if bestD > limit || best == name {
		return ""
	}
	return fmt.Sprintf("did you mean '%s'?", best)
}

// editDistance is the Damerau (optimal string alignment) distance, so that a
// swapped pair of letters counts as one typo.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		if a == b {
			return 0
		}
		return 1 << 20
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// oneOf renders a short list of choices for a hint.
func oneOf(choices []string) string {
	q := make([]string, len(choices))
	for i, c := range choices {
		q[i] = "'" + c + "'"
	}
	return "expected one of " + strings.Join(q, ", ")
}
