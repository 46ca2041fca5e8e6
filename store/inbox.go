package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"aduan/flows"
)

const (
	// sqlReceive stores a message unless it was stored before.
	sqlReceive = `INSERT INTO inbox (channel, message_id, chat, payload, received_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (channel, message_id) DO NOTHING`
	// sqlHandled marks a message handled and drops its content: what it said now lives
	// where it belongs (a complaint, a session), and the key still de-duplicates.
	sqlHandled = `UPDATE inbox SET handled_at = $3, locked_until = NULL, lease_owner = NULL, payload = '{}', last_error = '' WHERE channel = $1 AND message_id = $2`

	// sqlClaimInbox leases, for process $5, the oldest unhandled message of each chat, so
	// that a chat's messages are handled one at a time, in order, by whichever replica
	// claims them.
	sqlClaimInbox = `
UPDATE inbox i SET locked_until = $3, lease_owner = $5, attempts = i.attempts + 1
WHERE i.id IN (
	SELECT p.id FROM inbox p
	WHERE p.channel = ANY($1) AND p.handled_at IS NULL AND ` + leaseFree + `
	  AND NOT EXISTS (SELECT 1 FROM inbox e WHERE e.channel = p.channel AND e.chat = p.chat AND e.id < p.id
	                  AND e.handled_at IS NULL)
	ORDER BY p.id
	LIMIT $4
	FOR UPDATE SKIP LOCKED)
RETURNING i.id, i.channel, i.message_id, i.chat, i.payload, i.attempts`
	// sqlRetryInbox frees a message to be claimed again at $3 (not before): a lease with
	// no owner that runs out then.
	sqlRetryInbox = `UPDATE inbox SET locked_until = $3, lease_owner = NULL, last_error = $4 WHERE channel = $1 AND message_id = $2 AND handled_at IS NULL`
	// sqlSetAside keeps only the key of a message the database cannot hold, handled, so
	// that a redelivery is still recognised and the chat goes on.
	sqlSetAside = `INSERT INTO inbox (channel, message_id, chat, payload, received_at, handled_at, last_error)
VALUES ($1, $2, $3, '{}', $4, $4, 'set aside: payload not storable') ON CONFLICT (channel, message_id) DO NOTHING`
	sqlInboxFailed = `UPDATE inbox SET handled_at = $3, locked_until = NULL, lease_owner = NULL, last_error = $4, payload = '{}' WHERE channel = $1 AND message_id = $2`
)

// Receive stores an inbound message before the channel is told it arrived. It returns
// false when the message was stored before (a redelivery), so that it is handled once.
// A payload the database refuses as data (jsonb holds no \u0000, no lone surrogate) is
// set aside instead: only its key is kept, marked handled, a warning without content is
// logged, and Receive returns false and no error, so that the channel moves on. Any
// other failure is an error: the message is not stored, and the channel must ask again.
func (db *DB) Receive(ctx context.Context, channel, messageID, chat string, payload []byte, now time.Time) (bool, error) {
	// One round trip for a handler that must not be slow (WhatsApp's): the INSERT in a
	// transaction of its own, committed (durably) before the inbox worker is woken
	// (sqlWake). A redelivery wakes it too, for nothing: it then finds no new message.
	// When the INSERT fails, the COMMIT is skipped and the connection, left in a failed
	// transaction, is closed by the pool rather than reused.
	var b pgx.Batch
	b.Queue(sqlBegin)
	fresh := false
	b.Queue(sqlReceive, channel, messageID, chat, payload, now).Exec(func(tag pgconn.CommandTag) error {
		fresh = tag.RowsAffected() == 1
		return nil
	})
	err := db.commit(ctx, db.pool, &b, InboxReceived)
	if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && strings.HasPrefix(pe.Code, "22") {
		if _, serr := db.pool.Exec(ctx, sqlSetAside, channel, messageID, chat, now); serr != nil {
			return false, fmt.Errorf("store: set aside %s message: %w", channel, serr)
		}
		db.log().Warn("inbound message set aside: the database cannot store it", "channel", channel, "message_id", messageID, "sqlstate", pe.Code)
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: receive %s message: %w", channel, err)
	}
	return fresh, nil
}

// ClaimInbox leases up to limit unhandled messages of the channels until now+lease, or
// until this process dies: the oldest of each chat. Handling marks them handled in its
// own transaction; one whose lease ends unhandled is claimed again.
func (db *DB) ClaimInbox(ctx context.Context, channels []string, now time.Time, lease time.Duration, limit int) ([]flows.RawInbound, error) {
	owner, err := db.owner(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, sqlClaimInbox, channels, now, now.Add(lease), limit, owner)
	if err != nil {
		return nil, fmt.Errorf("store: claim inbox: %w", err)
	}
	var out []flows.RawInbound
	for rows.Next() {
		var r flows.RawInbound
		var id int64
		if err := rows.Scan(&id, &r.Channel, &r.ID, &r.Chat, &r.Payload, &r.Attempts); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: claim inbox: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	return out, rows.Err()
}

// RetryInbox returns an inbound message that failed for a passing reason (reason: no
// personal data) to be claimed again at at, holding its chat's later messages until then.
func (db *DB) RetryInbox(ctx context.Context, channel, id string, at time.Time, reason string) error {
	if _, err := db.pool.Exec(ctx, sqlRetryInbox, channel, id, at, reason); err != nil {
		return fmt.Errorf("store: retry %s message: %w", channel, err)
	}
	return nil
}

// Handled records that an inbound message (channel and ID) was fully handled at now.
func (db *DB) Handled(ctx context.Context, channel, id string, now time.Time) error {
	if _, err := db.pool.Exec(ctx, sqlHandled, channel, id, now); err != nil {
		return fmt.Errorf("store: mark %s message handled: %w", channel, err)
	}
	return nil
}

// GiveUp records that an inbound message cannot be handled (reason: no personal data),
// so that the chat's later messages proceed. With apologize, the sender is asked, in
// their language, to send it again (flows.MsgFailed).
func (db *DB) GiveUp(ctx context.Context, channel, id, chat, reason string, apologize bool, now time.Time) error {
	err := db.inTx(ctx, func(tx *txn) error {
		if _, err := tx.Exec(ctx, sqlInboxFailed, channel, id, now, reason); err != nil {
			return err
		}
		if !apologize {
			return nil
		}
		lang := "id"
		if err := tx.QueryRow(ctx, `SELECT lang FROM session WHERE channel = $1 AND chat = $2`, channel, chat).Scan(&lang); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return queueTo(ctx, tx, channel, chat, lang, "", []flows.Notice{{To: flows.ToComplainant, Msg: flows.MsgFailed}}, now)
	})
	if err != nil {
		return fmt.Errorf("store: give up %s message: %w", channel, err)
	}
	return nil
}

const sqlLockInbound = `SELECT handled_at IS NOT NULL FROM inbox WHERE channel = $1 AND message_id = $2 FOR UPDATE`

// handleTx runs fn in the transaction that handles inbound message in, after locking
// the message: when its lease ran out while a worker was still at it and a second
// worker claimed it too, the two handle it one after the other and the second, finding
// it handled, does nothing. Messages without an ID, or not in the inbox, are not locked.
func (db *DB) handleTx(ctx context.Context, in flows.Inbound, fn func(*txn) error) error {
	return db.inTx(ctx, func(tx *txn) error {
		if in.ID != "" {
			var done bool
			err := tx.QueryRow(ctx, sqlLockInbound, in.Channel, in.ID).Scan(&done)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
			case err != nil:
				return err
			case done:
				return nil
			}
		}
		return fn(tx)
	})
}

// handled marks in handled within tx; messages without an ID (not from the inbox) pass.
func handled(ctx context.Context, tx *txn, in flows.Inbound, now time.Time) error {
	if in.ID == "" {
		return nil
	}
	_, err := tx.Exec(ctx, sqlHandled, in.Channel, in.ID, now)
	return err
}
