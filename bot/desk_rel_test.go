package bot_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"aduan/bot"
	"aduan/flows"
	"aduan/store"
)

// stubDecoder decodes every stored message of its channel as /start in a private chat,
// but for the IDs it is told to refuse (malformed) or to panic on.
type stubDecoder struct {
	name             string
	malformed, panic string
}

func (s stubDecoder) Name() string { return s.name }

func (s stubDecoder) Decode(_ context.Context, raw flows.RawInbound) (flows.Inbound, bool, error) {
	switch raw.ID {
	case s.malformed:
		return flows.Inbound{}, false, fmt.Errorf("stub: %w", bot.ErrMalformed)
	case s.panic:
		panic("stub: index out of range")
	}
	return flows.Inbound{Chat: raw.Chat, User: raw.Chat, Command: "start"}, false, nil
}

func newDesk(t *testing.T) (*store.DB, *bot.Desk, func() []string) {
	t.Helper()
	db, rules, clock, _, _ := setup(t)
	intake := flows.DefaultIntake()
	d := &bot.Desk{Store: db, Rules: func() *flows.Rules { return rules }, Intake: &intake, Prefix: "KR", Clock: clock,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	queued := func() []string {
		t.Helper()
		rows, err := db.Pool().Query(ctx, `SELECT channel || ':' || chat || ':' || (payload->>'msg') FROM outbox ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	return db, d, queued
}

// TestDeskTakesDecodersGivenLater: a channel whose decoder is given in a later pass is
// handled from then on.
func TestDeskTakesDecodersGivenLater(t *testing.T) {
	db, d, queued := newDesk(t)
	at := time.Now()
	for _, ch := range []string{store.Telegram, store.WhatsApp} {
		if _, err := db.Receive(ctx, ch, "1", "6281", []byte(`{}`), at); err != nil {
			t.Fatal(err)
		}
	}
	tg, wa := stubDecoder{name: store.Telegram}, stubDecoder{name: store.WhatsApp}
	if n, err := d.Drain(ctx, []bot.Decoder{tg}); err != nil || n != 1 {
		t.Fatalf("first drain handled %d (%v), want 1", n, err)
	}
	if n, err := d.Drain(ctx, []bot.Decoder{tg, wa}); err != nil || n != 1 {
		t.Fatalf("with the WhatsApp decoder added, handled %d (%v), want 1", n, err)
	}
	if got := queued(); len(got) != 2 || got[1] != "whatsapp:6281:"+string(flows.MsgWelcome) {
		t.Errorf("queued %v", got)
	}
}

// TestDeskSetsAsideWhatCannotBeHandled: a message its channel cannot decode, and one
// whose handling panics, are given up at the first attempt — the citizen is asked to send
// it again — and the chat's next message is handled in the same drain.
func TestDeskSetsAsideWhatCannotBeHandled(t *testing.T) {
	db, d, queued := newDesk(t)
	at := time.Now()
	for _, id := range []string{"1", "2", "3"} {
		if _, err := db.Receive(ctx, store.Telegram, id, "555001", []byte(`{}`), at); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Drain(ctx, []bot.Decoder{stubDecoder{name: store.Telegram, malformed: "1", panic: "2"}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"telegram:555001:" + string(flows.MsgFailed), "telegram:555001:" + string(flows.MsgFailed), "telegram:555001:" + string(flows.MsgWelcome)}
	if got := queued(); !slices.Equal(got, want) {
		t.Errorf("queued %v, want %v", got, want)
	}
	var attempts []int
	rows, err := db.Pool().Query(ctx, `SELECT attempts FROM inbox WHERE handled_at IS NOT NULL ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a int
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		attempts = append(attempts, a)
	}
	rows.Close()
	if !slices.Equal(attempts, []int{1, 1, 1}) {
		t.Errorf("attempts per message %v, want one each", attempts)
	}
}
