package library

import (
	"context"
	"os"
	"testing"
	"testing/fstest"
)

// TestLibraryOrigin: files built into the binary are "shipped", files from
// the -scenarios directory are "directory"; either kind's id is taken for
// uploads.
func TestLibraryOrigin(t *testing.T) {
	files := fstest.MapFS{"example.yaml": {Data: example(t)}}
	for _, tc := range []struct {
		lib  *Library
		want string
	}{
		{New(files, nil), OriginShipped},
		{New(files, nil).FromDirectory(), OriginDirectory},
	} {
		list, err := tc.lib.List(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Origin != tc.want || !list[0].Valid {
			t.Errorf("entries %+v, want one valid %q", list, tc.want)
		}
	}
}

// example is the shipped example scenario's file.
func example(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../../scenarios/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
