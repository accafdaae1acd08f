package engine

import (
	"errors"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
)

func parseDrill(t *testing.T) func() (*scenario.Scenario, error) {
	t.Helper()
	src, err := os.ReadFile("testdata/drill.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return func() (*scenario.Scenario, error) { return scenario.Parse("drill.yaml", src) }
}

func TestScenarioCacheShares(t *testing.T) {
	c := newScenarioCache()
	parse := parseDrill(t)
	loads := 0
	load := func() (*scenario.Scenario, error) { loads++; return parse() }
	a, err := c.get(1, load)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.get(1, load)
	if err != nil {
		t.Fatal(err)
	}
	if a != b || loads != 1 {
		t.Fatalf("second get: same=%v loads=%d; want the held copy and one load", a == b, loads)
	}
	other, err := c.get(2, load)
	if err != nil {
		t.Fatal(err)
	}
	if other == a || loads != 2 {
		t.Fatalf("another id: same=%v loads=%d; want its own copy", other == a, loads)
	}
	runtime.KeepAlive(a)
	runtime.KeepAlive(other)
}

func TestScenarioCacheErrorsAreNotKept(t *testing.T) {
	c := newScenarioCache()
	boom := errors.New("boom")
	if _, err := c.get(1, func() (*scenario.Scenario, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	sc, err := c.get(1, parseDrill(t))
	if err != nil || sc == nil {
		t.Fatalf("get after a failed load: %v, %v", sc, err)
	}
	runtime.KeepAlive(sc)
}

// A scenario no exercise holds any more is collected with its entry: the
// cache must not keep every scenario ever run alive.
func TestScenarioCacheLetsGo(t *testing.T) {
	c := newScenarioCache()
	parse := parseDrill(t)
	func() {
		sc, err := c.get(1, parse)
		if err != nil {
			t.Fatal(err)
		}
		runtime.KeepAlive(sc)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for c.len() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the entry of an unused scenario is still there after GCs")
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	loads := 0
	sc, err := c.get(1, func() (*scenario.Scenario, error) { loads++; return parse() })
	if err != nil || loads != 1 {
		t.Fatalf("get after collection: err=%v loads=%d; want a fresh load", err, loads)
	}
	runtime.KeepAlive(sc)
}

func TestScenarioCacheConcurrent(t *testing.T) {
	c := newScenarioCache()
	parse := parseDrill(t)
	var wg sync.WaitGroup
	got := make([]*scenario.Scenario, 16)
	for i := range got {
		wg.Go(func() {
			sc, err := c.get(7, parse)
			if err != nil {
				t.Error(err)
			}
			got[i] = sc
		})
	}
	wg.Wait()
	// Loads may race, but once one copy is in, everyone after gets it.
	last, err := c.get(7, parse)
	if err != nil {
		t.Fatal(err)
	}
	if got[len(got)-1] == nil || last == nil {
		t.Fatal("nil scenario")
	}
	same := 0
	for _, sc := range got {
		if sc == last {
			same++
		}
	}
	if same == 0 {
		t.Fatalf("no concurrent get returned the cached copy")
	}
}
