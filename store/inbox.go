package store

import (
	"context"
	"fmt"
	"time"
)

const (
	sqlReceive = `INSERT INTO inbox (channel, message_id, chat, payload, received_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (channel, message_id) DO NOTHING`
	sqlHandled = `UPDATE inbox SET handled_at = $3 WHERE channel = $1 AND message_id = $2`
)

// Receive stores an inbound message before the channel is told it arrived. It returns
// false when the message was stored before (a redelivery), so that it is handled once.
func (db *DB) Receive(ctx context.Context, channel, messageID, chat string, payload []byte, now time.Time) (bool, error) {
	tag, err := db.pool.Exec(ctx, sqlReceive, channel, messageID, chat, payload, now)
	if err != nil {
		return false, fmt.Errorf("store: receive %s message: %w", channel, err)
	}
	return tag.RowsAffected() == 1, nil
}

// Handled records that an inbound message was fully handled at now.
func (db *DB) Handled(ctx context.Context, channel, messageID string, now time.Time) error {
	if _, err := db.pool.Exec(ctx, sqlHandled, channel, messageID, now); err != nil {
		return fmt.Errorf("store: mark %s message handled: %w", channel, err)
	}
	return nil
}
