package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// auditArgs and auditHelp describe `aduan audit`.
const (
	auditArgs = "verify [--through EVENT] | " + auditAccessArgs
	auditHelp = "verify: recompute every complaint's hash-chained audit trail and name the first broken\n" +
		"  link (tracking number, event ID, and what differs: link, body, fields, unchained);\n" +
		"  exits 1 when a chain is broken or a complaint has no trail. It prints a head digest\n" +
		"  over the chains' last events: write it down away from this server; --through EVENT\n" +
		"  recomputes it over the events up to EVENT, to compare with one written down earlier.\n" +
		auditAccessHelp
)

// runAudit is the `audit` command: its subcommands.
func runAudit(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "verify" {
		return runAuditVerify(ctx, e, args[1:])
	}
	if len(args) > 0 && args[0] == "access" {
		return runAuditAccess(ctx, e, args[1:])
	}
	fs := subcommand(e, "audit", auditArgs, auditHelp)
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	return usageError(fs, "want the subcommand verify or access")
}

// whatDiffers explains the kinds of store.AuditBreak.What.
var whatDiffers = map[string]string{
	"link":      "its prev_hash is not the hash of the event before it (an event was removed, inserted or changed before it)",
	"body":      "actor_name or text differ from its body_hash",
	"fields":    "its fields differ from its hash",
	"unchained": "it has no hashes (inserted with the chain's trigger disabled)",
	"unsealed":  "its actor_name and text were emptied, but no redaction event follows it in the trail (a redaction is always recorded)",
}

// runAuditVerify checks the audit chains (`aduan audit verify`).
func runAuditVerify(ctx context.Context, e *env, args []string) error {
	fs := subcommand(e, "audit verify", "[--through EVENT]", auditHelp)
	through := fs.Int64("through", 0, "check only the events up to this event ID (default: every event)")
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	if *through < 0 {
		return usageError(fs, "--through wants an event ID, got %d", *through)
	}
	db, err := openDB(ctx, e, true)
	if err != nil {
		return err
	}
	defer db.Close()
	start := e.clock.Now()
	got, err := db.VerifyAudit(ctx, *through)
	if err != nil {
		return err
	}
	took := e.clock.Now().Sub(start)
	fmt.Fprintf(e.stdout, "audit chains through event %d: %d complaints, %d events (%d redacted), checked in %.1f s\n",
		got.Through, got.Complaints, got.Events, got.Redacted, took.Seconds())
	fmt.Fprintf(e.stdout, "head digest through event %d: %s\n", got.Through, hex.EncodeToString(got.HeadDigest))
	if got.OK() {
		fmt.Fprintf(e.stdout, "every chain verifies\n")
		return nil
	}
	fmt.Fprintf(e.stdout, "BROKEN: %d events in %d complaints' chains; %d complaints without any audit event\n",
		got.Broken, got.BrokenChains, got.Untrailed)
	if b := got.First; b != nil {
		var why []string
		for _, w := range b.What {
			why = append(why, w+": "+whatDiffers[w])
		}
		return fmt.Errorf("chain broken: complaint %s, event %d: %s", b.Tracking, b.EventID, strings.Join(why, "; "))
	}
	return errors.New("complaint " + got.FirstBare + " has no audit event: its trail was removed")
}
