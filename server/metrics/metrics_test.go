package metrics

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// sample is one parsed sample line.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// parsed is a parsed exposition: families in order of appearance.
type parsed struct {
	order   []string
	help    map[string]string
	typ     map[string]string
	samples map[string][]sample // by family name
}

// parseExposition parses text format 0.0.4 strictly enough to catch
// malformed output: every sample must follow its family's HELP and TYPE
// lines, belong to that family (with _bucket/_sum/_count for histograms),
// and have well-formed, properly escaped labels and a float value.
func parseExposition(t *testing.T, text string) parsed {
	t.Helper()
	p := parsed{help: map[string]string{}, typ: map[string]string{}, samples: map[string][]sample{}}
	if text != "" && !strings.HasSuffix(text, "\n") {
		t.Fatalf("exposition does not end in a line feed")
	}
	current := ""
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if text == "" {
			break
		}
		fail := func(msg string, args ...any) {
			t.Helper()
			t.Fatalf("line %d %q: %s", i+1, line, fmt.Sprintf(msg, args...))
		}
		switch {
		case strings.HasPrefix(line, "# HELP "):
			name, help, ok := strings.Cut(strings.TrimPrefix(line, "# HELP "), " ")
			if !ok || !validName(name) {
				fail("bad HELP")
			}
			if _, dup := p.help[name]; dup {
				fail("second HELP for %s", name)
			}
			p.help[name] = unescape(t, help, false)
			p.order = append(p.order, name)
			current = name
		case strings.HasPrefix(line, "# TYPE "):
			name, typ, ok := strings.Cut(strings.TrimPrefix(line, "# TYPE "), " ")
			if !ok || name != current {
				fail("TYPE not right after HELP of the same family")
			}
			switch typ {
			case "counter", "gauge", "histogram":
			default:
				fail("unknown type %q", typ)
			}
			p.typ[name] = typ
		case strings.HasPrefix(line, "#"):
			fail("unexpected comment")
		default:
			s := parseSample(t, line)
			if current == "" || p.typ[current] == "" {
				fail("sample before HELP/TYPE")
			}
			want := []string{current}
			if p.typ[current] == "histogram" {
				want = []string{current + "_bucket", current + "_sum", current + "_count"}
			}
			ok := false
			for _, w := range want {
				ok = ok || s.name == w
			}
			if !ok {
				fail("sample %s does not belong to family %s", s.name, current)
			}
			p.samples[current] = append(p.samples[current], s)
		}
	}
	return p
}

func parseSample(t *testing.T, line string) sample {
	t.Helper()
	s := sample{labels: map[string]string{}}
	i := strings.IndexAny(line, "{ ")
	if i <= 0 {
		t.Fatalf("sample %q: no name", line)
	}
	s.name, line = line[:i], line[i:]
	if !validName(s.name) {
		t.Fatalf("sample name %q invalid", s.name)
	}
	if line[0] == '{' {
		line = line[1:]
		for {
			eq := strings.Index(line, `="`)
			if eq <= 0 {
				t.Fatalf("label in %q: no =\"", line)
			}
			name := line[:eq]
			if !validLabel(name) {
				t.Fatalf("label name %q invalid", name)
			}
			line = line[eq+2:]
			// Find the closing quote, skipping escaped characters.
			end := -1
			for j := 0; j < len(line); j++ {
				if line[j] == '\\' {
					j++
					continue
				}
				if line[j] == '"' {
					end = j
					break
				}
			}
			if end < 0 {
				t.Fatalf("label %s: unterminated value", name)
			}
			if _, dup := s.labels[name]; dup {
				t.Fatalf("label %s twice", name)
			}
			s.labels[name] = unescape(t, line[:end], true)
			line = line[end+1:]
			if strings.HasPrefix(line, ",") {
				line = line[1:]
				continue
			}
			if !strings.HasPrefix(line, "}") {
				t.Fatalf("labels not closed: %q", line)
			}
			line = line[1:]
			break
		}
	}
	if !strings.HasPrefix(line, " ") || strings.Contains(line[1:], " ") {
		t.Fatalf("sample %s: want exactly one space before the value, got %q", s.name, line)
	}
	v, err := parseValue(line[1:])
	if err != nil {
		t.Fatalf("sample %s: %v", s.name, err)
	}
	s.value = v
	return s
}

func parseValue(s string) (float64, error) {
	switch s {
	case "+Inf":
		return math.Inf(1), nil
	case "-Inf":
		return math.Inf(-1), nil
	case "NaN":
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

// unescape undoes the format's escapes; label values may also escape '"'.
func unescape(t *testing.T, s string, label bool) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' || label && c == '"' {
			t.Fatalf("unescaped %q in %q", c, s)
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			t.Fatalf("dangling backslash in %q", s)
		}
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 'n':
			b.WriteByte('\n')
		case '"':
			if !label {
				t.Fatalf("escaped quote in HELP %q", s)
			}
			b.WriteByte('"')
		default:
			t.Fatalf("unknown escape \\%c in %q", s[i], s)
		}
	}
	return b.String()
}

// must unwraps a constructor's result; a registration error in a test
// setup is a bug in the test, so it panics (failing the test).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func scrape(t *testing.T, r *Registry) (string, parsed) {
	t.Helper()
	var buf bytes.Buffer
	n, err := r.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("WriteTo reported %d bytes, wrote %d", n, buf.Len())
	}
	return buf.String(), parseExposition(t, buf.String())
}

func TestExposition(t *testing.T) {
	r := NewRegistry()
	c := must(r.NewCounter("b_requests_total", "Requests.\nSecond line with a \\ backslash."))
	g := must(r.NewGauge("a_temperature", "Temperature."))
	must(r.NewGaugeFunc("c_func", "From a function.", func() float64 { return 42.5 }))
	h := must(r.NewHistogram("d_latency_seconds", "Latency.", []float64{0.1, 0.5, 1}))
	v := must(r.NewCounterVec("e_errors_total", "Errors.", "kind", "where"))

	c.Inc()
	c.Add(2.5)
	c.Add(-10) // ignored
	g.Set(3)
	g.Dec()
	g.Add(0.25)
	for _, x := range []float64{0.05, 0.1, 0.3, 0.5, 0.7, 2, math.NaN()} {
		h.Observe(x)
	}
	v.With(`quote"d`, "new\nline").Inc()
	v.With(`back\slash`, "plain").Add(2)
	v.With("plain", "plain").Inc()
	v.With("only-one").Inc() // wrong arity: counted as invalid

	text, p := scrape(t, r)
	t.Logf("\n%s", text)

	if got, want := strings.Join(p.order, ","), "a_temperature,b_requests_total,c_func,d_latency_seconds,e_errors_total"; got != want {
		t.Errorf("families in order %s, want %s", got, want)
	}
	wantTypes := map[string]string{"a_temperature": "gauge", "b_requests_total": "counter", "c_func": "gauge",
		"d_latency_seconds": "histogram", "e_errors_total": "counter"}
	for name, typ := range wantTypes {
		if p.typ[name] != typ {
			t.Errorf("%s: TYPE %q, want %q", name, p.typ[name], typ)
		}
	}
	if p.help["b_requests_total"] != "Requests.\nSecond line with a \\ backslash." {
		t.Errorf("HELP round trip: %q", p.help["b_requests_total"])
	}
	one := func(name string) float64 {
		t.Helper()
		ss := p.samples[name]
		if len(ss) != 1 || len(ss[0].labels) != 0 {
			t.Fatalf("%s: want one unlabelled sample, got %+v", name, ss)
		}
		return ss[0].value
	}
	if v := one("b_requests_total"); v != 3.5 {
		t.Errorf("counter = %v, want 3.5", v)
	}
	if v := one("a_temperature"); v != 2.25 {
		t.Errorf("gauge = %v, want 2.25", v)
	}
	if v := one("c_func"); v != 42.5 {
		t.Errorf("gauge func = %v, want 42.5", v)
	}

	// Histogram: cumulative buckets, le inclusive, +Inf last and equal to
	// _count, NaN ignored.
	wantBuckets := []struct {
		le string
		n  float64
	}{{"0.1", 2}, {"0.5", 4}, {"1", 5}, {"+Inf", 6}}
	var buckets []sample
	var sum, count float64 = -1, -1
	for _, s := range p.samples["d_latency_seconds"] {
		switch s.name {
		case "d_latency_seconds_bucket":
			buckets = append(buckets, s)
		case "d_latency_seconds_sum":
			sum = s.value
		case "d_latency_seconds_count":
			count = s.value
		}
	}
	if len(buckets) != len(wantBuckets) {
		t.Fatalf("%d buckets, want %d", len(buckets), len(wantBuckets))
	}
	for i, w := range wantBuckets {
		if buckets[i].labels["le"] != w.le || buckets[i].value != w.n || len(buckets[i].labels) != 1 {
			t.Errorf("bucket %d = %v %v, want le=%s %v", i, buckets[i].labels, buckets[i].value, w.le, w.n)
		}
		if i > 0 && buckets[i].value < buckets[i-1].value {
			t.Errorf("buckets not cumulative at %d", i)
		}
	}
	if count != 6 || buckets[len(buckets)-1].value != count {
		t.Errorf("_count = %v, +Inf bucket = %v, want 6", count, buckets[len(buckets)-1].value)
	}
	if math.Abs(sum-3.65) > 1e-9 {
		t.Errorf("_sum = %v, want 3.65", sum)
	}

	// Vector: label values round-trip through escaping, series sorted.
	got := map[string]float64{}
	var keys []string
	for _, s := range p.samples["e_errors_total"] {
		k := s.labels["kind"] + "|" + s.labels["where"]
		got[k] = s.value
		keys = append(keys, k)
	}
	want := map[string]float64{`quote"d|new` + "\n" + `line`: 1, `back\slash|plain`: 2, "plain|plain": 1, "invalid|invalid": 1}
	if len(got) != len(want) {
		t.Fatalf("vector series %v, want %v", got, want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("series %q = %v, want %v", k, got[k], w)
		}
	}
	for i := 1; i < len(keys); i++ {
		if keys[i-1] > keys[i] {
			t.Errorf("series not sorted: %q before %q", keys[i-1], keys[i])
		}
	}
	if !strings.Contains(text, `e_errors_total{kind="quote\"d",where="new\nline"} 1`) {
		t.Errorf("escaped series line missing")
	}
}

func TestEmptyRegistry(t *testing.T) {
	text, p := scrape(t, NewRegistry())
	if text != "" || len(p.order) != 0 {
		t.Fatalf("empty registry wrote %q", text)
	}
}

func TestRegisterErrors(t *testing.T) {
	tests := []struct {
		name string
		reg  func(r *Registry) error
		want string
	}{
		{"bad name", func(r *Registry) error { _, err := r.NewCounter("1abc", "x"); return err }, "invalid metric name"},
		{"name with dash", func(r *Registry) error { _, err := r.NewGauge("a-b", "x"); return err }, "invalid metric name"},
		{"empty help", func(r *Registry) error { _, err := r.NewGauge("ok", ""); return err }, "help text"},
		{"duplicate", func(r *Registry) error { _, err := r.NewGauge("taken", "x"); return err }, "already registered"},
		{"duplicate across types", func(r *Registry) error { _, err := r.NewCounter("taken", "x"); return err }, "already registered"},
		{"reserved label le", func(r *Registry) error { _, err := r.NewCounterVec("v", "x", "le"); return err }, "invalid label"},
		{"reserved label __", func(r *Registry) error { _, err := r.NewCounterVec("v", "x", "__x"); return err }, "invalid label"},
		{"label with colon", func(r *Registry) error { _, err := r.NewCounterVec("v", "x", "a:b"); return err }, "invalid label"},
		{"label twice", func(r *Registry) error { _, err := r.NewCounterVec("v", "x", "a", "a"); return err }, "twice"},
		{"vector without labels", func(r *Registry) error { _, err := r.NewCounterVec("v", "x"); return err }, "at least one label"},
		{"no buckets", func(r *Registry) error { _, err := r.NewHistogram("h", "x", nil); return err }, "no buckets"},
		{"unsorted buckets", func(r *Registry) error { _, err := r.NewHistogram("h", "x", []float64{1, 1}); return err }, "increase"},
		{"infinite bucket", func(r *Registry) error { _, err := r.NewHistogram("h", "x", []float64{1, math.Inf(1)}); return err }, "not finite"},
		{"nil gauge func", func(r *Registry) error { _, err := r.NewGaugeFunc("f", "x", nil); return err }, "nil function"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRegistry()
			must(r.NewGauge("taken", "x"))
			err := tc.reg(r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
			// A refused registration leaves nothing behind.
			if _, p := scrape(t, r); len(p.order) != 1 {
				t.Fatalf("families after refused registration: %v", p.order)
			}
		})
	}
}

func TestFuncGaugeIgnoresSet(t *testing.T) {
	r := NewRegistry()
	g := must(r.NewGaugeFunc("f", "x", func() float64 { return 7 }))
	g.Set(1)
	g.Inc()
	if g.Value() != 7 {
		t.Fatalf("func gauge = %v, want 7", g.Value())
	}
}

func TestCounterVecCap(t *testing.T) {
	r := NewRegistry()
	v := must(r.NewCounterVec("v_total", "x", "k"))
	for i := 0; i < MaxSeries+50; i++ {
		v.With(strconv.Itoa(i)).Inc()
	}
	_, p := scrape(t, r)
	ss := p.samples["v_total"]
	if len(ss) != MaxSeries+1 {
		t.Fatalf("%d series, want %d (cap plus the overflow series)", len(ss), MaxSeries+1)
	}
	for _, s := range ss {
		if s.labels["k"] == "other" && s.value != 50 {
			t.Fatalf("overflow series = %v, want 50", s.value)
		}
	}
}

// TestConcurrent records from many goroutines while scraping; totals must
// be exact and every scrape well-formed (run with -race).
func TestConcurrent(t *testing.T) {
	r := NewRegistry()
	c := must(r.NewCounter("c_total", "x"))
	g := must(r.NewGauge("g", "x"))
	h := must(r.NewHistogram("h_seconds", "x", LatencyBuckets()))
	v := must(r.NewCounterVec("v_total", "x", "kind"))
	const workers, n = 8, 2000
	var wg sync.WaitGroup
	stop := make(chan struct{})
	// Scrapes are parsed afterwards: t.Fatal must run on the test goroutine.
	scraped := make(chan []string, 1)
	go func() {
		var texts []string
		defer func() { scraped <- texts }()
		for len(texts) < 200 {
			select {
			case <-stop:
				return
			default:
			}
			var buf bytes.Buffer
			if _, err := r.WriteTo(&buf); err != nil {
				texts = append(texts, "write error: "+err.Error())
				return
			}
			texts = append(texts, buf.String())
		}
	}()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				c.Inc()
				g.Inc()
				g.Dec()
				h.Observe(0.001)
				v.With([]string{"a", "b"}[i%2]).Inc()
			}
		}()
	}
	wg.Wait()
	close(stop)
	texts := <-scraped
	if len(texts) == 0 {
		t.Fatal("no scrape ran")
	}
	for _, text := range texts {
		parseExposition(t, text)
	}
	if c.Value() != workers*n || g.Value() != 0 {
		t.Fatalf("counter %v gauge %v, want %d and 0", c.Value(), g.Value(), workers*n)
	}
	if v.With("a").Value()+v.With("b").Value() != workers*n {
		t.Fatalf("vector total wrong")
	}
	_, p := scrape(t, r)
	for _, s := range p.samples["h_seconds"] {
		if s.name == "h_seconds_count" && s.value != workers*n {
			t.Fatalf("histogram count %v, want %d", s.value, workers*n)
		}
	}
}

func TestHandler(t *testing.T) {
	r := NewRegistry()
	must(r.NewCounter("x_total", "x")).Add(5)
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()

	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ContentType {
		t.Fatalf("GET: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if p := parseExposition(t, string(body)); p.samples["x_total"][0].value != 5 {
		t.Fatalf("body %q", body)
	}

	resp, err = http.Post(srv.URL, "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST: %d, want 405", resp.StatusCode)
	}
}

func TestNewTTX(t *testing.T) {
	r := NewRegistry()
	m, err := NewTTX(r, Funcs{ExercisesRunning: func() float64 { return 2 }})
	if err != nil {
		t.Fatal(err)
	}
	m.ParticipantsConnected.Inc()
	m.ExercisesRunning.Set(99) // func-backed: ignored
	m.EventsAppended.Add(3)
	m.FanoutLatency.Observe(0.002)
	m.WebSocketErrors.With("slow").Inc()
	m.HTTPRequests.With(CodeClass(404)).Inc()
	_, p := scrape(t, r)
	want := map[string]string{
		NameParticipantsConnected: "gauge", NameExercisesRunning: "gauge", NameEventsAppended: "counter",
		NameFanoutLatency: "histogram", NameWebSocketErrors: "counter", NameHTTPRequests: "counter",
	}
	for name, typ := range want {
		if p.typ[name] != typ {
			t.Errorf("%s: type %q, want %q", name, p.typ[name], typ)
		}
	}
	checks := []struct {
		family, label, value string
		want                 float64
	}{
		{NameParticipantsConnected, "", "", 1},
		{NameExercisesRunning, "", "", 2},
		{NameEventsAppended, "", "", 3},
		{NameWebSocketErrors, "kind", "slow", 1},
		{NameHTTPRequests, "code", "4xx", 1},
		{NameFanoutLatency, "le", "0.0025", 1},
	}
	for _, c := range checks {
		found := false
		for _, s := range p.samples[c.family] {
			if c.label == "" || s.labels[c.label] == c.value {
				found = true
				if s.value != c.want {
					t.Errorf("%s{%s=%q} = %v, want %v", c.family, c.label, c.value, s.value, c.want)
				}
				break
			}
		}
		if !found {
			t.Errorf("%s{%s=%q} missing", c.family, c.label, c.value)
		}
	}
	if _, err := NewTTX(r, Funcs{}); err == nil {
		t.Fatal("registering the ttx metrics twice in one registry succeeded")
	}
}

func TestCodeClass(t *testing.T) {
	for in, want := range map[int]string{200: "2xx", 101: "1xx", 302: "3xx", 404: "4xx", 599: "5xx", 0: "other", 600: "other", -1: "other"} {
		if got := CodeClass(in); got != want {
			t.Errorf("CodeClass(%d) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkCounterInc(b *testing.B) {
	c := &Counter{}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Inc()
		}
	})
}

func BenchmarkHistogramObserve(b *testing.B) {
	r := NewRegistry()
	h, _ := r.NewHistogram("h", "x", LatencyBuckets())
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h.Observe(0.003)
		}
	})
}
