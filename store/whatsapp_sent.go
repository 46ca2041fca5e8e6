package store

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// sqlSends lists the newest messages of a channel delivered after a time, with the
// parts each was sent in: parts_sent counts the parts accepted before the last one.
const sqlSends = `SELECT delivered_at, parts_sent + 1 FROM outbox
WHERE channel = $1 AND delivered_at > $2 ORDER BY delivered_at DESC LIMIT $3`

// Sends returns when the channel sent each of its newest messages delivered after
// since, one time per part (a message sent in parts counts each, at its delivery),
// oldest first, at most limit of them. It counts what every replica sent, for a cap on
// a channel's sends that holds across restarts and takeovers. It reads the outbox's
// delivered rows of the channel, without an index of their own: it is meant to run
// once per connection, not per send.
func (db *DB) Sends(ctx context.Context, channel string, since time.Time, limit int) ([]time.Time, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, sqlSends, channel, since, limit)
	if err != nil {
		return nil, fmt.Errorf("store: %s sends since %s: %w", channel, since.Format(time.RFC3339), err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() && len(out) < limit {
		var at time.Time
		var parts int
		if err := rows.Scan(&at, &parts); err != nil {
			return nil, fmt.Errorf("store: %s sends: %w", channel, err)
		}
		for range min(max(parts, 1), limit-len(out)) {
			out = append(out, at)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s sends: %w", channel, err)
	}
	slices.Reverse(out)
	return out, nil
}
