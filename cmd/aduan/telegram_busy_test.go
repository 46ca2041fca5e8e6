package main

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"aduan/bot/telegram"
	"aduan/bot/telegram/tgfake"
	"aduan/flows/flowstest"
)

// TestTelegramPromptOvertakesABusyGroup: in a group whose queue is long (here paced at
// one message per 300 ms, five digests waiting), the request for a reason that answers
// an admin's press is sent before the messages queued earlier, not after them.
func TestTelegramPromptOvertakesABusyGroup(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", func(m *Main) {
		m.TelegramLimits.PerGroup = telegram.Rate{Every: 300 * time.Millisecond, Burst: 2}
	})
	_, card := d.file(citizenBudi, bodyKK)
	for range 5 {
		if _, err := d.m.DB().Pool().Exec(t.Context(), `INSERT INTO outbox (channel, chat, lang, unit, payload, created_at, next_attempt_at)
VALUES ('telegram', $1, 'id', $2, '{"msg":"unit.digest","open":1}', $3, $3)`, strconv.FormatInt(groupNational, 10), flowstest.National, d.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	d.kick()
	upd := tgfake.Callback(groupNational, adminNational, card.MessageID, d.button(groupNational, card, `^a:archive:\d+:\d+$`))
	calls := d.do(upd)
	var order []string
	for _, c := range calls {
		if c.Method != "sendMessage" || c.Fields["chat_id"] != strconv.FormatInt(groupNational, 10) {
			continue
		}
		switch text := c.Text(); {
		case strings.Contains(text, "Ringkasan harian"):
			order = append(order, "digest")
		case strings.Contains(text, "Balas pesan ini"):
			order = append(order, "prompt")
		}
	}
	// At most the digest already on its way when the press came goes first.
	if i := slices.Index(order, "prompt"); i < 0 || i > 1 {
		t.Fatalf("messages to the national group, in order: %v; want the prompt before the digests queued earlier", order)
	}
	if n := strings.Count(strings.Join(order, " "), "digest"); n != 5 {
		t.Errorf("%d digests delivered, want all 5: %v", n, order)
	}
}
