package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
)

// refFrame is the event frame as encoding/json writes it: the reference
// the hand-written encoder must agree with.
type refFrame struct {
	Type     string          `json:"type"`
	Seq      int64           `json:"seq"`
	Kind     string          `json:"kind"`
	At       time.Duration   `json:"at"`
	WallTime time.Time       `json:"wall_time"`
	Payload  json.RawMessage `json:"payload"`
	Audience []string        `json:"audience,omitempty"`
}

func refEncode(t *testing.T, ev engine.Event, staff bool) []byte {
	t.Helper()
	f := refFrame{Type: "event", Seq: ev.Seq, Kind: ev.Kind, At: ev.ExerciseTime, WallTime: ev.WallTime, Payload: ev.Payload}
	if len(f.Payload) == 0 || !json.Valid(f.Payload) {
		f.Payload = json.RawMessage(`{}`)
	}
	if staff {
		f.Audience = ev.Audience
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAppendEvent(t *testing.T) {
	wall := time.Date(2026, 11, 24, 9, 30, 1, 123456789, time.UTC)
	for _, tc := range []struct {
		name string
		ev   engine.Event
	}{
		{"inject", engine.Event{Seq: 42, Kind: "inject_delivered", ExerciseTime: 6 * time.Minute, WallTime: wall,
			Payload: json.RawMessage(`{"inject":"bh_ines_call","body":"Call \u003cnow\u003e","teams":["exec"]}`), Audience: []string{"exec"}}},
		{"every team", engine.Event{Seq: 1, Kind: "state_entered", WallTime: wall, Payload: json.RawMessage(`{"state":"a"}`), Audience: []string{"*"}}},
		{"staff only", engine.Event{Seq: 2, Kind: "clock_tick", WallTime: wall, Payload: json.RawMessage(`{"to":6}`), Audience: []string{}}},
		{"nil audience", engine.Event{Seq: 3, Kind: "note", WallTime: wall, Payload: json.RawMessage(`{}`)}},
		{"no payload", engine.Event{Seq: 4, Kind: "paused", WallTime: wall}},
		{"payload not JSON", engine.Event{Seq: 5, Kind: "x", WallTime: wall, Payload: json.RawMessage(`{"a":`)}},
		{"zero time", engine.Event{Seq: 6, Kind: "x", Payload: json.RawMessage(`[1,2]`)}},
		{"local time", engine.Event{Seq: 7, Kind: "x", WallTime: wall.In(time.FixedZone("x", -5*3600)), Payload: json.RawMessage(`1`)}},
		{"negative clock", engine.Event{Seq: 8, Kind: "x", ExerciseTime: -time.Second, WallTime: wall, Payload: json.RawMessage(`{}`)}},
		{"strings to escape", engine.Event{Seq: 9, Kind: "a\"b\\c\n<d>&é\u2028", WallTime: wall, Payload: json.RawMessage(`{}`),
			Audience: []string{"<script>", "t\"eam", "\x01", "ü", "ok"}}},
		{"invalid UTF-8", engine.Event{Seq: 10, Kind: "k\xff", WallTime: wall, Payload: json.RawMessage(`{}`), Audience: []string{"\xfe"}}},
	} {
		for _, staff := range []bool{true, false} {
			got := encodeEvent(tc.ev, staff)
			want := refEncode(t, tc.ev, staff)
			if !bytes.Equal(got, want) {
				t.Errorf("%s (staff %v):\n got %s\nwant %s", tc.name, staff, got, want)
			}
			var v map[string]any
			if err := json.Unmarshal(got, &v); err != nil {
				t.Errorf("%s (staff %v): not JSON: %v", tc.name, staff, err)
			}
			if _, ok := v["audience"]; ok != (staff && len(tc.ev.Audience) > 0) {
				t.Errorf("%s (staff %v): audience present %v", tc.name, staff, ok)
			}
		}
	}
}

func TestAppendEventAppends(t *testing.T) {
	ev := engine.Event{Seq: 1, Kind: "x", Payload: json.RawMessage(`{}`)}
	got := appendEvent([]byte("prefix:"), ev, false)
	if !bytes.HasPrefix(got, []byte("prefix:{")) || !reflect.DeepEqual(got[len("prefix:"):], refEncode(t, ev, false)) {
		t.Fatalf("got %s", got)
	}
}

func TestAppendJSONTimeOutOfRange(t *testing.T) {
	for _, year := range []int{-1, 10000} {
		ev := engine.Event{Seq: 1, Kind: "x", WallTime: time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)}
		var v struct {
			WallTime *time.Time `json:"wall_time"`
		}
		if err := json.Unmarshal(encodeEvent(ev, true), &v); err != nil || v.WallTime != nil {
			t.Fatalf("year %d: %v, wall_time %v; want null", year, err, v.WallTime)
		}
	}
}
