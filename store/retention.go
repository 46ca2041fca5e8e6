package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
)

// RetentionOptions says how long the desk keeps what. A zero period keeps forever.
type RetentionOptions struct {
	// After is how long after closure (or archiving) a complaint keeps its personal
	// data; then Anonymise removes it.
	After time.Duration
	// Keep is how long the traces of conversations are kept: delivered and given-up
	// messages (the outbox), handled inbound messages (the inbox, whose keys
	// de-duplicate redeliveries), pending actions done or abandoned, idle sessions of
	// citizens with no open complaint. It must exceed a day (the WhatsApp daily cap
	// counts the last 24 hours of the outbox) and the drafts' expiry. (Files no
	// complaint or draft holds are SweepFiles's, a day after they were saved.)
	Keep  time.Duration
	Batch int // rows per transaction; default 1000
	// Workers is how many transactions anonymise complaints past the retention period
	// at once; default 1.
	Workers int
	// Limit is the most complaints past the retention period one call anonymises (the
	// rest waits for the next); 0: all of them.
	Limit int
}

// RetentionReport says what a retention sweep did.
type RetentionReport struct {
	Anonymised  int     // complaints whose retention period ended, anonymised
	Requested   int     // complaints of deletion requests, anonymised once closed
	Completed   []int64 // deletion requests completed (none of their complaints waits any more)
	AnonimChats int     // anonim complaints whose chat identity was erased after closure
	Outbox      int     // delivered or given-up messages purged
	Inbox       int     // handled inbound messages purged
	Pending     int     // pending actions purged
	Sessions    int     // idle sessions purged
	WebLines    int     // lines of finished web chats purged
	Skipped     bool    // another replica held the sweep lock
}

// Any reports whether the sweep changed or purged anything.
func (r RetentionReport) Any() bool {
	return r.Anonymised+r.Requested+len(r.Completed)+r.AnonimChats+r.Outbox+r.Inbox+r.Pending+r.Sessions+r.WebLines > 0
}

const (
	// sqlTryLockShared takes the sweep lock in shared mode: the workers of the
	// retention period hold it together, and Sweep (which takes it alone) waits for
	// none of them: it skips its turn, and the replica sweeping does its work.
	sqlTryLockShared = `SELECT pg_try_advisory_xact_lock_shared($1)`

	// A complaint waits for its erasure until the messages to its complainant about it
	// are out: the closing message reaches them.
	sqlNoneToComplainant = `NOT EXISTS (SELECT 1 FROM outbox o WHERE o.unit = '' AND o.channel = c.contact_channel
	AND o.chat = c.contact_chat AND o.complaint_id = c.id AND o.delivered_at IS NULL AND o.failed_at IS NULL)`
	// An anonim complaint keeps its chat while a check is still scheduled for it: its
	// rating window (flows.RatingWindow), which ends when it is rated or the window
	// has passed (flows.EvRatingClosed).
	sqlAnonimDue = `SELECT c.id FROM complaint c
WHERE c.privacy = 'anonim' AND c.state IN ('closed', 'archived') AND c.contact_chat <> '` + flows.ErasedChat + `' AND ` + sqlNoneToComplainant + `
  AND c.next_check_at IS NULL AND c.id > $2
ORDER BY c.id LIMIT $1 FOR UPDATE SKIP LOCKED`
	sqlRequestedDue = `SELECT c.id FROM complaint c
WHERE c.id IN (SELECT complaint_id FROM deletion_request_complaint WHERE erased_at IS NULL)
  AND c.state IN ('closed', 'archived') AND ` + sqlNoneToComplainant + ` AND c.id > $2
ORDER BY c.id LIMIT $1 FOR UPDATE SKIP LOCKED`
	sqlCompleteRequests = `UPDATE deletion_request r SET completed_at = $1
WHERE r.completed_at IS NULL AND NOT EXISTS (SELECT 1 FROM deletion_request_complaint d WHERE d.request_id = r.id AND d.erased_at IS NULL)
RETURNING r.id`
	// sqlRetentionDue goes on after ($3, $4), the last complaint the sweep took: the
	// index entries of those it changed stay until VACUUM, and are not read again.
	sqlRetentionDue = `SELECT id, closed_at FROM complaint
WHERE anonymised_at IS NULL AND state IN ('closed', 'archived') AND closed_at < $1 AND (closed_at, id) > ($3, $4)
ORDER BY closed_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`

	sqlPurgePending = `DELETE FROM pending_action WHERE id IN (
	SELECT id FROM pending_action WHERE coalesce(done_at, created_at) < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)`

	sqlMark    = `SELECT coalesce((SELECT upto FROM purge_mark WHERE name = $1), 0)`
	sqlSetMark = `INSERT INTO purge_mark (name, upto) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET upto = excluded.upto`

	// The outbox and the inbox are read in the order of their IDs, which is the order
	// rows were added, from the mark on: rows older than the period are purged when
	// done, and the mark moves past them. Cards (and the messages a pending action or
	// a card edit still needs) are never purged: they hold the group chat's message
	// and no personal data.
	sqlOutboxPage  = `SELECT id, created_at < $2 FROM outbox WHERE id > $1 ORDER BY id LIMIT $3`
	sqlUnlinkEdits = `UPDATE outbox SET edit_of = NULL WHERE edit_of > $1 AND edit_of <= $2 AND (delivered_at IS NOT NULL OR failed_at IS NOT NULL)`
	sqlPurgeOutbox = `DELETE FROM outbox o WHERE o.id > $1 AND o.id <= $2 AND coalesce(o.delivered_at, o.failed_at) < $3
  AND NOT EXISTS (SELECT 1 FROM card k WHERE k.outbox_id = o.id)
  AND NOT EXISTS (SELECT 1 FROM pending_action p WHERE p.prompt_id = o.id)
  AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.edit_of = o.id)`
	sqlInboxPage  = `SELECT id, received_at < $2 FROM inbox WHERE id > $1 ORDER BY id LIMIT $3`
	sqlPurgeInbox = `DELETE FROM inbox WHERE id > $1 AND id <= $2 AND handled_at < $3`

	// sqlPurgeWebLines deletes the lines of citizens' web chats untouched since $1 that
	// hold no open complaint and no draft being written.
	sqlPurgeWebLines = `DELETE FROM web_line w WHERE w.id IN (
	SELECT x.id FROM web_line x WHERE x.chat LIKE 'c-%' AND x.updated_at < $1
	  AND NOT EXISTS (SELECT 1 FROM web_line n WHERE n.chat = x.chat AND n.updated_at >= $1)
	  AND NOT EXISTS (SELECT 1 FROM complaint c WHERE c.contact_channel = 'web' AND c.contact_chat = x.chat
	                  AND c.state NOT IN ('closed', 'archived'))
	  AND NOT EXISTS (SELECT 1 FROM session s WHERE s.channel = 'web' AND s.chat = x.chat AND s.step <> '')
	LIMIT $2 FOR UPDATE SKIP LOCKED)`

	sqlPurgeSessions = `DELETE FROM session s WHERE (s.channel, s.chat) IN (
	SELECT x.channel, x.chat FROM session x WHERE x.step = '' AND x.pending = '' AND x.updated_at < $1
	  AND NOT EXISTS (SELECT 1 FROM complaint c WHERE c.contact_channel = x.channel AND c.contact_chat = x.chat
	                  AND c.state NOT IN ('closed', 'archived'))
	LIMIT $2 FOR UPDATE SKIP LOCKED)`

	sqlDeleteFiles = `DELETE FROM attachment_file WHERE id = ANY($1)`
)

// Retain runs the retention sweep as of now, each part in transactions of opt.Batch
// rows under the sweep lock (taken with pg_try_advisory_xact_lock, as Sweep does, so
// that replicas do not repeat each other's work; filing and every other write path
// never wait for it). Complaints are locked with SKIP LOCKED: one being changed is
// taken at the next sweep. In order:
//
//   - anonim complaints that are closed or archived lose their chat identity
//     (EraseChats) once the messages to their complainant about them are out;
//   - complaints of deletion requests that have since closed are anonymised in the
//     same way, and requests with nothing left waiting are completed;
//   - complaints closed or archived more than opt.After ago are anonymised;
//   - pending actions, the outbox, the inbox, idle sessions and the lines of finished
//     web chats older than opt.Keep are purged.
//
// It is idempotent: a second sweep at the same time finds nothing to do.
func (db *DB) Retain(ctx context.Context, opt RetentionOptions, now time.Time) (RetentionReport, error) {
	if opt.Batch <= 0 {
		opt.Batch = 1000
	}
	if opt.Workers <= 0 {
		opt.Workers = 1
	}
	var rep RetentionReport
	var skipped atomic.Bool
	// step runs fn in transactions under the sweep lock until it sees less than a
	// batch, another replica holds the lock (errSkipped), or more (below) says stop.
	// With shared, the lock is taken in shared mode: workers of one step run at once.
	step := func(what string, shared bool, more func(total int) bool, fn func(tx *txn) (seen, changed int, err error)) (int, error) {
		total := 0
		lock := sqlTryLock
		if shared {
			lock = sqlTryLockShared
		}
		for {
			var seen, changed int
			held := false
			err := db.inTx(ctx, func(tx *txn) error {
				var got bool
				if err := tx.QueryRow(ctx, lock, int64(sweepLock)).Scan(&got); err != nil {
					return err
				}
				if !got {
					held = true
					return nil
				}
				var err error
				seen, changed, err = fn(tx)
				return err
			})
			if err != nil {
				return total, fmt.Errorf("store: retention: %s: %w", what, err)
			}
			total += changed
			if held {
				skipped.Store(true)
				return total, errSkipped
			}
			if seen < opt.Batch || (more != nil && !more(total)) {
				return total, nil
			}
		}
	}
	ids := func(tx *txn, sql string, args ...any) ([]int64, error) {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, pgx.RowTo[int64])
	}
	// erase anonymises the complaints sql selects, batch by batch, each batch after
	// the last complaint of the one before ($2).
	erase := func(sql string, r redaction) func(tx *txn) (int, int, error) {
		var after int64
		return func(tx *txn) (int, int, error) {
			due, err := ids(tx, sql, opt.Batch, after)
			if err != nil || len(due) == 0 {
				return 0, 0, err
			}
			after = due[len(due)-1]
			n, err := db.anonymise(ctx, tx, due, r, now)
			return len(due), n, err
		}
	}
	// retention is one worker of the retention period's step: it takes the complaints
	// due after the last it took; workers leapfrog each other's locked batches.
	retention := func() func(tx *txn) (int, int, error) {
		var lastClosed time.Time
		var lastID int64
		return func(tx *txn) (int, int, error) {
			rows, err := tx.Query(ctx, sqlRetentionDue, now.Add(-opt.After), opt.Batch, lastClosed, lastID)
			if err != nil {
				return 0, 0, err
			}
			var due []int64
			for rows.Next() {
				if err := rows.Scan(&lastID, &lastClosed); err != nil {
					rows.Close()
					return 0, 0, err
				}
				due = append(due, lastID)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return 0, 0, err
			}
			// Once the retention period is over, what the conversation left is older
			// than its own period and purged (Keep), unless it is kept as long or longer.
			r := redaction{reason: flows.RedactRetention, traces: opt.Keep == 0 || opt.Keep >= opt.After}
			n, err := db.anonymise(ctx, tx, due, r, now)
			return len(due), n, err
		}
	}
	// retentionStep runs opt.Workers workers of the retention period at once, until
	// none finds more or opt.Limit complaints are anonymised.
	retentionStep := func() (int, error) {
		var total atomic.Int64
		more := func(int) bool { return opt.Limit <= 0 || total.Load() < int64(opt.Limit) }
		errs := make([]error, opt.Workers)
		var wg sync.WaitGroup
		for w := range opt.Workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				fn := retention()
				_, errs[w] = step("retention period", true, more, func(tx *txn) (int, int, error) {
					seen, n, err := fn(tx)
					total.Add(int64(n))
					return seen, n, err
				})
			}()
		}
		wg.Wait()
		var failed []error
		for _, e := range errs {
			if e != nil && !errors.Is(e, errSkipped) {
				failed = append(failed, e)
			}
		}
		if len(failed) == 0 && skipped.Load() {
			return int(total.Load()), errSkipped
		}
		return int(total.Load()), errors.Join(failed...)
	}
	var err error
	run := func(dst *int, what string, fn func(tx *txn) (int, int, error)) {
		if err != nil {
			return
		}
		*dst, err = step(what, false, nil, fn)
	}
	run(&rep.AnonimChats, "anonim chats", erase(sqlAnonimDue, redaction{reason: flows.RedactAnonim, chatOnly: true, traces: true}))
	run(&rep.Requested, "deletion requests", erase(sqlRequestedDue, redaction{reason: flows.RedactRequest, traces: true}))
	var done int
	run(&done, "complete deletion requests", func(tx *txn) (int, int, error) {
		got, err := ids(tx, sqlCompleteRequests, now)
		rep.Completed = append(rep.Completed, got...)
		return 0, len(got), err
	})
	if opt.After > 0 && err == nil {
		rep.Anonymised, err = retentionStep()
	}
	if opt.Keep > 0 {
		cutoff := now.Add(-opt.Keep)
		run(&rep.Pending, "pending actions", func(tx *txn) (int, int, error) {
			tag, err := tx.Exec(ctx, sqlPurgePending, cutoff, opt.Batch)
			return int(tag.RowsAffected()), int(tag.RowsAffected()), err
		})
		run(&rep.Outbox, "outbox", db.purgePaged(ctx, "outbox", sqlOutboxPage, cutoff, opt.Batch, func(tx *txn, from, to int64) (int, error) {
			if _, err := tx.Exec(ctx, sqlUnlinkEdits, from, to); err != nil {
				return 0, err
			}
			tag, err := tx.Exec(ctx, sqlPurgeOutbox, from, to, cutoff)
			return int(tag.RowsAffected()), err
		}))
		run(&rep.Inbox, "inbox", db.purgePaged(ctx, "inbox", sqlInboxPage, cutoff, opt.Batch, func(tx *txn, from, to int64) (int, error) {
			tag, err := tx.Exec(ctx, sqlPurgeInbox, from, to, cutoff)
			return int(tag.RowsAffected()), err
		}))
		run(&rep.Sessions, "sessions", func(tx *txn) (int, int, error) {
			tag, err := tx.Exec(ctx, sqlPurgeSessions, cutoff, opt.Batch)
			return int(tag.RowsAffected()), int(tag.RowsAffected()), err
		})
		run(&rep.WebLines, "web lines", func(tx *txn) (int, int, error) {
			tag, err := tx.Exec(ctx, sqlPurgeWebLines, cutoff, opt.Batch)
			return int(tag.RowsAffected()), int(tag.RowsAffected()), err
		})
	}
	if errors.Is(err, errSkipped) {
		err = nil
	}
	rep.Skipped = skipped.Load()
	for _, id := range rep.Completed {
		db.log().Info("deletion request completed", "request", id)
	}
	return rep, err
}

var errSkipped = errors.New("sweep lock held elsewhere")

// purgePaged returns a retention step that reads a page of table (sql: id and whether
// the row is older than the cutoff, from the mark on, in ID order), purges with purge
// the rows from the mark to the last old one, and moves the mark there.
func (db *DB) purgePaged(ctx context.Context, table, sql string, cutoff time.Time, batch int, purge func(tx *txn, from, to int64) (int, error)) func(tx *txn) (int, int, error) {
	return func(tx *txn) (int, int, error) {
		var from int64
		if err := tx.QueryRow(ctx, sqlMark, table).Scan(&from); err != nil {
			return 0, 0, err
		}
		rows, err := tx.Query(ctx, sql, from, cutoff, batch)
		if err != nil {
			return 0, 0, err
		}
		to, seen, young := from, 0, false
		for rows.Next() {
			var id int64
			var old bool
			if err := rows.Scan(&id, &old); err != nil {
				rows.Close()
				return 0, 0, err
			}
			if !old {
				young = true
				break
			}
			to, seen = id, seen+1
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, 0, err
		}
		if to == from {
			return 0, 0, nil
		}
		n, err := purge(tx, from, to)
		if err != nil {
			return 0, 0, err
		}
		if _, err := tx.Exec(ctx, sqlSetMark, table, to); err != nil {
			return 0, 0, err
		}
		if young {
			seen = 0 // the rest is younger than the period: nothing more this time
		}
		return seen, n, nil
	}
}
