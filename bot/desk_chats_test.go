package bot_test

import (
	"io"
	"log/slog"
	"slices"
	"testing"

	"aduan/bot"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
	"aduan/store/storetest"
)

// TestDeskKnowsEveryChatOfAUnit: a unit working in a Telegram group and a WhatsApp
// group is answered as that unit in either, and a group of no unit is not.
func TestDeskKnowsEveryChatOfAUnit(t *testing.T) {
	const waGroup = "120363025246125486@g.us"
	units := flowstest.Units()
	units[2].Chats = append(units[2].Chats, flows.ChatRef{Channel: store.WhatsApp, Chat: waGroup}) // dukcapil
	db := storetest.NewWithUnits(t, units)
	rules, err := db.Rules(ctx, flows.DefaultPolicy(), flowstest.Zone(t), flows.DefaultWeekHours())
	if err != nil {
		t.Fatal(err)
	}
	intake := flows.DefaultIntake()
	clock := flowstest.NewClock(flowstest.At(t, "2026-11-30 10:00"))
	d := &bot.Desk{Store: db, Rules: func() *flows.Rules { return rules }, Intake: &intake, Prefix: "KR", Clock: clock,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}

	for i, in := range []flows.Inbound{
		{Channel: store.Telegram, Chat: "-1003", User: "7003", Command: "antrian"},
		{Channel: store.WhatsApp, Chat: waGroup, User: "6281@s.whatsapp.net", Command: "antrian"},
		{Channel: store.WhatsApp, Chat: "120363000000000000@g.us", User: "6281@s.whatsapp.net", Command: "antrian"},
		{Channel: store.Telegram, Chat: waGroup, User: "7003", Command: "antrian"}, // the right ID on the wrong channel
	} {
		in.ID = string(rune('1' + i))
		if _, err := db.Receive(ctx, in.Channel, in.ID, in.Chat, []byte(`{}`), clock.Now()); err != nil {
			t.Fatal(err)
		}
		if err := d.Handle(ctx, in, true); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.Pool().Query(ctx, `SELECT channel || ' ' || chat || ' ' || unit || ' ' || (payload->>'msg') FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	want := []string{
		"telegram -1003 dukcapil " + string(flows.MsgQueueEmpty),
		"whatsapp " + waGroup + " dukcapil " + string(flows.MsgQueueEmpty),
	}
	if !slices.Equal(got, want) {
		t.Errorf("answers %q, want %q", got, want)
	}
}
