package bot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"aduan/bot"
	"aduan/bot/memory"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
	"aduan/store/storetest"
)

var ctx = context.Background()

func setup(t *testing.T) (*store.DB, *flows.Rules, *flowstest.Clock, *memory.Channel, *bot.Sender) {
	t.Helper()
	db := storetest.NewWithUnits(t, flowstest.Units())
	rules, err := db.Rules(ctx, flows.DefaultPolicy(), flowstest.Zone(t), flows.DefaultWeekHours())
	if err != nil {
		t.Fatal(err)
	}
	clock := flowstest.NewClock(flowstest.At(t, "2026-11-30 10:00"))
	ch := memory.New(store.Telegram, nil)
	s := &bot.Sender{Outbox: db, Channels: []bot.Channel{ch}, Clock: clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return db, rules, clock, ch, s
}

func drain(t *testing.T, s *bot.Sender) int {
	t.Helper()
	n, err := s.Drain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func msgs(sent []memory.Sent) []string {
	var out []string
	for _, s := range sent {
		out = append(out, s.Chat+":"+string(s.Notice.Msg))
	}
	slices.Sort(out)
	return out
}

func TestSenderDeliversEverythingOnce(t *testing.T) {
	db, rules, clock, ch, s := setup(t)
	c, err := db.File(ctx, rules, "KR", flowstest.Report(), clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Apply(ctx, rules, c.ID, 0, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, clock.Now()); err != nil {
		t.Fatal(err)
	}
	// filed + national card, verified + regency card, and the national card refreshed.
	if n := drain(t, s); n != 5 {
		t.Errorf("delivered %d, want 5", n)
	}
	sent := ch.Take()
	// The complainant's two messages arrive in the order they were queued.
	var mine []flows.MsgID
	for _, m := range sent {
		if m.Chat == flowstest.ChatRef {
			mine = append(mine, m.Notice.Msg)
		}
	}
	if !slices.Equal(mine, []flows.MsgID{flows.MsgFiled, flows.MsgVerified}) {
		t.Errorf("complainant got %v", mine)
	}
	if n := drain(t, s); n != 0 || len(ch.Sent()) != 0 {
		t.Errorf("second drain delivered %d", n)
	}
}

func TestSenderHonoursRetryAfterAndBacksOff(t *testing.T) {
	db, rules, clock, ch, s := setup(t)
	if _, err := db.File(ctx, rules, "KR", flowstest.Report(), clock.Now()); err != nil {
		t.Fatal(err)
	}
	ch.Fail(&bot.RetryAfter{Wait: 3 * time.Second}, errors.New("502 bad gateway"))
	if n := drain(t, s); n != 0 {
		t.Fatalf("delivered %d despite failures", n)
	}
	// Which of the two chats got which failure depends on scheduling; after 3 s the
	// 429'd one goes, and the 502'd one waits for its backoff (5 s ± 10%).
	clock.Advance(3 * time.Second)
	drain(t, s)
	if got := len(ch.Sent()); got != 1 {
		t.Fatalf("after 3 s: %d delivered, want the one that was asked to wait 3 s", got)
	}
	clock.Advance(4 * time.Second)
	drain(t, s)
	if got := msgs(ch.Sent()); len(got) != 2 {
		t.Errorf("after backoff: %v", got)
	}
}

func TestSenderGivesUpOnUnreachableChat(t *testing.T) {
	db, rules, clock, ch, s := setup(t)
	c, err := db.File(ctx, rules, "KR", flowstest.Report(), clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Apply(ctx, rules, c.ID, 0, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, clock.Now()); err != nil {
		t.Fatal(err)
	}
	s.Channels = []bot.Channel{blocking{ch}}
	drain(t, s)
	want := []string{"-1001:card.body", "-1001:unit.new", "-1002:unit.new"}
	if got := msgs(ch.Sent()); !slices.Equal(got, want) {
		t.Errorf("delivered %v, want %v", got, want)
	}
	var failed int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL`).Scan(&failed); err != nil || failed != 2 {
		t.Errorf("failed rows = %d, %v", failed, err)
	}
}

func TestSenderGivesUpAfterMaxAttempts(t *testing.T) {
	db, rules, clock, ch, s := setup(t)
	s.MaxAttempts = 3
	if _, err := db.File(ctx, rules, "KR", flowstest.Report(), clock.Now()); err != nil {
		t.Fatal(err)
	}
	for range 6 {
		ch.Fail(errors.New("timeout"))
	}
	for range 3 {
		drain(t, s)
		clock.Advance(3 * time.Hour)
	}
	var failed int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL AND attempts = 3`).Scan(&failed); err != nil || failed != 2 {
		t.Errorf("given up = %d, %v", failed, err)
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	prev := time.Duration(0)
	for a := 1; a <= 30; a++ {
		d := bot.Backoff(a)
		if d < prev*8/10 || d > 2*time.Hour*11/10 || d < 4*time.Second {
			t.Fatalf("Backoff(%d) = %s after %s", a, d, prev)
		}
		prev = d
	}
	if d := bot.Backoff(30); d < 2*time.Hour*9/10 {
		t.Errorf("cap = %s", d)
	}
}

// blocking refuses every complainant's private chat, as Telegram does for a user who
// blocked the bot.
type blocking struct{ *memory.Channel }

func (b blocking) Deliver(ctx context.Context, m flows.Envelope) (flows.Receipt, error) {
	if m.Unit == "" {
		return flows.Receipt{}, fmt.Errorf("telegram: bot was blocked by the user: %w", bot.ErrUnreachable)
	}
	return b.Channel.Deliver(ctx, m)
}
