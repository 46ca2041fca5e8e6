package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// sqlCitizenChat returns the first of the chats ($2, in order) with a conversation or a
// complaint on channel $1.
const sqlCitizenChat = `SELECT c.chat FROM unnest($2::text[]) WITH ORDINALITY AS c(chat, n)
WHERE EXISTS (SELECT 1 FROM session s WHERE s.channel = $1 AND s.chat = c.chat)
	OR EXISTS (SELECT 1 FROM complaint k WHERE k.contact_channel = $1 AND k.contact_chat = c.chat)
ORDER BY c.n LIMIT 1`

// CitizenChat returns the first of chats under which the desk knows a citizen of the
// channel — a conversation, or a complaint they filed — and "" when it knows none of
// them. A channel whose chats change identity (WhatsApp: a phone number, then a LID)
// asks it to keep one person in one conversation.
func (db *DB) CitizenChat(ctx context.Context, channel string, chats ...string) (string, error) {
	if len(chats) == 0 {
		return "", nil
	}
	var chat string
	err := db.pool.QueryRow(ctx, sqlCitizenChat, channel, chats).Scan(&chat)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("store: known %s chat: %w", channel, err)
	}
	return chat, nil
}
