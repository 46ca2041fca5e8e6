package store_test

import (
	"context"
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
)

// waker listens on store.OutboxQueued and store.InboxReceived, as serve's senders and
// inbox worker do, and records each wake-up.
type waker struct {
	t             *testing.T
	db            *store.DB
	outbox, inbox chan struct{}
	heard         chan struct{}
}

func newWaker(t *testing.T, db *store.DB) *waker {
	t.Helper()
	w := &waker{t: t, db: db, outbox: make(chan struct{}, 1), inbox: make(chan struct{}, 1), heard: make(chan struct{}, 1)}
	lctx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	signal := func(c chan struct{}) func() {
		return func() {
			select {
			case c <- struct{}{}:
			default:
			}
		}
	}
	go db.Listen(lctx, time.Second, map[string]func(){store.OutboxQueued: signal(w.outbox), store.InboxReceived: signal(w.inbox), "aduan_probe": signal(w.heard)})
	w.barrier()
	return w
}

// barrier notifies a channel of the test's own until the listener hears it. The
// listener gets notifications in commit order, so that every wake-up of a transaction
// committed before has then been heard: barrier drains them, and what is heard next
// comes from what the test does next. It reports whether it drained any.
func (w *waker) barrier() bool {
	w.t.Helper()
	probe := time.NewTicker(20 * time.Millisecond)
	defer probe.Stop()
	giveUp := time.After(10 * time.Second)
	for {
		select {
		case <-w.heard:
			drained := false
			for _, c := range []chan struct{}{w.outbox, w.inbox} {
				select {
				case <-c:
					drained = true
				default:
				}
			}
			return drained
		case <-probe.C:
			if _, err := w.db.Pool().Exec(ctx, `SELECT pg_notify('aduan_probe', '')`); err != nil {
				w.t.Fatal(err)
			}
		case <-giveUp:
			w.t.Fatal("the listener heard nothing in 10 s")
		}
	}
}

// count is how many rows table (outbox, inbox) holds.
func (w *waker) count(table string) int {
	w.t.Helper()
	var n int
	if err := w.db.Pool().QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// wakes checks that do, a write path, wakes the listener of table's channel
// (store.OutboxQueued for outbox, store.InboxReceived for inbox), and that the rows it
// added are visible when the wake-up comes.
func (w *waker) wakes(what, table string, do func()) {
	w.t.Helper()
	c := w.outbox
	if table == "inbox" {
		c = w.inbox
	}
	w.barrier()
	before := w.count(table)
	do()
	select {
	case <-c:
	case <-time.After(10 * time.Second):
		w.t.Fatalf("%s: no wake-up in 10 s", what)
	}
	if after := w.count(table); after <= before {
		w.t.Errorf("%s: at the wake-up the %s holds %d rows, as many as before", what, table, after)
	}
}

// TestWritePathsWakeListeners checks that every write path that queues outgoing
// messages (or stores an inbound one) wakes a listener on store.OutboxQueued (or
// store.InboxReceived) — after its COMMIT, in a transaction of its own — and that the
// wake-up comes once the rows are visible; and that a rolled-back transaction (a dry
// run of the sweep) wakes no one.
func TestWritePathsWakeListeners(t *testing.T) {
	db, rules := setup(t)
	w := newWaker(t, db)
	select {
	case <-w.outbox:
		t.Fatal("woken before anything was queued")
	default:
	}
	filed := flowstest.At(t, "2026-12-01 09:00")
	at := filed.Add(time.Hour)
	intake := flows.DefaultIntake()
	group := flows.Inbound{Channel: store.Telegram, Chat: "-1002", User: "7002", Name: "Rina", Press: "cq-1"}

	var c flows.Complaint
	w.wakes("File", "outbox", func() {
		var err error
		if c, err = db.File(ctx, rules, "KR", flowstest.Report(), filed); err != nil {
			t.Fatal(err)
		}
	})
	w.wakes("Apply", "outbox", func() {
		route := flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}
		var err error
		if _, err = db.Apply(ctx, rules, c.ID, c.Version, route, at); err != nil {
			t.Fatal(err)
		}
		c.Version++
	})
	w.wakes("Receive", "inbox", func() {
		if _, err := db.Receive(ctx, store.Telegram, "1", flowstest.ChatRef, []byte(`{"update_id":1}`), at); err != nil {
			t.Fatal(err)
		}
	})
	w.wakes("GiveUp", "outbox", func() {
		if err := db.GiveUp(ctx, store.Telegram, "1", flowstest.ChatRef, "download failed", true, at); err != nil {
			t.Fatal(err)
		}
	})
	w.wakes("Converse", "outbox", func() {
		in := flows.Inbound{Channel: store.Telegram, Chat: "5005", User: "5005", Command: "lapor"}
		if err := db.Converse(ctx, rules, &intake, "KR", in, at); err != nil {
			t.Fatal(err)
		}
	})
	w.wakes("SweepSessions", "outbox", func() {
		if n, err := db.SweepSessions(ctx, &intake, at.Add(intake.RemindAfter+time.Minute)); err != nil || n != 1 {
			t.Fatalf("SweepSessions = %d, %v; want 1 draft reminded", n, err)
		}
	})
	drain(t, db, at, nil)
	w.wakes("Show", "outbox", func() {
		v := flows.View{What: flows.ViewCard, Complaint: c.ID}
		if err := db.Show(ctx, rules, []string{flowstest.Regency}, group, v, at); err != nil {
			t.Fatal(err)
		}
	})
	w.wakes("GroupCommand", "outbox", func() {
		in := flows.Inbound{Channel: store.Telegram, Chat: "-1002", User: "7002", Command: "antrian"}
		if err := db.GroupCommand(ctx, []string{flowstest.Regency}, in, at); err != nil {
			t.Fatal(err)
		}
	})
	w.wakes("Stale", "outbox", func() {
		if err := db.Stale(ctx, group, at); err != nil {
			t.Fatal(err)
		}
	})
	w.wakes("Answer", "outbox", func() {
		if err := db.Answer(ctx, group, flows.Notice{Msg: flows.MsgStaleCard}, at); err != nil {
			t.Fatal(err)
		}
	})
	w.wakes("Press", "outbox", func() {
		press := flows.CardAction{Event: flows.EvSendBack, Complaint: c.ID, Version: c.Version}
		if err := db.Press(ctx, rules, []string{flowstest.Regency}, group, press, at); err != nil {
			t.Fatal(err)
		}
	})
	var prompt int64
	drain(t, db, at, func(e flows.Envelope) {
		if e.Notice.Msg == flows.MsgAskText {
			prompt = e.ID
		}
	})
	var receipt string
	if err := db.Pool().QueryRow(ctx, `SELECT receipt FROM outbox WHERE id = $1`, prompt).Scan(&receipt); err != nil {
		t.Fatal(err)
	}
	w.wakes("ReplyText", "outbox", func() {
		reply := flows.Inbound{Channel: store.Telegram, Chat: "-1002", User: "7002", Name: "Rina", ReplyTo: receipt, Text: "Bukan wewenang kabupaten."}
		if err := db.ReplyText(ctx, reply, at); err != nil {
			t.Fatal(err)
		}
	})
	var pending int64
	drain(t, db, at, func(e flows.Envelope) {
		for _, ch := range e.Notice.Choices {
			for _, o := range ch {
				if id, ok, valid := flows.ParsePendingData(o.Data); valid && ok {
					pending = id
				}
			}
		}
	})
	if pending == 0 {
		t.Fatal("no confirmation offered")
	}
	w.wakes("ConfirmPending", "outbox", func() {
		if err := db.ConfirmPending(ctx, rules, group, pending, true, at); err != nil {
			t.Fatal(err)
		}
	})
	w.wakes("RaiseAlert", "outbox", func() {
		alert := flows.Alert{Channel: store.WhatsApp, Kind: flows.AlertBanned, Detail: "101: too many", At: at, Until: at.Add(24 * time.Hour)}
		if err := db.RaiseAlert(ctx, rules, alert); err != nil {
			t.Fatal(err)
		}
	})
	w.wakes("ClearAlert", "outbox", func() {
		if cleared, err := db.ClearAlert(ctx, rules, store.WhatsApp, at.Add(time.Hour)); err != nil || !cleared {
			t.Fatalf("ClearAlert = %v, %v; want cleared", cleared, err)
		}
	})

	// A dry run of the sweep rolls back: it queues nothing and wakes no one.
	late := filed.Add(60 * 24 * time.Hour)
	w.barrier()
	before := w.count("outbox")
	rep, err := db.Sweep(ctx, rules, late, store.SweepOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Changes) == 0 {
		t.Fatalf("the dry run would do nothing: %+v", rep)
	}
	if w.barrier() {
		t.Error("a dry run of the sweep woke the senders")
	}
	if n := w.count("outbox"); n != before {
		t.Fatalf("a dry run queued %d messages", n-before)
	}
	w.wakes("Sweep", "outbox", func() {
		rep, err := db.Sweep(ctx, rules, late, store.SweepOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Changes) == 0 {
			t.Fatalf("the sweep did nothing: %+v", rep)
		}
	})
}
