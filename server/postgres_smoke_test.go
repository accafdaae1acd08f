//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ttxsim/ttx/server/ttxtest/pgtest"
)

// TestServeOnPostgres runs the whole app on PostgreSQL: the real binary
// with -db postgres://…, an exercise created, joined and answered over
// real HTTP and a WebSocket; a second server on the same database is
// refused; the server is stopped (SIGTERM), then killed (SIGKILL), and
// each restart serves the same log, with the acknowledged answers at
// their seqs and their client ids still deduplicating.
func TestServeOnPostgres(t *testing.T) {
	cluster, err := pgtest.Start(t.Context())
	if err != nil {
		t.Fatal(err) // PostgreSQL is required: .ci/setup installs it
	}
	t.Cleanup(func() { _ = cluster.Stop() })
	// Trust authentication ignores the password; no log may show it.
	db := strings.Replace(cluster.NewDatabase(t), "://ttx@", "://ttx:pg-s3cret@", 1)

	dir := t.TempDir()
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	s := serveCrashExercise(t, crashBuild(t), db, dir, transport)
	procs, fac, part, exID, members := s.procs, s.fac, s.part, s.exID, s.members

	// The green lead answers over the WebSocket and gets its ack after
	// the commit; a red member answers over REST.
	green, red := members[3], members[0]
	ws, last := pgDialWS(t, s.srv.base, exID, green.token, 0)
	if err := ws.WriteJSON(map[string]string{"type": "answer", "id": "ws-1", "decision": green.decision, "option": "b"}); err != nil {
		t.Fatal(err)
	}
	wsSeq := pgWaitAck(t, ws, "ws-1")
	ws.Close()
	if wsSeq <= last {
		t.Fatalf("WebSocket answer acknowledged at seq %d, the log already ended at %d", wsSeq, last)
	}
	restSeq := pgAnswer(t, part, exID, red, "rest-1", "c", false)

	// One server per database: a second one is refused, naming the first.
	second := exec.Command(procs.bin, "serve", "-addr", "127.0.0.1:0", "-db", db, "-scenarios", procs.scenarios)
	out, err := second.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "is served by another ttx (pid "+fmt.Sprint(s.srv.cmd.Process.Pid)) {
		t.Fatalf("a second server on the same database: %v\n%s", err, out)
	}
	before := crashAPIEvents(t, fac, exID)

	for _, stop := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		s.stop(t, stop)
		s.restart(t, stop.String())
		// The facilitator's session is in the database too.
		after := crashAPIEvents(t, fac, exID)
		if len(after) < len(before) {
			t.Fatalf("after %v: %d events, %d before", stop, len(after), len(before))
		}
		for i, ev := range before {
			if after[i] != ev {
				t.Fatalf("after %v: event %d is %+v, was %+v", stop, i, after[i], ev)
			}
		}
		for i, ev := range after {
			if ev.Seq != int64(i+1) {
				t.Fatalf("after %v: event %d has seq %d", stop, i, ev.Seq)
			}
		}
		// Repeating the acknowledged answers gives their original seqs.
		if seq := pgAnswer(t, part, exID, red, "rest-1", "c", true); seq != restSeq {
			t.Fatalf("after %v: rest-1 repeated at seq %d, acknowledged at %d", stop, seq, restSeq)
		}
		ws, last = pgDialWS(t, s.srv.base, exID, green.token, wsSeq-1)
		if err := ws.WriteJSON(map[string]string{"type": "answer", "id": "ws-1", "decision": green.decision, "option": "b"}); err != nil {
			t.Fatal(err)
		}
		if seq := pgWaitAck(t, ws, "ws-1"); seq != wsSeq {
			t.Fatalf("after %v: ws-1 repeated at seq %d, acknowledged at %d", stop, seq, wsSeq)
		}
		ws.Close()
		if last < restSeq {
			t.Fatalf("after %v: the WebSocket's backlog ends at %d, before the answer at %d", stop, last, restSeq)
		}
	}
	for i := 1; i <= procs.n; i++ {
		for _, name := range []string{fmt.Sprintf("run%02d.out", i), fmt.Sprintf("run%02d.err", i)} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "pg-s3cret") {
				t.Fatalf("%s shows the database password", name)
			}
		}
	}
}

// pgDialWS opens a participant's WebSocket after seq after and reads up
// to the live frame; it returns the connection and the live frame's
// last_seq.
func pgDialWS(t *testing.T, base, exID, token string, after int64) (*websocket.Conn, int64) {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{"ttx.v1", "ttx.token." + token}, HandshakeTimeout: crashStepTimeout}
	url := fmt.Sprintf("ws%s/api/ws?exercise=%s&after=%d", strings.TrimPrefix(base, "http"), exID, after)
	c, res, err := d.Dial(url, http.Header{"Origin": {base}})
	if err != nil {
		t.Fatalf("dial %s: %v (%v)", url, err, res)
	}
	for {
		f := pgRead(t, c)
		switch f["type"] {
		case "hello":
			if f["role"] != "participant" {
				t.Fatalf("hello %v", f)
			}
		case "live":
			return c, int64(f["last_seq"].(float64))
		}
	}
}

func pgRead(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(crashStepTimeout)); err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := c.ReadJSON(&f); err != nil {
		t.Fatalf("read frame: %v", err)
	}
	return f
}

func pgWaitAck(t *testing.T, c *websocket.Conn, id string) int64 {
	t.Helper()
	for {
		f := pgRead(t, c)
		switch f["type"] {
		case "ack":
			if f["id"] == id {
				return int64(f["seq"].(float64))
			}
		case "error":
			t.Fatalf("answer %s: %v", id, f)
		}
	}
}

// pgAnswer submits an answer over REST and returns its seq.
func pgAnswer(t *testing.T, c *crashClient, exID string, mem crashMember, cid, option string, wantDup bool) int64 {
	t.Helper()
	var res struct {
		Seq       int64 `json:"seq"`
		Duplicate bool  `json:"duplicate"`
	}
	st, body, err := c.do(http.MethodPost, "/api/exercises/"+exID+"/answers", mem.token,
		map[string]string{"client_id": cid, "decision": mem.decision, "option": option})
	if err != nil || st != http.StatusOK || json.Unmarshal(body, &res) != nil || res.Seq <= 0 || res.Duplicate != wantDup {
		t.Fatalf("answer %s: %d %s (%v); want 200 with duplicate=%t", cid, st, body, err, wantDup)
	}
	return res.Seq
}
