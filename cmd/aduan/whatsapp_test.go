package main

import (
	"strings"
	"sync"
	"testing"
	"time"

	"aduan/bot/whatsapp"
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
