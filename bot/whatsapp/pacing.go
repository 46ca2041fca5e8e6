package whatsapp

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Pacing is how sends are spaced so that the desk's number writes like a person, not a
// bulk sender (WhatsApp bans those): a gap between any two sends, longer by a random
// jitter each time, a gap between two sends to one chat, and a cap per day.
type Pacing struct {
	Gap     time.Duration // between any two sends
	Jitter  time.Duration // a random extra of up to this much on each Gap
	PerChat time.Duration // between two sends to one chat
	Daily   int           // sends in any 24 hours; 0 means no cap
}

// DefaultPacing returns the pacing of the desk's notes on WhatsApp's ban risk: at
// least 3 s between sends plus up to 2 s of jitter, 2 s between sends to one chat, and
// at most 1000 sends a day.
func DefaultPacing() Pacing {
	return Pacing{Gap: 3 * time.Second, Jitter: 2 * time.Second, PerChat: 2 * time.Second, Daily: 1000}
}

// Pacer keeps the times of sends and tells how long the next one must wait. It is safe
// for concurrent use.
type Pacer struct {
	p Pacing

	mu    sync.Mutex
	next  time.Time            // the earliest time of the next send, any chat
	chats map[string]time.Time // the earliest time of the next send to a chat
	sent  []time.Time          // the sends of the last 24 hours, oldest first (with a cap)
	rand  func() float64
}

// NewPacer returns a pacer for p.
func NewPacer(p Pacing) *Pacer {
	return &Pacer{p: p, chats: map[string]time.Time{}, rand: rand.Float64}
}

// Reserve takes the send slot of chat at now when it is free and returns 0; otherwise
// it takes nothing and returns how long to wait before asking again.
func (pc *Pacer) Reserve(chat string, now time.Time) time.Duration {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.p.Daily > 0 {
		day := now.Add(-24 * time.Hour)
		i := 0
		for i < len(pc.sent) && !pc.sent[i].After(day) {
			i++
		}
		pc.sent = pc.sent[i:]
		if len(pc.sent) >= pc.p.Daily {
			return pc.sent[0].Add(24 * time.Hour).Sub(now)
		}
	}
	wait := max(pc.next.Sub(now), pc.chats[chat].Sub(now), 0)
	if wait > 0 {
		return wait
	}
	gap := pc.p.Gap
	if pc.p.Jitter > 0 {
		gap += time.Duration(pc.rand() * float64(pc.p.Jitter))
	}
	pc.next = now.Add(gap)
	pc.chats[chat] = now.Add(pc.p.PerChat)
	if pc.p.Daily > 0 {
		pc.sent = append(pc.sent, now)
	}
	// Chats whose gap has passed are forgotten.
	if len(pc.chats) > 1024 {
		for k, t := range pc.chats {
			if !t.After(now) {
				delete(pc.chats, k)
			}
		}
	}
	return 0
}

// Count makes the daily cap count sent, the times of earlier sends (any order), in
// place of the sends the pacer remembers; those before the last 24 hours fall away as
// time passes, and only the newest Daily count.
func (pc *Pacer) Count(sent []time.Time) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.p.Daily <= 0 {
		return
	}
	pc.sent = slices.SortedFunc(slices.Values(sent), time.Time.Compare)
	if n := len(pc.sent) - pc.p.Daily; n > 0 {
		pc.sent = pc.sent[n:]
	}
}

// SendLog tells when the channel sent: the outbox's delivered WhatsApp messages, sent
// by whichever replica held the connection (store.DB is one).
type SendLog interface {
	// Sends returns the times of the channel's newest sends after since, one per part
	// sent, oldest first, at most limit of them.
	Sends(ctx context.Context, channel string, since time.Time, limit int) ([]time.Time, error)
}

// CountSends makes the daily cap count the sends of the last 24 hours that log holds,
// so that a restart or a takeover by another replica does not start the day's count
// afresh: call it when a connection is attached, before anything is sent over it. The
// log's times are on the business clock, shifted here onto the pacing clock (the same
// in production). Without a daily cap it reads nothing; on an error the count is left
// as it was.
func (c *Bot) CountSends(ctx context.Context, log SendLog) error {
	if c.cfg.Pacing.Daily <= 0 {
		return nil
	}
	now := c.clock.Now()
	sent, err := log.Sends(ctx, Name, now.Add(-24*time.Hour), c.cfg.Pacing.Daily)
	if err != nil {
		return fmt.Errorf("whatsapp: count the day's sends: %w", err)
	}
	shift := c.cfg.Pace.Now().Sub(now)
	for i := range sent {
		sent[i] = sent[i].Add(shift)
	}
	c.pacer.Count(sent)
	return nil
}
