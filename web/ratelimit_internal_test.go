package web

import (
	"testing"
	"time"

	"aduan/flows/flowstest"
)

// At its bound of addresses, a limiter forgets the full buckets and refuses an address
// it has none for while none is full; once some are, new addresses come in again.
func TestLimiterBound(t *testing.T) {
	clock := flowstest.NewClock(time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC))
	l := NewLimiter(2, time.Minute, clock)
	l.max = 3
	for _, a := range []string{"a", "b", "c"} {
		if ok, _ := l.Allow(a); !ok {
			t.Fatalf("%s refused below the bound", a)
		}
	}
	if ok, wait := l.Allow("d"); ok || wait != time.Minute {
		t.Fatalf("a fourth address at the bound: ok %v, wait %s; want refused for a minute", ok, wait)
	}
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("a known address refused at the bound")
	}
	clock.Advance(time.Minute) // b and c are full again; a has one token back of two
	if ok, _ := l.Allow("d"); !ok {
		t.Fatal("a new address refused once full buckets could be forgotten")
	}
	if n := l.Len(); n != 2 {
		t.Fatalf("%d buckets, want a's and d's", n)
	}
}
