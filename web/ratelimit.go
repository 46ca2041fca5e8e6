package web

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"aduan/flows"
)

// Limiter limits attempts per address: each address has a bucket of Burst tokens, an
// attempt takes one, and one comes back every Every, up to Burst again. It guards what
// can be guessed or abused from the public pages — access-code attempts on the status
// page and in the web chat, filing in the web chat — so that one address can try a few
// times in a row, and then only once per Every. It is kept in memory, per process: each
// replica limits on its own, which bounds an address to replicas × the limit. Buckets
// refilled to the brim are forgotten; there is no goroutine. It is safe for concurrent
// use.
type Limiter struct {
	burst float64
	every time.Duration
	clock flows.Clock
	max   int

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

// bucket is one address's tokens as of at.
type bucket struct {
	tokens float64
	at     time.Time
}

// DefaultMaxAddresses is how many addresses a Limiter keeps buckets for at most: past it,
// once the full buckets are forgotten, an address it has no bucket for is refused
// (a flood from many addresses makes the page refuse new ones rather than let them all
// guess, or the process run out of memory).
const DefaultMaxAddresses = 1 << 16

// NewLimiter returns a limiter of burst attempts in a row per address, one more every
// every, on clock's time (tests move a fake one; nothing sleeps).
func NewLimiter(burst int, every time.Duration, clock flows.Clock) *Limiter {
	return &Limiter{burst: float64(max(burst, 1)), every: max(every, time.Nanosecond), clock: clock,
		max: DefaultMaxAddresses, buckets: map[string]*bucket{}}
}

// Allow takes one token of key's bucket (an address, see Address) and reports whether
// there was one. When there was not, wait is how long until there is; the attempt is
// not counted.
func (l *Limiter) Allow(key string) (ok bool, wait time.Duration) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= l.max {
			return false, l.every
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	l.refill(b, now)
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) * float64(l.every))
	}
	b.tokens--
	return true, 0
}

// Refund gives back the token an allowed attempt of key took: for an attempt that turned
// out to be a person's own (the right code), which should not count against them.
func (l *Limiter) Refund(key string) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.buckets[key]; b != nil {
		l.refill(b, now)
		b.tokens = min(b.tokens+1, l.burst)
	}
}

// refill adds to b the tokens that came back since it was last counted.
func (l *Limiter) refill(b *bucket, now time.Time) {
	if now.After(b.at) {
		b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.every))
		b.at = now
	}
}

// sweep forgets the buckets that are full again: at most once per refill of a whole
// bucket, or once per Every while the map is at its bound.
func (l *Limiter) sweep(now time.Time) {
	since := now.Sub(l.swept)
	if since < time.Duration(l.burst*float64(l.every)) && (len(l.buckets) < l.max || since < l.every) {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if now.Sub(b.at) >= time.Duration((l.burst-b.tokens)*float64(l.every)) {
			delete(l.buckets, k)
		}
	}
}

// Len returns how many addresses the limiter keeps a bucket for.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// Address returns the key a request is limited by: the address of the connection's
// peer (http.Request.RemoteAddr), an IPv6 address as its /64 (one household or host
// holds a whole /64). Headers such as X-Forwarded-For are not read: anyone can send
// them. Behind a reverse proxy every request thus comes from the proxy's address and
// shares one bucket; the limit then protects the desk as a whole, and a deployment that
// wants per-citizen limits behind a proxy must have the proxy limit (a trusted-proxy
// setting is not offered).
func Address(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, _ := ip.Prefix(64)
	return p.String()
}
