package api

import (
	"context"
	"testing"
	"testing/fstest"
)

// TestLibraryOrigin: files built into the binary are "shipped", files from
// the -scenarios directory are "directory"; either kind's id is taken for
// uploads.
func TestLibraryOrigin(t *testing.T) {
	files := fstest.MapFS{"example.yaml": {Data: readFile(t, "../../scenarios/example.yaml")}}
	for _, tc := range []struct {
		lib  *Library
		want string
	}{
		{NewLibrary(files, nil), OriginShipped},
		{NewLibrary(files, nil).FromDirectory(), OriginDirectory},
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
