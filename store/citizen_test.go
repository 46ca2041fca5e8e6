package store_test

import (
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
)

// TestSweepSessionsHandlesEveryDueDraft: more drafts are due than one transaction
// takes (500); the sweep goes on until none is, and ends.
func TestSweepSessionsHandlesEveryDueDraft(t *testing.T) {
	db, _ := setup(t)
	intake := flows.DefaultIntake()
	start := flowstest.At(t, "2026-11-30 10:00")
	const n = 1203
	_, err := db.Pool().Exec(ctx, `INSERT INTO session (channel, chat, lang, step, draft, updated_at, next_check_at)
SELECT 'telegram', 'c' || i, 'id', 'body', '{}', $1, $2 FROM generate_series(1, $3) i`, start, start.Add(intake.RemindAfter), n)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.SweepSessions(ctx, &intake, start.Add(intake.RemindAfter+time.Minute))
	if err != nil || got != n {
		t.Fatalf("SweepSessions = %d, %v; want %d reminded", got, err, n)
	}
	var due, nudged, queued int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FILTER (WHERE next_check_at <= $1), count(*) FILTER (WHERE nudged),
	(SELECT count(*) FROM outbox WHERE payload->>'msg' = $2) FROM session`, start.Add(intake.RemindAfter+time.Minute), string(flows.MsgDraftReminder)).
		Scan(&due, &nudged, &queued); err != nil {
		t.Fatal(err)
	}
	if due != 0 || nudged != n || queued != n {
		t.Errorf("after the sweep: %d still due, %d nudged, %d reminders queued; want 0, %d, %d", due, nudged, queued, n, n)
	}
	// Nothing more is due: a second sweep at the same time changes nothing.
	if got, err := db.SweepSessions(ctx, &intake, start.Add(intake.RemindAfter+time.Minute)); err != nil || got != 0 {
		t.Errorf("second SweepSessions = %d, %v; want 0", got, err)
	}
	// The drafts are dropped after ExpireAfter, all of them.
	if got, err := db.SweepSessions(ctx, &intake, start.Add(intake.ExpireAfter)); err != nil || got != n {
		t.Errorf("SweepSessions at expiry = %d, %v; want %d", got, err, n)
	}
}

// TestConverseReachesOlderComplaints: a citizen with more than 20 complaints can still
// reply to the oldest when it waits for them, by typing, by its button, or by replying
// to the message about it.
func TestConverseReachesOlderComplaints(t *testing.T) {
	db, rules := setup(t)
	intake := flows.DefaultIntake()
	at := flowstest.At(t, "2026-11-30 09:00")
	oldest := mustFile(t, db, rules, at)
	for i := range 21 {
		mustFile(t, db, rules, at.Add(time.Duration(i+1)*time.Minute))
	}
	at = at.Add(time.Hour)
	mustApply(t, db, rules, oldest.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at)
	mustApply(t, db, rules, oldest.ID, flows.Event{Kind: flows.EvDistribute, Actor: flowstest.Member(flowstest.Regency), Target: flowstest.Agency}, at)
	mustApply(t, db, rules, oldest.ID, flows.Event{Kind: flows.EvAnswer, Actor: flowstest.Member(flowstest.Agency), Text: "Sudah dicetak."}, at)

	// The answer went out; its receipt is the Telegram message the citizen replies to.
	if _, err := db.Pool().Exec(ctx, `UPDATE outbox SET delivered_at = $1, receipt = '9001' WHERE chat = $2 AND payload->>'msg' = $3`,
		at, flowstest.ChatRef, string(flows.MsgAnswered)); err != nil {
		t.Fatal(err)
	}
	converse := func(in flows.Inbound) {
		t.Helper()
		at = at.Add(time.Minute)
		in.Channel, in.Chat, in.User = store.Telegram, flowstest.ChatRef, flowstest.ChatRef
		if err := db.Converse(ctx, rules, &intake, "KR", in, at); err != nil {
			t.Fatal(err)
		}
	}
	state := func() (flows.State, int) {
		t.Helper()
		c, err := db.Complaint(ctx, oldest.ID)
		if err != nil {
			t.Fatal(err)
		}
		return c.State, c.Version
	}

	converse(flows.Inbound{ReplyTo: "9001", Text: "Belum ada di kecamatan."})
	if s, v := state(); s != flows.InProgress || v != 5 {
		t.Fatalf("after a reply to the answer: %s version %d, want in_progress 5", s, v)
	}
	mustApply(t, db, rules, oldest.ID, flows.Event{Kind: flows.EvAnswer, Actor: flowstest.Member(flowstest.Agency), Text: "Sudah dikirim."}, at)
	converse(flows.Inbound{Choice: "c:sat:" + oldest.Tracking})
	if s, v := state(); s != flows.Closed || v != 7 {
		t.Fatalf("after Saya Puas on the 22nd newest: %s version %d, want closed 7", s, v)
	}
	converse(flows.Inbound{Choice: "c:rate:" + oldest.Tracking + ":5"})
	c, err := db.Complaint(ctx, oldest.ID)
	if err != nil || c.Rating != 5 {
		t.Errorf("rating of the 22nd newest = %d, %v; want 5", c.Rating, err)
	}
	var refused int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM outbox WHERE chat = $1 AND payload->>'msg' = $2`,
		flowstest.ChatRef, string(flows.MsgNotYours)).Scan(&refused); err != nil || refused != 0 {
		t.Errorf("%d %s refusals (%v), want none", refused, flows.MsgNotYours, err)
	}
}
