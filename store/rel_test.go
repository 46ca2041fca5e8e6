package store_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
	"aduan/store/storetest"
)

// twoProcesses returns two stores on one fresh database, as two replicas (or a process
// and its restart) would have, with the fixture units and rules.
func twoProcesses(t *testing.T) (a, b *store.DB, rules *flows.Rules) {
	t.Helper()
	a, url := storetest.New(t)
	dir, err := flows.NewDirectory(flowstest.Units())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ApplyUnits(ctx, dir, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	b, err = store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	rules, err = a.Rules(ctx, flows.DefaultPolicy(), flowstest.Zone(t), flows.DefaultWeekHours())
	if err != nil {
		t.Fatal(err)
	}
	return a, b, rules
}

// kill ends, as a crash would, the database session that proves the process holding
// outbox row id alive (the lock of its lease identity), and waits until the server has
// ended it.
func kill(t *testing.T, db *store.DB, id int64) {
	t.Helper()
	var ended bool
	err := db.Pool().QueryRow(ctx, `
SELECT pg_terminate_backend(l.pid, 10000) FROM pg_locks l JOIN outbox o ON l.objid::bigint = o.lease_owner
WHERE o.id = $1 AND l.locktype = 'advisory' AND l.classid = $2 AND l.objsubid = 2 AND l.granted
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`, id, store.LeaseLock).Scan(&ended)
	if err != nil || !ended {
		t.Fatalf("terminate the lease holder of outbox %d: %v, %v", id, ended, err)
	}
}

// TestLeasesOfADeadProcessAreFreeAtOnce: rows claimed by a live process wait for it,
// whatever the other process's clock says short of the lease; once that process is
// gone (its session killed, as kill -9 does), the other takes its outbox and inbox rows
// back at once instead of waiting minutes for the leases to run out.
func TestLeasesOfADeadProcessAreFreeAtOnce(t *testing.T) {
	a, b, rules := twoProcesses(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	mustFile(t, a, rules, at) // the complainant's and the national group's messages
	if _, err := a.Receive(ctx, store.Telegram, "5001", flowstest.ChatRef, []byte(`{"update_id":5001}`), at); err != nil {
		t.Fatal(err)
	}

	claimed, err := a.Claim(ctx, []string{store.Telegram}, at, 2*time.Minute, 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("process A claimed %d (%v), want 2", len(claimed), err)
	}
	if in, err := a.ClaimInbox(ctx, []string{store.Telegram}, at, time.Minute, 10); err != nil || len(in) != 1 {
		t.Fatalf("process A claimed %d inbound (%v), want 1", len(in), err)
	}
	// A lives: B takes nothing, a second later or a second before the leases end.
	for _, now := range []time.Time{at.Add(time.Second), at.Add(59 * time.Second)} {
		if got, err := b.Claim(ctx, []string{store.Telegram}, now, 2*time.Minute, 10); err != nil || len(got) != 0 {
			t.Fatalf("B claimed %d outbox rows of a live A (%v)", len(got), err)
		}
		if got, err := b.ClaimInbox(ctx, []string{store.Telegram}, now, time.Minute, 10); err != nil || len(got) != 0 {
			t.Fatalf("B claimed %d inbox rows of a live A (%v)", len(got), err)
		}
	}

	kill(t, b, claimed[0].ID)
	now := at.Add(2 * time.Second)
	again, err := b.Claim(ctx, []string{store.Telegram}, now, 2*time.Minute, 10)
	if err != nil || len(again) != 2 {
		t.Fatalf("after A died, B claimed %d outbox rows (%v), want 2 at once", len(again), err)
	}
	ids := []int64{again[0].ID, again[1].ID}
	if !slices.Contains(ids, claimed[0].ID) || !slices.Contains(ids, claimed[1].ID) || again[0].Attempts != 2 {
		t.Errorf("B claimed %+v, want A's rows with the crashed attempt counted", again)
	}
	in, err := b.ClaimInbox(ctx, []string{store.Telegram}, now, time.Minute, 10)
	if err != nil || len(in) != 1 || in[0].ID != "5001" {
		t.Fatalf("after A died, B claimed inbound %+v (%v), want update 5001", in, err)
	}
	// B's own leases hold against A coming back with a new identity.
	if got, err := a.Claim(ctx, []string{store.Telegram}, now, 2*time.Minute, 10); err != nil || len(got) != 0 {
		t.Errorf("A, restarted, claimed %d rows B holds (%v)", len(got), err)
	}
}

// queueEdit queues, as a change of the complaint does, a refresh of the card that
// outbox row card carried in its chat.
func queueEdit(t *testing.T, db *store.DB, card int64, at time.Time) int64 {
	t.Helper()
	var id int64
	err := db.Pool().QueryRow(ctx, `
INSERT INTO outbox (channel, chat, lang, complaint_id, unit, payload, edit_of, created_at, next_attempt_at)
SELECT channel, chat, 'id', complaint_id, unit, jsonb_build_object('msg', 'card.body', 'complaint', complaint_id, 'card', true), id, $2, $2
FROM outbox WHERE id = $1 RETURNING id`, card, at).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestPromptsOvertakeCardEdits: in a busy group, the prompt for text that answers a
// press does not wait behind the card edits and other messages queued before it; an edit overtaken by a
// newer edit of the same card is marked, never sent; every other message keeps its
// place in the chat's order.
func TestPromptsOvertakeCardEdits(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	c := mustFile(t, db, rules, at)
	c = mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at)
	pending(t, db, at) // everything so far delivered
	var card int64
	if err := db.Pool().QueryRow(ctx, `SELECT outbox_id FROM card WHERE chat = '-1002'`).Scan(&card); err != nil {
		t.Fatal(err)
	}
	old := queueEdit(t, db, card, at)
	newer := queueEdit(t, db, card, at)
	// A plain message (a digest, a reminder, a new card) queued before the press does
	// not hold the prompt back either.
	var earlier int64
	if err := db.Pool().QueryRow(ctx, `INSERT INTO outbox (channel, chat, lang, unit, payload, created_at, next_attempt_at)
VALUES ('telegram', '-1002', 'id', $1, '{"msg":"unit.digest"}', $2, $2) RETURNING id`, flowstest.Regency, at).Scan(&earlier); err != nil {
		t.Fatal(err)
	}
	// A member of the regency presses "send back": the desk asks for the reason.
	in := flows.Inbound{Channel: store.Telegram, Chat: "-1002", User: "7002", Name: "Rina"}
	press := flows.CardAction{Event: flows.EvSendBack, Complaint: c.ID, Version: c.Version}
	if err := db.Press(ctx, rules, []string{flowstest.Regency}, in, press, at); err != nil {
		t.Fatal(err)
	}
	// A plain message queued after the prompt keeps its place behind the edits.
	var later int64
	if err := db.Pool().QueryRow(ctx, `INSERT INTO outbox (channel, chat, lang, unit, payload, created_at, next_attempt_at)
VALUES ('telegram', '-1002', 'id', $1, '{"msg":"unit.digest"}', $2, $2) RETURNING id`, flowstest.Regency, at).Scan(&later); err != nil {
		t.Fatal(err)
	}

	got, err := db.Claim(ctx, []string{store.Telegram}, at, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, m := range got {
		if m.ID == newer {
			msgs = append(msgs, "newer edit")
			continue
		}
		if m.Notice.Msg == flows.MsgAskText && !m.Answer {
			t.Errorf("the prompt is not marked as an answer")
		}
		msgs = append(msgs, string(m.Notice.Msg))
	}
	if want := []string{"newer edit", string(flows.MsgAskText)}; !slices.Equal(msgs, want) {
		t.Fatalf("claimed %v, want %v", msgs, want)
	}
	var failed bool
	var reason string
	if err := db.Pool().QueryRow(ctx, `SELECT failed_at IS NOT NULL, last_error FROM outbox WHERE id = $1`, old).Scan(&failed, &reason); err != nil || !failed || reason != "superseded by a newer edit" {
		t.Errorf("the overtaken edit: failed %v, %q (%v)", failed, reason, err)
	}
	for _, m := range got {
		if err := db.Delivered(ctx, m.ID, flows.Receipt{Ref: "77"}, at); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []int64{earlier, later} {
		rest, err := db.Claim(ctx, []string{store.Telegram}, at, time.Minute, 10)
		if err != nil || len(rest) != 1 || rest[0].ID != want {
			t.Fatalf("then claimed %+v (%v), want message %d: the others keep their order", rest, err, want)
		}
		if err := db.Delivered(ctx, rest[0].ID, flows.Receipt{Ref: "78"}, at); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPacingIsNoAttempt: a 429 or the pacing deferring a message does not count as an
// attempt, so the backoff after a real failure starts from the first step and the
// give-up budget is untouched.
func TestPacingIsNoAttempt(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	mustFile(t, db, rules, at)
	var head flows.Envelope
	for i := range 12 {
		now := at.Add(time.Duration(i) * 3 * time.Second)
		got, err := db.Claim(ctx, []string{store.Telegram}, now, time.Minute, 10)
		if err != nil || len(got) != 2 {
			t.Fatalf("claim %d: %d rows, %v", i, len(got), err)
		}
		head = got[0]
		for _, m := range got {
			if err := db.Defer(ctx, m.ID, now.Add(3*time.Second), "telegram: retry after 3s"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if head.Attempts != 1 {
		t.Errorf("after 11 deferrals the message is on attempt %d, want 1", head.Attempts)
	}
}

// TestProgressIsKept: the parts of a split message the channel accepted are kept in
// the database and come back with the message when it is claimed again (by any process).
func TestProgressIsKept(t *testing.T) {
	a, b, rules := twoProcesses(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	mustFile(t, a, rules, at)
	got, err := a.Claim(ctx, []string{store.Telegram}, at, time.Minute, 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("claimed %d, %v", len(got), err)
	}
	m := got[0]
	if m.Parts != 0 || m.PartRef != "" {
		t.Fatalf("a fresh message has progress %d %q", m.Parts, m.PartRef)
	}
	if err := a.Progress(ctx, m.ID, 2, flows.Receipt{Ref: "812", Thread: "40"}); err != nil {
		t.Fatal(err)
	}
	a.Close() // crash: nothing else recorded
	again, err := b.Claim(ctx, []string{store.Telegram}, at, time.Minute, 10)
	if err != nil || len(again) != 2 {
		t.Fatalf("claimed again %d, %v", len(again), err)
	}
	if r := again[0]; r.ID != m.ID || r.Parts != 2 || r.PartRef != "812" || r.Thread != "40" {
		t.Errorf("claimed again with progress %d %q thread %q, want 2 \"812\" \"40\"", r.Parts, r.PartRef, r.Thread)
	}
}

// TestUnstorableInboundIsSetAside: an update PostgreSQL cannot hold (here \u0000, which
// jsonb refuses) is not an error for the channel: its key is kept, handled, so that a
// redelivery is recognised, and the chat's later messages go on.
func TestUnstorableInboundIsSetAside(t *testing.T) {
	db, _ := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	bad := []byte(`{"update_id":61,"message":{"chat":{"id":555001},"text":"a\u0000b"}}`)
	if !json.Valid(bad) {
		t.Fatal("the test's update is not JSON")
	}
	for i := range 2 {
		fresh, err := db.Receive(ctx, store.Telegram, "61", flowstest.ChatRef, bad, at)
		if err != nil || fresh {
			t.Fatalf("receive #%d: fresh %v, %v; want set aside (false, nil)", i+1, fresh, err)
		}
	}
	var handled bool
	var reason string
	if err := db.Pool().QueryRow(ctx, `SELECT handled_at IS NOT NULL, last_error FROM inbox WHERE message_id = '61'`).Scan(&handled, &reason); err != nil || !handled || reason == "" {
		t.Errorf("set-aside row: handled %v, reason %q (%v)", handled, reason, err)
	}
	if _, err := db.Receive(ctx, store.Telegram, "62", flowstest.ChatRef, []byte(`{"update_id":62}`), at); err != nil {
		t.Fatal(err)
	}
	next, err := db.ClaimInbox(ctx, []string{store.Telegram}, at, time.Minute, 10)
	if err != nil || len(next) != 1 || next[0].ID != "62" {
		t.Errorf("claimed %+v (%v), want update 62", next, err)
	}
}
