package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ttxsim/ttx/server/store"
	"github.com/ttxsim/ttx/server/store/storetest"
)

// TestConformance runs the stores' shared suite on SQLite, each test on a
// new file.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "ttx.db"), store.Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
