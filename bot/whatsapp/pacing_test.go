package whatsapp

import (
	"testing"
	"time"

	"aduan/flows/flowstest"
	"aduan/store/storetest"
)

// The daily cap counts the sends it is told of, the newest Daily, as those of the last
// 24 hours: past the cap the next send waits until the oldest is a day old.
func TestPacerCount(t *testing.T) {
	t.Parallel()
	t0 := flowstest.At(t, "2026-12-02 10:00")
	p := NewPacer(Pacing{Daily: 3})
	p.Count([]time.Time{t0.Add(-time.Hour), t0.Add(-23 * time.Hour), t0.Add(-2 * time.Hour), t0.Add(-25 * time.Hour)})
	if w := p.Reserve("a", t0); w != time.Hour {
		t.Errorf("at the cap: wait %v, want 1h (the oldest of the newest three is 23 h old)", w)
	}
	if w := p.Reserve("a", t0.Add(time.Hour)); w != 0 {
		t.Errorf("an hour later: wait %v, want none", w)
	}
	none := NewPacer(Pacing{})
	none.Count([]time.Time{t0, t0, t0})
	if w := none.Reserve("a", t0); w != 0 {
		t.Errorf("without a cap: wait %v", w)
	}
}

// A channel attached after a restart counts the WhatsApp sends of the outbox's last
// day, one per part, whichever replica made them, shifted from the business clock onto
// the pacing clock.
func TestCountSendsFromOutbox(t *testing.T) {
	t.Parallel()
	db, _ := storetest.New(t)
	biz := flowstest.NewClock(flowstest.At(t, "2026-12-02 10:00"))
	pace := flowstest.NewClock(biz.Now().Add(-100 * time.Hour)) // a pacing clock of its own
	for _, row := range []struct {
		channel string
		ago     time.Duration
		parts   int
	}{{"whatsapp", 30 * time.Hour, 0}, {"whatsapp", 20 * time.Hour, 1}, {"whatsapp", time.Hour, 0}, {"telegram", time.Hour, 0}} {
		at := biz.Now().Add(-row.ago)
		if _, err := db.Pool().Exec(t.Context(), `INSERT INTO outbox (channel, chat, payload, created_at, next_attempt_at, delivered_at, parts_sent)
VALUES ($1, '6281@s.whatsapp.net', '{"msg":"intake.welcome"}', $2, $2, $2, $3)`, row.channel, at, row.parts); err != nil {
			t.Fatal(err)
		}
	}
	c := New(Config{Pacing: Pacing{Daily: 4}, Pace: pace}, nil, nil, nil, nil, nil, biz, nil, nil)
	if err := c.CountSends(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	// Three sends counted (two parts 20 h ago, one 1 h ago): one more fits today.
	if w := c.pacer.Reserve("a", pace.Now()); w != 0 {
		t.Fatalf("the fourth send of the day waits %v", w)
	}
	if w := c.pacer.Reserve("b", pace.Now()); w != 4*time.Hour {
		t.Errorf("the fifth send waits %v, want 4h (until the parts of 20 h ago are a day old)", w)
	}
}
