package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"aduan/store"
)

// retentionWorkers is how many transactions anonymise complaints past their retention
// period at once (BenchmarkRetention: two go faster than one on two cores).
const retentionWorkers = 2

// serveRetentionLimit is the most complaints past their retention period one of serve's
// sweeps anonymises.
const serveRetentionLimit = 20_000

// retentionOptions are the retention sweep's periods from the configuration, for
// `aduan sweep`, which goes on until nothing is left.
func retentionOptions(e *env) store.RetentionOptions {
	return store.RetentionOptions{After: e.cfg.Retention.After, Keep: e.cfg.Retention.Keep, Workers: retentionWorkers}
}

// retain runs the retention sweep after the scheduled checks, as of now, and logs
// what it did (counts only).
func (m *Main) retain(ctx context.Context, now time.Time) {
	// A minute's sweep anonymises at most serveRetentionLimit complaints, so that a
	// backlog (a first deployment, a shorter --retention) does not hold up the next
	// scheduled checks; the rest follows in the next sweeps.
	rep, err := m.db.Retain(ctx, store.RetentionOptions{After: m.Config.Retention.After, Keep: m.Config.Retention.Keep,
		Workers: retentionWorkers, Limit: serveRetentionLimit}, now)
	if err != nil {
		m.Log.Error("retention sweep failed", "err", err)
		return
	}
	logRetention(m.Log.Info, rep)
}

// logRetention logs a retention sweep's counts when it did anything.
func logRetention(info func(string, ...any), rep store.RetentionReport) {
	if !rep.Any() {
		return
	}
	info("retention sweep done", "anonymised", rep.Anonymised, "requested", rep.Requested, "requests_completed", len(rep.Completed),
		"anonim_chats", rep.AnonimChats, "outbox", rep.Outbox, "inbox", rep.Inbox, "pending_actions", rep.Pending,
		"sessions", rep.Sessions)
}

const requestsHelp = `List the citizens' requests about their personal data. deletions: the /hapusdata
requests, newest first — the requester's pseudonym (as in the audit trail), when,
how many complaints were anonymised at once, how many were still open (anonymised
by the sweep once closed) and when the request was completed. --open lists only
those not yet completed.`

func runDeletionRequests(ctx context.Context, e *env, args []string) error {
	fs := subcommand(e, "requests", "deletions [--open] [--limit N]", requestsHelp)
	open := fs.Bool("open", false, "only the requests not yet completed")
	limit := fs.Int("limit", 100, "at most this many requests")
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if pos[0] != "deletions" {
		return usageError(fs, "unknown list %q: want deletions", pos[0])
	}
	if *limit < 1 {
		return usageError(fs, "--limit must be at least 1")
	}
	db, err := openDB(ctx, e, true)
	if err != nil {
		return err
	}
	defer db.Close()
	reqs, err := db.DeletionRequests(ctx, *open, *limit)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tCHANNEL\tREQUESTER\tREQUESTED\tERASED\tWAITING\tCOMPLETED")
	for _, r := range reqs {
		done := "waiting"
		if !r.CompletedAt.IsZero() {
			done = r.CompletedAt.In(e.cfg.Zone).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\t%d\t%s\n", r.ID, r.Channel, r.Requester, r.RequestedAt.In(e.cfg.Zone).Format("2006-01-02 15:04"),
			r.Erased, r.Waiting, done)
	}
	return w.Flush()
}

// printRetention runs the retention sweep for `aduan sweep` and prints its counts
// when it did anything.
func printRetention(ctx context.Context, e *env, db *store.DB, now time.Time) error {
	rep, err := db.Retain(ctx, retentionOptions(e), now)
	if err != nil {
		return err
	}
	if rep.Skipped {
		fmt.Fprintln(e.stdout, "retention: another replica is sweeping; the rest is left to it")
	}
	if !rep.Any() {
		return nil
	}
	fmt.Fprintf(e.stdout, "retention: %d anonymised after %d days, %d of deletion requests (%d requests completed), %d anonim chats erased; purged: %d messages, %d incoming, %d pending actions, %d conversations\n",
		rep.Anonymised, int(e.cfg.Retention.After.Hours()/24), rep.Requested, len(rep.Completed), rep.AnonimChats, rep.Outbox, rep.Inbox, rep.Pending, rep.Sessions)
	return nil
}
