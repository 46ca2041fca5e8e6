package store_test

import (
	"slices"
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
)

// TestWrote: a chat wrote to the desk when it has a conversation or a message in the
// inbox, handled or not; another chat, or the same chat on another channel, did not.
func TestWrote(t *testing.T) {
	db, _ := setup(t)
	now := flowstest.At(t, "2026-12-01 09:00")
	check := func(channel, chat string, want bool) {
		t.Helper()
		if got, err := db.Wrote(ctx, channel, chat); err != nil || got != want {
			t.Errorf("Wrote(%s, %s) = %v, %v; want %v", channel, chat, got, err, want)
		}
	}
	check("whatsapp", "6281@s.whatsapp.net", false)
	if _, err := db.Receive(ctx, "whatsapp", "6281@s.whatsapp.net/3EB0A", "6281@s.whatsapp.net", []byte(`{}`), now); err != nil {
		t.Fatal(err)
	}
	check("whatsapp", "6281@s.whatsapp.net", true)
	if err := db.Handled(ctx, "whatsapp", "6281@s.whatsapp.net/3EB0A", now); err != nil {
		t.Fatal(err)
	}
	check("whatsapp", "6281@s.whatsapp.net", true)
	check("telegram", "6281@s.whatsapp.net", false)
	check("whatsapp", "6282@s.whatsapp.net", false)
	if _, err := db.Pool().Exec(ctx, `INSERT INTO session (channel, chat, updated_at) VALUES ('whatsapp', '123@lid', $1)`, now); err != nil {
		t.Fatal(err)
	}
	check("whatsapp", "123@lid", true)
}

// TestClaimKeepsIDBeforeFirstPart: a channel that records the message ID it chose
// before sending anything (WhatsApp: Progress with no part accepted) gets it back when
// the message is claimed again, so that a retry sends under the same ID.
func TestClaimKeepsIDBeforeFirstPart(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	mustFile(t, db, rules, at)
	claimed, err := db.Claim(ctx, []string{store.Telegram}, at, time.Minute, 10)
	if err != nil || len(claimed) == 0 {
		t.Fatalf("claimed %d, %v", len(claimed), err)
	}
	m := claimed[0]
	if m.PartRef != "" || m.Parts != 0 {
		t.Fatalf("a fresh message carries %d parts, ref %q", m.Parts, m.PartRef)
	}
	if err := db.Progress(ctx, m.ID, 0, flows.Receipt{Ref: "3EB0CHOSEN"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Retry(ctx, m.ID, at.Add(time.Second), "timed out"); err != nil {
		t.Fatal(err)
	}
	again, err := db.Claim(ctx, []string{store.Telegram}, at.Add(time.Second), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(again, func(e flows.Envelope) bool { return e.ID == m.ID })
	if i < 0 || again[i].PartRef != "3EB0CHOSEN" || again[i].Parts != 0 {
		t.Errorf("claimed again: %+v", again)
	}
}
