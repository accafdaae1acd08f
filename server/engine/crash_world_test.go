package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
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
	d := crashDrill{
		setup: "wsetup", inputs: crashWorldInputs, window: 8, maxKills: 20, killMin: 3, killSpan: 25, seed: 11,
		input: func(i int, exID string, parts []string) (string, string, time.Time) {
			kind, pid, cid, wall := crashWorldInput(i, parts)
			return fmt.Sprintf("%s %s %s %s %d", kind, exID, pid, cid, wall.UnixNano()), cid, wall
		},
		final: crashStart.Add(time.Duration(crashWorldInputs+600) * time.Second),
	}
	r := d.run(t)
	if r.kills < 10 {
		t.Fatalf("only %d kills", r.kills)
	}
	t.Logf("%d world commands acknowledged over %d kills (%d as duplicates of commits whose ack was lost)", len(r.acked), r.kills, r.dups)

	logged := loggedOnce(t, r.log, engine.KindChat, engine.KindMessageSubmitted)
	autos := 0
	for _, ev := range r.log {
		if ev.Kind == "message_sent" && strings.Contains(string(ev.Payload), `"canned":"ack"`) {
			autos++
		}
	}
	for cid, seq := range r.acked {
		if logged[cid] != seq {
			t.Fatalf("%s acknowledged at seq %d, logged at %d", cid, seq, logged[cid])
		}
	}
	if len(logged) != crashWorldInputs || len(r.acked) != crashWorldInputs || autos != crashWorldInputs/3 {
		t.Fatalf("%d logged, %d acknowledged, %d automatic replies; want %d, %d, %d", len(logged), len(r.acked), autos,
			crashWorldInputs, crashWorldInputs, crashWorldInputs/3)
	}

	// The same inputs without crashes give the same sim events and state.
	d.reference(t, r)
}
