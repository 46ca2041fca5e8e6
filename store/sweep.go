package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
)

// sweepLock is the advisory-lock key that keeps two replicas from sweeping the same
// batch at once; correctness does not depend on it (rows are locked and the work is
// state-based), it only saves duplicate effort.
const sweepLock = 0x616475616e01 // "aduan" 01

const (
	sqlTryLock = `SELECT pg_try_advisory_xact_lock($1)`
	sqlDue     = `SELECT ` + complaintColumns + ` FROM complaint
WHERE next_check_at <= $1 ORDER BY next_check_at LIMIT $2 FOR UPDATE SKIP LOCKED`

	// sqlDigestClaimed lists the units whose digest of the day was already handled, so
	// that the every-minute sweep counts nothing once every unit has had its digest.
	sqlDigestClaimed = `SELECT unit FROM digest_sent WHERE day = $1::date AND unit = ANY($2)`
	sqlDigestCounts  = `
SELECT unit, count(*), count(*) FILTER (WHERE due_at > $2 AND due_at < $1), count(*) FILTER (WHERE due_at <= $2)
FROM (SELECT unit, due_at FROM complaint WHERE state IN ('submitted', 'routed', 'distributed', 'in_progress') AND unit = ANY($3)
      UNION ALL
      SELECT team, due_at FROM complaint WHERE state = 'in_progress' AND team = ANY($3)) AS open
GROUP BY unit`
	sqlDigestClaim = `INSERT INTO digest_sent (unit, day) VALUES ($1, $2::date) ON CONFLICT DO NOTHING`
)

// SweepOptions tunes a sweep.
type SweepOptions struct {
	Batch  int  // complaints per transaction; default 500
	DryRun bool // compute everything, write nothing
}

// SweepReport says what a sweep did (or, dry, would do).
type SweepReport struct {
	Changes []flows.Change // every step taken, in order
	Digests []flows.Notice // daily digests queued
	Skipped bool           // another replica held the sweep lock
}

// Count returns how many steps of kind k the report holds.
func (r SweepReport) Count(k flows.EventKind) int {
	n := 0
	for _, ch := range r.Changes {
		if ch.Audit.Kind == k {
			n++
		}
	}
	return n
}

// Sweep runs the scheduled checks as of now: every complaint whose NextCheck has come is
// locked, stepped with rules.Tick until nothing more is due, written back with its audit
// events and notices, batch by batch; then the daily digests are queued when due. It is
// idempotent: a second sweep at the same time finds nothing to do, and two sweepers at
// once never take the same complaint. With DryRun every transaction is rolled back.
func (db *DB) Sweep(ctx context.Context, rules *flows.Rules, now time.Time, opt SweepOptions) (SweepReport, error) {
	if opt.Batch <= 0 {
		opt.Batch = 500
	}
	var rep SweepReport
	for {
		n, skipped, err := db.sweepBatch(ctx, rules, now, opt, &rep)
		if err != nil {
			return rep, fmt.Errorf("store: sweep: %w", err)
		}
		if skipped {
			rep.Skipped = true
			break
		}
		if n < opt.Batch || opt.DryRun {
			break
		}
	}
	if err := db.queueDigests(ctx, rules, now, opt.DryRun, &rep); err != nil {
		return rep, fmt.Errorf("store: sweep digests: %w", err)
	}
	return rep, nil
}

var errRollback = errors.New("dry run")

func (db *DB) dryRunnable(ctx context.Context, dry bool, fn func(*txn) error) error {
	err := db.inTx(ctx, func(tx *txn) error {
		if err := fn(tx); err != nil {
			return err
		}
		if dry {
			return errRollback
		}
		return nil
	})
	if errors.Is(err, errRollback) {
		return nil
	}
	return err
}

// sweepBatch processes one batch and returns how many complaints it took.
func (db *DB) sweepBatch(ctx context.Context, rules *flows.Rules, now time.Time, opt SweepOptions, rep *SweepReport) (n int, skipped bool, err error) {
	err = db.dryRunnable(ctx, opt.DryRun, func(tx *txn) error {
		var got bool
		if err := tx.QueryRow(ctx, sqlTryLock, int64(sweepLock)).Scan(&got); err != nil {
			return err
		}
		if !got {
			skipped = true
			return nil
		}
		rows, err := tx.Query(ctx, sqlDue, now, opt.Batch)
		if err != nil {
			return err
		}
		due, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (flows.Complaint, error) { return scanComplaint(r) })
		if err != nil {
			return err
		}
		n = len(due)
		var changes []flows.Change
		var final []flows.Complaint
		var old []int
		for _, c := range due {
			start, stepped := c.Version, false
			for step := 0; step < 8; step++ {
				ch, ok, err := rules.Tick(c, now)
				if err != nil {
					return fmt.Errorf("complaint %s: %w", c.Tracking, err)
				}
				if !ok {
					break
				}
				changes = append(changes, ch)
				c, stepped = ch.Complaint, true
				if c.NextCheck.IsZero() || c.NextCheck.After(now) {
					break
				}
			}
			if !stepped {
				// Nothing was due after all (the rules or the calendar changed): store
				// the complaint's own next check rather than look again every minute.
				c.NextCheck = rules.NextCheck(c)
				if !c.NextCheck.IsZero() && !c.NextCheck.After(now) {
					c.NextCheck = now.Add(time.Hour)
				}
			}
			final = append(final, c)
			old = append(old, start)
		}
		if len(final) == 0 {
			return nil
		}
		if err := db.updateComplaints(ctx, tx, final, old); err != nil {
			return err
		}
		if len(changes) > 0 {
			if err := db.record(ctx, tx, rules, changes, now); err != nil {
				return err
			}
		}
		rep.Changes = append(rep.Changes, changes...)
		return nil
	})
	return n, skipped, err
}

// queueDigests queues the day's digest for every unit with open complaints, once per
// unit and working day, from the policy's digest time on.
func (db *DB) queueDigests(ctx context.Context, rules *flows.Rules, now time.Time, dry bool, rep *SweepReport) error {
	day, dueToday, ok := rules.DigestDay(now)
	if !ok {
		return nil
	}
	return db.dryRunnable(ctx, dry, func(tx *txn) error {
		var all []string
		for _, u := range rules.Units.Units() {
			all = append(all, u.Code)
		}
		rows, err := tx.Query(ctx, sqlDigestClaimed, day.String(), all)
		if err != nil {
			return err
		}
		claimed, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		todo := slices.DeleteFunc(all, func(u string) bool { return slices.Contains(claimed, u) })
		if len(todo) == 0 {
			return nil
		}
		rows, err = tx.Query(ctx, sqlDigestCounts, dueToday, now, todo)
		if err != nil {
			return err
		}
		type counts struct{ open, today, overdue int }
		byUnit := map[string]counts{}
		for rows.Next() {
			var u string
			var c counts
			if err := rows.Scan(&u, &c.open, &c.today, &c.overdue); err != nil {
				return err
			}
			byUnit[u] = c
		}
		if err := rows.Err(); err != nil {
			return err
		}
		var changes []flows.Change
		for _, code := range todo {
			// Claimed even when nothing is open: the day's digest is then settled.
			tag, err := tx.Exec(ctx, sqlDigestClaim, code, day.String())
			if err != nil {
				return err
			}
			c := byUnit[code]
			if tag.RowsAffected() == 0 || c.open == 0 {
				continue // queued by another sweeper, or nothing to report
			}
			u, _ := rules.Units.Unit(code)
			// The unit and the day make each group's digest its own text.
			n := flows.Notice{To: flows.ToUnit(u.Code), Msg: flows.MsgDigest, Unit: u.Code, Open: c.open, DueToday: c.today, Overdue: c.overdue,
				Data: map[string]string{"Day": day.String()}}
			changes = append(changes, flows.Change{Notices: []flows.Notice{n}})
			rep.Digests = append(rep.Digests, n)
		}
		return queue(ctx, tx, rules, changes, now)
	})
}
