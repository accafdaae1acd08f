package engine

import (
	"runtime"
	"sync"
	"weak"

	"github.com/ttxsim/ttx/server/scenario"
)

// scenarioCache shares one parsed scenario between the exercises that run
// the same stored source. A parsed scenario (compiled conditions, indexes,
// the YAML it came from) is about 150 KB of heap; a facilitator running 200
// rooms of one scenario would otherwise hold 200 copies, and every GC cycle
// would mark them all. A parsed scenario is read-only after Parse, so
// sharing is safe. Entries are weak: a scenario no loop uses any more is
// collected, and its entry goes with it.
type scenarioCache struct {
	mu sync.Mutex
	m  map[int64]weak.Pointer[scenario.Scenario]
}

func newScenarioCache() *scenarioCache {
	return &scenarioCache{m: map[int64]weak.Pointer[scenario.Scenario]{}}
}

// get returns the parsed scenario of stored scenario id, calling load only
// when no exercise holds it already. Two loops loading the same id at once
// may both call load; the first to finish wins and the other's copy is
// dropped.
func (c *scenarioCache) get(id int64, load func() (*scenario.Scenario, error)) (*scenario.Scenario, error) {
	c.mu.Lock()
	if sc := c.m[id].Value(); sc != nil {
		c.mu.Unlock()
		return sc, nil
	}
	c.mu.Unlock()
	sc, err := load()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if held := c.m[id].Value(); held != nil {
		return held, nil
	}
	wp := weak.Make(sc)
	c.m[id] = wp
	runtime.AddCleanup(sc, c.drop, cacheKey{id: id, wp: wp})
	return sc, nil
}

// cacheKey names an entry for its cleanup: the id, and which weak pointer
// it held, so a newer entry for the same id survives an older one's cleanup.
type cacheKey struct {
	id int64
	wp weak.Pointer[scenario.Scenario]
}

func (c *scenarioCache) drop(k cacheKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[k.id] == k.wp {
		delete(c.m, k.id)
	}
}

// len reports how many entries the cache has (for tests).
func (c *scenarioCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
