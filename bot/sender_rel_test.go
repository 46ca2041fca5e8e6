package bot_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"aduan/bot"
	"aduan/bot/memory"
	"aduan/flows"
	"aduan/flows/flowstest"
)

// toCitizen fails deliveries to the complainant's chat with the queued errors, in
// order; every other message goes through.
type toCitizen struct {
	*memory.Channel
	mu    sync.Mutex
	fails []error
	tries int
}

func (c *toCitizen) Deliver(ctx context.Context, m flows.Envelope) (flows.Receipt, error) {
	if m.Unit == "" {
		c.mu.Lock()
		c.tries++
		if len(c.fails) > 0 {
			err := c.fails[0]
			c.fails = c.fails[1:]
			c.mu.Unlock()
			return flows.Receipt{}, err
		}
		c.mu.Unlock()
	}
	return c.Channel.Deliver(ctx, m)
}

// TestSenderRateLimitsSpendNoAttempts: nineteen 429s and then a 500 neither give the
// message up nor grow the 500's backoff: the next try comes after the first step (5 s).
func TestSenderRateLimitsSpendNoAttempts(t *testing.T) {
	db, rules, clock, ch, s := setup(t)
	if _, err := db.File(ctx, rules, "KR", flowstest.Report(), clock.Now()); err != nil {
		t.Fatal(err)
	}
	c := &toCitizen{Channel: ch}
	for range 19 {
		c.fails = append(c.fails, &bot.RetryAfter{Wait: 3 * time.Second})
	}
	c.fails = append(c.fails, errors.New("telegram send: 500 Internal Server Error"))
	s.Channels = []bot.Channel{c}
	for range 20 {
		drain(t, s)
		clock.Advance(3 * time.Second)
	}
	if c.tries != 20 {
		t.Fatalf("%d tries, want 20", c.tries)
	}
	var attempts int
	var failed bool
	var next time.Time
	if err := db.Pool().QueryRow(ctx, `SELECT attempts, failed_at IS NOT NULL, next_attempt_at FROM outbox WHERE unit = ''`).Scan(&attempts, &failed, &next); err != nil {
		t.Fatal(err)
	}
	failedAt := clock.Now().Add(-3 * time.Second) // the 500 came at the last drain
	if wait := next.Sub(failedAt); failed || attempts != 1 || wait < 4500*time.Millisecond || wait > 5500*time.Millisecond {
		t.Fatalf("after 19 x 429 and a 500: attempts %d, failed %v, next try %s later; want 1, false, 5 s ± 10%%", attempts, failed, wait)
	}
	clock.Advance(3 * time.Second)
	drain(t, s)
	var mine int
	for _, m := range ch.Sent() {
		if m.Unit == "" {
			mine++
		}
	}
	if mine != 1 {
		t.Errorf("the complainant's message was delivered %d times, want 1", mine)
	}
}

// realClock is the wall clock, for Run's timers.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// TestSenderRemembersRetryTimeAcrossWakes: a wake-up (another message queued) while a
// message waits for its retry_after does not make Run forget when it is due.
func TestSenderRemembersRetryTimeAcrossWakes(t *testing.T) {
	db, rules, _, ch, s := setup(t)
	s.Clock = realClock{}
	if _, err := db.File(ctx, rules, "KR", flowstest.Report(), time.Now()); err != nil {
		t.Fatal(err)
	}
	c := &toCitizen{Channel: ch, fails: []error{&bot.RetryAfter{Wait: 300 * time.Millisecond}}}
	s.Channels = []bot.Channel{c}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wake := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(rctx, wake, time.Hour) // only the retry time can bring the message back in time
	}()
	tries := func() int {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.tries
	}
	deadline := time.Now().Add(10 * time.Second)
	for tries() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no delivery attempted within 10 s")
		}
		time.Sleep(time.Millisecond)
	}
	wake <- struct{}{} // another message was queued: a drain that finds nothing due
	for {
		delivered := 0
		for _, m := range ch.Sent() {
			if m.Unit == "" {
				delivered++
			}
		}
		if delivered == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the message asked to wait 300 ms was not delivered within 10 s (%d tries)", tries())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}

// parted delivers every message in three parts, recording each but the last, and fails
// once after the second part (as a timeout would).
type parted struct {
	*memory.Channel
	mu     sync.Mutex
	parts  []string // every part sent, "outbox-id/part"
	failed bool
}

func (p *parted) DeliverParts(ctx context.Context, m flows.Envelope, record func(context.Context, int, flows.Receipt) error) (flows.Receipt, error) {
	var r flows.Receipt
	r.Ref = m.PartRef
	for i := m.Parts; i < 3; i++ {
		p.mu.Lock()
		if i == 2 && !p.failed {
			p.failed = true
			p.mu.Unlock()
			return flows.Receipt{}, errors.New("timeout")
		}
		p.parts = append(p.parts, fmt.Sprintf("%d/%d", m.ID, i))
		p.mu.Unlock()
		r.Ref = fmt.Sprintf("%d-%d", m.ID, i)
		if i < 2 {
			if err := record(ctx, i+1, r); err != nil {
				return flows.Receipt{}, err
			}
		}
	}
	return r, nil
}

// TestSenderResumesPartsFromTheDatabase: after a failure half-way through a message in
// parts, the retry sends only the parts the channel had not accepted.
func TestSenderResumesPartsFromTheDatabase(t *testing.T) {
	db, rules, clock, ch, s := setup(t)
	if _, err := db.File(ctx, rules, "KR", flowstest.Report(), clock.Now()); err != nil {
		t.Fatal(err)
	}
	p := &parted{Channel: ch}
	s.Channels = []bot.Channel{p}
	drain(t, s)
	clock.Advance(10 * time.Second)
	drain(t, s)
	seen := map[string]int{}
	for _, part := range p.parts {
		seen[part]++
	}
	if len(p.parts) != 6 {
		t.Errorf("parts sent: %v, want 3 of each of the 2 messages", p.parts)
	}
	for part, n := range seen {
		if n != 1 {
			t.Errorf("part %s sent %d times", part, n)
		}
	}
	var pending int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM outbox WHERE delivered_at IS NULL`).Scan(&pending); err != nil || pending != 0 {
		t.Errorf("%d messages undelivered (%v)", pending, err)
	}
}
