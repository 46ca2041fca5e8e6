package telegram

import (
	"sync"
	"time"
)

// Rate is a token bucket: one token is added every Every, and at most Burst tokens are
// kept, so Burst messages may go at once and then one per Every. An Every of zero or
// less means no limit. A Burst below 1 counts as 1.
type Rate struct {
	Every time.Duration
	Burst int
}

// Limits holds Telegram's flood limits as token buckets. The Bot API documents them
// only loosely (core.telegram.org/bots/faq): about 30 messages per second in all, about
// one per second in one chat "with short bursts", and 20 per minute in one group.
type Limits struct {
	// Global paces every message the bot sends.
	Global Rate
	// PerChat paces each private chat (a positive chat ID).
	PerChat Rate
	// PerGroup paces each group, supergroup or channel (a negative chat ID).
	PerGroup Rate
}

// DefaultLimits returns the limits the adapter uses:
//
//   - Global: 25 messages per second, burst 5, so that no window of one second holds
//     more than 30 — Telegram's ceiling for bulk messages.
//   - PerChat: 1 message per second, burst 3. A reply to a complainant is often two or
//     three messages at once (an acknowledgement, then the next question, or a long
//     text split into parts); Telegram tolerates such short bursts in private chats,
//     and with a burst of 1 every second part would wait for the next outbox pass.
//   - PerGroup: 1 message every 6 seconds, burst 10, so that no window of one minute
//     holds more than 20 — Telegram's ceiling per group.
//
// A token bucket lets a full burst go and then refills, so in the worst case a private
// chat gets 4 messages within a second. Telegram answers an excess with a 429, which Penalize records.
//
// The limits hold per Limiter, that is per process: replicas sending with the same bot
// token share Telegram's limits between them.
func DefaultLimits() Limits {
	return Limits{
		Global:   Rate{Every: time.Second / 25, Burst: 5},
		PerChat:  Rate{Every: time.Second, Burst: 3},
		PerGroup: Rate{Every: 6 * time.Second, Burst: 10},
	}
}

// minSweep is the number of chat buckets below which the Limiter does not look for idle
// ones to forget.
const minSweep = 1024

// Limiter decides whether a message to a chat may go at a given time. It never reads
// the clock and never sleeps: callers pass the time and reschedule when told to wait.
// It is safe for concurrent use.
//
// Each bucket is kept as the time at which it is full again (the "theoretical arrival
// time" of the generic cell rate algorithm), so a bucket that is full is
// indistinguishable from one that was never used. The Limiter forgets full chat buckets
// whenever the number of buckets has doubled since the last time it looked, so its
// memory stays proportional to the chats that sent recently.
type Limiter struct {
	limits Limits

	mu      sync.Mutex
	global  time.Time
	chats   map[int64]time.Time
	sweepAt int // look for full buckets once len(chats) reaches this
}

// NewLimiter returns a Limiter that applies l.
func NewLimiter(l Limits) *Limiter {
	return &Limiter{limits: l, chats: map[int64]time.Time{}, sweepAt: minSweep}
}

// Reserve takes one token for a message to chatID at now from the chat's bucket
// (PerChat for a positive ID, PerGroup for a negative one) and from the global bucket,
// and returns 0. When either bucket is empty or paused by Penalize it takes nothing and
// returns how long to wait before trying again; another chat's messages may take the
// global tokens meanwhile, so the wait is a hint, not a promise.
func (l *Limiter) Reserve(chatID int64, now time.Time) (wait time.Duration) {
	return l.ReserveLeaving(chatID, now, 0)
}

// ReserveLeaving is Reserve that takes the chat's token only when at least spare more
// stay in the chat's bucket, kept for messages that must not wait (the answer to what a
// person just did). spare is at most the bucket's Burst-1; 0 makes it Reserve.
func (l *Limiter) ReserveLeaving(chatID int64, now time.Time, spare int) (wait time.Duration) {
	r := l.rate(chatID)
	spare = max(0, min(spare, r.Burst-1))
	l.mu.Lock()
	defer l.mu.Unlock()
	full := l.chats[chatID]
	need := full
	if r.Every > 0 && spare > 0 {
		need = full
		if need.Before(now) {
			need = now
		}
		need = need.Add(time.Duration(spare) * r.Every)
	}
	if w := max(r.wait(need, now), l.limits.Global.wait(l.global, now)); w > 0 {
		return w
	}
	l.global = l.limits.Global.take(l.global, now)
	l.set(chatID, r.take(full, now), now)
	return 0
}

// Penalize records a 429 answer whose retry_after is d. When global is false, the chat
// chatID waits at least d from now; when global is true (a 429 that no single chat
// caused), every chat waits at least d and chatID is ignored. When the pause ends the
// bucket holds one token and refills at its rate. A d of zero or less changes nothing, and a
// penalty never shortens a longer wait already due.
func (l *Limiter) Penalize(chatID int64, now time.Time, d time.Duration, global bool) {
	if d <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if global {
		l.global = l.limits.Global.pause(l.global, now, d)
		return
	}
	l.set(chatID, l.rate(chatID).pause(l.chats[chatID], now, d), now)
}

// rate returns the bucket that paces chatID.
func (l *Limiter) rate(chatID int64) Rate {
	if chatID < 0 {
		return l.limits.PerGroup
	}
	return l.limits.PerChat
}

// set stores the time at which the bucket of chatID is full again, forgetting the bucket
// when that is not after now. l.mu must be held.
func (l *Limiter) set(chatID int64, full, now time.Time) {
	if !full.After(now) {
		delete(l.chats, chatID)
		return
	}
	l.chats[chatID] = full
	if len(l.chats) < l.sweepAt {
		return
	}
	for id, f := range l.chats {
		if !f.After(now) {
			delete(l.chats, id)
		}
	}
	l.sweepAt = max(2*len(l.chats), minSweep)
}

// tolerance is how far ahead of now a bucket may be full again while it still holds a
// token: Burst-1 tokens' worth of time.
func (r Rate) tolerance() time.Duration {
	if r.Every <= 0 || r.Burst <= 1 {
		return 0
	}
	return time.Duration(r.Burst-1) * r.Every
}

// wait returns how long after now the bucket that is full again at full holds a token;
// 0 when it holds one now.
func (r Rate) wait(full, now time.Time) time.Duration {
	return max(full.Add(-r.tolerance()).Sub(now), 0)
}

// take returns when the bucket is full again after one token is taken at now.
func (r Rate) take(full, now time.Time) time.Time {
	if r.Every <= 0 {
		return full
	}
	if full.Before(now) {
		full = now
	}
	return full.Add(r.Every)
}

// pause returns when the bucket is full again if it is to hold no token until now+d,
// one token at now+d, and refill at its rate from there.
func (r Rate) pause(full, now time.Time, d time.Duration) time.Time {
	p := now.Add(d + r.tolerance())
	if p.After(full) {
		return p
	}
	return full
}
