package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"aduan/bot"
	"aduan/bot/memory"
	"aduan/bot/whatsapp"
	"aduan/config"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
	"aduan/store/storetest"
)

// Two replicas migrating one new database at once both succeed: the desk's migrations
// and whatsmeow's tables each under a lock. The tables are then at this program's
// version, and a third migrate finds nothing to do.
func TestMigrateTwiceInParallel(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["DATABASE_URL"] = storetest.Empty(t)
	var wg sync.WaitGroup
	results := make([]result, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = c.run("migrate")
		}()
	}
	wg.Wait()
	applied := 0
	for i, r := range results {
		if r.code != 0 {
			t.Fatalf("migrate %d: exit %d\nstderr: %s", i, r.code, r.stderr)
		}
		if !strings.HasPrefix(r.stdout, "migrations applied: 0;") {
			applied++
		}
	}
	if applied != 1 {
		t.Errorf("%d of the parallel migrates applied the migrations, want 1: %v", applied, results)
	}
	db, err := store.Open(t.Context(), c.env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sess := whatsapp.OpenSession(db.Pool(), nil)
	defer sess.Close()
	if err := sess.CheckSchema(t.Context()); err != nil {
		t.Fatalf("whatsmeow's tables after migrate: %v", err)
	}
	if out := c.ok("migrate"); out != "migrations applied: 0; built-in holidays added: 0\n" {
		t.Errorf("third migrate printed %q", out)
	}
	if out := c.ok("whatsapp", "status"); !strings.Contains(out, "account:   not linked") || !strings.Contains(out, "alert:     none") ||
		!strings.Contains(out, "connected: never connected") || !strings.Contains(out, "queued:    0") {
		t.Errorf("status of a desk never linked:\n%s", out)
	}
	if out := c.ok("whatsapp", "resume"); !strings.Contains(out, "nothing to resume") {
		t.Errorf("resume without an alert printed %q", out)
	}
	if out := c.ok("whatsapp", "unlink"); !strings.Contains(out, "nothing to unlink") {
		t.Errorf("unlink without a number printed %q", out)
	}
}

// A desk whose whatsmeow tables are missing refuses WhatsApp commands, and serve with
// WhatsApp, until migrated; serve without WhatsApp does not need them.
func TestWhatsAppNeedsMigrate(t *testing.T) {
	t.Parallel()
	c, db := newCLIWithDB(t) // the desk's migrations only
	dir, err := flows.NewDirectory(flowstest.Units())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyUnits(t.Context(), dir, c.clock.Now()); err != nil {
		t.Fatal(err)
	}
	c.env["ADUAN_LISTEN"] = "127.0.0.1:0"
	c.fails(1, []string{"whatsapp", "status"}, "run `aduan migrate`")
	c.fails(1, []string{"--whatsapp", "on", "serve"}, "run `aduan migrate`")
	c.fails(2, []string{"--whatsapp", "maybe", "status"}, "--whatsapp (ADUAN_WHATSAPP)", "want on or off")
	c.fails(2, []string{"whatsapp", "status", "--phone", "6281234567890"}, "--phone is for link")
	c.fails(2, []string{"whatsapp"}, "want link, status, unlink or resume")
	c.ok("migrate")
	c.ok("whatsapp", "status")
	for _, bad := range []string{"081234567890", "+62 abc", "62812"} {
		c.fails(1, []string{"whatsapp", "link", "--phone", bad}, "international form")
	}
}

// status says what an operator must know: the number masked, whether the connection
// is up, the traffic, and an alert in force with what to do.
func TestWhatsAppStatusText(t *testing.T) {
	zone := time.FixedZone("WIB", 7*3600)
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, zone)
	acct := whatsapp.Account{Linked: true, Number: "6281234567890", Name: "Dukcapil KKR"}
	st := store.ChannelState{Connected: true, Seen: now.Add(-20 * time.Second), LastIn: now.Add(-time.Minute), Queued: 3,
		Alert: flows.Alert{Channel: "whatsapp", Kind: flows.AlertBanned, Detail: "101: too many", At: now.Add(-time.Hour), Until: now.Add(time.Hour), Build: "b"}}
	var out strings.Builder
	writeWhatsAppStatus(&out, acct, st, "b", now, zone)
	s := out.String()
	for _, want := range []string{"account:   6281******890 (Dukcapil KKR)", "connected: connected, reported 2026-12-02 09:59:40 WIB (20s ago)",
		"last in:   2026-12-02 09:59:00 WIB (1m0s ago)", "last out:  never", "queued:    3",
		"alert:     banned since 2026-12-02 09:00:00 WIB (1h0m0s ago): 101: too many; until 2026-12-02 11:00 WIB", "sending stopped, messages queue"} {
		if !strings.Contains(s, want) {
			t.Errorf("status lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "6281234567890") {
		t.Errorf("status shows the whole number:\n%s", s)
	}
	// A report too old to believe, and an alert over.
	st.Seen = now.Add(-10 * time.Minute)
	st.Alert.Cleared = now.Add(-30 * time.Minute)
	out.Reset()
	writeWhatsAppStatus(&out, acct, st, "b", now, zone)
	s = out.String()
	for _, want := range []string{"connected: unknown: the replica holding the connection last reported", "alert:     none; the last, banned"} {
		if !strings.Contains(s, want) {
			t.Errorf("status lacks %q:\n%s", want, s)
		}
	}
}

// Two replicas serve with WhatsApp on and no number linked: each says so (once) and
// neither claims WhatsApp's messages, which wait, while Telegram's go out.
func TestServeWhatsAppUnlinkedQueues(t *testing.T) {
	t.Parallel()
	url := newDeskDB(t)
	c := newCLI(t)
	c.env["DATABASE_URL"] = url
	c.ok("migrate")
	clock := flowstest.NewClock(flowstest.At(t, "2026-11-30 09:00"))
	var logs [2]storetest.LogBuffer
	var tg [2]*memory.Channel
	for i := range 2 {
		cfg := config.Defaults()
		cfg.DatabaseURL, cfg.Listen, cfg.SweepEvery = url, "127.0.0.1:0", time.Hour
		cfg.WhatsApp.Enabled = true
		m := &Main{Config: cfg, Clock: clock, Log: slog.New(slog.NewJSONHandler(&logs[i], nil))}
		tg[i] = memory.New(store.Telegram, func(env flows.Envelope) (string, error) { return string(env.Notice.Msg), nil })
		m.Channels = []bot.Channel{tg[i]}
		if err := m.Run(t.Context()); err != nil {
			m.Close()
			t.Fatalf("Main.Run: %v", err)
		}
		t.Cleanup(func() {
			if err := m.Close(); err != nil {
				t.Errorf("Main.Close: %v", err)
			}
		})
		if i == 0 {
			// A citizen who wrote on WhatsApp files: their receipt waits for WhatsApp,
			// the national group's card goes out on Telegram.
			r := flowstest.Report()
			r.Contact = flows.Contact{Channel: whatsapp.Name, Chat: "6281234567890@s.whatsapp.net", Lang: "id"}
			if _, err := m.DB().File(t.Context(), m.Rules(), cfg.Prefix, r, clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(tg[0].Sent())+len(tg[1].Sent()) == 0 || !strings.Contains(logs[0].String()+logs[1].String(), "whatsapp not linked") {
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s: %d Telegram messages sent; logs:\n%s\n%s", len(tg[0].Sent())+len(tg[1].Sent()), logs[0].String(), logs[1].String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	db, err := store.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var queued, attempts int
	if err := db.Pool().QueryRow(t.Context(), `SELECT count(*), coalesce(sum(attempts), 0) FROM outbox WHERE channel = 'whatsapp' AND delivered_at IS NULL AND failed_at IS NULL`).Scan(&queued, &attempts); err != nil {
		t.Fatal(err)
	}
	if queued != 1 || attempts != 0 {
		t.Errorf("WhatsApp's outbox: %d queued, %d attempts; want 1 waiting, never claimed", queued, attempts)
	}
	for i := range logs {
		if n := strings.Count(logs[i].String(), "whatsapp not linked"); n > 1 {
			t.Errorf("replica %d said it is not linked %d times", i, n)
		}
	}
	if out := c.ok("whatsapp", "status"); !strings.Contains(out, "queued:    1") || !strings.Contains(out, "not linked") {
		t.Errorf("status:\n%s", out)
	}
}

// link and unlink use the account only while no running desk holds its connection:
// they say so instead of throwing that desk off.
func TestWhatsAppCommandsWaitForTheConnection(t *testing.T) {
	// Not parallel: it shortens lockWait for its own runs.
	defer func(w time.Duration) { lockWait = w }(lockWait)
	lockWait = 300 * time.Millisecond
	c, db := newCLIWithDB(t)
	c.ok("migrate")
	held, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		ran, err := db.TryLead(t.Context(), store.LeadWhatsApp, func(context.Context) error {
			close(held)
			<-release
			return nil
		})
		if !ran && err == nil {
			err = errors.New("the lock was not free")
		}
		done <- err
	}()
	<-held
	c.fails(1, []string{"whatsapp", "unlink"}, "a running desk (aduan serve) holds the WhatsApp connection")
	c.fails(1, []string{"whatsapp", "link"}, "a running desk (aduan serve) holds the WhatsApp connection")
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if out := c.ok("whatsapp", "unlink"); !strings.Contains(out, "nothing to unlink") {
		t.Errorf("unlink once the lock is free printed %q", out)
	}
}
