package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	sqlReceive = `INSERT INTO inbox (channel, message_id, chat, payload, received_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (channel, message_id) DO NOTHING`
	sqlHandled = `UPDATE inbox SET handled_at = $3, locked_until = NULL WHERE channel = $1 AND message_id = $2`

	// sqlClaimInbox leases the oldest unhandled message of each chat, so that a chat's
	// messages are handled one at a time, in order, by whichever replica claims them.
	sqlClaimInbox = `
UPDATE inbox i SET locked_until = $3, attempts = i.attempts + 1
WHERE i.id IN (
	SELECT p.id FROM inbox p
	WHERE p.channel = ANY($1) AND p.handled_at IS NULL AND (p.locked_until IS NULL OR p.locked_until <= $2)
	  AND NOT EXISTS (SELECT 1 FROM inbox e WHERE e.channel = p.channel AND e.chat = p.chat AND e.id < p.id
	                  AND e.handled_at IS NULL)
	ORDER BY p.id
	LIMIT $4
	FOR UPDATE SKIP LOCKED)
RETURNING i.id, i.channel, i.message_id, i.chat, i.payload, i.attempts`
	sqlInboxFailed = `UPDATE inbox SET handled_at = $3, locked_until = NULL, last_error = $4 WHERE channel = $1 AND message_id = $2`
)

// Received is an inbound message waiting to be handled.
type Received struct {
	Item     InboxItem
	Chat     string
	Payload  []byte
	Attempts int // including this one
}

// Receive stores an inbound message before the channel is told it arrived. It returns
// false when the message was stored before (a redelivery), so that it is handled once.
func (db *DB) Receive(ctx context.Context, channel, messageID, chat string, payload []byte, now time.Time) (bool, error) {
	tag, err := db.pool.Exec(ctx, sqlReceive, channel, messageID, chat, payload, now)
	if err != nil {
		return false, fmt.Errorf("store: receive %s message: %w", channel, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ClaimInbox leases up to limit unhandled messages of the channels until now+lease: the
// oldest of each chat. Handling marks them handled in its own transaction; one whose
// lease runs out unhandled is claimed again.
func (db *DB) ClaimInbox(ctx context.Context, channels []string, now time.Time, lease time.Duration, limit int) ([]Received, error) {
	rows, err := db.pool.Query(ctx, sqlClaimInbox, channels, now, now.Add(lease), limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim inbox: %w", err)
	}
	var out []Received
	for rows.Next() {
		var r Received
		var id int64
		if err := rows.Scan(&id, &r.Item.Channel, &r.Item.ID, &r.Chat, &r.Payload, &r.Attempts); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: claim inbox: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	return out, rows.Err()
}

// Handled records that an inbound message was fully handled at now.
func (db *DB) Handled(ctx context.Context, item InboxItem, now time.Time) error {
	if _, err := db.pool.Exec(ctx, sqlHandled, item.Channel, item.ID, now); err != nil {
		return fmt.Errorf("store: mark %s message handled: %w", item.Channel, err)
	}
	return nil
}

// GiveUp records that an inbound message cannot be handled (reason: no personal data),
// so that the chat's later messages proceed.
func (db *DB) GiveUp(ctx context.Context, item InboxItem, reason string, now time.Time) error {
	if _, err := db.pool.Exec(ctx, sqlInboxFailed, item.Channel, item.ID, now, reason); err != nil {
		return fmt.Errorf("store: give up %s message: %w", item.Channel, err)
	}
	return nil
}

func handled(ctx context.Context, tx pgx.Tx, item InboxItem, now time.Time) error {
	if item.ID == "" {
		return nil
	}
	_, err := tx.Exec(ctx, sqlHandled, item.Channel, item.ID, now)
	return err
}
