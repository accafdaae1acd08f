package loadtest

import (
	"encoding/json"
	"math"
	"slices"
	"time"
)

// Dist summarises a set of durations.
type Dist struct {
	N   int
	P50 time.Duration
	P90 time.Duration
	P99 time.Duration
	Max time.Duration
}

// distOf sorts d in place and summarises it (nearest-rank percentiles).
func distOf(d []time.Duration) Dist {
	if len(d) == 0 {
		return Dist{}
	}
	slices.Sort(d)
	rank := func(p float64) time.Duration {
		i := int(math.Ceil(p*float64(len(d)))) - 1
		return d[min(max(i, 0), len(d)-1)]
	}
	return Dist{N: len(d), P50: rank(0.50), P90: rank(0.90), P99: rank(0.99), Max: d[len(d)-1]}
}

// ms renders a duration as milliseconds with microsecond precision.
func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

// MarshalJSON writes the percentiles in milliseconds.
func (d Dist) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		N     int     `json:"n"`
		P50ms float64 `json:"p50_ms"`
		P90ms float64 `json:"p90_ms"`
		P99ms float64 `json:"p99_ms"`
		MaxMs float64 `json:"max_ms"`
	}{d.N, ms(d.P50), ms(d.P90), ms(d.P99), ms(d.Max)})
}

// medianOf returns the median of xs (the lower middle for an even count).
func medianOf[T int | int64 | float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		var zero T
		return zero
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// ratio is a/b, or 0 when b is 0 (no figure to compare with).
func ratio(a, b float64) float64 {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return 0
	}
	return math.Round(a/b*100) / 100
}
