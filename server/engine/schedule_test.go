package engine_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/sim"
)

// scheduleDrill creates and starts an exercise of testdata/schedule.yaml
// (scenario injects at 10m and 30m, the end at 60m).
func scheduleDrill(t *testing.T, e *env) string {
	t.Helper()
	ctx := ctxT(t)
	ex, err := e.eng.Create(ctx, engine.CreateInput{File: "schedule.yaml", Source: readFile(t, "testdata/schedule.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.eng.Start(ctx, ex.ID); err != nil {
		t.Fatal(err)
	}
	return ex.ID
}

func adhoc(id string, teams ...string) engine.AdHoc {
	return engine.AdHoc{ID: id, Teams: teams, Channel: "email", From: "ceo", Title: "Scheduled " + id, Body: "Body of " + id}
}

func schedule(t *testing.T, e *env, ex string, at time.Duration, in engine.AdHoc) engine.ScheduledInject {
	t.Helper()
	s, err := e.eng.ScheduleInject(ctxT(t), ex, engine.ScheduleInput{At: at, Inject: in})
	if err != nil {
		t.Fatalf("schedule %s at %s: %v", in.ID, at, err)
	}
	return s
}

// deliveries lists the log's inputs and deliveries from seq `after` on, as
// "kind id @T+mm:ss": what a test compares.
func deliveries(t *testing.T, evs []engine.Event) []string {
	t.Helper()
	var out []string
	for _, ev := range evs {
		var p struct {
			Inject   string `json:"inject"`
			ID       string `json:"id"`
			Schedule string `json:"schedule"`
		}
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			t.Fatal(err)
		}
		switch ev.Kind {
		case string(sim.KindInjectDelivered):
			out = append(out, fmt.Sprintf("delivered %s @%s", p.Inject, sim.FormatClock(ev.ExerciseTime)))
		case engine.KindFacInject:
			out = append(out, fmt.Sprintf("facilitator_inject %s @%s", p.ID, sim.FormatClock(ev.ExerciseTime)))
		case engine.KindSkipped, engine.KindInjectScheduled, engine.KindScheduleCancelled:
			out = append(out, fmt.Sprintf("%s @%s", ev.Kind, sim.FormatClock(ev.ExerciseTime)))
		}
	}
	return out
}

// delivered lists the ids of the injects delivered, in log order.
func delivered(t *testing.T, evs []engine.Event) []string {
	t.Helper()
	var out []string
	for _, ev := range evs {
		if ev.Kind != string(sim.KindInjectDelivered) {
			continue
		}
		var p struct {
			Inject string `json:"inject"`
		}
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Inject)
	}
	return out
}

// TestScheduledInjectsFireInOrder schedules two injects around the
// scenario's own and lets the clock reach them, in steps (each timer
// wakes the loop) or in one jump (a busy server catching up): both give
// the same log, each inject at its own time, in due order, a scheduled
// inject after the scenario's item of the same instant.
func TestScheduledInjectsFireInOrder(t *testing.T) {
	want := []string{
		"inject_scheduled @+00:00:00", "inject_scheduled @+00:00:00",
		"delivered ten @+00:10:00",
		"facilitator_inject at10 @+00:10:00", "delivered at10 @+00:10:00",
		"facilitator_inject at20 @+00:20:00", "delivered at20 @+00:20:00",
		"delivered thirty @+00:30:00",
	}
	for _, plan := range []struct {
		name  string
		steps []time.Duration
	}{
		{"step by step", []time.Duration{10 * time.Minute, 5 * time.Minute, 5 * time.Minute, 10 * time.Minute, 5 * time.Minute}},
		{"one jump", []time.Duration{35 * time.Minute}},
	} {
		t.Run(plan.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := ctxT(t)
			id := scheduleDrill(t, e)
			start := lastSeq(t, e, id)
			// Scheduled in the other order: the due time decides.
			s20 := schedule(t, e, id, 20*time.Minute, adhoc("at20", "red"))
			schedule(t, e, id, 10*time.Minute, adhoc("at10"))
			snap, err := e.eng.Snapshot(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(snap.Scheduled) != 2 || snap.Scheduled[0].Inject.ID != "at10" || !reflect.DeepEqual(snap.Scheduled[1], s20) {
				t.Fatalf("snapshot lists %+v", snap.Scheduled)
			}
			for _, d := range plan.steps {
				e.clock.Advance(d)
				if _, err := e.eng.Snapshot(ctx, id); err != nil {
					t.Fatal(err)
				}
			}
			evs := allEvents(t, e.eng, id)[start:]
			if got := deliveries(t, evs); !slices.Equal(got, want) {
				t.Fatalf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for _, ev := range evs {
				var p struct {
					Schedule string   `json:"schedule"`
					Teams    []string `json:"teams"`
					Inject   string   `json:"inject"`
					AdHoc    bool     `json:"adhoc"`
				}
				if err := json.Unmarshal(ev.Payload, &p); err != nil {
					t.Fatal(err)
				}
				switch {
				case ev.Kind == engine.KindInjectScheduled || ev.Kind == engine.KindFacInject:
					if len(ev.Audience) != 0 || p.Schedule == "" {
						t.Errorf("%s: audience %v, schedule %q: want staff only, naming the schedule", ev.Kind, ev.Audience, p.Schedule)
					}
				case ev.Kind == string(sim.KindInjectDelivered) && p.Inject == "at20":
					if !slices.Equal(ev.Audience, []string{"red"}) || !p.AdHoc || p.Schedule != "" {
						t.Errorf("at20 delivered to %v (adhoc %v)", ev.Audience, p.AdHoc)
					}
				}
			}
			snap, err = e.eng.Snapshot(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(snap.Scheduled) != 0 {
				t.Fatalf("after sending: scheduled %+v", snap.Scheduled)
			}
		})
	}
}

// TestScheduledInjectFollowsTheExerciseClock: pause holds it, speed hurries
// it, skip lands on it.
func TestScheduledInjectFollowsTheExerciseClock(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id := scheduleDrill(t, e)
	schedule(t, e, id, 5*time.Minute, adhoc("five"))
	schedule(t, e, id, 20*time.Minute, adhoc("twenty"))
	sent := func() []string {
		t.Helper()
		if _, err := e.eng.Snapshot(ctx, id); err != nil { // the loop has caught up
			t.Fatal(err)
		}
		return delivered(t, allEvents(t, e.eng, id))
	}
	// Skip goes to the next due item, the scheduled inject at 5m, not the
	// scenario's at 10m.
	to, err := e.eng.Skip(ctx, id)
	if err != nil || to != 5*time.Minute {
		t.Fatalf("skip = %s, %v; want 05:00", sim.FormatClock(to), err)
	}
	if got := sent(); !slices.Equal(got, []string{"five"}) {
		t.Fatalf("after the skip: delivered %v", got)
	}
	if err := e.eng.Pause(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour) // paused: the exercise clock stays at 5m
	if got := sent(); !slices.Equal(got, []string{"five"}) {
		t.Fatalf("while paused: delivered %v", got)
	}
	if err := e.eng.Resume(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.SetSpeed(ctx, id, 5); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(3*time.Minute - time.Second) // ×5: 14m55s of exercise time, 19:55
	if got := sent(); !slices.Equal(got, []string{"five", "ten"}) {
		t.Fatalf("at 19:55: delivered %v", got)
	}
	e.clock.Advance(time.Second)
	if got := sent(); !slices.Equal(got, []string{"five", "ten", "twenty"}) {
		t.Fatalf("at 20:00: delivered %v", got)
	}
	evs := allEvents(t, e.eng, id)
	i := slices.IndexFunc(evs, func(ev engine.Event) bool {
		return ev.Kind == engine.KindFacInject && strings.Contains(string(ev.Payload), "twenty")
	})
	if i < 0 {
		t.Fatal("twenty was not sent")
	}
	if evs[i].ExerciseTime != 20*time.Minute {
		t.Fatalf("twenty sent at %v", evs[i].ExerciseTime)
	}
}

// TestScheduledInjectCancel: a cancelled inject never goes out; cancelling
// again is harmless, one already sent or unknown is refused.
func TestScheduledInjectCancel(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id := scheduleDrill(t, e)
	keep := schedule(t, e, id, 2*time.Minute, adhoc("keep"))
	drop := schedule(t, e, id, 3*time.Minute, adhoc("drop", "facilitator"))
	if err := e.eng.CancelScheduledInject(ctx, id, drop.ID); err != nil {
		t.Fatal(err)
	}
	evs := allEvents(t, e.eng, id)
	last := evs[len(evs)-1]
	if last.Kind != engine.KindScheduleCancelled || len(last.Audience) != 0 ||
		string(last.Payload) != fmt.Sprintf(`{"schedule":%q,"teams":["facilitator"]}`, drop.ID) {
		t.Fatalf("cancel logged as %s %s %v", last.Kind, last.Payload, last.Audience)
	}
	if err := e.eng.CancelScheduledInject(ctx, id, drop.ID); err != nil {
		t.Fatalf("second cancel = %v, want nil", err)
	}
	e.clock.Advance(5 * time.Minute)
	s, err := e.eng.Snapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := delivered(t, allEvents(t, e.eng, id)); !slices.Equal(got, []string{"keep"}) || len(s.Scheduled) != 0 {
		t.Fatalf("delivered %v, scheduled %+v", got, s.Scheduled)
	}
	for _, c := range []struct {
		id   string
		want error
	}{{keep.ID, engine.ErrConflict}, {"nope", engine.ErrNotFound}} {
		before := lastSeq(t, e, id)
		if err := e.eng.CancelScheduledInject(ctx, id, c.id); !errors.Is(err, c.want) {
			t.Errorf("cancel %s = %v, want %v", c.id, err, c.want)
		}
		if lastSeq(t, e, id) != before {
			t.Errorf("a refused cancel wrote to the log")
		}
	}
}

// TestScheduledInjectSurvivesRestart: recovery re-arms what is pending;
// what fell due while the server was down is sent in order, at its own
// times; a cancelled one stays cancelled. The replay must match the log
// (the env fails on any logged error).
func TestScheduledInjectSurvivesRestart(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id := scheduleDrill(t, e)
	schedule(t, e, id, 12*time.Minute, adhoc("twelve"))
	c := schedule(t, e, id, 14*time.Minute, adhoc("cancelled"))
	schedule(t, e, id, 25*time.Minute, adhoc("twentyfive", "blue"))
	schedule(t, e, id, 45*time.Minute, adhoc("later"))
	if err := e.eng.CancelScheduledInject(ctx, id, c.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * time.Minute)
	if _, err := e.eng.Snapshot(ctx, id); err != nil {
		t.Fatal(err)
	}
	start := lastSeq(t, e, id)
	e.close()
	e.clock.Advance(30 * time.Minute) // down from 5m to 35m
	e.open()
	if n, err := e.eng.Recover(ctx); err != nil || n != 1 {
		t.Fatalf("Recover = %d, %v", n, err)
	}
	s, err := e.eng.Snapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Scheduled) != 1 || s.Scheduled[0].Inject.ID != "later" || s.Scheduled[0].At != 45*time.Minute {
		t.Fatalf("pending after recovery: %+v", s.Scheduled)
	}
	want := []string{
		"delivered ten @+00:10:00",
		"facilitator_inject twelve @+00:12:00", "delivered twelve @+00:12:00",
		"facilitator_inject twentyfive @+00:25:00", "delivered twentyfive @+00:25:00",
		"delivered thirty @+00:30:00",
	}
	if got := deliveries(t, allEvents(t, e.eng, id)[start:]); !slices.Equal(got, want) {
		t.Fatalf("caught up:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Re-armed: it goes out at 45m, not before.
	e.clock.Advance(10*time.Minute - time.Second)
	if s, _ := e.eng.Snapshot(ctx, id); len(s.Scheduled) != 1 {
		t.Fatalf("sent early: %+v", s.Scheduled)
	}
	e.clock.Advance(time.Second)
	if s, _ := e.eng.Snapshot(ctx, id); len(s.Scheduled) != 0 || !slices.Contains(delivered(t, allEvents(t, e.eng, id)), "later") {
		t.Fatalf("at 45m: scheduled %+v", s.Scheduled)
	}
	// And a second restart replays all of it without a difference.
	e.restart()
	if _, err := e.eng.Snapshot(ctx, id); err != nil {
		t.Fatal(err)
	}
}

// TestScheduleInjectRefusals: what cannot be scheduled writes nothing.
func TestScheduleInjectRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	ex, err := e.eng.Create(ctx, engine.CreateInput{File: "schedule.yaml", Source: readFile(t, "testdata/schedule.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	id := ex.ID
	if _, err := e.eng.ScheduleInject(ctx, id, engine.ScheduleInput{At: time.Minute, Inject: adhoc("x")}); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("in the lobby = %v, want ErrConflict", err)
	}
	if err := e.eng.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	bad := adhoc("x")
	bad.Channel = "pigeon"
	for _, c := range []struct {
		name string
		in   engine.ScheduleInput
		want error
	}{
		{"neither time", engine.ScheduleInput{Inject: adhoc("x")}, engine.ErrInvalid},
		{"both times", engine.ScheduleInput{At: 5 * time.Minute, In: time.Minute, Inject: adhoc("x")}, engine.ErrInvalid},
		{"passed", engine.ScheduleInput{At: time.Minute, Inject: adhoc("x")}, engine.ErrInvalid},
		{"now", engine.ScheduleInput{At: 2 * time.Minute, Inject: adhoc("x")}, engine.ErrInvalid},
		{"too far", engine.ScheduleInput{At: 2*time.Minute + engine.MaxScheduleAhead + 1, Inject: adhoc("x")}, engine.ErrInvalid},
		{"too far ahead", engine.ScheduleInput{In: engine.MaxScheduleAhead + 1, Inject: adhoc("x")}, engine.ErrInvalid},
		{"negative delay", engine.ScheduleInput{In: -time.Minute, Inject: adhoc("x")}, engine.ErrInvalid},
		{"bad channel", engine.ScheduleInput{In: time.Minute, Inject: bad}, engine.ErrInvalid},
		{"unknown team", engine.ScheduleInput{In: time.Minute, Inject: adhoc("x", "green")}, engine.ErrNotFound},
	} {
		before := lastSeq(t, e, id)
		if _, err := e.eng.ScheduleInject(ctx, id, c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if lastSeq(t, e, id) != before {
			t.Errorf("%s: a refused schedule wrote to the log", c.name)
		}
	}
	// "In" counts from the exercise clock; a repeated client id schedules
	// once and answers with the first schedule.
	in := adhoc("again")
	in.ClientID = "k-1"
	first, err := e.eng.ScheduleInject(ctx, id, engine.ScheduleInput{In: 3 * time.Minute, Inject: in})
	if err != nil || first.At != 5*time.Minute {
		t.Fatalf("schedule in 3m = %+v, %v; want at 05:00", first, err)
	}
	before := lastSeq(t, e, id)
	again, err := e.eng.ScheduleInject(ctx, id, engine.ScheduleInput{In: 3 * time.Minute, Inject: in})
	if err != nil || !reflect.DeepEqual(again, first) || lastSeq(t, e, id) != before {
		t.Fatalf("repeat = %+v, %v (wrote %d events); want %+v", again, err, lastSeq(t, e, id)-before, first)
	}
	// Even once its time has passed (it was sent meanwhile).
	e.clock.Advance(4 * time.Minute)
	if _, err := e.eng.Snapshot(ctx, id); err != nil {
		t.Fatal(err)
	}
	before = lastSeq(t, e, id)
	again, err = e.eng.ScheduleInject(ctx, id, engine.ScheduleInput{At: 5 * time.Minute, Inject: in})
	if err != nil || !reflect.DeepEqual(again, first) || lastSeq(t, e, id) != before {
		t.Fatalf("repeat after its time = %+v, %v (wrote %d events); want %+v", again, err, lastSeq(t, e, id)-before, first)
	}
	for range engine.MaxScheduled { // the first was sent: none waits
		if _, err := e.eng.ScheduleInject(ctx, id, engine.ScheduleInput{In: time.Hour, Inject: adhoc("many")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.eng.ScheduleInject(ctx, id, engine.ScheduleInput{In: time.Hour, Inject: adhoc("one-more")}); !errors.Is(err, engine.ErrInvalid) {
		t.Fatalf("schedule %d = %v, want ErrInvalid", engine.MaxScheduled+1, err)
	}
	if err := e.eng.End(ctx, id, ""); err != nil {
		t.Fatal(err)
	}
	s, err := e.eng.Snapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Scheduled) != 0 {
		t.Fatalf("an ended exercise lists %d scheduled injects", len(s.Scheduled))
	}
	if _, err := e.eng.ScheduleInject(ctx, id, engine.ScheduleInput{In: time.Minute, Inject: adhoc("x")}); !errors.Is(err, engine.ErrEnded) {
		t.Fatalf("after the end = %v, want ErrEnded", err)
	}
}

// TestScheduledInjectMovesWithTheArchive: an exported exercise carries its
// schedules (in the log): the import, paused, lists the cancelled one no
// more and the pending one still, and sends it at its time once resumed.
func TestScheduledInjectMovesWithTheArchive(t *testing.T) {
	src := newEnv(t)
	ctx := ctxT(t)
	id := scheduleDrill(t, src)
	schedule(t, src, id, 3*time.Minute, adhoc("sent"))
	c := schedule(t, src, id, 4*time.Minute, adhoc("dropped"))
	schedule(t, src, id, 20*time.Minute, adhoc("pending", "red"))
	if err := src.eng.CancelScheduledInject(ctx, id, c.ID); err != nil {
		t.Fatal(err)
	}
	src.clock.Advance(5 * time.Minute)
	if _, err := src.eng.Snapshot(ctx, id); err != nil {
		t.Fatal(err)
	}
	a, _ := exportToFile(t, src, id)
	dst := newEnv(t)
	dst.clock.Set(src.clock.Now())
	if _, err := engine.Import(ctx, dst.st, a, dst.clock.Now()); err != nil {
		t.Fatal(err)
	}
	s, err := dst.eng.Snapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != "paused" || len(s.Scheduled) != 1 || s.Scheduled[0].Inject.ID != "pending" || s.Scheduled[0].At != 20*time.Minute {
		t.Fatalf("imported: %s, scheduled %+v", s.Status, s.Scheduled)
	}
	if err := dst.eng.Resume(ctx, id); err != nil {
		t.Fatal(err)
	}
	// The import paused at the log's last exercise time, 3:00 (the send).
	dst.clock.Advance(17 * time.Minute)
	if _, err := dst.eng.Snapshot(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got := delivered(t, allEvents(t, dst.eng, id)); !slices.Equal(got, []string{"sent", "ten", "pending"}) {
		t.Fatalf("delivered after the import: %v", got)
	}
}
