package store_test

import (
	"slices"
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
)

// A chat's messages go out in the order they were queued: the next one is claimed only
// after the previous one is delivered or failed. Other chats are not held up.
func TestOutboxOrderPerChat(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	c := mustFile(t, db, rules, at) // complainant.filed, national unit.new
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at)

	first, err := db.Claim(ctx, []string{store.Telegram}, at, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range first {
		got = append(got, m.Chat+":"+string(m.Notice.Msg))
	}
	// One message per chat: the complainant's first, the national group's, the regency's.
	want := []string{flowstest.ChatRef + ":complainant.filed", "-1001:unit.new", "-1002:unit.new"}
	if !slices.Equal(got, want) {
		t.Fatalf("first claim = %v, want %v", got, want)
	}
	// Nothing more is claimable while those are leased.
	if more, _ := db.Claim(ctx, []string{store.Telegram}, at, time.Minute, 10); len(more) != 0 {
		t.Fatalf("claimed past the head of a chat: %v", more)
	}
	if err := db.Delivered(ctx, first[0].ID, flows.Receipt{Ref: "1"}, at); err != nil {
		t.Fatal(err)
	}
	next, _ := db.Claim(ctx, []string{store.Telegram}, at, time.Minute, 10)
	if len(next) != 1 || next[0].Notice.Msg != flows.MsgVerified || next[0].Lang != "id" || next[0].Notice.Tracking != c.Tracking {
		t.Fatalf("after delivery: %+v", next)
	}
}

// A crash after claiming and before the channel confirmed: the lease runs out and the
// message is claimed again, once; a delivered message is never claimed again.
func TestOutboxLeaseExpiryRedelivers(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	mustFile(t, db, rules, at)
	claimed, _ := db.Claim(ctx, []string{store.Telegram}, at, time.Minute, 10)
	if len(claimed) != 2 {
		t.Fatalf("claimed %d", len(claimed))
	}
	// "crash": nothing is marked. Before the lease ends nothing is claimable…
	if again, _ := db.Claim(ctx, []string{store.Telegram}, at.Add(59*time.Second), time.Minute, 10); len(again) != 0 {
		t.Fatalf("claimed during the lease: %d", len(again))
	}
	// …after it, both come back, with the attempt counted.
	again, _ := db.Claim(ctx, []string{store.Telegram}, at.Add(time.Minute), time.Minute, 10)
	if len(again) != 2 || again[0].ID != claimed[0].ID || again[0].Attempts != 2 {
		t.Fatalf("after the lease: %+v", again)
	}
	for _, m := range again {
		if err := db.Delivered(ctx, m.ID, flows.Receipt{Ref: "ok"}, at.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if left, _ := db.Claim(ctx, []string{store.Telegram}, at.Add(time.Hour), time.Minute, 10); len(left) != 0 {
		t.Errorf("delivered messages claimed again: %d", len(left))
	}
}

func TestOutboxRetryAndFailure(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	c := mustFile(t, db, rules, at)
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at)
	claim := func(when time.Time) []flows.Envelope {
		t.Helper()
		out, err := db.Claim(ctx, []string{store.Telegram}, when, time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		return slices.DeleteFunc(out, func(m flows.Envelope) bool { return m.Chat != flowstest.ChatRef })
	}
	head := claim(at)[0]
	if err := db.Retry(ctx, head.ID, at.Add(30*time.Second), "429"); err != nil {
		t.Fatal(err)
	}
	if got := claim(at.Add(29 * time.Second)); len(got) != 0 {
		t.Fatalf("claimed before retry time: %v", got)
	}
	if got := claim(at.Add(30 * time.Second)); len(got) != 1 || got[0].ID != head.ID {
		t.Fatalf("retry not claimed: %v", got)
	}
	if err := db.Failed(ctx, head.ID, "blocked", at.Add(31*time.Second)); err != nil {
		t.Fatal(err)
	}
	// The chat's next message proceeds once the head failed.
	if got := claim(at.Add(2 * time.Minute)); len(got) != 1 || got[0].Notice.Msg != flows.MsgVerified {
		t.Fatalf("after failure: %v", got)
	}
}

func TestInboxDeduplicates(t *testing.T) {
	db, _ := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	for i, want := range []bool{true, false, false} {
		fresh, err := db.Receive(ctx, store.Telegram, "1001", "555001", []byte(`{"update_id":1001}`), at)
		if err != nil || fresh != want {
			t.Fatalf("receive #%d = %v, %v; want %v", i+1, fresh, err, want)
		}
	}
	if fresh, _ := db.Receive(ctx, store.WhatsApp, "1001", "x@s.whatsapp.net", []byte(`{}`), at); !fresh {
		t.Error("the same ID on another channel is another message")
	}
	if err := db.Handled(ctx, store.Telegram, "1001", at); err != nil {
		t.Error(err)
	}
}
