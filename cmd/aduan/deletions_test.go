package main

import (
	"regexp"
	"strings"
	"testing"

	"aduan/config"
	"aduan/flows"
	"aduan/flows/flowstest"
)

// A citizen's /hapusdata is listed by `aduan requests deletions` under their pseudonym
// (never their chat), with what was erased; `aduan sweep` runs the retention sweep and
// says what it did.
func TestRequestsDeletionsAndRetentionSweep(t *testing.T) {
	t.Parallel()
	cl, db := newCLIWithDB(t)
	ctx := t.Context()
	if _, err := db.ApplyUnits(ctx, mustDirectory(t, flowstest.Units()), flowstest.At(t, "2024-01-01 09:00")); err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	rules, err := db.Rules(ctx, cfg.Policy, cfg.Zone, cfg.Hours)
	if err != nil {
		t.Fatal(err)
	}
	// Archived in 2024: past the retention period of 730 days.
	old := flowstest.At(t, "2024-06-03 10:00")
	r := flowstest.Report()
	r.Contact.Chat = "777001"
	c, err := db.File(ctx, rules, cfg.Prefix, r, old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Apply(ctx, rules, c.ID, 0, flows.Event{Kind: flows.EvArchive, Actor: flowstest.Member(flowstest.National), Text: "Bukan pengaduan."}, old); err != nil {
		t.Fatal(err)
	}
	// This week's complaint, archived, whose complainant asks for deletion.
	at := flowstest.At(t, "2026-11-30 09:00")
	mine, err := db.File(ctx, rules, cfg.Prefix, flowstest.Report(), at)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Apply(ctx, rules, mine.ID, 0, flows.Event{Kind: flows.EvArchive, Actor: flowstest.Member(flowstest.National), Text: "Ganda."}, at); err != nil {
		t.Fatal(err)
	}
	intake := cfg.Intake
	for _, in := range []flows.Inbound{{Command: flows.EraseCommand}, {Choice: "m:erase:yes"}} {
		in.Channel, in.Chat, in.User = "telegram", flowstest.ChatRef, flowstest.ChatRef
		if err := db.Converse(ctx, rules, &intake, cfg.Prefix, in, at); err != nil {
			t.Fatal(err)
		}
	}
	out := cl.ok("requests", "deletions")
	if !regexp.MustCompile(`(?m)^1\s+telegram\s+complainant:[0-9a-f]{20}\s+2026-11-30 09:00\s+1\s+0\s+2026-11-30 09:00$`).MatchString(out) ||
		strings.Contains(out, flowstest.ChatRef) {
		t.Errorf("requests deletions:\n%s", out)
	}
	if out := cl.ok("requests", "deletions", "--open"); strings.Count(out, "\n") != 1 {
		t.Errorf("requests deletions --open lists a completed request:\n%s", out)
	}
	cl.fails(2, []string{"requests", "access"}, "want the subcommand list or deletions")

	out = cl.ok("sweep")
	if !strings.Contains(out, "retention: 1 anonymised after 730 days") {
		t.Errorf("sweep printed:\n%s", out)
	}
	if got, err := db.Complaint(ctx, c.ID); err != nil || got.Body != "" || got.Contact.Name != "" {
		t.Errorf("the complaint of 2024 after the sweep: %+v (%v)", got, err)
	}
	if out := cl.ok("sweep"); strings.Contains(out, "retention:") {
		t.Errorf("a second sweep printed:\n%s", out)
	}
}
