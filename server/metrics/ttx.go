package metrics

import (
	"errors"
	"strconv"
)

// Metric names of the ttx server. They are part of the operator-facing
// interface (dashboards, alerts), so they never change meaning.
const (
	NameParticipantsConnected = "ttx_participants_connected"
	NameExercisesRunning      = "ttx_exercises_running"
	NameEventsAppended        = "ttx_events_appended_total"
	NameFanoutLatency         = "ttx_fanout_latency_seconds"
	NameWebSocketErrors       = "ttx_websocket_errors_total"
	NameHTTPRequests          = "ttx_http_requests_total"
)

// TTX is the set of metrics the server records. Every field is non-nil.
type TTX struct {
	// ParticipantsConnected counts open participant WebSockets (Inc on
	// register, Dec on close), unless Funcs.ParticipantsConnected was given.
	ParticipantsConnected *Gauge
	// ExercisesRunning is the number of exercises whose clock runs, unless
	// Funcs.ExercisesRunning was given.
	ExercisesRunning *Gauge
	// EventsAppended counts events committed to exercise logs.
	EventsAppended *Counter
	// FanoutLatency is the time from an event's commit to its frames being
	// queued for every subscribed socket, in seconds.
	FanoutLatency *Histogram
	// WebSocketErrors counts socket failures by kind (label "kind"), e.g.
	// "slow", "read", "write", "protocol", "origin".
	WebSocketErrors *CounterVec
	// HTTPRequests counts HTTP responses by status class (label "code":
	// "2xx", "4xx"...; see CodeClass).
	HTTPRequests *CounterVec
}

// Funcs optionally back the gauges of TTX with functions read at each
// scrape, for values that are easier to count than to track (e.g. the
// engine's running loops). A nil field leaves the gauge settable.
type Funcs struct {
	ParticipantsConnected func() float64
	ExercisesRunning      func() float64
}

// NewTTX registers the server's metrics in reg.
func NewTTX(reg *Registry, f Funcs) (*TTX, error) {
	var m TTX
	var errs []error
	check := func(err error) { errs = append(errs, err) }
	gauge := func(name, help string, fn func() float64) *Gauge {
		if fn != nil {
			g, err := reg.NewGaugeFunc(name, help, fn)
			check(err)
			return g
		}
		g, err := reg.NewGauge(name, help)
		check(err)
		return g
	}
	var err error
	m.ParticipantsConnected = gauge(NameParticipantsConnected, "Participant WebSocket connections currently open.", f.ParticipantsConnected)
	m.ExercisesRunning = gauge(NameExercisesRunning, "Exercises whose clock is running.", f.ExercisesRunning)
	m.EventsAppended, err = reg.NewCounter(NameEventsAppended, "Events committed to exercise logs.")
	check(err)
	m.FanoutLatency, err = reg.NewHistogram(NameFanoutLatency, "Seconds from an event's commit until it is queued for every subscribed socket.", LatencyBuckets())
	check(err)
	m.WebSocketErrors, err = reg.NewCounterVec(NameWebSocketErrors, "WebSocket connections that failed, by kind of failure.", "kind")
	check(err)
	m.HTTPRequests, err = reg.NewCounterVec(NameHTTPRequests, "HTTP responses sent, by status class.", "code")
	check(err)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &m, nil
}

// CodeClass maps an HTTP status to its class label: 200 → "2xx". Anything
// outside 100–599 is "other", so the label's values stay few.
func CodeClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}
