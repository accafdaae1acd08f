package loadtest

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"
)

// memRun is a fan-out run with memory figures: RSS before connecting, and
// grown by delta with n idle connections (failed of them not made).
func memRun(target string, n int, delta int64, failed int) *FanoutResult {
	const before = 20 << 20
	r := &FanoutResult{Target: target, Participants: n, Exercises: 1, Address: AddressAll, DialFailed: failed,
		RSSBefore: before, RSSIdle: before + delta, AnonBefore: before, AnonIdle: before + delta, Procs: true}
	r.IdleBytesPerConn = float64(delta) / float64(n-failed)
	r.IdleRSSBytesPerConn = r.IdleBytesPerConn
	return r
}

// withFilePages adds file-backed pages (code, embedded data) to a run's
// idle RSS: they are not anonymous memory.
func withFilePages(r *FanoutResult, b int64) *FanoutResult {
	r.RSSIdle += b
	r.IdleRSSBytesPerConn += float64(b) / float64(r.Participants-r.DialFailed)
	return r
}

func memCase(n, exercises int, address string, ttx, base *FanoutResult) *FanoutCase {
	return &FanoutCase{Config: FanoutConfig{Participants: n, Exercises: exercises, Address: address}, TTX: ttx, Baseline: base}
}

// The standard series: ttx grows by 20 KiB per connection from 100 to
// 1,000 and by 18 KiB from 1,000 to 5,000, on top of 4 MB of fixed cost;
// the baseline by 14 KiB throughout, on top of 2 MB.
const (
	ttx100, ttx1000, ttx5000    = 4_096_000, 4_096_000 + 900*20480, 4_096_000 + 900*20480 + 4000*18432
	base100, base1000, base5000 = 2_048_000, 2_048_000 + 900*14336, 2_048_000 + 4900*14336
)

func standardMemCases() []*FanoutCase {
	return []*FanoutCase{
		memCase(100, 1, AddressAll, memRun("ttx", 100, ttx100, 0), memRun("baseline", 100, base100, 0)),
		memCase(1000, 1, AddressAll, memRun("ttx", 1000, ttx1000, 0), memRun("baseline", 1000, base1000, 0)),
		memCase(5000, 1, AddressAll, memRun("ttx", 5000, ttx5000, 0), memRun("baseline", 5000, base5000, 0)),
		// Not in the series: ten exercises, mixed addressing.
		memCase(1000, 10, AddressMixed, memRun("ttx", 1000, 1, 0), nil),
	}
}

// want is one expected slope; a negative figure means not available.
type wantSlope struct {
	from, to       int
	ttx, base      float64
	notes          []string // substrings, in order
	ratioAvailable bool
}

func TestMemorySlopes(t *testing.T) {
	std := standardMemCases()
	for _, tc := range []struct {
		name  string
		cases []*FanoutCase
		want  []wantSlope
	}{
		{"standard series", std, []wantSlope{
			{100, 1000, 20480, 14336, nil, true},
			{1000, 5000, 18432, 14336, nil, true},
		}},
		{"given out of order", []*FanoutCase{std[2], std[3], std[0], std[1]}, []wantSlope{
			{100, 1000, 20480, 14336, nil, true},
			{1000, 5000, 18432, 14336, nil, true},
		}},
		{"one size only", []*FanoutCase{std[0], std[3]}, nil},
		{"no fan-out", nil, nil},
		{"same size twice: the first counts", []*FanoutCase{
			std[0],
			memCase(100, 1, AddressAll, memRun("ttx", 100, 1, 0), nil),
			std[1],
		}, []wantSlope{{100, 1000, 20480, 14336, nil, true}}},
		{"every size with its own addressing is left out", []*FanoutCase{
			std[0],
			memCase(1000, 1, AddressRotate, memRun("ttx", 1000, ttx1000, 0), nil),
		}, nil},
		{"no baseline memory figures at one size", []*FanoutCase{
			std[0],
			memCase(1000, 1, AddressAll, memRun("ttx", 1000, ttx1000, 0), &FanoutResult{Target: "baseline", Participants: 1000}),
			std[2],
		}, []wantSlope{
			{100, 1000, 20480, -1, []string{"baseline: no memory figures"}, false},
			{1000, 5000, 18432, -1, []string{"baseline: no memory figures"}, false},
		}},
		{"no memory figures at all", []*FanoutCase{
			memCase(100, 1, AddressAll, &FanoutResult{Target: "ttx", Participants: 100}, nil),
			memCase(1000, 1, AddressAll, &FanoutResult{Target: "ttx", Participants: 1000}, nil),
		}, []wantSlope{{100, 1000, -1, -1, []string{"ttx: no memory figures", "baseline: no reported run"}, false}}},
		{"proc figures flagged but RSS zero", []*FanoutCase{
			std[0],
			memCase(1000, 1, AddressAll, &FanoutResult{Target: "ttx", Participants: 1000, Procs: true}, std[1].Baseline),
		}, []wantSlope{{100, 1000, -1, 14336, []string{"ttx: no memory figures"}, false}}},
		{"negative slope", []*FanoutCase{
			std[0],
			memCase(1000, 1, AddressAll, memRun("ttx", 1000, ttx100-8192, 0), std[1].Baseline),
		}, []wantSlope{{100, 1000, -1, 14336, []string{"ttx: slope not positive (-9 B per connection)"}, false}}},
		{"zero slope", []*FanoutCase{
			std[0],
			memCase(1000, 1, AddressAll, memRun("ttx", 1000, ttx100, 0), std[1].Baseline),
		}, []wantSlope{{100, 1000, -1, 14336, []string{"ttx: slope not positive"}, false}}},
		{"the larger run is missing", []*FanoutCase{
			std[1],
			memCase(5000, 1, AddressAll, nil, std[2].Baseline),
		}, []wantSlope{{1000, 5000, -1, 14336, []string{"ttx: no reported run"}, false}}},
		{"pages of the executable touched while connecting do not count", []*FanoutCase{
			std[0],
			memCase(1000, 1, AddressAll, withFilePages(memRun("ttx", 1000, ttx1000, 0), 4<<20), std[1].Baseline),
		}, []wantSlope{{100, 1000, 20480, 14336, nil, true}}},
		{"per connection made, not per participant", []*FanoutCase{
			// 100 of the 5,000 failed to dial: 3,900 connections added.
			std[1],
			memCase(5000, 1, AddressAll, memRun("ttx", 5000, ttx1000+3900*16384, 100), std[2].Baseline),
		}, []wantSlope{{1000, 5000, 16384, 14336, nil, true}}},
		{"no more connections at the larger size", []*FanoutCase{
			std[0],
			memCase(1000, 1, AddressAll, memRun("ttx", 1000, ttx1000, 950), std[1].Baseline),
		}, []wantSlope{{100, 1000, -1, 14336, []string{"ttx: no more connections at the larger size (100, then 50)"}, false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := memorySlopes(tc.cases)
			if len(got) != len(tc.want) {
				t.Fatalf("%d slopes, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				g := got[i]
				if g.From != w.from || g.To != w.to {
					t.Errorf("slope %d: N=%d→%d, want %d→%d", i, g.From, g.To, w.from, w.to)
				}
				checkFigure(t, "ttx", g.TTX, w.ttx)
				checkFigure(t, "baseline", g.Baseline, w.base)
				if (g.Ratio != nil) != w.ratioAvailable {
					t.Errorf("N=%d→%d: ratio %v, want available=%v", g.From, g.To, g.Ratio, w.ratioAvailable)
				} else if g.Ratio != nil && math.Abs(*g.Ratio-w.ttx/w.base) > 1e-9 {
					t.Errorf("N=%d→%d: ratio %v, want %v", g.From, g.To, *g.Ratio, w.ttx/w.base)
				}
				if len(g.Notes) != len(w.notes) {
					t.Errorf("N=%d→%d: notes %q, want %q", g.From, g.To, g.Notes, w.notes)
					continue
				}
				for j, n := range w.notes {
					if !strings.HasPrefix(g.Notes[j], n) {
						t.Errorf("N=%d→%d: note %q, want it to begin %q", g.From, g.To, g.Notes[j], n)
					}
				}
			}
		})
	}
}

func checkFigure(t *testing.T, side string, got *float64, want float64) {
	t.Helper()
	switch {
	case want < 0 && got != nil:
		t.Errorf("%s: %v bytes per connection, want not available", side, *got)
	case want >= 0 && got == nil:
		t.Errorf("%s: not available, want %v", side, want)
	case want >= 0 && *got != want:
		t.Errorf("%s: %v bytes per connection, want %v", side, *got, want)
	}
}

func TestMarginalMemoryTarget(t *testing.T) {
	std := standardMemCases()
	const name = "memory per idle connection, marginal N=1000→5000"
	for _, tc := range []struct {
		name      string
		cases     []*FanoutCase
		present   bool // the marginal check is there
		pass, na  bool
		measured  string // substring
		absolutes int    // absolute checks per size, kept beside it
	}{
		{"within", std, true, true, false, "18.0 KiB (baseline 14.0 KiB, 1.29×)", 3},
		{"beyond", []*FanoutCase{std[0], std[1],
			memCase(5000, 1, AddressAll, memRun("ttx", 5000, ttx1000+4000*(32<<10), 0), nil)},
			true, false, false, "32.0 KiB", 3},
		{"just under", []*FanoutCase{std[1],
			memCase(5000, 1, AddressAll, memRun("ttx", 5000, ttx1000+4000*(32<<10-1), 0), nil)},
			true, true, false, "32.0 KiB", 2},
		{"negative slope is not a pass", []*FanoutCase{std[0], std[1],
			memCase(5000, 1, AddressAll, memRun("ttx", 5000, ttx1000-4096, 0), nil)},
			true, false, true, "not available: slope not positive", 3},
		{"no memory figures is not a pass", []*FanoutCase{
			memCase(1000, 1, AddressAll, &FanoutResult{Target: "ttx", Participants: 1000}, nil),
			memCase(5000, 1, AddressAll, &FanoutResult{Target: "ttx", Participants: 5000}, nil)},
			true, false, true, "not available: no memory figures", 0},
		{"the largest run failed: not a pass on a smaller pair", []*FanoutCase{std[0], std[1],
			memCase(5000, 1, AddressAll, nil, std[2].Baseline)},
			true, false, true, "not available: no reported run", 2},
		{"one size: no marginal check", []*FanoutCase{std[2], std[3]}, false, false, false, "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := &Report{Fanout: tc.cases, MemorySlopes: memorySlopes(tc.cases)}
			var found *TargetCheck
			absolutes := 0
			for _, c := range targets(rep) {
				switch {
				case strings.HasPrefix(c.Name, "memory per idle connection, marginal"):
					if found != nil {
						t.Errorf("two marginal checks: %+v and %+v", *found, c)
					}
					found = &c
				case strings.HasSuffix(c.Name, ": memory per idle connection"):
					absolutes++
				}
			}
			if absolutes != tc.absolutes {
				t.Errorf("%d absolute memory checks, want %d", absolutes, tc.absolutes)
			}
			if !tc.present {
				if found != nil {
					t.Errorf("unexpected marginal check %+v", *found)
				}
				return
			}
			if found == nil {
				t.Fatal("no marginal memory check")
			}
			if found.Name != name || found.Target != "< 32 KiB" {
				t.Errorf("check %q target %q, want %q < 32 KiB", found.Name, found.Target, name)
			}
			if found.Pass != tc.pass || found.NotAvailable != tc.na || !strings.Contains(found.Measured, tc.measured) {
				t.Errorf("check %+v, want pass=%v not_available=%v measured ~ %q", *found, tc.pass, tc.na, tc.measured)
			}
		})
	}
}

// TestMemorySlopeReport pins the JSON fields and the table section the
// benchmark page is written from.
func TestMemorySlopeReport(t *testing.T) {
	cases := standardMemCases()
	cases[0].Baseline = nil // the first slope has no baseline side
	rep := &Report{Fanout: cases, MemorySlopes: memorySlopes(cases)}
	rep.Targets = targets(rep)
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Slopes []map[string]any `json:"memory_slopes"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Slopes) != 2 {
		t.Fatalf("memory_slopes %v", got.Slopes)
	}
	first, last := got.Slopes[0], got.Slopes[1]
	if first["from"] != 100.0 || first["to"] != 1000.0 || first["ttx_bytes_per_conn"] != 20480.0 {
		t.Errorf("first slope %v", first)
	}
	for _, k := range []string{"baseline_bytes_per_conn", "ratio"} {
		if v, ok := first[k]; !ok || v != nil {
			t.Errorf("first slope %s = %v (present %v), want null", k, v, ok)
		}
	}
	if last["from"] != 1000.0 || last["to"] != 5000.0 || last["ttx_bytes_per_conn"] != 18432.0 ||
		last["baseline_bytes_per_conn"] != 14336.0 || math.Abs(last["ratio"].(float64)-18432.0/14336) > 1e-9 {
		t.Errorf("last slope %v", last)
	}
	if _, ok := last["notes"]; ok {
		t.Errorf("last slope has notes: %v", last)
	}

	buf.Reset()
	rep.WriteTable(&buf)
	out := buf.String()
	for _, want := range []string{"Memory per idle connection, marginal", "100→1000", "1000→5000", "20.0", "18.0", "14.0", "1.29×",
		"N=100→1000 not available: baseline: no reported run", "memory per idle connection, marginal N=1000→5000"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if i, j := strings.Index(out, "Fan-out:"), strings.Index(out, "Memory per idle connection, marginal"); i < 0 || j < i {
		t.Errorf("the marginal section is not after the fan-out table:\n%s", out)
	}

	// A target that could not be measured reads n/a, not met.
	buf.Reset()
	(&Report{Targets: []TargetCheck{{Name: "m", Target: "< 32 KiB", Measured: "not available", NotAvailable: true}}}).WriteTable(&buf)
	if !strings.Contains(buf.String(), "n/a") || strings.Contains(buf.String(), "met") {
		t.Errorf("unavailable target:\n%s", buf.String())
	}
}

// ReadProc splits resident memory: anonymous memory grows with what the
// process allocates, file pages do not.
func TestReadProcAnon(t *testing.T) {
	before, err := ReadProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if before.Anon <= 0 || before.Anon > before.RSS || before.CPU < 0 || before.Threads < 1 {
		t.Fatalf("figures %+v", before)
	}
	block := make([]byte, 64<<20)
	for i := 0; i < len(block); i += 4096 {
		block[i] = 1 // touch every page
	}
	after, err := ReadProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if grew := after.Anon - before.Anon; grew < 48<<20 {
		t.Fatalf("anonymous memory grew %d bytes after touching 64 MiB", grew)
	}
	runtime.KeepAlive(block)
}
