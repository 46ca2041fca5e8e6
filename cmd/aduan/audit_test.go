package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
	"aduan/flows/flowstest"
)

// `aduan audit verify` passes on whole chains, prints the head digest, and on a chain
// changed behind the desk's back exits 1 naming the complaint and the event.
func TestAuditVerify(t *testing.T) {
	t.Parallel()
	c, db := newCLIWithDB(t)
	ctx := t.Context()
	dir, err := flows.NewDirectory(flowstest.Units())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyUnits(ctx, dir, flowstest.At(t, "2026-01-01 00:00")); err != nil {
		t.Fatal(err)
	}
	rules, err := db.Rules(ctx, flows.DefaultPolicy(), flowstest.Zone(t), flows.DefaultWeekHours())
	if err != nil {
		t.Fatal(err)
	}
	filed, err := db.File(ctx, rules, "KR", flowstest.Report(), flowstest.At(t, "2026-11-30 09:00"))
	if err != nil {
		t.Fatal(err)
	}
	ev := flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}
	if _, err := db.Apply(ctx, rules, filed.ID, 0, ev, flowstest.At(t, "2026-11-30 10:00")); err != nil {
		t.Fatal(err)
	}
	out := c.ok("audit", "verify")
	digest := regexp.MustCompile(`head digest through event (\d+): ([0-9a-f]{64})\n`).FindStringSubmatch(out)
	if digest == nil || !strings.Contains(out, "1 complaints, 2 events (0 redacted)") || !strings.Contains(out, "every chain verifies") {
		t.Fatalf("audit verify printed:\n%s", out)
	}
	if again := c.ok("audit", "verify", "--through", digest[1]); !strings.Contains(again, digest[2]) {
		t.Errorf("--through %s printed another digest:\n%s", digest[1], again)
	}

	var second int64
	err = pgx.BeginFunc(ctx, db.Pool(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `ALTER TABLE audit_event DISABLE TRIGGER USER`); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `UPDATE audit_event SET actor_unit = 'kuburaya' WHERE kind = 'route' RETURNING id`).Scan(&second); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `ALTER TABLE audit_event ENABLE TRIGGER USER`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r := c.run("audit", "verify")
	want := fmt.Sprintf("aduan audit: chain broken: complaint %s, event %d: fields: its fields differ from its hash\n", filed.Tracking, second)
	if r.code != 1 || r.stderr != want || !strings.Contains(r.stdout, "BROKEN: 1 events in 1 complaints' chains") {
		t.Errorf("after tampering: exit %d\nstdout: %s\nstderr: %s\nwant stderr %q", r.code, r.stdout, r.stderr, want)
	}

	c.fails(2, []string{"audit"}, "want the subcommand verify", "aduan audit --help")
	c.fails(2, []string{"audit", "verify", "extra"}, "no arguments expected")
	if r := c.run("audit", "verify", "--help"); r.code != 0 || !strings.Contains(r.stderr, "--through") {
		t.Errorf("audit verify --help: exit %d\n%s", r.code, r.stderr)
	}
}
