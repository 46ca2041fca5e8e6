package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
)

// Channel names as stored in the outbox and on complaints.
const (
	Telegram = "telegram"
	WhatsApp = "whatsapp"
)

const (
	sqlQueue = `
INSERT INTO outbox (channel, chat, lang, complaint_id, unit, payload, created_at, next_attempt_at)
SELECT u.channel, u.chat, u.lang, nullif(u.complaint_id, 0), u.unit, u.payload, $8, $8
FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::jsonb[], $7::int[])
	AS u(channel, chat, lang, complaint_id, unit, payload, ord)
ORDER BY u.ord`

	// sqlClaim leases the oldest pending message of each chat whose turn has come; a
	// chat's later messages wait until the earlier ones are delivered or failed.
	sqlClaim = `
UPDATE outbox o SET locked_until = $3, attempts = o.attempts + 1
WHERE o.id IN (
	SELECT p.id FROM outbox p
	WHERE p.channel = ANY($1) AND p.delivered_at IS NULL AND p.failed_at IS NULL
	  AND p.next_attempt_at <= $2 AND (p.locked_until IS NULL OR p.locked_until <= $2)
	  AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.channel = p.channel AND e.chat = p.chat AND e.id < p.id
	                  AND e.delivered_at IS NULL AND e.failed_at IS NULL)
	ORDER BY p.next_attempt_at, p.id
	LIMIT $4
	FOR UPDATE SKIP LOCKED)
RETURNING o.id, o.channel, o.chat, o.lang, o.unit, o.payload, o.attempts`

	sqlDelivered = `UPDATE outbox SET delivered_at = $2, receipt = $3, locked_until = NULL, last_error = '' WHERE id = $1 AND delivered_at IS NULL`
	sqlRetry     = `UPDATE outbox SET next_attempt_at = $2, locked_until = NULL, last_error = $3 WHERE id = $1 AND delivered_at IS NULL`
	sqlFailed    = `UPDATE outbox SET failed_at = $2, locked_until = NULL, last_error = $3 WHERE id = $1 AND delivered_at IS NULL`
	sqlNotify    = `SELECT pg_notify('aduan_outbox', '')`
)

// queue writes the notices of changes to the outbox, one row per chat that must
// receive each: the complainant's conversation, or every group of the unit.
func queue(ctx context.Context, tx pgx.Tx, rules *flows.Rules, changes []flows.Change, now time.Time) error {
	var channel, chat, lang, unit []string
	var complaint []int64
	var payload [][]byte
	var ord []int32
	for _, ch := range changes {
		for _, n := range ch.Notices {
			p, err := json.Marshal(n)
			if err != nil {
				return fmt.Errorf("queue %s: %w", n.Msg, err)
			}
			for _, a := range addresses(rules, ch.Complaint, n.To) {
				channel, chat, lang, unit = append(channel, a.channel), append(chat, a.chat), append(lang, a.lang), append(unit, n.To.Unit)
				complaint, payload, ord = append(complaint, n.Complaint), append(payload, p), append(ord, int32(len(ord)))
			}
		}
	}
	if len(ord) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, sqlQueue, channel, chat, lang, complaint, unit, payload, ord, now); err != nil {
		return fmt.Errorf("queue messages: %w", err)
	}
	_, err := tx.Exec(ctx, sqlNotify)
	return err
}

type address struct{ channel, chat, lang string }

// addresses resolves a recipient to the chats that must receive the notice. A unit
// without any group chat receives nothing; `aduan units apply` warns about such units.
func addresses(rules *flows.Rules, c flows.Complaint, to flows.Recipient) []address {
	if to.Complainant {
		return []address{{c.Contact.Channel, c.Contact.Chat, langOr(c.Contact.Lang)}}
	}
	u, ok := rules.Units.Unit(to.Unit)
	if !ok {
		return nil
	}
	var out []address
	if u.Telegram != 0 {
		out = append(out, address{Telegram, strconv.FormatInt(u.Telegram, 10), "id"})
	}
	if u.WhatsApp != "" {
		out = append(out, address{WhatsApp, u.WhatsApp, "id"})
	}
	return out
}

// Claim leases up to limit messages of the given channels that are due at now, at most
// one per chat and always the oldest pending one of its chat, until now+lease. A
// message whose lease runs out before it is marked is claimed again: delivery is at
// least once, and a crash loses nothing.
func (db *DB) Claim(ctx context.Context, channels []string, now time.Time, lease time.Duration, limit int) ([]flows.Envelope, error) {
	rows, err := db.pool.Query(ctx, sqlClaim, channels, now, now.Add(lease), limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim outbox: %w", err)
	}
	defer rows.Close()
	var out []flows.Envelope
	for rows.Next() {
		var o flows.Envelope
		var p []byte
		if err := rows.Scan(&o.ID, &o.Channel, &o.Chat, &o.Lang, &o.Unit, &p, &o.Attempts); err != nil {
			return nil, fmt.Errorf("store: claim outbox: %w", err)
		}
		if err := json.Unmarshal(p, &o.Notice); err != nil {
			return nil, fmt.Errorf("store: outbox %d payload: %w", o.ID, err)
		}
		o.Notice.To = flows.Recipient{Unit: o.Unit, Complainant: o.Unit == ""}
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b flows.Envelope) int { return cmp.Compare(a.ID, b.ID) })
	return out, rows.Err()
}

// Delivered records that the channel confirmed message id at now, with its own
// reference for the message (e.g. Telegram's message ID). It is never sent again.
func (db *DB) Delivered(ctx context.Context, id int64, receipt string, now time.Time) error {
	return db.exec(ctx, "mark delivered", sqlDelivered, id, now, receipt)
}

// Retry returns message id to the queue, to be tried again at at; reason is kept for
// operators and must not contain personal data.
func (db *DB) Retry(ctx context.Context, id int64, at time.Time, reason string) error {
	return db.exec(ctx, "reschedule", sqlRetry, id, at, reason)
}

// Failed gives up on message id at now (the chat is unreachable); the chat's later
// messages proceed.
func (db *DB) Failed(ctx context.Context, id int64, reason string, now time.Time) error {
	return db.exec(ctx, "mark failed", sqlFailed, id, now, reason)
}

func (db *DB) exec(ctx context.Context, what, sql string, args ...any) error {
	if _, err := db.pool.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("store: outbox %s: %w", what, err)
	}
	return nil
}

// ListenOutbox calls wake each time a transaction queues outgoing messages, until ctx
// ends. It holds one connection of its own and reconnects after errors, waiting retry
// between attempts. Notifications are only hints: senders also poll.
func (db *DB) ListenOutbox(ctx context.Context, retry time.Duration, wake func()) {
	for ctx.Err() == nil {
		err := db.listen(ctx, wake)
		if ctx.Err() != nil {
			return
		}
		slog.Warn("outbox listener lost its connection", "err", err)
		wake() // messages may have been queued while no one listened
		select {
		case <-ctx.Done():
		case <-time.After(retry):
		}
	}
}

func (db *DB) listen(ctx context.Context, wake func()) error {
	pc, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := pc.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN aduan_outbox"); err != nil {
		return err
	}
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		wake()
	}
}
