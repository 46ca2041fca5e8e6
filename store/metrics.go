package store

import (
	"context"
	"fmt"
	"time"

	"aduan/flows"
)

const (
	// sqlOutboxPending counts the messages waiting to be sent on each channel and the
	// time the oldest was queued, through the partial index of pending rows.
	sqlOutboxPending = `SELECT channel, count(*), min(created_at) FROM outbox
WHERE delivered_at IS NULL AND failed_at IS NULL GROUP BY channel ORDER BY channel`

	// sqlOpenByState counts the open complaints by state, through the partial index of
	// open complaints; closed and archived ones are not counted (they only grow).
	sqlOpenByState = `SELECT state, count(*) FROM complaint WHERE state NOT IN ('closed', 'archived')
GROUP BY state ORDER BY state`

	// sqlOverdueByUnit counts the open complaints past their deadline by the unit
	// holding them (through the partial index of open complaints): every unit not
	// retired, at zero when it holds none, and a retired one that still holds some.
	sqlOverdueByUnit = `SELECT u.code, coalesce(o.n, 0) FROM unit u
LEFT JOIN (SELECT unit, count(*) AS n FROM complaint WHERE state NOT IN ('closed', 'archived') AND overdue GROUP BY unit) o
  ON o.unit = u.code
WHERE NOT u.retired OR o.n IS NOT NULL
ORDER BY u.code`

	// sqlOpenRequests counts the citizens' data requests not yet completed, by kind,
	// and those asked before $1, through the partial indexes of open requests: copies
	// (data_request) and deletions (/hapusdata, deletion_request: waiting for open
	// complaints to close).
	sqlOpenRequests = `SELECT kind, count(*), count(*) FILTER (WHERE requested_at < $1) FROM (
	SELECT kind, requested_at FROM data_request WHERE completed_at IS NULL
	UNION ALL
	SELECT 'erasure', requested_at FROM deletion_request WHERE completed_at IS NULL) r
GROUP BY kind ORDER BY kind`
)

// OpenRequestCount is how many of one kind of data request are open.
type OpenRequestCount struct {
	Open    int // not completed
	Overdue int // of those, asked before the time given
}

// OpenRequests returns the citizens' data requests not completed (a copy, /datasaya;
// a deletion, /hapusdata, waiting for complaints to close), by kind, and how many of
// them were asked before overdueBefore. Both kinds are always in it, at zero when none
// is open. One query; no personal data.
func (db *DB) OpenRequests(ctx context.Context, overdueBefore time.Time) (map[flows.RequestKind]OpenRequestCount, error) {
	out := map[flows.RequestKind]OpenRequestCount{flows.RequestAccess: {}, flows.RequestErasure: {}}
	rows, err := db.pool.Query(ctx, sqlOpenRequests, overdueBefore)
	if err != nil {
		return nil, fmt.Errorf("store: open requests: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var c OpenRequestCount
		if err := rows.Scan(&kind, &c.Open, &c.Overdue); err != nil {
			return nil, fmt.Errorf("store: open requests: %w", err)
		}
		out[flows.RequestKind(kind)] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: open requests: %w", err)
	}
	return out, nil
}

// Pending is what waits in the outbox for one channel.
type Pending struct {
	Channel string
	// Count is how many messages wait to be sent (neither delivered nor given up), and
	// Oldest when the oldest of them was queued.
	Count  int
	Oldest time.Time
}

// OutboxPending returns what waits in the outbox, by channel (channels with nothing
// waiting are left out), in one query.
func (db *DB) OutboxPending(ctx context.Context) ([]Pending, error) {
	rows, err := db.pool.Query(ctx, sqlOutboxPending)
	if err != nil {
		return nil, fmt.Errorf("store: outbox pending: %w", err)
	}
	defer rows.Close()
	var out []Pending
	for rows.Next() {
		var p Pending
		if err := rows.Scan(&p.Channel, &p.Count, &p.Oldest); err != nil {
			return nil, fmt.Errorf("store: outbox pending: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: outbox pending: %w", err)
	}
	return out, nil
}

// OpenComplaints returns how many complaints are open, by state (states with none are
// left out; closed and archived complaints are not counted).
func (db *DB) OpenComplaints(ctx context.Context) (map[string]int, error) {
	return db.counts(ctx, "open complaints", sqlOpenByState)
}

// OverdueComplaints returns how many open complaints are past their deadline, by the
// unit holding them: every unit not retired is in it, at zero when it holds none, so
// that a gauge of it reads 0 rather than nothing; a retired unit only while it still
// holds some. One query; no personal data.
func (db *DB) OverdueComplaints(ctx context.Context) (map[string]int, error) {
	return db.counts(ctx, "overdue complaints", sqlOverdueByUnit)
}

// counts runs a query of (key, count) rows.
func (db *DB) counts(ctx context.Context, what, query string) (map[string]int, error) {
	rows, err := db.pool.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out[k] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}
