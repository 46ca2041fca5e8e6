package store

import (
	"context"
	"fmt"
)

// sqlWrote finds a conversation with the chat, or else any message the chat sent.
const sqlWrote = `SELECT EXISTS (SELECT 1 FROM session WHERE channel = $1 AND chat = $2)
	OR EXISTS (SELECT 1 FROM inbox WHERE channel = $1 AND chat = $2)`

// Wrote reports whether a private chat of the channel ever wrote to the desk: it has a
// conversation, or a message of it is in the inbox. A channel that must not write first
// (WhatsApp) asks before it writes to a person.
func (db *DB) Wrote(ctx context.Context, channel, chat string) (bool, error) {
	var ok bool
	if err := db.pool.QueryRow(ctx, sqlWrote, channel, chat).Scan(&ok); err != nil {
		return false, fmt.Errorf("store: did %s chat write: %w", channel, err)
	}
	return ok, nil
}
