package library

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ttxsim/ttx/server/store"
)

// TestUpload: an upload is validated before anything is stored, may not
// take a shipped scenario's id, replaces an earlier upload with the same id,
// and lists as "uploaded" after the shipped files.
func TestUpload(t *testing.T) {
	example := example(t)
	other := bytes.Replace(example, []byte("id: example-hijacked-account"), []byte("id: my-drill"), 1)
	otherTitled := bytes.Replace(other, []byte(`title: "Example: the hijacked brand account"`), []byte(`title: "Second version"`), 1)
	broken := bytes.Replace(other, []byte("teams:"), []byte("teams: [oops"), 1)
	now := time.Date(2026, 2, 8, 9, 0, 0, 0, time.UTC)

	for _, tc := range []struct {
		name      string
		uploads   [][]byte // uploaded first, each must succeed
		src       []byte
		wantErr   error
		wantProbs bool
		wantIDs   []string // the library's ids afterwards, in order
		wantTitle string   // of my-drill afterwards
	}{
		{name: "valid upload lists after the shipped file", src: other,
			wantIDs: []string{"example-hijacked-account", "my-drill"}, wantTitle: "Example: the hijacked brand account"},
		{name: "shipped id is refused", src: example, wantErr: ErrShippedID,
			wantIDs: []string{"example-hijacked-account"}},
		{name: "invalid file stores nothing", src: broken, wantProbs: true,
			wantIDs: []string{"example-hijacked-account"}},
		{name: "same id replaces the earlier upload", uploads: [][]byte{other}, src: otherTitled,
			wantIDs: []string{"example-hijacked-account", "my-drill"}, wantTitle: "Second version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, filepath.Join(t.TempDir(), "ttx.db"), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			lib := New(fstest.MapFS{"example.yaml": {Data: example}}, st)
			for _, u := range tc.uploads {
				if _, probs, err := lib.Upload(ctx, "drill.yaml", u, 0, now); err != nil || probs != nil {
					t.Fatalf("first upload: %v %v", probs, err)
				}
			}
			e, probs, err := lib.Upload(ctx, "drill.yaml", tc.src, 0, now)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if (probs != nil) != tc.wantProbs {
				t.Fatalf("problems %v, want some: %v", probs, tc.wantProbs)
			}
			if tc.wantErr == nil && !tc.wantProbs && (e.Origin != OriginUploaded || !e.Uploaded.Equal(now) || !bytes.Equal(e.Source(), tc.src)) {
				t.Errorf("entry %+v, want the uploaded file", e)
			}
			list, err := lib.List(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range list {
				ids = append(ids, e.ID)
				if e.ID == "my-drill" && e.Title != tc.wantTitle {
					t.Errorf("my-drill titled %q, want %q", e.Title, tc.wantTitle)
				}
			}
			if strings.Join(ids, " ") != strings.Join(tc.wantIDs, " ") {
				t.Errorf("ids %v, want %v", ids, tc.wantIDs)
			}
		})
	}
}

// TestDuplicateID: of two files with one id the later is invalid, so an id
// always names one scenario, and Get returns the first.
func TestDuplicateID(t *testing.T) {
	src := example(t)
	lib := New(fstest.MapFS{"a.yaml": {Data: src}, "b.yaml": {Data: src}}, nil)
	list, err := lib.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || !list[0].Valid || list[1].Valid || list[1].Scenario() != nil ||
		len(list[1].Errors) != 1 || !strings.Contains(list[1].Errors[0].Msg, "already used by a.yaml") {
		t.Fatalf("entries %+v, want a.yaml valid and b.yaml refused", list)
	}
	e, err := lib.Get(context.Background(), "example-hijacked-account")
	if err != nil || e.File != "a.yaml" {
		t.Fatalf("Get: %+v %v, want a.yaml", e, err)
	}
	if _, err := lib.Get(context.Background(), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get of an unknown id: %v, want ErrNotFound", err)
	}
}
