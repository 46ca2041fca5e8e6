package bot

import (
	"testing"
	"time"
)

type fixedClock struct{ now time.Time }

func (c *fixedClock) Now() time.Time { return c.now }

// TestNextWakeKeepsEveryRetryTime: messages of two chats asked to wait 3 s and 4 s are
// both woken for; once the first is due, the second is still remembered.
func TestNextWakeKeepsEveryRetryTime(t *testing.T) {
	start := time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)
	clock := &fixedClock{now: start}
	s := &Sender{Clock: clock}
	poll := 5 * time.Second
	if got := s.nextWake(poll); got != poll {
		t.Fatalf("nothing waiting: %v, want the poll %v", got, poll)
	}
	s.soonest(start.Add(4 * time.Second))
	s.soonest(start.Add(3 * time.Second))
	if got := s.nextWake(poll); got != 3*time.Second {
		t.Fatalf("two waiting: %v, want 3s", got)
	}
	clock.now = start.Add(3 * time.Second)
	if got := s.nextWake(poll); got > 10*time.Millisecond {
		t.Fatalf("the first due: %v, want a drain at once", got)
	}
	if got := s.nextWake(poll); got != time.Second {
		t.Fatalf("after the first was drained: %v, want the second's 1s", got)
	}
	clock.now = start.Add(4 * time.Second)
	s.nextWake(poll)
	if got := s.nextWake(poll); got != poll {
		t.Fatalf("both drained: %v, want the poll", got)
	}
}
