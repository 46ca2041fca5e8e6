package store_test

import (
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
)

// A message whose lease runs out while a worker still handles it is claimed by a second
// worker: the two handle it one after the other, and the second does nothing.
func TestInboxHandledOnceWhenClaimedTwice(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	if _, err := db.Receive(ctx, store.Telegram, "77", flowstest.ChatRef, []byte(`{"update_id":77}`), at); err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{at, at.Add(time.Minute)} {
		if got, err := db.ClaimInbox(ctx, []string{store.Telegram}, now, time.Minute, 10); err != nil || len(got) != 1 {
			t.Fatalf("claim at %s: %v %v", now, got, err)
		}
	}
	intake := flows.DefaultIntake()
	in := flows.Inbound{Channel: store.Telegram, ID: "77", Chat: flowstest.ChatRef, User: flowstest.ChatRef, Command: "start"}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if err := db.Converse(ctx, rules, &intake, "KR", in, at); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var welcomes int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM outbox WHERE payload->>'msg' = $1`, flows.MsgWelcome).Scan(&welcomes); err != nil || welcomes != 1 {
		t.Errorf("%d welcomes queued (%v), want 1", welcomes, err)
	}
}

// When a change posts a new card in a group that holds an older one (a complaint sent
// back up), the old card is refreshed too; delivering that refresh after the new card
// must leave the new card the one later changes edit.
func TestNewCardStaysCurrentAfterOldCardRefresh(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	c := mustFile(t, db, rules, at)
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at)
	receipts := map[int64]string{} // outbox row → message ID in its chat
	n := 0
	deliverAll := func() {
		t.Helper()
		for {
			batch, err := db.Claim(ctx, []string{store.Telegram}, at, time.Minute, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(batch) == 0 {
				return
			}
			for _, m := range batch {
				ref := m.Edit // an edit keeps the message it replaces
				if ref == "" {
					n++
					ref = strconv.Itoa(n)
				}
				receipts[m.ID] = ref
				if err := db.Delivered(ctx, m.ID, flows.Receipt{Ref: ref}, at); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	deliverAll()
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvSendBack, Actor: flowstest.Member(flowstest.Regency), Text: "Bukan kewenangan kami."}, at)
	var returned int64
	if err := db.Pool().QueryRow(ctx, `SELECT id FROM outbox WHERE chat = '-1001' AND payload->>'msg' = $1`, flows.MsgReturned).Scan(&returned); err != nil {
		t.Fatal(err)
	}
	deliverAll()
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvArchive, Actor: flowstest.Member(flowstest.National), Text: "Bukan kewenangan pemerintah daerah."}, at)
	for {
		batch, err := db.Claim(ctx, []string{store.Telegram}, at, time.Minute, 10)
		if err != nil || len(batch) == 0 {
			t.Fatalf("no refresh of the national card (%v)", err)
		}
		for _, m := range batch {
			if m.Chat == "-1001" && m.Notice.Msg == flows.MsgCard {
				if m.Edit != receipts[returned] {
					t.Errorf("the national card refresh edits message %q, want %q (the card posted when it was sent back)", m.Edit, receipts[returned])
				}
				return
			}
			if err := db.Delivered(ctx, m.ID, flows.Receipt{Ref: "x"}, at); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestGiveUpApologizes: a citizen's message the desk cannot handle is given up (its
// chat proceeds) and the citizen is asked to send it again; a group's is only given up.
func TestGiveUpApologizes(t *testing.T) {
	db, _ := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	for _, id := range []string{"1", "2"} {
		if _, err := db.Receive(ctx, store.Telegram, id, flowstest.ChatRef, []byte(`{"update_id":`+id+`}`), at); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.GiveUp(ctx, store.Telegram, "1", flowstest.ChatRef, "download failed", true, at); err != nil {
		t.Fatal(err)
	}
	if got := pending(t, db, at); !slices.Equal(got, []string{flowstest.ChatRef + ":intake.failed"}) {
		t.Errorf("outbox = %v", got)
	}
	next, err := db.ClaimInbox(ctx, []string{store.Telegram}, at, time.Minute, 10)
	if err != nil || len(next) != 1 || next[0].ID != "2" {
		t.Errorf("after giving up, claimed %+v, %v; want update 2", next, err)
	}
	if err := db.GiveUp(ctx, store.Telegram, "2", "-1001", "bad", false, at); err != nil {
		t.Fatal(err)
	}
	if got := pending(t, db, at); len(got) != 0 {
		t.Errorf("a group's message given up queued %v", got)
	}
}
