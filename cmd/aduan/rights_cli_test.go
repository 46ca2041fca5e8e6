package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"aduan/config"

	"aduan/flows/flowstest"
)

// TestRightsCLIMistakes: the access log's and the data requests' commands explain a
// mistake in one line, with where the usage is.
func TestRightsCLIMistakes(t *testing.T) {
	t.Parallel()
	c, _ := newCLIWithDB(t)
	c.fails(2, []string{"audit"}, "want the subcommand verify or access", "Run 'aduan audit --help'")
	c.fails(2, []string{"audit", "access", "extra"}, "no arguments expected")
	c.fails(2, []string{"audit", "access", "--since", "yesterday"}, `"yesterday" is not a time`)
	c.fails(2, []string{"audit", "access", "--person", "555001"}, "want a pseudonym", "Run 'aduan audit access --help'")
	c.fails(1, []string{"audit", "access", "--complaint", "ADU-000000-XXXX"}, "no complaint has the tracking number")
	c.fails(2, []string{"requests"}, "want the subcommand list or deletions")
	c.fails(2, []string{"requests", "list", "--kind", "delete"}, `unknown kind "delete"`)
	for _, args := range [][]string{{"audit", "access", "--help"}, {"requests", "--help"}} {
		if r := c.run(args...); r.code != 0 || !strings.Contains(r.stderr, "Usage: aduan [settings] "+args[0]) {
			t.Errorf("%v: exit %d, %q", args, r.code, r.stderr)
		}
	}
}

// TestRightsRequestsList: `requests list` shows every request with when it was asked
// and answered, marks an open one older than 3×24 hours OVERDUE, and filters; `audit
// access` filters by person and time. Neither prints personal data.
func TestRightsRequestsList(t *testing.T) {
	t.Parallel()
	c, db := newCLIWithDB(t)
	ctx := t.Context()
	now := c.clock.Now()
	_, err := db.Pool().Exec(ctx, `INSERT INTO data_request (person, channel, kind, requested_at, completed_at, detail) VALUES
		('complainant:aaaaaaaaaaaaaaaaaaaa', 'telegram', 'access', $1, $1, '2 complaints'),
		('complainant:bbbbbbbbbbbbbbbbbbbb', 'whatsapp', 'erasure', $2, NULL, ''),
		('complainant:cccccccccccccccccccc', 'telegram', 'erasure', $3, NULL, '')`,
		now.Add(-10*24*time.Hour), now.Add(-73*time.Hour), now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	out := c.ok("requests", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.Contains(lines[1], "2 complaints") || !strings.Contains(lines[2], "OVERDUE") ||
		strings.Contains(lines[3], "OVERDUE") {
		t.Errorf("requests list:\n%s", out)
	}
	var open []map[string]any
	if err := json.Unmarshal([]byte(c.ok("requests", "list", "--open", "--kind", "erasure", "--json")), &open); err != nil {
		t.Fatal(err)
	}
	if len(open) != 2 || open[0]["overdue"] != true || open[1]["overdue"] != nil {
		t.Errorf("requests list --open --kind erasure --json: %v", open)
	}
	if out := c.ok("requests", "list", "--since", "2026-11-27"); strings.Count(out, "\n") != 3 {
		t.Errorf("requests list --since 2026-11-27:\n%s", out)
	}

	if _, err := db.ApplyUnits(ctx, mustDirectory(t, flowstest.Units()), now); err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	rules, err := db.Rules(ctx, cfg.Policy, cfg.Zone, cfg.Hours)
	if err != nil {
		t.Fatal(err)
	}
	k, err := db.File(ctx, rules, "ADU", flowstest.Report(), now)
	if err != nil {
		t.Fatal(err)
	}
	c.clock.Advance(time.Hour)
	c.ok("complaints", "show", k.Tracking, "--as", "NIP-1987")
	out = c.ok("audit", "access", "--person", "telegram:"+flowstest.ChatRef)
	if !strings.Contains(out, k.Tracking) || !strings.Contains(out, "complaints.show") || !strings.Contains(out, "/NIP-1987") ||
		strings.Contains(out, flowstest.ChatRef) {
		t.Errorf("audit access --person:\n%s", out)
	}
	if out := c.ok("audit", "access", "--since", c.clock.Now().Add(time.Hour).Format("2006-01-02 15:04")); strings.Count(out, "\n") != 1 {
		t.Errorf("audit access --since after the show:\n%s", out)
	}
}
