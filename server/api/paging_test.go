package api

import (
	"context"
	"fmt"
	"testing"

	"github.com/ttxsim/ttx/server/engine"
)

// The documented maximum page (1000) must still report that more events
// follow; pages must join up to the whole log with no gap or overlap.
func TestEventPagingAtMaximumLimit(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	id := e.addExercise("PAGINGAB")
	for i := range 1100 {
		if _, err := e.eng.AddNote(context.Background(), id, engine.NoteInput{Author: "facilitator: test", Text: fmt.Sprint("note ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	var total int
	after := int64(0)
	for page := 0; ; page++ {
		var v struct {
			Events    []struct{ Seq int64 } `json:"events"`
			NextAfter int64                 `json:"next_after"`
			More      bool                  `json:"more"`
		}
		r := e.do(fac, "GET", fmt.Sprintf("/api/exercises/%s/events?after=%d&limit=1000", id, after), nil, nil)
		if r.status != 200 {
			t.Fatalf("page %d: %d %s", page, r.status, r.body)
		}
		r.json(t, &v)
		for i, ev := range v.Events {
			if ev.Seq != after+int64(i)+1 {
				t.Fatalf("page %d event %d: seq %d, want %d", page, i, ev.Seq, after+int64(i)+1)
			}
		}
		total += len(v.Events)
		if page == 0 && (len(v.Events) != 1000 || !v.More) {
			t.Fatalf("first page: %d events, more=%v; want 1000 and more", len(v.Events), v.More)
		}
		after = v.NextAfter
		if !v.More {
			break
		}
		if page > 3 {
			t.Fatal("paging does not end")
		}
	}
	last, err := e.st.LastSeq(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if int64(total) != last || last < 1100 {
		t.Fatalf("pages held %d events, the log %d", total, last)
	}
}
