package engine_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/store"
)

// worldExercise creates an exercise of testdata/world.yaml with Ann (comms
// lead), Cat (comms), Lee (legal) and Sol (soc), started.
func worldExercise(t *testing.T, e *env) (id string, ann, cat, lee, sol string) {
	t.Helper()
	ctx := ctxT(t)
	ex, err := e.eng.Create(ctx, engine.CreateInput{File: "world.yaml", Source: readFile(t, "testdata/world.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	join := func(team, name string) string {
		p, err := e.eng.Join(ctx, ex.ID, engine.JoinInput{Team: team, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	ann, cat, lee, sol = join("comms", "Ann"), join("comms", "Cat"), join("legal", "Lee"), join("soc", "Sol")
	if err := e.eng.Start(ctx, ex.ID); err != nil {
		t.Fatal(err)
	}
	return ex.ID, ann, cat, lee, sol
}

// lastOf is the last logged event of a kind.
func lastOf(t *testing.T, e *env, id, kind string) (engine.Event, map[string]any) {
	t.Helper()
	evs := allEvents(t, e.eng, id)
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind == kind {
			var p map[string]any
			if err := json.Unmarshal(evs[i].Payload, &p); err != nil {
				t.Fatal(err)
			}
			return evs[i], p
		}
	}
	t.Fatalf("no %s event", kind)
	return engine.Event{}, nil
}

// TestDraftApprovalPublish: Comms drafts together, Legal approves one
// version, an edit withdraws the approval, the approved current version
// is published to everyone with who drafted and approved it; everything
// survives a restart, and retries are idempotent.
func TestDraftApprovalPublish(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, ann, cat, lee, sol := worldExercise(t, e)
	fac := engine.Actor{Name: "alice"}
	draft := func(pid, cid, draftID, body string) engine.WorldAck {
		t.Helper()
		ack, err := e.eng.SaveDraft(ctx, id, pid, engine.DraftInput{ClientID: cid, Draft: draftID, Action: "publish", Outlet: "newsroom", Title: "Statement", Body: body})
		if err != nil {
			t.Fatalf("save %s: %v", cid, err)
		}
		return ack
	}
	cmd := func(a engine.Actor, cid, do, draftID string, version int) (engine.WorldAck, error) {
		return e.eng.Draft(ctx, id, a, engine.DraftCommand{ClientID: cid, Draft: draftID, Do: do, Version: version})
	}
	v1 := draft(ann, "d1", "", "We are aware.")
	if v1.Draft == "" || v1.Version != 1 {
		t.Fatalf("first save: %+v", v1)
	}
	v2 := draft(cat, "d2", v1.Draft, "We are aware and investigating.")
	if v2.Draft != v1.Draft || v2.Version != 2 {
		t.Fatalf("second save: %+v", v2)
	}
	if ev, _ := lastOf(t, e, id, engine.KindDraftSaved); !slices.Equal(ev.Audience, []string{"comms"}) {
		t.Fatalf("draft_saved audience %v", ev.Audience)
	}
	// Another team cannot see, edit or send it.
	if _, err := e.eng.SaveDraft(ctx, id, sol, engine.DraftInput{ClientID: "s1", Draft: v1.Draft, Action: "publish", Outlet: "status", Body: "x"}); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("soc edits comms' draft: %v", err)
	}
	if _, err := e.eng.SaveDraft(ctx, id, sol, engine.DraftInput{ClientID: "s2", Action: "publish", Outlet: "newsroom", Body: "x"}); !errors.Is(err, engine.ErrNotAllowed) {
		t.Fatalf("soc drafts for the newsroom: %v", err)
	}
	send := func(a engine.Actor, cid string, in engine.SendInput) (engine.WorldAck, error) {
		in.ClientID = cid
		return e.eng.Send(ctx, id, a, in)
	}
	annA := engine.Actor{Participant: ann}
	if _, err := send(annA, "p0", engine.SendInput{Draft: v1.Draft}); !errors.Is(err, engine.ErrNeedsApproval) {
		t.Fatalf("publish unapproved: %v", err)
	}
	if _, err := send(annA, "p0b", engine.SendInput{Action: "publish", Outlet: "newsroom", Body: "no draft"}); !errors.Is(err, engine.ErrNeedsApproval) {
		t.Fatalf("publish without a draft: %v", err)
	}
	// Legal may not approve before it is asked; then it is asked.
	if _, err := cmd(engine.Actor{Participant: lee}, "l0", engine.DraftApprove, v1.Draft, 2); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("approve before a request: %v", err)
	}
	if _, err := cmd(annA, "r1", engine.DraftRequest, v1.Draft, 0); err != nil {
		t.Fatal(err)
	}
	if ev, p := lastOf(t, e, id, engine.KindApprovalRequested); !slices.Equal(ev.Audience, []string{"comms", "legal"}) || p["approver"] != "legal" || p["version"] != 2.0 {
		t.Fatalf("approval_requested %v %v", ev.Audience, p)
	}
	for _, c := range []struct {
		name string
		a    engine.Actor
		ver  int
		want error
	}{
		{"stale version", engine.Actor{Participant: lee}, 1, engine.ErrStaleDraft},
		{"soc", engine.Actor{Participant: sol}, 2, engine.ErrNotFound},
		{"the drafting team", engine.Actor{Participant: cat}, 2, engine.ErrNotFound},
	} {
		if _, err := cmd(c.a, "x-"+strings.ReplaceAll(c.name, " ", "-"), engine.DraftApprove, v1.Draft, c.ver); !errors.Is(err, c.want) {
			t.Errorf("%s approves: %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := cmd(engine.Actor{Participant: lee}, "l1", engine.DraftApprove, v1.Draft, 2); err != nil {
		t.Fatal(err)
	}
	// An edit withdraws the approval; legal sees the new version.
	v3 := draft(ann, "d3", v1.Draft, "We are aware, investigating, and will update by 11:00.")
	if _, err := send(annA, "p1", engine.SendInput{Draft: v1.Draft}); !errors.Is(err, engine.ErrNeedsApproval) {
		t.Fatalf("publish after an edit: %v", err)
	}
	if _, err := cmd(annA, "r2", engine.DraftRequest, v1.Draft, 0); err != nil {
		t.Fatal(err)
	}
	draft(cat, "d4", v1.Draft, "We are aware, investigating, and will update by 11:30.") // withdraws the pending request
	if ev, _ := lastOf(t, e, id, engine.KindDraftSaved); !slices.Equal(ev.Audience, []string{"comms", "legal"}) {
		t.Fatalf("a save withdrawing a request: audience %v", ev.Audience)
	}
	if _, err := cmd(engine.Actor{Participant: lee}, "l2", engine.DraftApprove, v1.Draft, v3.Version); !errors.Is(err, engine.ErrStaleDraft) {
		t.Fatalf("approve a withdrawn version: %v", err)
	}
	if _, err := cmd(annA, "r3", engine.DraftRequest, v1.Draft, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd(engine.Actor{Participant: lee}, "l3", engine.DraftApprove, v1.Draft, 4); err != nil {
		t.Fatal(err)
	}

	e.restart() // drafts and approvals come back from the log

	pub, err := send(annA, "p2", engine.SendInput{Draft: v1.Draft})
	if err != nil {
		t.Fatalf("publish the approved version: %v", err)
	}
	sub, p := lastOf(t, e, id, engine.KindMessageSubmitted)
	if sub.Seq != pub.Seq || !slices.Equal(sub.Audience, []string{"*"}) || p["drafted_by"] != cat || p["approved_by"] != lee || p["participant"] != ann || p["draft"] != v1.Draft {
		t.Fatalf("message_submitted %d %v %v", sub.Seq, sub.Audience, p)
	}
	ms, mp := lastOf(t, e, id, "message_sent")
	if ms.Seq != sub.Seq+1 || mp["outlet"] != "newsroom" || mp["outlet_name"] != "Acme newsroom" || mp["body"] != "We are aware, investigating, and will update by 11:30." ||
		mp["message"] != pub.Message || mp["thread"] != pub.Thread {
		t.Fatalf("message_sent %d %v (ack %+v)", ms.Seq, mp, pub)
	}
	// A retry is the original; the draft is closed.
	again, err := send(annA, "p2", engine.SendInput{Draft: v1.Draft})
	if err != nil || !again.Duplicate || again.Seq != pub.Seq || again.Message != pub.Message {
		t.Fatalf("retry: %+v %v", again, err)
	}
	if _, err := send(annA, "p3", engine.SendInput{Draft: v1.Draft}); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("send a sent draft: %v", err)
	}
	// The lead approves for `lead` outlets, never their own version; the
	// facilitator may.
	b, err := e.eng.SaveDraft(ctx, id, ann, engine.DraftInput{ClientID: "b1", Action: "publish", Outlet: "backup", Body: "Ignore DMs from our old account."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cmd(engine.Actor{Participant: cat}, "b2", engine.DraftRequest, b.Draft, 0); err != nil {
		t.Fatal(err)
	}
	if ev, p := lastOf(t, e, id, engine.KindApprovalRequested); !slices.Equal(ev.Audience, []string{"comms"}) || p["approver"] != "lead" {
		t.Fatalf("lead approval request: %v %v", ev.Audience, p)
	}
	if _, err := cmd(annA, "b3", engine.DraftApprove, b.Draft, 1); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("the lead approves their own version: %v", err)
	}
	if _, err := cmd(engine.Actor{Participant: cat}, "b4", engine.DraftApprove, b.Draft, 1); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("a non-lead approves: %v", err)
	}
	if _, err := cmd(fac, "b5", engine.DraftApprove, b.Draft, 1); err != nil {
		t.Fatalf("the facilitator approves: %v", err)
	}
	if _, p := lastOf(t, e, id, engine.KindDraftApproved); p["participant"] != "facilitator" || p["name"] != "alice" {
		t.Fatalf("draft_approved by the facilitator: %v", p)
	}
	if _, err := send(engine.Actor{Participant: cat}, "b6", engine.SendInput{Draft: b.Draft}); err != nil {
		t.Fatalf("publish the lead-approved post: %v", err)
	}
}

// TestRepliesAndPersonas: a reply to an inject that takes replies, a new
// message to a reachable persona with its automatic canned reply, the
// facilitator answering as a persona, the rules reading it, and a restart
// replaying it all to the same state.
func TestRepliesAndPersonas(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, ann, _, lee, sol := worldExercise(t, e)
	fac := engine.Actor{Name: "alice"}
	send := func(a engine.Actor, cid string, in engine.SendInput) (engine.WorldAck, error) {
		in.ClientID = cid
		return e.eng.Send(ctx, id, a, in)
	}
	if _, err := send(engine.Actor{Participant: ann}, "early", engine.SendInput{Action: "reply", Inject: "email", Body: "No comment."}); !errors.Is(err, engine.ErrNotAllowed) {
		t.Fatalf("reply before the email arrived: %v", err)
	}
	e.clock.Advance(time.Minute)
	if _, err := send(engine.Actor{Participant: lee}, "l1", engine.SendInput{Action: "reply", Inject: "email", Body: "Legal here."}); !errors.Is(err, engine.ErrNotAllowed) {
		t.Fatalf("legal replies to comms' email: %v", err)
	}
	r, err := send(engine.Actor{Participant: ann}, "a1", engine.SendInput{Action: "reply", Inject: "email", Body: "We will have a statement shortly."})
	if err != nil {
		t.Fatal(err)
	}
	if r.Thread != "email" {
		t.Fatalf("reply thread %q", r.Thread)
	}
	if ev, _ := lastOf(t, e, id, engine.KindMessageSubmitted); !slices.Equal(ev.Audience, []string{"comms"}) {
		t.Fatalf("a reply's audience: %v", ev.Audience)
	}
	// The facilitator answers as the reporter with the inject's canned reply.
	offers, err := e.eng.Canned(ctx, id, "comms", "email")
	if err != nil || len(offers) != 1 || offers[0].ID != "quote" || offers[0].Body != "Can I quote Acme?" || !offers[0].Available {
		t.Fatalf("canned offers: %+v %v", offers, err)
	}
	if _, err := e.eng.Canned(ctx, id, "soc", "email"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("canned offers of a thread soc does not have: %v", err)
	}
	if _, err := send(fac, "f1", engine.SendInput{Team: "comms", Persona: "reporter", Thread: "email", Canned: "quote"}); err != nil {
		t.Fatal(err)
	}
	if _, p := lastOf(t, e, id, "message_sent"); p["action"] != "persona" || p["body"] != "Can I quote Acme?" || p["by_facilitator"] != true || p["canned"] != "quote" {
		t.Fatalf("persona's canned answer: %v", p)
	}
	// The SOC opens a ticket; support acknowledges by itself 3 minutes later.
	tk, err := send(engine.Actor{Participant: sol}, "s1", engine.SendInput{Action: "compose", Persona: "support", Title: "Hijacked account", Body: "Please lock @acme."})
	if err != nil {
		t.Fatal(err)
	}
	if tk.Thread != tk.Message {
		t.Fatalf("a new message's thread is its own id: %+v", tk)
	}
	if _, err := send(engine.Actor{Participant: ann}, "a2", engine.SendInput{Action: "compose", Persona: "support", Body: "hi"}); !errors.Is(err, engine.ErrNotAllowed) {
		t.Fatalf("comms writes to support: %v", err)
	}
	e.clock.Advance(3 * time.Minute)
	if _, err := e.eng.Snapshot(ctx, id); err != nil {
		t.Fatal(err)
	}
	ev, p := lastOf(t, e, id, "message_sent")
	if p["canned"] != "ack" || p["thread"] != tk.Thread || p["body"] != "Ticket received by Acme support." || !slices.Equal(ev.Audience, []string{"soc"}) {
		t.Fatalf("automatic canned reply: %v %v", ev.Audience, p)
	}
	// Paused: participants wait, the facilitator still answers.
	if err := e.eng.Pause(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := send(engine.Actor{Participant: sol}, "s2", engine.SendInput{Action: "compose", Persona: "support", Thread: tk.Thread, Body: "thanks"}); !errors.Is(err, engine.ErrPaused) {
		t.Fatalf("send while paused: %v", err)
	}
	if _, err := send(fac, "f2", engine.SendInput{Team: "soc", Persona: "support", Thread: tk.Thread, Body: "We restored it."}); err != nil {
		t.Fatalf("persona while paused: %v", err)
	}
	before := allEvents(t, e.eng, id)
	snap, err := e.eng.Snapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	e.restart()
	snap2, err := e.eng.Snapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := jsonOf(t, snap.Sim), jsonOf(t, snap2.Sim); a != b {
		t.Fatalf("state after restart differs:\n%s\n%s", a, b)
	}
	if after := allEvents(t, e.eng, id); len(after) != len(before) {
		t.Fatalf("the restart wrote %d events", len(after)-len(before))
	}
	// A retry after the restart is still the original.
	if again, err := send(engine.Actor{Participant: sol}, "s1", engine.SendInput{Action: "compose", Persona: "support", Body: "Please lock @acme."}); err != nil || !again.Duplicate || again.Message != tk.Message {
		t.Fatalf("retry after restart: %+v %v", again, err)
	}
	if st := snap2.Status; st != store.StatusPaused {
		t.Fatalf("status %s", st)
	}
}

// TestWorldReceiptsAndChatSurviveRestart: receipts are logged once per
// participant, inject and kind, also across a restart (the set is rebuilt
// from the log); chat lines on a declared line reach both teams.
func TestWorldReceiptsAndChatSurviveRestart(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, ann, _, lee, sol := worldExercise(t, e)
	e.clock.Advance(time.Minute)
	if _, err := e.eng.Snapshot(ctx, id); err != nil {
		t.Fatal(err)
	}
	email, _ := lastOf(t, e, id, "inject_delivered")
	first, err := e.eng.Receipt(ctx, id, ann, engine.ReceiptInput{Seq: email.Seq})
	if err != nil || first.Duplicate || first.Seq == 0 {
		t.Fatalf("receipt: %+v %v", first, err)
	}
	if _, err := e.eng.Receipt(ctx, id, sol, engine.ReceiptInput{Seq: email.Seq}); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("soc's receipt of comms' email: %v", err)
	}
	line, err := e.eng.Chat(ctx, id, engine.Actor{Participant: lee}, engine.ChatInput{ClientID: "c1", Room: "line:comms:legal", Body: "Send me the draft"})
	if err != nil {
		t.Fatal(err)
	}
	if ev, _ := lastOf(t, e, id, engine.KindChat); ev.Seq != line.Seq || !slices.Equal(ev.Audience, []string{"comms", "legal"}) {
		t.Fatalf("line audience %v", ev.Audience)
	}
	if _, err := e.eng.Chat(ctx, id, engine.Actor{Participant: sol}, engine.ChatInput{ClientID: "c2", Room: "line:comms:legal", Body: "me too"}); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("soc on the comms-legal line: %v", err)
	}
	if _, err := e.eng.Chat(ctx, id, engine.Actor{Participant: sol}, engine.ChatInput{ClientID: "c3", Room: "line:legal:soc", Body: "undeclared"}); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("undeclared line: %v", err)
	}
	e.restart()
	again, err := e.eng.Receipt(ctx, id, ann, engine.ReceiptInput{Seq: email.Seq})
	if err != nil || !again.Duplicate {
		t.Fatalf("receipt after restart: %+v %v", again, err)
	}
	if o, err := e.eng.Receipt(ctx, id, ann, engine.ReceiptInput{Seq: email.Seq, Opened: true}); err != nil || o.Duplicate {
		t.Fatalf("opened after restart: %+v %v", o, err)
	}
	rs, err := e.eng.Receipts(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		for _, tm := range r.Teams {
			for _, x := range tm.Received {
				got = append(got, r.Inject+"/"+tm.Team+"/received/"+x.Name)
			}
			for _, x := range tm.Opened {
				got = append(got, r.Inject+"/"+tm.Team+"/opened/"+x.Name)
			}
		}
	}
	if want := []string{"email/comms/received/Ann", "email/comms/opened/Ann"}; !slices.Equal(got, want) {
		t.Fatalf("receipts %v, want %v", got, want)
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestArchiveWorldRoundTrip: an exercise with chat, receipts, drafts,
// approvals and messages is exported and imported with every event as it
// was, and replays to the same state; an archive that widens a world
// event's audience is refused.
func TestArchiveWorldRoundTrip(t *testing.T) {
	src := newEnv(t)
	ctx := ctxT(t)
	id, ann, _, lee, sol := worldExercise(t, src)
	src.clock.Advance(time.Minute)
	if _, err := src.eng.Snapshot(ctx, id); err != nil {
		t.Fatal(err)
	}
	email, _ := lastOf(t, src, id, "inject_delivered")
	steps := []func() error{
		func() error {
			_, err := src.eng.Chat(ctx, id, engine.Actor{Participant: lee}, engine.ChatInput{ClientID: "c1", Room: "line:comms:legal", Body: "draft?"})
			return err
		},
		func() error {
			_, err := src.eng.Receipt(ctx, id, ann, engine.ReceiptInput{Seq: email.Seq, Opened: true})
			return err
		},
		func() error {
			d, err := src.eng.SaveDraft(ctx, id, ann, engine.DraftInput{ClientID: "d1", Action: "publish", Outlet: "newsroom", Body: "We know."})
			if err != nil {
				return err
			}
			if _, err := src.eng.Draft(ctx, id, engine.Actor{Participant: ann}, engine.DraftCommand{ClientID: "r1", Draft: d.Draft, Do: engine.DraftRequest}); err != nil {
				return err
			}
			if _, err := src.eng.Draft(ctx, id, engine.Actor{Participant: lee}, engine.DraftCommand{ClientID: "a1", Draft: d.Draft, Do: engine.DraftApprove, Version: 1}); err != nil {
				return err
			}
			_, err = src.eng.Send(ctx, id, engine.Actor{Participant: ann}, engine.SendInput{ClientID: "p1", Draft: d.Draft})
			return err
		},
		func() error {
			_, err := src.eng.Send(ctx, id, engine.Actor{Participant: sol}, engine.SendInput{ClientID: "s1", Action: "compose", Persona: "support", Body: "lock it"})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	a, raw := exportToFile(t, src, id)
	dst := newEnv(t)
	dst.clock.Set(src.clock.Now())
	if _, err := engine.Import(ctx, dst.st, a, dst.clock.Now()); err != nil {
		t.Fatal(err)
	}
	da, db := dump(t, src.st, id), dump(t, dst.st, id)
	for i := range da.Events {
		if err := sameEvent(da.Events[i], db.Events[i]); err != nil {
			t.Fatalf("event %d differs after import: %v", i+1, err)
		}
	}
	// The imported copy knows the receipt (a repeat is a duplicate).
	if r, err := dst.eng.Receipt(ctx, id, ann, engine.ReceiptInput{Seq: email.Seq, Opened: true}); err != nil || !r.Duplicate {
		t.Fatalf("receipt in the import: %+v %v", r, err)
	}
	for _, c := range []struct {
		kind string
		aud  []string
	}{
		{engine.KindChat, []string{"*"}},
		{engine.KindDraftSaved, []string{"comms", "soc", "legal"}},
		{engine.KindReceipt, []string{"comms"}},
	} {
		b, err := engine.DecodeArchive(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		for i := range b.Events {
			if b.Events[i].Kind == c.kind {
				b.Events[i].Audience = c.aud
				break
			}
		}
		other := newEnv(t)
		if _, err := engine.Import(ctx, other.st, b, other.clock.Now()); err == nil || !strings.Contains(err.Error(), "audience") {
			t.Errorf("%s shown to %v: imported (%v)", c.kind, c.aud, err)
		}
	}
}

// TestReplyDraftTellsNoStoryAhead: a reply can be drafted only to an
// inject the team received and may answer; any other id is not found, so
// a draft cannot probe for injects still to come.
func TestReplyDraftTellsNoStoryAhead(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, ann, _, lee, _ := worldExercise(t, e)
	save := func(pid, cid, inject string) error {
		_, err := e.eng.SaveDraft(ctx, id, pid, engine.DraftInput{ClientID: cid, Action: "reply", Inject: inject, Body: "x"})
		return err
	}
	if err := save(ann, "d1", "email"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("reply draft before the email: %v", err)
	}
	if err := save(ann, "d2", "nope"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("reply draft to no inject: %v", err)
	}
	e.clock.Advance(time.Minute)
	if err := save(ann, "d3", "email"); err != nil {
		t.Fatalf("reply draft once the email is in: %v", err)
	}
	if err := save(lee, "d4", "email"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("legal drafts a reply to comms' email: %v", err)
	}
}
