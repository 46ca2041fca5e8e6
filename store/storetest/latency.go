package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// ReportLatency reports, for a benchmark that offered n messages over elapsed, the rate
// they were handled at (as unit, e.g. "msgs/s") and the p50, p99 and maximum of the
// time from each one's start (start, by its ID) to its handling (handled, by the same
// ID), in milliseconds. mu guards handled, which the program under test writes.
func ReportLatency(b *testing.B, unit string, n int, elapsed time.Duration, start map[string]time.Time, mu *sync.Mutex, handled map[string]time.Time) {
	b.Helper()
	var lat []time.Duration
	mu.Lock()
	for id, t0 := range start {
		lat = append(lat, handled[id].Sub(t0))
	}
	mu.Unlock()
	if len(lat) == 0 {
		b.Fatal("no latency to report")
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(n)/elapsed.Seconds(), unit)
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
}
