package enginetest

import (
	"fmt"
	"testing"
	"time"
)

func TestFakeClock(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewFakeClock(start)
	var got []string
	at := func(name string) func() {
		return func() { got = append(got, fmt.Sprintf("%s@%s", name, c.Now().Sub(start))) }
	}
	c.AfterFunc(3*time.Second, at("c"))
	c.AfterFunc(time.Second, at("a"))
	stopB := c.AfterFunc(2*time.Second, at("b"))
	c.AfterFunc(time.Second, at("a2")) // same due time: creation order
	if c.Pending() != 4 {
		t.Fatalf("pending %d", c.Pending())
	}
	if due, ok := c.NextDue(); !ok || due != start.Add(time.Second) {
		t.Fatalf("NextDue = %v %v", due, ok)
	}
	if !stopB() || stopB() {
		t.Fatal("stop must report true once")
	}
	c.Advance(2500 * time.Millisecond)
	if fmt.Sprint(got) != "[a@1s a2@1s]" || c.Now() != start.Add(2500*time.Millisecond) {
		t.Fatalf("after 2.5s: %v at %v", got, c.Now())
	}
	// A callback that arms another timer due within the same advance fires too.
	c.AfterFunc(0, func() { c.AfterFunc(time.Second, at("chained")) })
	c.Set(start.Add(10 * time.Second))
	if fmt.Sprint(got) != "[a@1s a2@1s c@3s chained@3.5s]" {
		t.Fatalf("got %v", got)
	}
	c.Set(start) // never backwards
	if c.Now() != start.Add(10*time.Second) {
		t.Fatalf("clock went back to %v", c.Now())
	}
	if _, ok := c.NextDue(); ok || c.Pending() != 0 {
		t.Fatal("timers left")
	}
}
