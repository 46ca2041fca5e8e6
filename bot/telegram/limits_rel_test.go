package telegram

import (
	"testing"
	"time"
)

// TestReserveLeavingKeepsATokenForAnswers: in a group whose bucket is nearly spent, other
// messages leave the last token to an answer to a person, which goes at once; spare never
// blocks a bucket for good.
func TestReserveLeavingKeepsATokenForAnswers(t *testing.T) {
	l := NewLimiter(DefaultLimits()) // a group: burst 10, then one every 6 s
	now := time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)
	const group = -1002
	for i := range 9 {
		if w := l.ReserveLeaving(group, now, 1); w != 0 {
			t.Fatalf("edit %d waits %s with %d tokens left", i+1, w, 10-i)
		}
		now = now.Add(50 * time.Millisecond) // the global bucket refills
	}
	if w := l.ReserveLeaving(group, now, 1); w <= 0 {
		t.Fatalf("a tenth edit took the last token")
	}
	if w := l.Reserve(group, now); w != 0 {
		t.Fatalf("the answer waits %s with a token kept for it", w)
	}
	if w := l.Reserve(group, now); w < 5*time.Second {
		t.Errorf("after the last token, the next message waits %s, want about 6 s", w)
	}
	// A spare larger than the bucket is capped: a chat with burst 3 still sends.
	if w := l.ReserveLeaving(555001, now, 99); w != 0 {
		t.Errorf("a private chat with spare 99 waits %s", w)
	}
}
