package store_test

import (
	"testing"

	"aduan/flows"
	"aduan/flows/flowstest"
)

// TestCitizenChat: the first of the chats with a conversation or a complaint on the
// channel is the citizen's; a chat known on another channel only, or not at all, is
// none.
func TestCitizenChat(t *testing.T) {
	db, rules := setup(t)
	now := flowstest.At(t, "2026-12-01 09:00")
	const pn, lid, other = "6281234567890@s.whatsapp.net", "123456789012345@lid", "6289999999999@s.whatsapp.net"
	check := func(want string, chats ...string) {
		t.Helper()
		if got, err := db.CitizenChat(ctx, "whatsapp", chats...); err != nil || got != want {
			t.Errorf("CitizenChat(%q) = %q, %v; want %q", chats, got, err, want)
		}
	}
	check("")
	check("", lid, pn)

	// A complaint filed from the phone-number chat, no conversation left.
	c := flowstest.Report()
	c.Contact = flows.Contact{Channel: "whatsapp", Chat: pn, Lang: "id"}
	if _, err := db.File(ctx, rules, "KR", c, now); err != nil {
		t.Fatal(err)
	}
	check(pn, lid, pn)
	check(pn, pn, lid)
	check("", lid, other)
	if got, err := db.CitizenChat(ctx, "telegram", lid, pn); err != nil || got != "" {
		t.Errorf("on another channel: %q, %v; want none", got, err)
	}

	// A conversation under the LID: the first chat asked that has one wins.
	if _, err := db.Pool().Exec(ctx, `INSERT INTO session (channel, chat, updated_at) VALUES ('whatsapp', $1, $2)`, lid, now); err != nil {
		t.Fatal(err)
	}
	check(lid, lid, pn)
	check(pn, pn, lid)
	check(lid, other, lid)
}
