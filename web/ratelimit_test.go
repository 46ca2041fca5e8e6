package web_test

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"aduan/flows/flowstest"
	"aduan/web"
)

// A limiter lets an address make its burst of attempts, then one per interval; it
// forgets the addresses whose bucket is full again, so that it does not grow with every
// address that ever came.
func TestLimiter(t *testing.T) {
	clock := flowstest.NewClock(time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC))
	l := web.NewLimiter(2, 30*time.Second, clock)
	for i := range 2 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("attempt %d refused within the burst", i)
		}
	}
	if ok, wait := l.Allow("a"); ok || wait != 30*time.Second {
		t.Fatalf("past the burst: ok %v, wait %s; want refused for 30s", ok, wait)
	}
	l.Refund("a")
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("the refunded token was not there")
	}
	clock.Advance(10 * time.Second)
	if ok, wait := l.Allow("a"); ok || wait != 20*time.Second {
		t.Fatalf("10 s later: ok %v, wait %s; want refused for 20s", ok, wait)
	}
	clock.Advance(20 * time.Second)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("a token did not come back after 30 s")
	}
	for i := range 100 {
		l.Allow(fmt.Sprint("other-", i))
	}
	if n := l.Len(); n != 101 {
		t.Fatalf("%d buckets, want 101", n)
	}
	// A minute on, every bucket is full again: the next attempt sweeps them away.
	clock.Advance(time.Minute)
	l.Allow("b")
	if n := l.Len(); n != 1 {
		t.Fatalf("%d buckets after the sweep, want 1 (b's)", n)
	}
}

// The key of a request is the connection's address, never a header; IPv6 addresses
// count per /64.
func TestAddress(t *testing.T) {
	for remote, want := range map[string]string{
		"192.0.2.7:5555":                   "192.0.2.7",
		"[::ffff:192.0.2.7]:5555":          "192.0.2.7",
		"[2001:db8:1:2:aaaa::1]:443":       "2001:db8:1:2::/64",
		"[2001:db8:1:2:bbbb:cccc::9]:1234": "2001:db8:1:2::/64",
		"[2001:db8:1:3::1]:1234":           "2001:db8:1:3::/64",
		"@":                                "@", // a Unix socket
	} {
		r := httptest.NewRequest("GET", "/status", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", "203.0.113.9")
		r.Header.Set("X-Real-IP", "203.0.113.9")
		if got := web.Address(r); got != want {
			t.Errorf("Address(%s) = %q, want %q", remote, got, want)
		}
	}
}
