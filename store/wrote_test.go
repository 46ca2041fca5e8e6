package store_test

import (
	"testing"

	"aduan/flows/flowstest"
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
