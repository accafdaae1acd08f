// Package metrics owns ttx's operational metrics: a small registry of
// counters, gauges and fixed-bucket histograms written in the Prometheus
// text exposition format (version 0.0.4), with no dependency beyond the
// standard library. A Registry is built by NewRegistry and passed to the
// code that records into it; nothing is registered globally, so tests
// and two servers in one process never share a metric.
package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ContentType is the media type of the exposition format Handler writes.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// MaxSeries caps the label combinations of one vector. Label values come
// from code (an error kind, a status class), but a bug feeding request data
// into a label must not grow memory without bound: past the cap, new
// combinations are counted in one series whose labels all read "other".
const MaxSeries = 1000

// Registry holds metric families and writes them, sorted by name. It is
// safe for concurrent use.
type Registry struct {
	mu       sync.Mutex
	families map[string]family
}

// family is one named metric with its HELP and TYPE lines.
type family interface {
	meta() (name, help, typ string)
	write(w *bufio.Writer)
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{families: map[string]family{}}
}

// register adds f after checking its name, help text and labels.
func (r *Registry) register(f family, labels []string) error {
	name, help, _ := f.meta()
	if !validName(name) {
		return fmt.Errorf("metrics: invalid metric name %q", name)
	}
	if help == "" {
		return fmt.Errorf("metrics: %s: help text is required", name)
	}
	seen := map[string]bool{}
	for _, l := range labels {
		if !validLabel(l) || strings.HasPrefix(l, "__") || l == "le" {
			return fmt.Errorf("metrics: %s: invalid label name %q", name, l)
		}
		if seen[l] {
			return fmt.Errorf("metrics: %s: label %q given twice", name, l)
		}
		seen[l] = true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.families[name]; dup {
		return fmt.Errorf("metrics: %s is already registered", name)
	}
	r.families[name] = f
	return nil
}

// WriteTo writes every family in the text exposition format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	fams := make([]family, 0, len(r.families))
	for _, f := range r.families {
		fams = append(fams, f)
	}
	r.mu.Unlock()
	sort.Slice(fams, func(i, j int) bool {
		a, _, _ := fams[i].meta()
		b, _, _ := fams[j].meta()
		return a < b
	})
	cw := &countingWriter{w: w}
	bw := bufio.NewWriter(cw)
	for _, f := range fams {
		name, help, typ := f.meta()
		bw.WriteString("# HELP " + name + " " + escapeHelp(help) + "\n")
		bw.WriteString("# TYPE " + name + " " + typ + "\n")
		f.write(bw)
	}
	err := bw.Flush()
	return cw.n, err
}

// Handler serves the registry for a scraper. It answers GET and HEAD only.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", ContentType)
		w.Header().Set("Cache-Control", "no-store")
		if req.Method == http.MethodHead {
			return
		}
		_, _ = r.WriteTo(w) // a failed write means the scraper went away
	})
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// --- values ---

// atomicFloat is a float64 updated without locks.
type atomicFloat struct{ bits atomic.Uint64 }

func (a *atomicFloat) load() float64 { return math.Float64frombits(a.bits.Load()) }

func (a *atomicFloat) store(v float64) { a.bits.Store(math.Float64bits(v)) }

func (a *atomicFloat) add(d float64) {
	for {
		old := a.bits.Load()
		if a.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+d)) {
			return
		}
	}
}

// Counter is a value that only goes up.
type Counter struct{ v atomicFloat }

// Inc adds 1.
func (c *Counter) Inc() { c.v.add(1) }

// Add adds d. A negative or NaN d is ignored: a counter never decreases,
// and a scraper treats a decrease as a restart.
func (c *Counter) Add(d float64) {
	if d > 0 {
		c.v.add(d)
	}
}

// Value is the current count.
func (c *Counter) Value() float64 { return c.v.load() }

// Gauge is a value that goes up and down. A gauge made by NewGaugeFunc
// reads its function at every scrape; Set, Add, Inc and Dec do nothing
// on it.
type Gauge struct {
	v  atomicFloat
	fn func() float64
}

// Set sets the value.
func (g *Gauge) Set(v float64) {
	if g.fn == nil {
		g.v.store(v)
	}
}

// Add adds d (which may be negative).
func (g *Gauge) Add(d float64) {
	if g.fn == nil {
		g.v.add(d)
	}
}

// Inc adds 1.
func (g *Gauge) Inc() { g.Add(1) }

// Dec subtracts 1.
func (g *Gauge) Dec() { g.Add(-1) }

// Value is the current value.
func (g *Gauge) Value() float64 {
	if g.fn != nil {
		return g.fn()
	}
	return g.v.load()
}

// Histogram counts observations in fixed buckets, with their sum.
type Histogram struct {
	upper []float64 // sorted upper bounds, without +Inf

	mu     sync.Mutex
	counts []uint64 // per bucket (not cumulative); last is +Inf
	sum    float64
	count  uint64
}

// Observe records one value. NaN is ignored.
func (h *Histogram) Observe(v float64) {
	if math.IsNaN(v) {
		return
	}
	i := sort.SearchFloat64s(h.upper, v) // first bound >= v: "le" is inclusive
	h.mu.Lock()
	h.counts[i]++
	h.sum += v
	h.count++
	h.mu.Unlock()
}

// ObserveDuration records d in seconds.
func (h *Histogram) ObserveDuration(d time.Duration) { h.Observe(d.Seconds()) }

// snapshot returns cumulative bucket counts (including +Inf), sum and count,
// read together so that the +Inf bucket always equals the count.
func (h *Histogram) snapshot() ([]uint64, float64, uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	cum := make([]uint64, len(h.counts))
	var n uint64
	for i, c := range h.counts {
		n += c
		cum[i] = n
	}
	return cum, h.sum, h.count
}

// defaultLatencyBuckets suit in-process latencies from 100µs to 5s, in
// seconds. Read only through LatencyBuckets, which copies it.
var defaultLatencyBuckets = [...]float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// LatencyBuckets returns a fresh copy of the default latency buckets.
func LatencyBuckets() []float64 { return slices.Clone(defaultLatencyBuckets[:]) }

// --- families ---

type counterFamily struct {
	name, help string
	c          *Counter
}

func (f *counterFamily) meta() (string, string, string) { return f.name, f.help, "counter" }
func (f *counterFamily) write(w *bufio.Writer) {
	writeSample(w, f.name, nil, nil, f.c.Value())
}

type gaugeFamily struct {
	name, help string
	g          *Gauge
}

func (f *gaugeFamily) meta() (string, string, string) { return f.name, f.help, "gauge" }
func (f *gaugeFamily) write(w *bufio.Writer) {
	writeSample(w, f.name, nil, nil, f.g.Value())
}

type histogramFamily struct {
	name, help string
	h          *Histogram
}

func (f *histogramFamily) meta() (string, string, string) { return f.name, f.help, "histogram" }
func (f *histogramFamily) write(w *bufio.Writer) {
	cum, sum, count := f.h.snapshot()
	le := []string{"le"}
	for i, ub := range f.h.upper {
		writeSample(w, f.name+"_bucket", le, []string{formatFloat(ub)}, float64(cum[i]))
	}
	writeSample(w, f.name+"_bucket", le, []string{"+Inf"}, float64(cum[len(cum)-1]))
	writeSample(w, f.name+"_sum", nil, nil, sum)
	writeSample(w, f.name+"_count", nil, nil, float64(count))
}

// CounterVec is a counter partitioned by label values.
type CounterVec struct {
	name, help string
	labels     []string

	mu     sync.Mutex
	series map[string]*vecSeries
}

type vecSeries struct {
	values []string
	c      Counter
}

// With returns the counter for the given label values, one per label in
// the order the vector was declared. A wrong number of values is a bug in
// the caller; it is counted under labels that read "invalid" rather than
// panicking in a request path.
func (v *CounterVec) With(values ...string) *Counter {
	if len(values) != len(v.labels) {
		values = repeat("invalid", len(v.labels))
	}
	key := strings.Join(values, "\xff")
	v.mu.Lock()
	defer v.mu.Unlock()
	if s, ok := v.series[key]; ok {
		return &s.c
	}
	if len(v.series) >= MaxSeries {
		values = repeat("other", len(v.labels))
		key = strings.Join(values, "\xff")
		if s, ok := v.series[key]; ok {
			return &s.c
		}
	}
	s := &vecSeries{values: slices.Clone(values)}
	v.series[key] = s
	return &s.c
}

func (v *CounterVec) meta() (string, string, string) { return v.name, v.help, "counter" }
func (v *CounterVec) write(w *bufio.Writer) {
	v.mu.Lock()
	all := make([]*vecSeries, 0, len(v.series))
	for _, s := range v.series {
		all = append(all, s)
	}
	v.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return slices.Compare(all[i].values, all[j].values) < 0 })
	for _, s := range all {
		writeSample(w, v.name, v.labels, s.values, s.c.Value())
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// --- constructors ---

// NewCounter registers a counter. Names end in _total by convention.
func (r *Registry) NewCounter(name, help string) (*Counter, error) {
	f := &counterFamily{name: name, help: help, c: &Counter{}}
	if err := r.register(f, nil); err != nil {
		return nil, err
	}
	return f.c, nil
}

// NewCounterVec registers a counter with labels.
func (r *Registry) NewCounterVec(name, help string, labels ...string) (*CounterVec, error) {
	if len(labels) == 0 {
		return nil, fmt.Errorf("metrics: %s: a vector needs at least one label", name)
	}
	v := &CounterVec{name: name, help: help, labels: slices.Clone(labels), series: map[string]*vecSeries{}}
	if err := r.register(v, labels); err != nil {
		return nil, err
	}
	return v, nil
}

// NewGauge registers a gauge.
func (r *Registry) NewGauge(name, help string) (*Gauge, error) {
	f := &gaugeFamily{name: name, help: help, g: &Gauge{}}
	if err := r.register(f, nil); err != nil {
		return nil, err
	}
	return f.g, nil
}

// NewGaugeFunc registers a gauge whose value is fn's result at each
// scrape. fn runs on the scraper's request and must be quick and safe
// for concurrent use.
func (r *Registry) NewGaugeFunc(name, help string, fn func() float64) (*Gauge, error) {
	if fn == nil {
		return nil, fmt.Errorf("metrics: %s: nil function", name)
	}
	f := &gaugeFamily{name: name, help: help, g: &Gauge{fn: fn}}
	if err := r.register(f, nil); err != nil {
		return nil, err
	}
	return f.g, nil
}

// NewHistogram registers a histogram with the given upper bounds, which
// must be finite and strictly increasing; the +Inf bucket is implied.
func (r *Registry) NewHistogram(name, help string, buckets []float64) (*Histogram, error) {
	if len(buckets) == 0 {
		return nil, fmt.Errorf("metrics: %s: no buckets", name)
	}
	for i, b := range buckets {
		if math.IsNaN(b) || math.IsInf(b, 0) {
			return nil, fmt.Errorf("metrics: %s: bucket %v is not finite", name, b)
		}
		if i > 0 && b <= buckets[i-1] {
			return nil, fmt.Errorf("metrics: %s: buckets must increase strictly", name)
		}
	}
	h := &Histogram{upper: slices.Clone(buckets), counts: make([]uint64, len(buckets)+1)}
	if err := r.register(&histogramFamily{name: name, help: help, h: h}, nil); err != nil {
		return nil, err
	}
	return h, nil
}

// --- text format ---

func writeSample(w *bufio.Writer, name string, labels, values []string, v float64) {
	w.WriteString(name)
	if len(labels) > 0 {
		w.WriteByte('{')
		for i, l := range labels {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(l)
			w.WriteString(`="`)
			w.WriteString(escapeLabel(values[i]))
			w.WriteByte('"')
		}
		w.WriteByte('}')
	}
	w.WriteByte(' ')
	w.WriteString(formatFloat(v))
	w.WriteByte('\n')
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// escapeHelp escapes a HELP text: backslash and line feed.
func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

// escapeLabel escapes a label value: backslash, double quote and line feed.
func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// validName reports whether s matches [a-zA-Z_:][a-zA-Z0-9_:]*.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r == ':' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// validLabel reports whether s matches [a-zA-Z_][a-zA-Z0-9_]*.
func validLabel(s string) bool {
	return validName(s) && !strings.Contains(s, ":")
}
