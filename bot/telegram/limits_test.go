package telegram

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// start is the fake time every limiter test begins at.
var start = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

// every is the default global interval, the wait of the 31st message in one instant.
const every = time.Second / 30

// step is one action of a limiter scenario: Reserve for each chat at start+at and
// expect want, or, when penalty is set, Penalize.
type step struct {
	at      time.Duration
	chats   []int64
	want    time.Duration
	penalty time.Duration
	global  bool
}

// ids returns n chat IDs from first on, counting away from zero.
func ids(first int64, n int) []int64 {
	s := make([]int64, n)
	for i := range s {
		if first < 0 {
			s[i] = first - int64(i)
		} else {
			s[i] = first + int64(i)
		}
	}
	return s
}

// times returns chatID n times.
func times(chatID int64, n int) []int64 {
	s := make([]int64, n)
	for i := range s {
		s[i] = chatID
	}
	return s
}

func TestLimiterReserve(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"30 chats pass at once, the 31st waits 1/30 s", []step{
			{at: 0, chats: ids(1, 30), want: 0},
			{at: 0, chats: []int64{31}, want: every},
			{at: every - time.Millisecond, chats: []int64{31}, want: time.Millisecond},
			{at: every, chats: []int64{31}, want: 0},
			{at: every, chats: []int64{32}, want: every},
			{at: 31 * every, chats: ids(40, 30), want: 0},
		}},
		{"a private chat gets a burst of 3, then 1 per second", []step{
			{at: 0, chats: times(7, 3), want: 0},
			{at: 0, chats: times(7, 2), want: time.Second},
			{at: 0, chats: []int64{8}, want: 0},
			{at: 400 * time.Millisecond, chats: []int64{7}, want: 600 * time.Millisecond},
			{at: time.Second, chats: []int64{7}, want: 0},
			{at: time.Second, chats: []int64{7}, want: time.Second},
			{at: 2 * time.Second, chats: []int64{7}, want: 0},
			{at: 2500 * time.Millisecond, chats: []int64{7}, want: 500 * time.Millisecond},
			{at: 5 * time.Second, chats: times(7, 3), want: 0},
		}},
		{"a group gets 20 per minute, then waits 3 s", []step{
			{at: 0, chats: times(-100, 20), want: 0},
			{at: 0, chats: []int64{-100}, want: 3 * time.Second},
			{at: 0, chats: []int64{-101}, want: 0},
			{at: 2 * time.Second, chats: []int64{-100}, want: time.Second},
			{at: 3 * time.Second, chats: []int64{-100}, want: 0},
			{at: 3 * time.Second, chats: []int64{-100}, want: 3 * time.Second},
			{at: 63 * time.Second, chats: times(-100, 20), want: 0},
			{at: 63 * time.Second, chats: []int64{-100}, want: 3 * time.Second},
		}},
		{"a message that must wait takes no token", []step{
			{at: 0, chats: ids(1, 30), want: 0},
			{at: 0, chats: times(100, 5), want: every},   // global empty: chat 100 keeps its 3
			{at: 0, chats: times(-100, 25), want: every}, // and the group its 20
			{at: time.Second, chats: times(100, 3), want: 0},
			{at: time.Second, chats: times(-100, 20), want: 0},
			{at: time.Second, chats: []int64{-100}, want: 3 * time.Second},
		}},
		{"the longer of the chat's and the global wait is returned", []step{
			{at: 0, chats: times(7, 3), want: 0},
			{at: 0, chats: ids(1000, 27), want: 0},
			{at: 0, chats: []int64{7}, want: time.Second},
			{at: 0, chats: []int64{8}, want: every},
		}},
		{"Penalize pauses one chat", []step{
			{at: 0, chats: []int64{7}, penalty: 5 * time.Second},
			{at: 0, chats: []int64{7}, want: 5 * time.Second},
			{at: 0, chats: []int64{8}, want: 0},
			{at: 4900 * time.Millisecond, chats: []int64{7}, want: 100 * time.Millisecond},
			{at: 5 * time.Second, chats: []int64{7}, want: 0},
			{at: 5 * time.Second, chats: []int64{7}, want: time.Second}, // empty after the pause
			{at: 8 * time.Second, chats: times(7, 3), want: 0},
		}},
		{"Penalize pauses one group", []step{
			{at: 0, chats: []int64{-5}, penalty: 30 * time.Second},
			{at: 10 * time.Second, chats: []int64{-5}, want: 20 * time.Second},
			{at: 30 * time.Second, chats: []int64{-5}, want: 0},
			{at: 30 * time.Second, chats: []int64{-5}, want: 3 * time.Second},
		}},
		{"a global Penalize pauses every chat", []step{
			{at: 0, chats: []int64{7}, penalty: 2 * time.Second, global: true},
			{at: 0, chats: []int64{7, 8, -5}, want: 2 * time.Second},
			{at: 2 * time.Second, chats: []int64{7}, want: 0},
			{at: 2 * time.Second, chats: []int64{8}, want: every},
			{at: 2*time.Second + 29*every, chats: ids(10, 29), want: 0},
		}},
		{"a penalty never shortens a longer wait", []step{
			{at: 0, chats: []int64{7}, penalty: 10 * time.Second},
			{at: 0, chats: []int64{7}, penalty: time.Second},
			{at: 0, chats: times(-9, 20), want: 0},
			{at: 0, chats: []int64{-9}, penalty: time.Second},
			{at: 0, chats: []int64{7}, want: 10 * time.Second},
			{at: 0, chats: []int64{-9}, want: 3 * time.Second},
		}},
		{"a penalty of zero changes nothing", []step{
			{at: 0, chats: []int64{7}, penalty: -time.Second},
			{at: 0, chats: []int64{7}, penalty: -time.Second, global: true},
			{at: 0, chats: times(7, 3), want: 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLimiter(testLimits())
			for i, s := range tt.steps {
				now := start.Add(s.at)
				for _, c := range s.chats {
					if s.penalty != 0 {
						l.Penalize(c, now, s.penalty, s.global)
						continue
					}
					if got := l.Reserve(c, now); got != s.want {
						t.Fatalf("step %d: Reserve(%d, +%s) = %s, want %s", i, c, s.at, got, s.want)
					}
				}
			}
		})
	}
}

func TestLimiterUnlimited(t *testing.T) {
	l := NewLimiter(Limits{PerGroup: Rate{Every: time.Minute}}) // burst 0 counts as 1
	for i := range 1000 {
		if w := l.Reserve(int64(i), start); w != 0 {
			t.Fatalf("Reserve(%d) without limits = %s, want 0", i, w)
		}
	}
	if n := len(l.chats); n != 0 {
		t.Errorf("unlimited chats kept %d buckets, want 0", n)
	}
	if w := l.Reserve(-1, start); w != 0 {
		t.Fatalf("first group message waits %s", w)
	}
	if w := l.Reserve(-1, start); w != time.Minute {
		t.Fatalf("second group message waits %s, want 1m", w)
	}
	l.Penalize(3, start, time.Second, false)
	if w := l.Reserve(3, start); w != time.Second {
		t.Fatalf("penalized unlimited chat waits %s, want 1s", w)
	}
	if w := l.Reserve(3, start.Add(time.Second)); w != 0 {
		t.Fatalf("unlimited chat after its penalty waits %s, want 0", w)
	}
	l.Penalize(0, start, time.Second, true)
	if w := l.Reserve(4, start); w != time.Second {
		t.Fatalf("globally penalized unlimited chat waits %s, want 1s", w)
	}
}

// TestLimiterForgetsIdleChats sends to 100,000 chats and checks that the Limiter keeps
// buckets only for the chats that sent recently.
func TestLimiterForgetsIdleChats(t *testing.T) {
	tests := []struct {
		name   string
		limits Limits
		step   time.Duration
		max    int
	}{
		// At 30/s about 30 private chats and 90 groups are not yet full again.
		{"default limits", testLimits(), every, minSweep},
		// At 1000/s about 500 private chats and 1500 groups are not yet full again.
		{"no global limit", Limits{PerChat: testLimits().PerChat, PerGroup: testLimits().PerGroup}, time.Millisecond, 4 * 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLimiter(tt.limits)
			now := start
			peak := 0
			for i := range int64(100_000) {
				id := i + 1
				if i%2 == 1 {
					id = -id
				}
				if w := l.Reserve(id, now); w != 0 {
					t.Fatalf("message %d to chat %d waits %s", i, id, w)
				}
				peak = max(peak, len(l.chats))
				now = now.Add(tt.step)
			}
			if peak > tt.max {
				t.Errorf("limiter kept up to %d chat buckets, want at most %d", peak, tt.max)
			}
			// A chat that was forgotten behaves as a fresh one: a full burst.
			for range 3 {
				if w := l.Reserve(2, now); w != 0 {
					t.Fatalf("forgotten chat waits %s", w)
				}
			}
		})
	}
}

func TestLimiterConcurrent(t *testing.T) {
	l := NewLimiter(testLimits())
	var tick atomic.Int64 // milliseconds since start
	var sent atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				now := start.Add(time.Duration(tick.Add(1)) * time.Millisecond)
				chat := int64(g*1000 + i%50)
				if i%3 == 0 {
					chat = -chat - 1
				}
				if i%500 == 499 {
					l.Penalize(chat, now, 2*time.Second, i%1000 == 999)
				}
				if l.Reserve(chat, now) == 0 {
					sent.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Duration(tick.Load()) * time.Millisecond
	limit := int64(testLimits().Global.Burst) + int64(elapsed/every) + 1
	if n := sent.Load(); n == 0 || n > limit {
		t.Errorf("%d messages passed in %s, want 1..%d", n, elapsed, limit)
	}
}

func BenchmarkReserve(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		l := NewLimiter(testLimits())
		now := start
		var i int64
		for b.Loop() {
			i++
			chat := i % 10_000
			if i%2 == 1 {
				chat = -chat
			}
			l.Reserve(chat, now)
			now = now.Add(every)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		l := NewLimiter(testLimits())
		var tick atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := tick.Add(1)
				chat := i % 10_000
				if i%2 == 1 {
					chat = -chat
				}
				l.Reserve(chat, start.Add(time.Duration(i)*every))
			}
		})
	})
}

// testLimits are the limits the behaviour tests above were written for: 30/s overall
// with a burst of 30, 1/s per private chat with a burst of 3, one message every 3 s per
// group with a burst of 20.
func testLimits() Limits {
	return Limits{
		Global:   Rate{Every: time.Second / 30, Burst: 30},
		PerChat:  Rate{Every: time.Second, Burst: 3},
		PerGroup: Rate{Every: 3 * time.Second, Burst: 20},
	}
}

// TestDefaultLimitsStayUnderTelegramsCeilings sends as fast as the default limits let
// it and counts: never more than 30 messages in any second overall, nor more than 20 in
// any minute to one group.
func TestDefaultLimitsStayUnderTelegramsCeilings(t *testing.T) {
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	maxIn := func(sent []time.Time, window time.Duration) int {
		most, j := 0, 0
		for i := range sent {
			for sent[i].Sub(sent[j]) >= window {
				j++
			}
			most = max(most, i-j+1)
		}
		return most
	}

	l := NewLimiter(DefaultLimits())
	var sent []time.Time
	chat := int64(1)
	for now := start; now.Before(start.Add(10 * time.Second)); now = now.Add(time.Millisecond) {
		if l.Reserve(chat, now) == 0 {
			sent = append(sent, now)
			chat++ // always another chat: only the overall limit binds
		}
	}
	if most := maxIn(sent, time.Second); most > 30 {
		t.Errorf("%d messages within one second, more than 30", most)
	}
	if len(sent) < 240 {
		t.Errorf("only %d messages in 10 s: the limit is needlessly low", len(sent))
	}

	l = NewLimiter(DefaultLimits())
	sent = nil
	for now := start; now.Before(start.Add(5 * time.Minute)); now = now.Add(100 * time.Millisecond) {
		if l.Reserve(-1001, now) == 0 {
			sent = append(sent, now)
		}
	}
	if most := maxIn(sent, time.Minute); most > 20 {
		t.Errorf("%d messages to one group within one minute, more than 20", most)
	}
}
