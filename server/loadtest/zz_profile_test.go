package loadtest

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"
)

func TestZZIdleProfile(t *testing.T) {
	if os.Getenv("ZZPROF") == "" {
		t.Skip()
	}
	ctx := context.Background()
	ep, cred := startTTX(t)
	base, _ := CheckLoopback(ep.URL)
	fac, err := login(ctx, base, cred)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := fac.createExercise(ctx, "brand-hijack", "p")
	if err != nil {
		t.Fatal(err)
	}
	_ = fac.command(ctx, ex.ID, "start", nil)
	_ = fac.command(ctx, ex.ID, "pause", nil)
	const n = 2000
	runtime.MemProfileRate = 1
	clients, err := joinAll(ctx, base, []exerciseInfo{ex}, n, 8)
	if err != nil {
		t.Fatal(err)
	}
	last, _ := fac.lastSeq(ctx, ex.ID)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	began := time.Now()
	failed, errs := dialAll(ctx, clients, 64, func(c *client) dialOpts {
		q := url.Values{"exercise": {ex.ID}, "after": {itoa(last)}}
		return dialOpts{url: wsURL(base, "/api/ws", q), header: http.Header{"Authorization": {"Bearer " + c.token}}, needLive: true}
	}, &clientHooks{})
	t.Logf("dial %v failed %d %v", time.Since(began), failed, errs)
	time.Sleep(2 * time.Second)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("heap inuse/conn %.0f B, stack inuse/conn %.0f B, goroutines %d", float64(after.HeapInuse-before.HeapInuse)/n, float64(after.StackInuse-before.StackInuse)/n, runtime.NumGoroutine())
	f, _ := os.Create("/tmp/lt/heap.prof")
	pprof.Lookup("heap").WriteTo(f, 0)
	f.Close()
	var other, pres int
	all := map[string]int{}
	for _, c := range clients {
		c.close()
	}
	for _, c := range clients {
		<-c.done
		other += c.other
		pres += c.presence

	}
	t.Logf("kinds %v", all)
	t.Logf("non-event frames received: %d, presence %d", other, pres)
}
