package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aduan/store"
	"aduan/store/storetest"
)

// Two replicas on one database: one leads; when its session is lost (its process or
// host died and the server ended the session), the other takes over at its next try,
// and the old leader's job is told to stop.
func TestLeadTakeover(t *testing.T) {
	t.Parallel()
	_, url := storetest.New(t)
	open := func() *store.DB {
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		return db
	}
	a, b := open(), open()
	const key = 0x6c656164
	led := make(chan string, 4)
	stepped := make(chan string, 4)
	job := func(name string) func(context.Context) error {
		return func(ctx context.Context) error {
			led <- name
			<-ctx.Done()
			stepped <- name
			return nil
		}
	}
	lctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a.Lead(lctx, key, 20*time.Millisecond, job("a")) }()
	if got := <-led; got != "a" {
		t.Fatalf("first leader = %s", got)
	}
	go func() { defer wg.Done(); b.Lead(lctx, key, 20*time.Millisecond, job("b")) }()
	// b keeps trying while a leads (several of its tries).
	select {
	case got := <-led:
		t.Fatalf("%s leads beside a", got)
	case <-time.After(200 * time.Millisecond):
	}
	// a's session is lost.
	var ended bool
	if err := b.Pool().QueryRow(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1`, key).Scan(&ended); err != nil || !ended {
		t.Fatalf("end the leader's session: %v, %v", ended, err)
	}
	start := time.Now()
	select {
	case got := <-led:
		if got != "b" {
			t.Fatalf("after a's session ended, %s leads", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("b did not take over within 10 s")
	}
	t.Logf("took over in %s", time.Since(start).Round(time.Millisecond))
	select {
	case got := <-stepped:
		if got != "a" {
			t.Fatalf("%s stepped down, want a", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a's job was not stopped after its session ended")
	}
	cancel()
	wg.Wait()
}

// WithLock runs one holder at a time; the others wait and then run.
func TestWithLockSerialises(t *testing.T) {
	t.Parallel()
	db, _ := storetest.New(t)
	var inside, most, runs atomic.Int32
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.WithLock(ctx, 0x77697468, func(context.Context) error {
				n := inside.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(20 * time.Millisecond)
				inside.Add(-1)
				runs.Add(1)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if runs.Load() != 4 || most.Load() != 1 {
		t.Errorf("runs %d, most at once %d; want 4, 1", runs.Load(), most.Load())
	}
}
