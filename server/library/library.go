// Package library is the set of scenarios a facilitator can start an
// exercise from: the shipped files and the uploaded ones, validated and
// cached by content.
package library

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/store"
)

// UploadStore persists scenarios uploaded through the API.
type UploadStore interface {
	PutScenarioUpload(ctx context.Context, u store.ScenarioUpload) error
	ScenarioUploads(ctx context.Context) ([]store.ScenarioUpload, error)
}

// Library is the set of scenarios a facilitator can start an exercise from:
// the shipped files (embedded, or a directory) and the uploaded ones. Files
// are re-read on every listing, so an author editing a directory sees the
// change without a restart; parsing is cached by content.
type Library struct {
	shipped fs.FS
	origin  string // what Entry.Origin says of the files in shipped
	uploads UploadStore

	mu    sync.Mutex
	cache map[[32]byte]*parsed // by sha256(file name + source)
}

type parsed struct {
	sc   *scenario.Scenario
	errs []*scenario.Error
}

// maxLibraryFiles bounds how many files one listing parses.
const maxLibraryFiles = 500

// New returns a library over the shipped files (nil for none) and the
// upload store (nil for none).
func New(shipped fs.FS, uploads UploadStore) *Library {
	return &Library{shipped: shipped, origin: OriginShipped, uploads: uploads, cache: make(map[[32]byte]*parsed)}
}

// Where a library entry comes from (Entry.Origin).
const (
	OriginShipped   = "shipped"   // built into the binary
	OriginDirectory = "directory" // read from the directory given with -scenarios
	OriginUploaded  = "uploaded"  // uploaded through the API
)

// FromDirectory labels the library's files as read from a directory
// (OriginDirectory) rather than built in, and returns the library.
func (l *Library) FromDirectory() *Library {
	l.origin = OriginDirectory
	return l
}

// Entry is one scenario file and how it validated.
type Entry struct {
	ID       string            `json:"id"`
	File     string            `json:"file"`
	Origin   string            `json:"origin"` // OriginShipped, OriginDirectory or OriginUploaded
	Valid    bool              `json:"valid"`
	Errors   []*scenario.Error `json:"errors,omitempty"`
	Title    string            `json:"title,omitempty"`
	Summary  string            `json:"summary,omitempty"`
	Minutes  float64           `json:"duration_minutes,omitempty"`
	Tags     []string          `json:"tags,omitempty"`
	Teams    []TeamInfo        `json:"teams,omitempty"`
	Params   []ParamInfo       `json:"parameters,omitempty"`
	Uploaded time.Time         `json:"uploaded_at,omitzero"`

	sc  *scenario.Scenario
	src []byte
}

// TeamInfo names a team.
type TeamInfo struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ParamInfo describes a parameter the facilitator fills in.
type ParamInfo struct {
	ID          string `json:"id"`
	Label       string `json:"label"`
	Default     string `json:"default"`
	Description string `json:"description,omitempty"`
	// Type is "string", "number" or "bool"; the constraints the value
	// must meet follow (the server checks them at creation).
	Type    string   `json:"type"`
	Min     *float64 `json:"min,omitempty"`
	Max     *float64 `json:"max,omitempty"`
	Pattern string   `json:"pattern,omitempty"`
	Choices []string `json:"choices,omitempty"`
}

// Scenario returns the loaded scenario of a valid entry.
func (e *Entry) Scenario() *scenario.Scenario { return e.sc }

// Source returns the exact bytes of the entry.
func (e *Entry) Source() []byte { return e.src }

// parse validates src, caching by content. The scenario loader reports every
// problem as a positioned error; any other failure becomes one error at the
// top of the file.
func (l *Library) parse(file string, src []byte) *parsed {
	h := sha256.New()
	h.Write([]byte(file))
	h.Write([]byte{0})
	h.Write(src)
	var key [32]byte
	h.Sum(key[:0])
	l.mu.Lock()
	p, ok := l.cache[key]
	l.mu.Unlock()
	if ok {
		return p
	}
	p = &parsed{}
	sc, err := scenario.Parse(file, src)
	if err != nil {
		p.errs = positioned(file, err)
	} else {
		p.sc = sc
	}
	l.mu.Lock()
	if len(l.cache) >= 4*maxLibraryFiles {
		clear(l.cache) // uploads churn; a full reparse is cheap next to unbounded growth
	}
	l.cache[key] = p
	l.mu.Unlock()
	return p
}

// Validate parses a file without keeping it.
func (l *Library) Validate(file string, src []byte) (*scenario.Scenario, []*scenario.Error) {
	p := l.parse(file, src)
	return p.sc, p.errs
}

// positioned turns a loader error into the positioned list.
func positioned(file string, err error) []*scenario.Error {
	var list scenario.ErrorList
	if errors.As(err, &list) {
		return list
	}
	var one *scenario.Error
	if errors.As(err, &one) {
		return []*scenario.Error{one}
	}
	return []*scenario.Error{{File: file, Line: 1, Col: 1, Msg: err.Error()}}
}

// Describe returns the entry of a valid scenario sc read from file (src its
// bytes), as List would show it with the given origin.
func Describe(file, origin string, src []byte, sc *scenario.Scenario) Entry {
	return entryOf(file, origin, src, &parsed{sc: sc})
}

func entryOf(file, origin string, src []byte, p *parsed) Entry {
	e := Entry{File: file, Origin: origin, Valid: p.sc != nil, Errors: p.errs, sc: p.sc, src: src}
	e.ID = strings.TrimSuffix(strings.TrimSuffix(path.Base(file), ".yaml"), ".yml")
	if sc := p.sc; sc != nil {
		e.ID, e.Title, e.Summary, e.Tags = sc.ID, sc.Title, sc.Summary, sc.Tags
		e.Minutes = sc.Duration.Minutes()
		for _, t := range sc.Teams {
			e.Teams = append(e.Teams, TeamInfo{ID: t.ID, Name: t.Name})
		}
		for _, pa := range sc.Parameters {
			e.Params = append(e.Params, ParamInfo{ID: pa.ID, Label: pa.Label, Default: pa.Default, Description: pa.Description,
				Type: string(pa.Type), Min: pa.Min, Max: pa.Max, Pattern: pa.Pattern, Choices: pa.Choices})
		}
	}
	return e
}

// List returns every scenario, shipped first, each group by id. Two files
// with the same id: the later one is marked invalid, so "id" always names one
// scenario.
func (l *Library) List(ctx context.Context) ([]Entry, error) {
	var out []Entry
	if l.shipped != nil {
		names, err := fs.Glob(l.shipped, "*.y*ml")
		if err != nil {
			return nil, fmt.Errorf("library: list scenarios: %w", err)
		}
		if len(names) > maxLibraryFiles {
			names = names[:maxLibraryFiles]
		}
		for _, n := range names {
			if !strings.HasSuffix(n, ".yaml") && !strings.HasSuffix(n, ".yml") {
				continue
			}
			src, err := fs.ReadFile(l.shipped, n)
			if err != nil {
				return nil, fmt.Errorf("library: read scenario %s: %w", n, err)
			}
			out = append(out, entryOf(n, l.origin, src, l.parse(n, src)))
		}
	}
	if l.uploads != nil {
		ups, err := l.uploads.ScenarioUploads(ctx)
		if err != nil {
			return nil, err
		}
		for _, u := range ups {
			e := entryOf(u.File, OriginUploaded, u.Source, l.parse(u.File, u.Source))
			e.Uploaded = u.UploadedAt
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Origin != out[j].Origin {
			return out[i].Origin != OriginUploaded
		}
		return out[i].ID < out[j].ID
	})
	seen := map[string]string{}
	for i := range out {
		e := &out[i]
		if first, dup := seen[e.ID]; dup && e.Valid {
			e.Valid = false
			e.Errors = append(e.Errors, &scenario.Error{File: e.File, Line: 1, Col: 1,
				Msg: fmt.Sprintf("scenario id '%s' is already used by %s", e.ID, first), Hint: "give each scenario its own id"})
			e.sc = nil
			continue
		}
		if _, dup := seen[e.ID]; !dup {
			seen[e.ID] = e.File
		}
	}
	return out, nil
}

// Get returns the valid scenario with the given id.
func (l *Library) Get(ctx context.Context, id string) (Entry, error) {
	all, err := l.List(ctx)
	if err != nil {
		return Entry{}, err
	}
	for _, e := range all {
		if e.ID == id && e.Valid {
			return e, nil
		}
	}
	return Entry{}, fmt.Errorf("library: scenario %q: %w", id, store.ErrNotFound)
}

// ErrShippedID is returned when an upload would shadow a shipped scenario.
var ErrShippedID = errors.New("a shipped scenario has this id")

// Upload validates and stores a file. It returns the positioned errors when
// the file is invalid (and stores nothing).
func (l *Library) Upload(ctx context.Context, file string, src []byte, by int64, now time.Time) (Entry, []*scenario.Error, error) {
	p := l.parse(file, src)
	if p.sc == nil {
		return Entry{}, p.errs, nil
	}
	if l.uploads == nil {
		return Entry{}, nil, errors.New("library: uploads are not enabled")
	}
	all, err := l.List(ctx)
	if err != nil {
		return Entry{}, nil, err
	}
	for _, e := range all {
		if e.ID == p.sc.ID && e.Origin != OriginUploaded {
			return Entry{}, nil, ErrShippedID
		}
	}
	if err := l.uploads.PutScenarioUpload(ctx, store.ScenarioUpload{Slug: p.sc.ID, File: file, Source: src, UploadedBy: by, UploadedAt: now}); err != nil {
		return Entry{}, nil, err
	}
	e := entryOf(file, OriginUploaded, src, p)
	e.Uploaded = now
	return e, nil, nil
}
