// Package bot connects the desk to chat networks. A Channel delivers what the outbox
// holds; the Sender drains the outbox into the channels with retries and backoff.
// Each network's SDK is imported by its own subpackage only (bot/telegram,
// bot/whatsapp); bot/memory is a channel for tests.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"aduan/flows"
)

// Channel delivers messages to one chat network.
type Channel interface {
	// Name is the channel's name in the outbox and on complaints ("telegram", …).
	Name() string
	// Deliver sends one message (or, when m.Edit is set, replaces that message) and
	// returns the network's receipt once the network has accepted it. It fails with a
	// *RetryAfter when the network asks to wait, with ErrUnreachable (wrapped) when the
	// chat can never receive it (the complainant blocked the bot, the group is gone),
	// and with any other error for a failure worth retrying.
	Deliver(ctx context.Context, m flows.Envelope) (flows.Receipt, error)
}

// PartialChannel is a Channel that may deliver one message in several parts (a long
// text split, a forum topic opened first). DeliverParts is Deliver that calls record
// after each part the network accepted but the last — parts counts them, r is the last
// one's receipt (with the topic opened, if any) — and goes on from m.Parts and m.PartRef
// when an earlier attempt got that far. When record fails, DeliverParts stops with that
// error: a part not recorded would be sent again by the next attempt.
type PartialChannel interface {
	Channel
	DeliverParts(ctx context.Context, m flows.Envelope, record func(ctx context.Context, parts int, r flows.Receipt) error) (flows.Receipt, error)
}

// ErrUnreachable marks a chat that cannot receive messages; retrying is pointless.
var ErrUnreachable = errors.New("bot: chat unreachable")

// ErrRejected marks a message the network refuses as it is; retrying is pointless.
var ErrRejected = errors.New("bot: message rejected")

// RetryAfter is a network's request to wait before sending again.
type RetryAfter struct{ Wait time.Duration }

func (e *RetryAfter) Error() string { return fmt.Sprintf("bot: retry after %s", e.Wait) }

// Outbox is what the Sender needs of the store.
type Outbox interface {
	// Claim leases up to limit due messages of the channels, the oldest pending one of
	// each chat, until now+lease.
	Claim(ctx context.Context, channels []string, now time.Time, lease time.Duration, limit int) ([]flows.Envelope, error)
	// Delivered records the network's confirmation; the message is never sent again.
	Delivered(ctx context.Context, id int64, r flows.Receipt, now time.Time) error
	// Progress records the parts of a message the network accepted so far.
	Progress(ctx context.Context, id int64, parts int, r flows.Receipt) error
	// Retry returns the message to the queue until at, after a failed attempt.
	Retry(ctx context.Context, id int64, at time.Time, reason string) error
	// Defer returns the message to the queue until at without counting the attempt.
	Defer(ctx context.Context, id int64, at time.Time, reason string) error
	// Failed gives up on the message.
	Failed(ctx context.Context, id int64, reason string, now time.Time) error
}

// Sender drains the outbox into channels. Messages of one chat go out in the order they
// were queued; a chat that fails waits with exponential backoff while the others go on.
// A wait the network asks for (a 429) or the channel's own pacing is no failure: it is
// not counted as an attempt and does not grow the backoff.
type Sender struct {
	Outbox   Outbox
	Channels []Channel
	Clock    flows.Clock
	Lease    time.Duration // how long a claimed message is reserved; default 2 minutes
	Batch    int           // messages claimed at a time; default 50
	// MaxAttempts is how many failed attempts a message gets before it is given up;
	// default 20 (with the backoff, about a day).
	MaxAttempts int
	Log         *slog.Logger
	// Observe, when set, is called after each delivery attempt with the message and
	// what came of it.
	Observe func(m flows.Envelope, o Outcome)

	mu  sync.Mutex
	due []time.Time // when messages that were asked to wait are due again, soonest first
}

// Outcome is what came of one delivery attempt.
type Outcome string

// The outcomes of a delivery attempt.
const (
	// Delivered: the network took the message.
	Delivered Outcome = "delivered"
	// Deferred: the network asked to wait (*RetryAfter); the message waits that long.
	Deferred Outcome = "deferred"
	// Retried: the attempt failed; the message is tried again after a backoff.
	Retried Outcome = "retried"
	// Dropped: the message cannot be delivered or ran out of attempts, and was given up.
	Dropped Outcome = "dropped"
)

// Backoff returns how long to wait after the given number of failed attempts: 5 s
// doubled per attempt, capped at 2 hours, with ±10% jitter.
func Backoff(attempts int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < attempts && d < 2*time.Hour; i++ {
		d *= 2
	}
	d = min(d, 2*time.Hour)
	return d + time.Duration((rand.Float64()*0.2-0.1)*float64(d))
}

// Drain sends every message that is due now and returns how many were delivered. It
// returns when nothing due is left or ctx ends; errors of single messages are
// recorded on them, not returned.
func (s *Sender) Drain(ctx context.Context) (int, error) {
	s.defaults()
	byName := map[string]Channel{}
	var names []string
	for _, c := range s.Channels {
		byName[c.Name()] = c
		names = append(names, c.Name())
	}
	if len(names) == 0 {
		return 0, nil
	}
	delivered := 0
	for ctx.Err() == nil {
		batch, err := s.Outbox.Claim(ctx, names, s.Clock.Now(), s.Lease, s.Batch)
		if err != nil {
			return delivered, err
		}
		if len(batch) == 0 {
			return delivered, nil
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		for _, m := range batch {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if s.send(ctx, byName[m.Channel], m) {
					mu.Lock()
					delivered++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
	return delivered, ctx.Err()
}

// send delivers one message and records the outcome; it reports whether it was delivered.
func (s *Sender) send(ctx context.Context, ch Channel, m flows.Envelope) bool {
	// A delivery under way finishes, and what the network said is recorded, even when
	// the desk is stopping: a message sent but left unmarked would go out twice.
	ctx = context.WithoutCancel(ctx)
	dctx, cancel := context.WithTimeout(ctx, time.Minute)
	ref, err := deliver(dctx, ch, m, func(ctx context.Context, parts int, r flows.Receipt) error {
		return s.Outbox.Progress(context.WithoutCancel(ctx), m.ID, parts, r)
	})
	cancel()
	now := s.Clock.Now()
	var ra *RetryAfter
	var rerr error
	outcome := Retried
	defer func() {
		if s.Observe != nil {
			s.Observe(m, outcome)
		}
	}()
	switch {
	case err == nil:
		outcome = Delivered
		// The network has the message: until this is recorded, a crash sends it again.
		// A failed write is tried again at once rather than left to the lease.
		for i, wait := range []time.Duration{0, 50 * time.Millisecond, 250 * time.Millisecond} {
			time.Sleep(wait)
			if rerr = s.Outbox.Delivered(ctx, m.ID, ref, now); rerr == nil {
				return true
			}
			if i < 2 {
				s.Log.Warn("delivery not recorded, trying again", "outbox_id", m.ID, "err", rerr)
			}
		}
	case errors.As(err, &ra):
		outcome = Deferred
		s.soonest(now.Add(ra.Wait))
		rerr = s.Outbox.Defer(ctx, m.ID, now.Add(ra.Wait), err.Error())
	case errors.Is(err, ErrUnreachable), errors.Is(err, ErrRejected):
		outcome = Dropped
		s.Log.Warn("message cannot be delivered, dropped", "outbox_id", m.ID, "channel", m.Channel, "msg", m.Notice.Msg, "err", err)
		rerr = s.Outbox.Failed(ctx, m.ID, err.Error(), now)
	case m.Attempts >= s.MaxAttempts:
		outcome = Dropped
		s.Log.Error("message given up", "outbox_id", m.ID, "channel", m.Channel, "attempts", m.Attempts, "err", err)
		rerr = s.Outbox.Failed(ctx, m.ID, err.Error(), now)
	default:
		s.Log.Warn("delivery failed, will retry", "outbox_id", m.ID, "channel", m.Channel, "attempts", m.Attempts, "err", err)
		rerr = s.Outbox.Retry(ctx, m.ID, now.Add(Backoff(m.Attempts)), err.Error())
	}
	if rerr != nil {
		// The lease runs out and the message is claimed again: nothing is lost.
		s.Log.Error("outbox update failed", "outbox_id", m.ID, "err", rerr)
	}
	return false
}

// deliver calls the channel, turning a panic into an error: one bad message never
// takes the process down.
func deliver(ctx context.Context, ch Channel, m flows.Envelope, record func(context.Context, int, flows.Receipt) error) (r flows.Receipt, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("bot: %s channel panicked: %v", ch.Name(), p)
		}
	}()
	if pc, ok := ch.(PartialChannel); ok {
		return pc.DeliverParts(ctx, m, record)
	}
	return ch.Deliver(ctx, m)
}

// Run drains the outbox whenever wake fires, when a message a network asked to wait
// for is due again, and at least every poll, until ctx ends. A wake-up in between does
// not make it forget that due time.
func (s *Sender) Run(ctx context.Context, wake <-chan struct{}, poll time.Duration) {
	s.defaults()
	for {
		if _, err := s.Drain(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("outbox drain failed", "err", err)
		}
		t := time.NewTimer(s.nextWake(poll))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// nextWake returns how long to sleep at most: poll, or less when a message that was
// asked to wait is due sooner. Due times that have come are forgotten (the drain that
// just ran took what was due); later ones are kept for the wakes after.
func (s *Sender) nextWake(poll time.Duration) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Clock.Now()
	passed := 0
	for passed < len(s.due) && !s.due[passed].After(now) {
		passed++
	}
	s.due = s.due[passed:]
	switch {
	case passed > 0:
		return min(poll, 10*time.Millisecond)
	case len(s.due) == 0:
		return poll
	}
	return min(poll, s.due[0].Sub(now))
}

// maxDue bounds how many due times the Sender remembers; past it the latest are
// dropped, and the poll finds those messages.
const maxDue = 1024

// soonest remembers a time a message that was asked to wait is due again.
func (s *Sender) soonest(at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, _ := slices.BinarySearchFunc(s.due, at, time.Time.Compare)
	s.due = slices.Insert(s.due, i, at)
	if len(s.due) > maxDue {
		s.due = s.due[:maxDue]
	}
}

func (s *Sender) defaults() {
	if s.Lease == 0 {
		s.Lease = 2 * time.Minute
	}
	if s.Batch == 0 {
		s.Batch = 50
	}
	if s.MaxAttempts == 0 {
		s.MaxAttempts = 20
	}
	if s.Log == nil {
		s.Log = slog.Default()
	}
}
