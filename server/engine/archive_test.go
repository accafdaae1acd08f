package engine_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/store"
)

const secretTokenHash = "f00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeed"

// playExample creates an exercise from scenarios/example.yaml and drives
// it on the fake clock: participants join (one leaves, handing over the
// lead), the clock runs at two speeds with a pause, leads answer each
// decision with text that needs escaping in JSON and HTML, and an
// observer writes a note. With untilEnd it plays until the exercise
// ends; otherwise it stops after steps clock moves, still running.
func playExample(t *testing.T, e *env, untilEnd bool, steps int) string {
	t.Helper()
	ctx := ctxT(t)
	src := readFile(t, "../../scenarios/example.yaml")
	sc, err := scenario.Parse("example.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := e.eng.Create(ctx, engine.CreateInput{File: "example.yaml", Source: src, Params: map[string]string{"company": "Globex <&> \"Ltd\""}})
	if err != nil {
		t.Fatal(err)
	}
	lead := map[string]string{}
	for i, tm := range sc.Teams {
		if i == 0 {
			// A first member who leaves: the lead passes to the second.
			p, err := e.eng.Join(ctx, ex.ID, engine.JoinInput{Team: tm.ID, Name: "Leaver", TokenHash: secretTokenHash})
			if err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Second)
			q, err := e.eng.Join(ctx, ex.ID, engine.JoinInput{Team: tm.ID, Name: "Stayer ✓"})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.eng.Leave(ctx, ex.ID, p.ID); err != nil {
				t.Fatal(err)
			}
			lead[tm.ID] = q.ID
			continue
		}
		e.clock.Advance(time.Second)
		p, err := e.eng.Join(ctx, ex.ID, engine.JoinInput{Team: tm.ID, Name: "Lead of " + tm.ID})
		if err != nil {
			t.Fatal(err)
		}
		lead[tm.ID] = p.ID
	}
	if err := e.eng.Start(ctx, ex.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.eng.AddNote(ctx, ex.ID, engine.NoteInput{Author: "Obs", Text: "Team <script>alert('x')</script> & \"quotes\""}); err != nil {
		t.Fatal(err)
	}
	answered := map[string]bool{}
	n := 0
	for step := 0; ; step++ {
		if step > 10000 {
			t.Fatal("exercise does not finish")
		}
		snap, err := e.eng.Snapshot(ctx, ex.ID)
		if err != nil {
			t.Fatal(err)
		}
		if snap.Status == store.StatusEnded || (!untilEnd && step >= steps) {
			break
		}
		acted := false
		for _, d := range snap.Decisions {
			key := fmt.Sprintf("%s@%d", d.ID, d.OpenedAt)
			if answered[key] {
				continue
			}
			answered[key], acted = true, true
			dc := sc.Decision(d.ID)
			in := engine.AnswerInput{ClientID: fmt.Sprintf("c-%d", n), Decision: d.ID, Confidence: 3,
				Rationale: "because <it> & \"that\" — ok"}
			n++
			if len(dc.Options) > 0 {
				in.Option = dc.Options[0].ID
			} else {
				in.Text = "noted"
			}
			if d.Team == scenario.FacilitatorTeam {
				_, err = e.eng.FacilitatorAnswer(ctx, ex.ID, in)
			} else {
				_, err = e.eng.Answer(ctx, ex.ID, lead[d.Team], in)
			}
			if err != nil && !errors.Is(err, engine.ErrDecisionClosed) {
				t.Fatalf("answer %s: %v", d.ID, err)
			}
			break
		}
		if acted {
			continue
		}
		switch step {
		case 1:
			if err := e.eng.SetSpeed(ctx, ex.ID, 2); err != nil {
				t.Fatal(err)
			}
		case 2:
			if err := e.eng.Pause(ctx, ex.ID); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Minute)
			if err := e.eng.Resume(ctx, ex.ID); err != nil {
				t.Fatal(err)
			}
		}
		due, ok := e.clock.NextDue()
		if !ok || due.Sub(t0) > sim.Horizon(sc) {
			if untilEnd {
				if err := e.eng.End(ctx, ex.ID, "time is up"); err != nil {
					t.Fatal(err)
				}
				continue
			}
			break
		}
		e.clock.Set(due)
	}
	return ex.ID
}

// exportToFile exports an exercise through a real file and reads it back.
func exportToFile(t *testing.T, e *env, id string) (*engine.Archive, []byte) {
	t.Helper()
	a, err := engine.Export(ctxT(t), e.st, id, e.clock.Now(), "ttx test")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "exercise.json")
	var buf bytes.Buffer
	if err := engine.EncodeArchive(&buf, a); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	back, err := engine.DecodeArchive(f)
	if err != nil {
		t.Fatal(err)
	}
	return back, buf.Bytes()
}

// importEncoded encodes an archive and imports what decoding gives back,
// as an operator would feed a file, into a fresh database.
func importEncoded(t *testing.T, a *engine.Archive) (*env, engine.ImportResult, error) {
	t.Helper()
	var buf bytes.Buffer
	if err := engine.EncodeArchive(&buf, a); err != nil {
		t.Fatal(err)
	}
	back, err := engine.DecodeArchive(&buf)
	if err != nil {
		t.Fatal(err)
	}
	dst := newEnv(t)
	res, err := engine.Import(ctxT(t), dst.st, back, dst.clock.Now())
	return dst, res, err
}

func dump(t *testing.T, st *store.Store, id string) store.ExerciseDump {
	t.Helper()
	d, err := st.DumpExercise(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sameEvent compares two logged events byte for byte.
func sameEvent(a, b engine.Event) error {
	switch {
	case a.Seq != b.Seq, a.Kind != b.Kind:
		return fmt.Errorf("seq/kind %d %s vs %d %s", a.Seq, a.Kind, b.Seq, b.Kind)
	case !a.WallTime.Equal(b.WallTime) || a.WallTime.UnixNano() != b.WallTime.UnixNano():
		return fmt.Errorf("wall time %s vs %s", a.WallTime, b.WallTime)
	case a.ExerciseTime != b.ExerciseTime:
		return fmt.Errorf("exercise time %s vs %s", a.ExerciseTime, b.ExerciseTime)
	case !bytes.Equal(a.Payload, b.Payload):
		return fmt.Errorf("payload\n %s\n %s", a.Payload, b.Payload)
	case strings.Join(a.Audience, ",") != strings.Join(b.Audience, ",") || len(a.Audience) != len(b.Audience):
		return fmt.Errorf("audience %q vs %q", a.Audience, b.Audience)
	case a.ClientID != b.ClientID:
		return fmt.Errorf("client id %q vs %q", a.ClientID, b.ClientID)
	}
	return nil
}

func snapshotJSON(t *testing.T, e *env, id string) string {
	t.Helper()
	s, err := e.eng.Snapshot(ctxT(t), id)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestArchiveRoundTripEnded(t *testing.T) {
	src := newEnv(t)
	id := playExample(t, src, true, 0)
	a, raw := exportToFile(t, src, id)

	if bytes.Contains(raw, []byte(secretTokenHash)) || bytes.Contains(raw, []byte("token")) {
		t.Fatal("the archive carries a participant token hash")
	}
	if want := src.clock.Now(); a.Exercise.Status != store.StatusEnded {
		t.Fatalf("exported status %q at %s, want ended", a.Exercise.Status, want)
	}
	for _, ev := range dump(t, src.st, id).Events {
		if !bytes.Contains(raw, ev.Payload) {
			t.Fatalf("event %d: the file does not hold its stored payload byte for byte: %s", ev.Seq, ev.Payload)
		}
	}

	dst := newEnv(t)
	res, err := engine.Import(ctxT(t), dst.st, a, dst.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if res.Paused || res.Exercise.Status != store.StatusEnded || res.Exercise.ID != id {
		t.Fatalf("import result %+v", res)
	}

	da, db := dump(t, src.st, id), dump(t, dst.st, id)
	if len(da.Events) != len(db.Events) || res.Events != len(da.Events) {
		t.Fatalf("%d events exported, %d imported (result says %d)", len(da.Events), len(db.Events), res.Events)
	}
	for i := range da.Events {
		if err := sameEvent(da.Events[i], db.Events[i]); err != nil {
			t.Fatalf("event %d differs after import: %v", i+1, err)
		}
	}
	if !bytes.Equal(da.Scenario.Source, db.Scenario.Source) || da.Scenario.SHA256 != db.Scenario.SHA256 {
		t.Fatal("scenario source changed in the round trip")
	}
	for _, p := range db.Participants {
		if p.TokenHash != "" {
			t.Fatalf("imported participant %s has a token hash", p.ID)
		}
	}
	if ex, _ := dst.st.Exercise(ctxT(t), id); ex.Params["company"] != "Globex <&> \"Ltd\"" || !ex.EndedAt.Equal(da.Exercise.EndedAt) {
		t.Fatalf("imported exercise row %+v", ex)
	}
	t.Logf("%d events, %d participants, archive %d bytes", len(da.Events), len(da.Participants), len(raw))

	// The engine opens the imported exercise and agrees with the original.
	if got, want := snapshotJSON(t, dst, id), snapshotJSON(t, src, id); got != want {
		t.Fatalf("snapshots differ:\nimported %s\noriginal %s", got, want)
	}
	// Ended is read-only, apart from debrief notes.
	if err := dst.eng.Start(ctxT(t), id); !errors.Is(err, engine.ErrEnded) {
		t.Fatalf("start of an imported ended exercise: %v, want ErrEnded", err)
	}
	if _, err := dst.eng.AddNote(ctxT(t), id, engine.NoteInput{Author: "Debrief", Text: "after import"}); err != nil {
		t.Fatalf("debrief note: %v", err)
	}

	// Exporting the import again gives the same archive.
	again, err := engine.Export(ctxT(t), dst.st, id, src.clock.Now(), "ttx test")
	if err != nil {
		t.Fatal(err)
	}
	again.Events = again.Events[:len(again.Events)-1] // the debrief note
	var b1, b2 bytes.Buffer
	if err := engine.EncodeArchive(&b1, a); err != nil {
		t.Fatal(err)
	}
	if err := engine.EncodeArchive(&b2, again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
		t.Fatal("re-exporting an imported exercise gives a different archive")
	}

	// A second import of the same archive is refused, not renamed.
	if _, err := engine.Import(ctxT(t), dst.st, a, dst.clock.Now()); !errors.Is(err, engine.ErrConflict) || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second import: %v, want ErrConflict naming the existing exercise", err)
	}
}

func TestArchiveRoundTripRunningImportsPaused(t *testing.T) {
	src := newEnv(t)
	id := playExample(t, src, false, 4)
	if s, _ := src.eng.Get(ctxT(t), id); s.Status != store.StatusRunning {
		t.Fatalf("exercise is %s, want running at export", s.Status)
	}
	a, _ := exportToFile(t, src, id)

	dst := newEnv(t)
	dst.clock.Set(src.clock.Now())
	res, err := engine.Import(ctxT(t), dst.st, a, dst.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Paused || res.Exercise.Status != store.StatusPaused {
		t.Fatalf("import result %+v, want paused", res)
	}
	// Pause the original at the same moment: both logs then end with a
	// pause at the exercise time where the log stood.
	if err := src.eng.Pause(ctxT(t), id); err != nil {
		t.Fatal(err)
	}
	da, db := dump(t, src.st, id), dump(t, dst.st, id)
	if len(da.Events) != len(db.Events) {
		t.Fatalf("original has %d events after pausing, import %d", len(da.Events), len(db.Events))
	}
	n := len(da.Events)
	for i := 0; i < n-1; i++ {
		if err := sameEvent(da.Events[i], db.Events[i]); err != nil {
			t.Fatalf("event %d differs after import: %v", i+1, err)
		}
	}
	pa, pb := da.Events[n-1], db.Events[n-1]
	if pb.Kind != engine.KindPaused || string(pb.Payload) != `{"reason":"imported"}` || pb.ExerciseTime != pa.ExerciseTime ||
		!pb.WallTime.Equal(pa.WallTime) || pa.Kind != engine.KindPaused {
		t.Fatalf("import's pause %+v, original's %+v", pb, pa)
	}
	if got, want := snapshotJSON(t, dst, id), snapshotJSON(t, src, id); got != want {
		t.Fatalf("snapshots differ:\nimported %s\noriginal %s", got, want)
	}

	// The imported exercise resumes and runs on: the next scheduled item
	// fires in both, with the same events.
	for _, e := range []*env{src, dst} {
		if err := e.eng.Resume(ctxT(t), id); err != nil {
			t.Fatal(err)
		}
		due, ok := e.clock.NextDue()
		if !ok {
			t.Fatal("nothing scheduled after resume")
		}
		e.clock.Set(due)
		// The timer only wakes the exercise loop; a command through the
		// loop catches up first, so the due events are committed after it.
		if _, err := e.eng.Snapshot(ctxT(t), id); err != nil {
			t.Fatal(err)
		}
	}
	ea, eb := allEvents(t, src.eng, id), allEvents(t, dst.eng, id)
	if len(ea) != len(eb) || len(ea) <= n+1 {
		t.Fatalf("after resume: original %d events, import %d (paused at %d)", len(ea), len(eb), n)
	}
	for i := n; i < len(ea); i++ {
		if err := sameEvent(ea[i], eb[i]); err != nil {
			t.Fatalf("event %d after resume differs: %v", i+1, err)
		}
	}
}

// TestArchiveTampered checks that an altered or damaged archive is refused
// with an error naming the problem, and leaves the database untouched.
func TestArchiveTampered(t *testing.T) {
	src := newEnv(t)
	id := playExample(t, src, true, 0)
	_, raw := exportToFile(t, src, id)

	fresh := func(t *testing.T) *engine.Archive {
		t.Helper()
		a, err := engine.DecodeArchive(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	indexOf := func(a *engine.Archive, kind string) int {
		for i, ev := range a.Events {
			if ev.Kind == kind {
				return i
			}
		}
		t.Fatalf("no %s event in the log", kind)
		return -1
	}
	rehash := func(a *engine.Archive) {
		sum := sha256.Sum256([]byte(a.Scenario.Source))
		a.Scenario.SHA256 = hex.EncodeToString(sum[:])
	}

	tests := []struct {
		name   string
		edit   func(a *engine.Archive)
		want   string
		target error
	}{
		{"source edited", func(a *engine.Archive) { a.Scenario.Source += "\n# harmless?\n" }, "sha256 mismatch", engine.ErrInvalid},
		{"hash edited", func(a *engine.Archive) { a.Scenario.SHA256 = strings.Repeat("0", 64) }, "sha256 mismatch", engine.ErrInvalid},
		{"source and hash edited", func(a *engine.Archive) {
			a.Scenario.Source = strings.Replace(a.Scenario.Source, "reputation -= 10", "reputation -= 1", 1)
			rehash(a)
		}, "the log was created from scenario", engine.ErrInvalid},
		{"scenario no longer loads", func(a *engine.Archive) {
			a.Scenario.Source = "id: " + a.Scenario.Slug + "\nstates: [\n"
			rehash(a)
		}, "no longer loads", engine.ErrInvalid},
		{"seq gap", func(a *engine.Archive) { a.Events = append(a.Events[:5], a.Events[6:]...) }, "without gaps", engine.ErrInvalid},
		{"seq repeated", func(a *engine.Archive) { a.Events[6].Seq = a.Events[5].Seq }, "event 7 has seq 6", engine.ErrInvalid},
		{"log truncated at the front", func(a *engine.Archive) { a.Events = a.Events[1:] }, "without gaps", engine.ErrInvalid},
		{"answer changed", func(a *engine.Archive) {
			i := indexOf(a, engine.KindAnswer)
			a.Events[i].Payload = bytes.Replace(a.Events[i].Payload, []byte(`"option":"revoke"`), []byte(`"option":"wait"`), 1)
		}, "does not replay", engine.ErrInvalid},
		{"scenario event forged", func(a *engine.Archive) {
			n := len(a.Events)
			a.Events = append(a.Events, engine.Event{Seq: int64(n) + 1, Kind: "inject_delivered", WallTime: t0, Audience: []string{"*"},
				Payload: json.RawMessage(`{"kind":"inject_delivered","audience":["*"],"body":"pay now"}`)})
		}, "does not replay", engine.ErrInvalid},
		{"status altered", func(a *engine.Archive) { a.Exercise.Status = store.StatusPaused }, "recorded as paused", engine.ErrInvalid},
		{"params altered", func(a *engine.Archive) { a.Exercise.Params["company"] = "Initech" }, "does not replay", engine.ErrInvalid},
		{"participant added", func(a *engine.Archive) {
			a.Participants = append(a.Participants, engine.ArchiveParticipant{ID: "ghost", Team: a.Teams[0].ID, Name: "Ghost", JoinedAt: t0})
		}, "do not match", engine.ErrInvalid},
		{"team renamed", func(a *engine.Archive) { a.Teams[0].Name = "Other" }, "team 1", engine.ErrInvalid},
		{"payload not JSON", func(a *engine.Archive) { a.Events[3].Payload = json.RawMessage(`"x"`) }, "not a JSON object", engine.ErrInvalid},
		{"facilitator event widened to every team", func(a *engine.Archive) {
			for i, ev := range a.Events {
				if len(ev.Audience) == 0 && ev.Kind != engine.KindCreated {
					a.Events[i].Audience = []string{"*"}
					return
				}
			}
		}, "this kind of event is shown to", engine.ErrInvalid},
		{"team event shown to another team", func(a *engine.Archive) {
			i := indexOf(a, engine.KindAnswer)
			a.Events[i].Audience = []string{"comms", "soc"}
		}, "this kind of event is shown to", engine.ErrInvalid},
		{"scenario event audience widened", func(a *engine.Archive) {
			i := indexOf(a, "inject_delivered")
			for j := i; j < len(a.Events); j++ {
				if a.Events[j].Kind == "inject_delivered" && len(a.Events[j].Audience) == 1 && a.Events[j].Audience[0] != "*" {
					a.Events[j].Audience = []string{"*"}
					return
				}
			}
			t.Fatal("no team-only inject in the log")
		}, "this kind of event is shown to", engine.ErrInvalid},
		{"bad exercise id", func(a *engine.Archive) { a.Exercise.ID = "../etc" }, "exercise id", engine.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := fresh(t)
			tc.edit(a)
			dst, _, err := importEncoded(t, a)
			if err == nil || !errors.Is(err, tc.target) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("import: %v; want %v mentioning %q", err, tc.target, tc.want)
			}
			t.Logf("refused: %v", err)
			if _, err := dst.st.Exercise(ctxT(t), a.Exercise.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a refused import left the exercise behind: %v", err)
			}
		})
	}
}

func TestArchiveDecodeRefuses(t *testing.T) {
	src := newEnv(t)
	id := playExample(t, src, true, 0)
	_, raw := exportToFile(t, src, id)

	var asMap map[string]any
	if err := json.Unmarshal(raw, &asMap); err != nil {
		t.Fatal(err)
	}
	with := func(k string, v any) []byte {
		m := map[string]any{}
		for kk, vv := range asMap {
			m[kk] = vv
		}
		m[k] = v
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// A valid archive padded with whitespace to one byte over the limit:
	// refused for its size alone, before any parsing.
	oversized := append(bytes.TrimRight(raw, "\n"), bytes.Repeat([]byte(" "), engine.MaxArchiveSize-len(raw)+2)...)
	if len(oversized) != engine.MaxArchiveSize+1 {
		t.Fatalf("test bug: %d bytes", len(oversized))
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"over 64 MiB", oversized, "larger than the 64 MiB limit"},
		{"newer version", with("version", 2), "version 2"},
		{"other format", with("format", "something-else"), "not a ttx exercise archive"},
		{"unknown field", with("token_hashes", []string{"x"}), "unknown field"},
		{"trailing data", append(append([]byte{}, raw...), []byte(`{"more":1}`)...), "after the JSON object"},
		{"not JSON", []byte("id: scenario\n"), "not a ttx exercise archive"},
		{"empty", nil, "not a ttx exercise archive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := engine.DecodeArchive(bytes.NewReader(tc.data))
			if err == nil || !errors.Is(err, engine.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("decode: %v; want ErrInvalid mentioning %q", err, tc.want)
			}
		})
	}
	// A stream whose size is unknown is cut off after the limit too.
	t.Run("over 64 MiB streamed", func(t *testing.T) {
		body := bytes.TrimRight(raw, "\n")
		stream := io.MultiReader(bytes.NewReader(body), io.LimitReader(spaces{}, int64(engine.MaxArchiveSize+1-len(body))))
		_, err := engine.DecodeArchive(stream)
		if !errors.Is(err, engine.ErrInvalid) || !strings.Contains(err.Error(), "larger than the 64 MiB limit") {
			t.Fatalf("decode: %v", err)
		}
	})
	// So is a file, by its size, before reading it.
	t.Run("over 64 MiB file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "big.json")
		// Sparse: the size is over the limit without writing 64 MiB.
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, engine.MaxArchiveSize+1); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		_, err = engine.DecodeArchive(f)
		if !errors.Is(err, engine.ErrInvalid) || !strings.Contains(err.Error(), "larger than the 64 MiB limit") {
			t.Fatalf("decode: %v", err)
		}
	})
}

// spaces is an endless stream of JSON whitespace.
type spaces struct{}

var spaceBlock = bytes.Repeat([]byte(" "), 1<<20) // read-only

func (spaces) Read(p []byte) (int, error) { return copy(p, spaceBlock), nil }

// TestArchiveParticipantCollision imports an archive whose exercise id is
// new but whose participants exist already: the store refuses it and
// rolls back everything, including the exercise row.
func TestArchiveParticipantCollision(t *testing.T) {
	src := newEnv(t)
	id := playExample(t, src, true, 0)
	a, _ := exportToFile(t, src, id)
	a.Exercise.ID = "renamed"
	_, err := engine.Import(ctxT(t), src.st, a, src.clock.Now())
	if !errors.Is(err, engine.ErrConflict) || !strings.Contains(err.Error(), "participant") {
		t.Fatalf("import: %v, want ErrConflict about a participant", err)
	}
	if _, err := src.st.Exercise(ctxT(t), "renamed"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the exercise row survived the rollback: %v", err)
	}
}

// TestArchiveLobbyAndPausedKeepStatus imports exercises that are in the
// lobby and paused: they keep their status and log, with nothing added,
// and the imported copy can be driven on.
func TestArchiveLobbyAndPausedKeepStatus(t *testing.T) {
	src := newEnv(t)
	ctx := ctxT(t)
	source := readFile(t, "../../scenarios/example.yaml")
	lobby, err := src.eng.Create(ctx, engine.CreateInput{Source: source})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.eng.Join(ctx, lobby.ID, engine.JoinInput{Team: "soc", Name: "Sam"}); err != nil {
		t.Fatal(err)
	}
	paused, err := src.eng.Create(ctx, engine.CreateInput{Source: source})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.eng.Start(ctx, paused.ID); err != nil {
		t.Fatal(err)
	}
	src.clock.Advance(90 * time.Second)
	if err := src.eng.Pause(ctx, paused.ID); err != nil {
		t.Fatal(err)
	}

	dst := newEnv(t)
	for id, status := range map[string]string{lobby.ID: store.StatusLobby, paused.ID: store.StatusPaused} {
		a, _ := exportToFile(t, src, id)
		res, err := engine.Import(ctx, dst.st, a, dst.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if res.Paused || res.Exercise.Status != status || res.Events != len(a.Events) {
			t.Fatalf("%s: import result %+v, want %s with %d events", status, res, status, len(a.Events))
		}
		if got, want := snapshotJSON(t, dst, id), snapshotJSON(t, src, id); got != want {
			t.Fatalf("%s: snapshots differ:\nimported %s\noriginal %s", status, got, want)
		}
	}
	if err := dst.eng.Start(ctx, lobby.ID); err != nil {
		t.Fatalf("start the imported lobby exercise: %v", err)
	}
	if err := dst.eng.Resume(ctx, paused.ID); err != nil {
		t.Fatalf("resume the imported paused exercise: %v", err)
	}
}
