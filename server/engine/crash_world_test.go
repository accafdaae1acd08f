package engine_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/store"
)

// The world's commands under kill -9, as answers are in TestCrashRecovery:
// the child (crash_test.go's protocol) also speaks
//
//	wsetup                        -> SETUP <exercise> <p0> <p1> <p2>
//	chat|send <ex> <pid> <cid> <ns> -> ACK <cid> <seq> <dup> | ERR <cid> <code>
//
// on testdata/world.yaml, with the SOC's three members chatting in their
// room and opening tickets with the platform's support (whose canned
// acknowledgement follows each by itself, 3 minutes later).

const crashWorldInputs = 300

func crashWorldInput(i int, parts []string) (kind, pid, cid string, wall time.Time) {
	kind = "chat"
	if i%3 == 2 {
		kind = "send"
	}
	return kind, parts[i%len(parts)], fmt.Sprintf("w%d", i), crashStart.Add(time.Duration(i+1) * time.Second)
}

func (s *crashServer) worldSetup(ctx context.Context) string {
	src, err := os.ReadFile("testdata/world.yaml")
	if err != nil {
		return "ERR setup " + err.Error()
	}
	ex, err := s.eng.Create(ctx, engine.CreateInput{File: "world.yaml", Source: src})
	if err != nil {
		return "ERR setup " + err.Error()
	}
	out := "SETUP " + ex.ID
	for i := 0; i < 3; i++ {
		p, err := s.eng.Join(ctx, ex.ID, engine.JoinInput{Team: "soc", Name: fmt.Sprint("member ", i)})
		if err != nil {
			return "ERR setup " + err.Error()
		}
		out += " " + p.ID
	}
	if err := s.eng.Start(ctx, ex.ID); err != nil {
		return "ERR setup " + err.Error()
	}
	return out
}

func (s *crashServer) world(ctx context.Context, kind, ex, pid, cid string) string {
	a := engine.Actor{Participant: pid}
	var ack engine.WorldAck
	var err error
	if kind == "chat" {
		ack, err = s.eng.Chat(ctx, ex, a, engine.ChatInput{ClientID: cid, Room: "team:soc", Body: "line " + cid})
	} else {
		ack, err = s.eng.Send(ctx, ex, a, engine.SendInput{ClientID: cid, Action: "compose", Persona: "support", Title: "Ticket " + cid, Body: "Please lock the account (" + cid + ")."})
	}
	if err != nil {
		return fmt.Sprintf("ERR %s %s %v", cid, engine.Code(err), err)
	}
	return fmt.Sprintf("ACK %s %d %t", cid, ack.Seq, ack.Duplicate)
}

func TestCrashRecoveryWorld(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test runs child processes; skipped with -short")
	}
	if os.Getenv(crashChildEnv) == "1" {
		return
	}
	db := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	c := startChild(t, db, crashStart)
	if err := c.send("wsetup"); err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(c.next(t))
	if len(f) != 5 || f[0] != "SETUP" {
		t.Fatalf("setup: %v", f)
	}
	exID, parts := f[1], f[2:]
	line := func(i int) string {
		kind, pid, cid, wall := crashWorldInput(i, parts)
		return fmt.Sprintf("%s %s %s %s %d", kind, exID, pid, cid, wall.UnixNano())
	}
	acked := map[string]int64{}
	next, kills, dups := 0, 0, 0
	for next < crashWorldInputs {
		if c == nil {
			_, _, _, wall := crashWorldInput(next, parts)
			c = startChild(t, db, wall.Add(-time.Second))
		}
		killAfter := crashWorldInputs
		if kills < 20 && next < crashWorldInputs-10 {
			killAfter = 3 + rng.IntN(25)
		}
		stop := make(chan struct{})
		window := make(chan struct{}, 8)
		sent := make(chan struct{})
		go func(from int) {
			defer close(sent)
			for i := from; i < crashWorldInputs; i++ {
				select {
				case window <- struct{}{}:
				case <-stop:
					return
				}
				if c.send(line(i)) != nil {
					return
				}
			}
		}(next)
		got := 0
		for next < crashWorldInputs && got < killAfter {
			l := c.next(t)
			var cid string
			var seq int64
			var dup bool
			if _, err := fmt.Sscanf(l, "ACK %s %d %t", &cid, &seq, &dup); err != nil {
				t.Fatalf("child: %q", l)
			}
			if _, _, want, _ := crashWorldInput(next, parts); cid != want {
				t.Fatalf("ack for %s, expected %s", cid, want)
			}
			if prev, ok := acked[cid]; ok && prev != seq {
				t.Fatalf("%s acknowledged with seqs %d and %d", cid, prev, seq)
			}
			if dup {
				dups++
			}
			acked[cid] = seq
			next++
			got++
			<-window
		}
		close(stop)
		if next < crashWorldInputs {
			if rng.IntN(3) > 0 {
				time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond)
			}
			c.kill(t)
			<-sent
			kills++
			c = nil
		} else {
			<-sent
		}
	}
	if kills < 10 {
		t.Fatalf("only %d kills", kills)
	}
	final := crashStart.Add(time.Duration(crashWorldInputs+600) * time.Second)
	if err := c.send(fmt.Sprintf("snap %s %d", exID, final.UnixNano())); err != nil {
		t.Fatal(err)
	}
	snapLine := c.next(t)
	c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("child exit: %v", err)
	}
	t.Logf("%d world commands acknowledged over %d kills (%d as duplicates of commits whose ack was lost)", len(acked), kills, dups)

	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if res, err := st.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check = %q, %v", res, err)
	}
	var log []store.Event
	for after := int64(0); ; {
		page, err := st.Events(ctx, exID, after, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		log = append(log, page...)
		after = page[len(page)-1].Seq
	}
	logged := map[string]int64{}
	autos := 0
	for _, ev := range log {
		switch ev.Kind {
		case engine.KindChat, engine.KindMessageSubmitted:
			cid := ev.ClientID[strings.LastIndex(ev.ClientID, "/")+1:]
			if _, dup := logged[cid]; dup {
				t.Fatalf("%s logged twice", cid)
			}
			logged[cid] = ev.Seq
		case "message_sent":
			if strings.Contains(string(ev.Payload), `"canned":"ack"`) {
				autos++
			}
		}
	}
	for cid, seq := range acked {
		if logged[cid] != seq {
			t.Fatalf("%s acknowledged at seq %d, logged at %d", cid, seq, logged[cid])
		}
	}
	if len(logged) != crashWorldInputs || len(acked) != crashWorldInputs || autos != crashWorldInputs/3 {
		t.Fatalf("%d logged, %d acknowledged, %d automatic replies; want %d, %d, %d", len(logged), len(acked), autos,
			crashWorldInputs, crashWorldInputs, crashWorldInputs/3)
	}

	// The same inputs without crashes give the same sim events and state.
	ref := newEnv(t, engine.WithRand(rand.NewChaCha8([32]byte{crashSeed})))
	ref.clock.Set(crashStart)
	srv := &crashServer{eng: ref.eng, clock: ref.clock}
	if l := srv.handle("wsetup"); l != "SETUP "+exID+" "+strings.Join(parts, " ") {
		t.Fatalf("reference setup %q differs from the child's", l)
	}
	for i := 0; i < crashWorldInputs; i++ {
		if l := srv.handle(line(i)); !strings.HasPrefix(l, "ACK ") {
			t.Fatalf("reference: %s", l)
		}
	}
	if l := srv.handle(fmt.Sprintf("snap %s %d", exID, final.UnixNano())); l != snapLine {
		t.Fatalf("final state differs from an uninterrupted run:\n crashed: %s\nreference: %s", snapLine, l)
	}
	compareLines(t, simOnly(t, log), simOnly(t, allEvents(t, ref.eng, exID)))
}
