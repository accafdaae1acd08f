package ttxtest

import (
	"os"
	"sync"
	"testing"
)

// Callers at the same time get one build: the same file, built once.
func TestBinaryIsSharedPerTree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the ttx binary; skipped with -short")
	}
	k1, err := treeHash(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	k2, err := treeHash(t.Context())
	if err != nil || k1 != k2 {
		t.Fatalf("the tree's hash changed between two calls: %s, %s (%v)", k1, k2, err)
	}

	const callers = 3
	var wg sync.WaitGroup
	bins := make([]string, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() { bins[i], errs[i] = Binary(t.Context()) })
	}
	wg.Wait()
	for i := range callers {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if bins[i] != bins[0] {
			t.Fatalf("callers got different binaries: %q", bins)
		}
	}
	st, err := os.Stat(bins[0])
	if err != nil || st.Size() == 0 || st.Mode()&0o100 == 0 {
		t.Fatalf("binary %s: %v, %v", bins[0], st, err)
	}
	again, err := Binary(t.Context())
	if err != nil || again != bins[0] {
		t.Fatalf("a later call: %q, %v; want %q", again, err, bins[0])
	}
	st2, err := os.Stat(again)
	if err != nil || !st2.ModTime().Equal(st.ModTime()) {
		t.Fatalf("the binary was rebuilt: %v then %v (%v)", st.ModTime(), st2.ModTime(), err)
	}
}
