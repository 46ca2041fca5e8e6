package store_test

import (
	"context"
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
)

// TestFileAndApplyWakeSenders checks that DB.File and DB.Apply, which wake the senders
// after their COMMIT in a transaction of their own, still wake a listener on
// store.OutboxQueued, and that the wake-up comes once the messages are visible.
func TestFileAndApplyWakeSenders(t *testing.T) {
	db, _ := mustUnitsDB(t)
	rules := mustRules(t, db)
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	woken, heard := make(chan struct{}, 1), make(chan struct{}, 1)
	signal := func(c chan struct{}) func() {
		return func() {
			select {
			case c <- struct{}{}:
			default:
			}
		}
	}
	go db.Listen(lctx, time.Second, map[string]func(){store.OutboxQueued: signal(woken), "aduan_probe": signal(heard)})
	// The listener connects in its own time: notify a channel of the test's own until it
	// hears, so that no wake-up of the store's is missed or imitated.
	probe := time.NewTicker(20 * time.Millisecond)
	defer probe.Stop()
	giveUp := time.After(10 * time.Second)
listening:
	for {
		select {
		case <-heard:
			break listening
		case <-probe.C:
			if _, err := db.Pool().Exec(ctx, `SELECT pg_notify('aduan_probe', '')`); err != nil {
				t.Fatal(err)
			}
		case <-giveUp:
			t.Fatal("the listener heard nothing in 10 s")
		}
	}
	select {
	case <-woken:
		t.Fatal("woken before anything was queued")
	default:
	}

	queued := func(id int64) int {
		t.Helper()
		var n int
		if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM outbox WHERE complaint_id = $1`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	wait := func(what string) {
		t.Helper()
		select {
		case <-woken:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no wake-up in 10 s", what)
		}
	}
	filed := flowstest.At(t, "2026-12-01 09:00")
	c, err := db.File(ctx, rules, "KR", flowstest.Report(), filed)
	if err != nil {
		t.Fatal(err)
	}
	wait("File")
	if n := queued(c.ID); n != 2 {
		t.Errorf("after File's wake-up: %d messages queued, want 2", n)
	}
	route := flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}
	if _, err := db.Apply(ctx, rules, c.ID, c.Version, route, filed.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	wait("Apply")
	if n := queued(c.ID); n != 5 {
		t.Errorf("after Apply's wake-up: %d messages queued, want 5", n)
	}
}
