package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/store"
)

// The exercise archive: one JSON file holding an exercise, the exact
// scenario source it runs, its teams and participants and its whole event
// log, written by `ttx export` and read by `ttx import` to move an exercise
// between databases (a debrief on another machine, an archive, a bug
// report).
//
// What an import does with the exercise's status:
//   - lobby, paused: kept as is.
//   - ended: kept; the engine then refuses every command but observer
//     notes, as for any ended exercise, so the record is read-only.
//   - running: the exercise is imported paused. An exported clock has no
//     meaning on another server at another time, so the import appends one
//     exercise_paused event (payload {"reason":"imported"}) at the exercise
//     time where the log ends; the facilitator resumes from there.
//
// An import never renames anything: the exercise id, participant ids and
// client ids are inside the log, and rewriting them would make the log a
// different log. An id that already exists in the target database is
// refused (ErrConflict); import into another database, or delete the
// exercise there first. Participant tokens and join codes are not carried
// over, so participants of an imported exercise join again.
const (
	ArchiveFormat  = "ttx-exercise"
	ArchiveVersion = 1
	// MaxArchiveSize caps an archive file, so that reading one cannot
	// exhaust memory. At a few hundred bytes per event it holds logs far
	// beyond any day-long exercise.
	MaxArchiveSize = 64 << 20
	// MaxArchiveEvents caps the events of one archive (an event needs at
	// least ~80 bytes of JSON, so the size cap alone allows ~800k).
	MaxArchiveEvents = 1_000_000
	maxArchiveRows   = 10_000 // teams, participants
)

// Archive is the file format of an exported exercise (format version 1).
type Archive struct {
	Format       string               `json:"format"`  // ArchiveFormat
	Version      int                  `json:"version"` // ArchiveVersion
	ExportedAt   time.Time            `json:"exported_at"`
	Generator    string               `json:"generator,omitempty"` // the ttx build that wrote it
	Exercise     ArchiveExercise      `json:"exercise"`
	Scenario     ArchiveScenario      `json:"scenario"`
	Teams        []ArchiveTeam        `json:"teams"`
	Participants []ArchiveParticipant `json:"participants"`
	Events       []Event              `json:"events"` // the whole log, seq 1..n, payloads byte-exact
}

// ArchiveExercise is the exercise row, without its join code.
type ArchiveExercise struct {
	ID        string            `json:"id"`
	Title     string            `json:"title"`
	Params    map[string]string `json:"params"`
	Status    string            `json:"status"`
	Outcome   string            `json:"outcome,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	StartedAt time.Time         `json:"started_at,omitzero"`
	EndedAt   time.Time         `json:"ended_at,omitzero"`
}

// ArchiveScenario is the scenario exactly as the exercise was created from
// it; SHA256 is the hex digest of Source's bytes.
type ArchiveScenario struct {
	Slug     string    `json:"slug"`
	Title    string    `json:"title"`
	SHA256   string    `json:"sha256"`
	LoadedAt time.Time `json:"loaded_at"`
	Source   string    `json:"source"`
}

// ArchiveTeam is a team of the exercise, in scenario order.
type ArchiveTeam struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ArchiveParticipant is a participant without any credential.
type ArchiveParticipant struct {
	ID       string    `json:"id"`
	Team     string    `json:"team"`
	Name     string    `json:"name"`
	Lead     bool      `json:"lead,omitempty"`
	JoinedAt time.Time `json:"joined_at"`
	LeftAt   time.Time `json:"left_at,omitzero"`
}

// Dumper reads an exercise whole; *store.Store implements it.
type Dumper interface {
	DumpExercise(ctx context.Context, id string) (store.ExerciseDump, error)
}

// Restorer writes an exercise whole, in one transaction; *store.Store
// implements it.
type Restorer interface {
	RestoreExercise(ctx context.Context, d store.ExerciseDump) (store.Exercise, error)
}

// Export reads an exercise into an archive. It only reads, so it is safe
// on the database of a running server; the log it takes ends at a commit
// boundary. generator names the build writing it.
func Export(ctx context.Context, st Dumper, id string, now time.Time, generator string) (*Archive, error) {
	if !validID(id) {
		return nil, fmt.Errorf("engine: export: exercise %q: %w", id, ErrNotFound)
	}
	d, err := st.DumpExercise(ctx, id)
	if err != nil {
		return nil, storeError("export "+id, err)
	}
	if !utf8.Valid(d.Scenario.Source) {
		// A JSON string cannot carry other bytes exactly; the loader only
		// accepts UTF-8, so this is a damaged row.
		return nil, fmt.Errorf("engine: export %s: the stored scenario source is not UTF-8", id)
	}
	a := &Archive{
		Format: ArchiveFormat, Version: ArchiveVersion, ExportedAt: now.UTC(), Generator: generator,
		Exercise: ArchiveExercise{ID: d.Exercise.ID, Title: d.Exercise.Title, Params: d.Exercise.Params,
			Status: d.Exercise.Status, Outcome: d.Exercise.Outcome, CreatedAt: d.Exercise.CreatedAt,
			StartedAt: d.Exercise.StartedAt, EndedAt: d.Exercise.EndedAt},
		Scenario: ArchiveScenario{Slug: d.Scenario.Slug, Title: d.Scenario.Title, SHA256: d.Scenario.SHA256,
			LoadedAt: d.Scenario.LoadedAt, Source: string(d.Scenario.Source)},
		Teams:        make([]ArchiveTeam, 0, len(d.Teams)),
		Participants: make([]ArchiveParticipant, 0, len(d.Participants)),
		Events:       d.Events,
	}
	for _, t := range d.Teams {
		a.Teams = append(a.Teams, ArchiveTeam{ID: t.ID, Name: t.Name})
	}
	for _, p := range d.Participants {
		a.Participants = append(a.Participants, ArchiveParticipant{ID: p.ID, Team: p.TeamID, Name: p.Name,
			Lead: p.Lead, JoinedAt: p.JoinedAt, LeftAt: p.LeftAt})
	}
	return a, nil
}

// EncodeArchive writes a as one line of compact JSON. Event payloads are
// written byte for byte (no HTML escaping, no re-indenting), so an import
// stores exactly the bytes the log held. An archive over MaxArchiveSize is
// refused, since no import could read it.
func EncodeArchive(w io.Writer, a *Archive) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a); err != nil {
		return fmt.Errorf("engine: encode archive: %w", err)
	}
	if buf.Len() > MaxArchiveSize {
		return fmt.Errorf("engine: encode archive: %d bytes is over the %d MiB import limit", buf.Len(), MaxArchiveSize>>20)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("engine: write archive: %w", err)
	}
	return nil
}

// DecodeArchive reads an archive, refusing one over MaxArchiveSize, of
// another format or a newer version, with unknown fields, or with
// trailing data. It checks the file's shape only; Import checks meaning.
func DecodeArchive(r io.Reader) (*Archive, error) {
	// Refuse at once what is known to be too large: a file (by its size)
	// or an in-memory reader (by what is left in it).
	switch s := r.(type) {
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := s.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > MaxArchiveSize {
			return nil, fmt.Errorf("%w: archive is larger than the %d MiB limit (%d bytes)", ErrInvalid, MaxArchiveSize>>20, fi.Size())
		}
	case interface{ Len() int }:
		if s.Len() > MaxArchiveSize {
			return nil, fmt.Errorf("%w: archive is larger than the %d MiB limit (%d bytes)", ErrInvalid, MaxArchiveSize>>20, s.Len())
		}
	}
	data, err := readCapped(r, MaxArchiveSize+1)
	if err != nil {
		return nil, fmt.Errorf("engine: read archive: %w", err)
	}
	if len(data) > MaxArchiveSize {
		return nil, fmt.Errorf("%w: archive is larger than the %d MiB limit", ErrInvalid, MaxArchiveSize>>20)
	}
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	// Only the first value: a shape error later in the file is reported
	// by the strict decode below, after the version check.
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&head); err != nil {
		return nil, fmt.Errorf("%w: not a ttx exercise archive: %v", ErrInvalid, err)
	}
	if head.Format != ArchiveFormat {
		return nil, fmt.Errorf("%w: not a ttx exercise archive (format %q, want %q)", ErrInvalid, clip(head.Format), ArchiveFormat)
	}
	if head.Version != ArchiveVersion {
		return nil, fmt.Errorf("%w: archive format version %d; this ttx reads version %d", ErrInvalid, head.Version, ArchiveVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var a Archive
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("%w: archive: %v", ErrInvalid, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: archive: unexpected data after the JSON object", ErrInvalid)
	}
	return &a, nil
}

// readCapped reads r to its end or to limit bytes, whichever comes first,
// growing its buffer by doubling but never past limit (io.ReadAll would
// allocate up to twice the limit for an oversized stream).
func readCapped(r io.Reader, limit int) ([]byte, error) {
	data := make([]byte, 0, min(limit, 64<<10))
	for len(data) < limit {
		if len(data) == cap(data) {
			data = slices.Grow(data, min(cap(data), limit-len(data)))
		}
		n, err := r.Read(data[len(data):min(cap(data), limit)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return data, nil
}

// ImportResult describes an imported exercise.
type ImportResult struct {
	Exercise store.Exercise
	Events   int  // events stored, including one added on import
	Paused   bool // it was running and was imported paused
}

// Import validates an archive and stores it as a new exercise, in one
// transaction. Validation: the format; the exercise's fields; that the
// scenario source matches its sha256, still loads with this ttx, and is
// the one the log's exercise_created event names; the teams are the
// scenario's; participants are well-formed and the same set the log says
// joined; the log runs seq 1, 2, 3... from an exercise_created event; and
// replaying the log's inputs through the scenario reproduces every logged
// scenario event and the recorded status. Any failure wraps ErrInvalid and
// names what is wrong; an id already in the database wraps ErrConflict.
func Import(ctx context.Context, st Restorer, a *Archive, now time.Time) (ImportResult, error) {
	d, floor, err := checkArchive(a)
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{}
	if d.Exercise.Status == store.StatusRunning {
		res.Paused = true
		d.Exercise.Status = store.StatusPaused
		d.Events = append(d.Events, Event{Seq: int64(len(d.Events)) + 1, Kind: KindPaused, WallTime: now.UTC(),
			ExerciseTime: floor, Audience: everyone(), Payload: mustJSON(pausedPayload{Reason: "imported"})})
	}
	ex, err := st.RestoreExercise(ctx, d)
	if errors.Is(err, store.ErrDuplicate) {
		return ImportResult{}, fmt.Errorf("%w: %w", ErrConflict, err)
	}
	if err != nil {
		return ImportResult{}, fmt.Errorf("engine: import: %w", err)
	}
	res.Exercise, res.Events = ex, len(d.Events)
	return res, nil
}

// checkArchive validates a and converts it to a store dump. floor is the
// latest exercise time in the log.
func checkArchive(a *Archive) (store.ExerciseDump, time.Duration, error) {
	bad := func(format string, args ...any) (store.ExerciseDump, time.Duration, error) {
		return store.ExerciseDump{}, 0, fmt.Errorf("%w: archive: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
	if a == nil {
		return bad("empty")
	}
	if a.Format != ArchiveFormat || a.Version != ArchiveVersion {
		return bad("format %q version %d; this ttx reads %q version %d", clip(a.Format), a.Version, ArchiveFormat, ArchiveVersion)
	}
	x := a.Exercise
	if !validID(x.ID) {
		return bad("exercise id %q: want 1 to 64 of a-z, 0-9, '-', '_'", clip(x.ID))
	}
	if err := checkText("exercise title", x.Title, MaxTitleLen, true); err != nil {
		return bad("%v", err)
	}
	switch x.Status {
	case store.StatusLobby, store.StatusRunning, store.StatusPaused, store.StatusEnded:
	default:
		return bad("exercise status %q is not lobby, running, paused or ended", clip(x.Status))
	}

	// The scenario: exact bytes, hash, and it still loads.
	src := []byte(a.Scenario.Source)
	if len(src) == 0 || len(src) > MaxSourceLen {
		return bad("scenario source must be 1 to %d bytes", MaxSourceLen)
	}
	sum := sha256.Sum256(src)
	if digest := hex.EncodeToString(sum[:]); a.Scenario.SHA256 != digest {
		return bad("scenario sha256 mismatch: the file says %s, its source hashes to %s (the source or the hash was altered)", clip(a.Scenario.SHA256), digest)
	}
	sc, err := scenario.Parse(a.Scenario.Slug+".yaml", src)
	if err != nil {
		return bad("the scenario no longer loads with this version of ttx: %v", err)
	}
	if sc.ID != a.Scenario.Slug {
		return bad("scenario slug %q differs from the id %q in its source", clip(a.Scenario.Slug), sc.ID)
	}
	m, err := sim.New(sc, x.Params)
	if err != nil {
		return bad("exercise params: %v", err)
	}
	if !maps.Equal(m.Params(), x.Params) {
		return bad("exercise params do not match the scenario's parameters")
	}

	// Teams are copied from the scenario when an exercise is created.
	if len(a.Teams) != len(sc.Teams) {
		return bad("%d teams, the scenario has %d", len(a.Teams), len(sc.Teams))
	}
	teams := make([]store.Team, len(a.Teams))
	for i, t := range a.Teams {
		if t.ID != sc.Teams[i].ID || t.Name != sc.Teams[i].Name {
			return bad("team %d is %q (%q), the scenario's is %q (%q)", i+1, clip(t.ID), clip(t.Name), sc.Teams[i].ID, sc.Teams[i].Name)
		}
		teams[i] = store.Team{ID: t.ID, Name: t.Name}
	}

	if len(a.Participants) > maxArchiveRows {
		return bad("more than %d participants", maxArchiveRows)
	}
	parts := make([]store.Participant, len(a.Participants))
	seen := map[string]bool{}
	for i, p := range a.Participants {
		if !validID(p.ID) || seen[p.ID] {
			return bad("participant %d: id %q is invalid or repeated", i+1, clip(p.ID))
		}
		seen[p.ID] = true
		if p.Team == scenario.FacilitatorTeam || sc.Team(p.Team) == nil {
			return bad("participant %s: unknown team %q", p.ID, clip(p.Team))
		}
		if err := checkText("participant name", p.Name, MaxNameLen, true); err != nil {
			return bad("participant %s: %v", p.ID, err)
		}
		if p.JoinedAt.IsZero() {
			return bad("participant %s: no join time", p.ID)
		}
		parts[i] = store.Participant{ID: p.ID, ExerciseID: x.ID, TeamID: p.Team, Name: p.Name, Lead: p.Lead,
			JoinedAt: p.JoinedAt, LeftAt: p.LeftAt}
	}

	// The log.
	if len(a.Events) == 0 {
		return bad("the event log is empty")
	}
	if len(a.Events) > MaxArchiveEvents {
		return bad("more than %d events", MaxArchiveEvents)
	}
	joined := map[string]bool{}
	for i, ev := range a.Events {
		if ev.Seq != int64(i)+1 {
			return bad("event %d has seq %d: the log must run 1, 2, 3... without gaps (events missing, repeated or reordered)", i+1, ev.Seq)
		}
		if ev.Kind == "" || len(ev.Kind) > 64 {
			return bad("event %d: kind must be 1 to 64 bytes", ev.Seq)
		}
		if len(ev.Payload) == 0 || ev.Payload[0] != '{' || !json.Valid(ev.Payload) {
			return bad("event %d (%s): payload is not a JSON object", ev.Seq, clip(ev.Kind))
		}
		if ev.ExerciseTime < 0 || ev.WallTime.IsZero() {
			return bad("event %d (%s): missing or negative times", ev.Seq, clip(ev.Kind))
		}
		if len(ev.ClientID) > 2*MaxClientIDLen+1 {
			return bad("event %d: client id too long", ev.Seq)
		}
		if known, err := checkWorldAudience(ev); known {
			if err != nil {
				return bad("event %d (%s): %v", ev.Seq, clip(ev.Kind), err)
			}
		} else if want, err := expectedAudience(ev); err != nil {
			return bad("event %d (%s): %v", ev.Seq, clip(ev.Kind), err)
		} else if !slices.Equal(want, ev.Audience) && !(len(want) == 0 && len(ev.Audience) == 0) {
			return bad("event %d (%s): audience %q, but this kind of event is shown to %q", ev.Seq, clip(ev.Kind), ev.Audience, want)
		}
		if ev.Kind == KindJoined {
			var p participantPayload
			if err := json.Unmarshal(ev.Payload, &p); err != nil {
				return bad("event %d (%s): %v", ev.Seq, ev.Kind, err)
			}
			joined[p.Participant] = true
		}
	}
	if first := a.Events[0]; first.Kind != KindCreated {
		return bad("the log starts with %q, not %s", clip(first.Kind), KindCreated)
	}
	var cp createdPayload
	if err := json.Unmarshal(a.Events[0].Payload, &cp); err != nil {
		return bad("event 1 (%s): %v", KindCreated, err)
	}
	if cp.SHA256 != a.Scenario.SHA256 || cp.Scenario != sc.ID {
		return bad("the log was created from scenario %q %s, the archive holds %q %s", clip(cp.Scenario), clip(cp.SHA256), sc.ID, a.Scenario.SHA256)
	}
	if !maps.Equal(joined, seen) {
		return bad("participants %v do not match those the log says joined %v", slices.Sorted(maps.Keys(seen)), slices.Sorted(maps.Keys(joined)))
	}

	status, floor, err := replayArchive(x.ID, sc, m, a.Events)
	if err != nil {
		return bad("%v", err)
	}
	if status != x.Status {
		return bad("the exercise is recorded as %s but its log says %s", x.Status, status)
	}

	d := store.ExerciseDump{
		Exercise: store.Exercise{ID: x.ID, Title: x.Title, Params: x.Params, Status: x.Status, Outcome: x.Outcome,
			CreatedAt: x.CreatedAt, StartedAt: x.StartedAt, EndedAt: x.EndedAt},
		Scenario: store.Scenario{Slug: a.Scenario.Slug, Title: a.Scenario.Title, Source: src, SHA256: a.Scenario.SHA256,
			LoadedAt: a.Scenario.LoadedAt},
		Teams:        teams,
		Participants: parts,
		Events:       slices.Clone(a.Events),
	}
	for i := range d.Events {
		d.Events[i].ExerciseID = x.ID
	}
	return d, floor, nil
}

// expectedAudience is who an event of the log may be shown to, as the
// engine decides it when writing the event: a scenario event carries its
// audience in its payload; an engine event's follows from its kind. The
// replay checks payloads but not this column, and the column decides what
// each team's browser receives, so an archive must not widen it.
func expectedAudience(ev Event) ([]string, error) {
	switch ev.Kind {
	case KindCreated, KindTick, KindFacAnswer, KindFacInject, KindFacClose, KindFacExtend, KindFacForce, KindNote,
		KindInjectScheduled, KindScheduleCancelled, KindRating, KindCorrectiveAction:
		return staff(), nil
	case KindStart, KindPaused, KindResumed, KindSpeed, KindSkipped, KindFacEnd:
		return everyone(), nil
	case KindJoined, KindLeft, KindLeadChanged, KindAnswer:
		var p struct {
			Team string `json:"team"`
		}
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			return nil, err
		}
		return team(p.Team), nil
	case KindMoved:
		var p MovePayload
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			return nil, err
		}
		return p.audience(), nil
	}
	var p struct {
		Audience []string `json:"audience"`
	}
	if err := json.Unmarshal(ev.Payload, &p); err != nil {
		return nil, err
	}
	if p.Audience == nil {
		return staff(), nil
	}
	return p.Audience, nil
}

// replayArchive re-applies the log's inputs to a fresh machine exactly as
// a loop does when it loads an exercise, and fails on the first logged
// scenario event the replay does not reproduce. It returns the status the
// log implies and the latest exercise time in it.
func replayArchive(id string, sc *scenario.Scenario, m *sim.Machine, evs []Event) (string, time.Duration, error) {
	why := &firstRecord{}
	l := &loop{e: &Engine{log: slog.New(why)}, id: id, sc: sc, m: m, status: store.StatusLobby, speed: MinSpeed}
	r := replayer{l: l}
	for _, ev := range evs {
		r.apply(ev)
		if r.mismatch {
			break
		}
	}
	if !r.mismatch {
		r.finish()
	}
	if r.mismatch {
		return "", 0, fmt.Errorf("the log does not replay against its scenario (edited or damaged): event %s (%s): %s",
			why.attrs["seq"], why.attrs["kind"], why.attrs["detail"])
	}
	if l.m.Done() {
		l.status = store.StatusEnded
	}
	return l.status, l.floor, nil
}

// firstRecord is a slog.Handler keeping the attributes of the first
// record logged: the replayer reports its first divergence through the
// engine's logger, and an import turns it into an error message.
type firstRecord struct {
	attrs map[string]string
}

func (h *firstRecord) Enabled(context.Context, slog.Level) bool { return h.attrs == nil }

func (h *firstRecord) Handle(_ context.Context, r slog.Record) error {
	if h.attrs != nil {
		return nil
	}
	h.attrs = map[string]string{}
	r.Attrs(func(a slog.Attr) bool {
		h.attrs[a.Key] = clip(a.Value.String())
		return true
	})
	return nil
}

func (h *firstRecord) WithAttrs([]slog.Attr) slog.Handler { return h }

func (h *firstRecord) WithGroup(string) slog.Handler { return h }

// clip shortens untrusted text quoted in an error message.
func clip(s string) string {
	const n = 300
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
