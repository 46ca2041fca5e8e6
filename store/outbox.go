package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"aduan/flows"
)

// Channel names as stored in the outbox and on complaints.
const (
	Telegram = "telegram"
	WhatsApp = "whatsapp"
)

const (
	// sqlQueue inserts messages in the order of $8 and returns their IDs in that order
	// (a sequence numbers rows in the order they are inserted); a new card (a message
	// with "card": true that edits nothing, about a complaint, to a unit) becomes the
	// complaint's card in its chat, the last one when a chat gets two.
	sqlQueue = `
WITH queued AS (
INSERT INTO outbox (channel, chat, lang, complaint_id, unit, payload, edit_of, created_at, next_attempt_at, answer)
SELECT u.channel, u.chat, u.lang, nullif(u.complaint_id, 0), u.unit, u.payload, nullif(u.edit_of, 0), $9, $9, u.answer
FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::jsonb[], $7::bigint[], $8::int[], $10::boolean[])
	AS u(channel, chat, lang, complaint_id, unit, payload, edit_of, ord, answer)
ORDER BY u.ord
RETURNING id, channel, chat, complaint_id, unit, payload, edit_of),
cards AS (
INSERT INTO card (complaint_id, channel, chat, unit, outbox_id)
SELECT DISTINCT ON (complaint_id, channel, chat) complaint_id, channel, chat, unit, id FROM queued
WHERE payload @> '{"card": true}' AND edit_of IS NULL AND complaint_id IS NOT NULL AND unit <> ''
ORDER BY complaint_id, channel, chat, id DESC
ON CONFLICT (complaint_id, channel, chat) DO UPDATE SET unit = excluded.unit, outbox_id = excluded.outbox_id)
SELECT id FROM queued ORDER BY id`

	// sqlCards lists the cards to refresh after complaints changed (not in the groups
	// of retired units).
	sqlCards = `SELECT k.complaint_id, k.channel, k.chat, k.unit, k.outbox_id FROM card k JOIN unit u ON u.code = k.unit
WHERE k.complaint_id = ANY($1) AND NOT u.retired ORDER BY k.complaint_id, k.channel, k.chat`

	// sqlSupersede drops card edits that a newer edit of the same message, queued behind
	// them, makes pointless: both show the complaint as it is when sent. They are marked
	// failed with a reason, never sent, and keep what a failed message keeps.
	sqlSupersede = `
UPDATE outbox p SET failed_at = $2, locked_until = NULL, lease_owner = NULL, last_error = 'superseded by a newer edit',
	payload = ` + keptPayload + `
WHERE p.channel = ANY($1) AND p.edit_of IS NOT NULL AND p.delivered_at IS NULL AND p.failed_at IS NULL AND ` + leaseFree + `
  AND EXISTS (SELECT 1 FROM outbox n WHERE n.edit_of = p.edit_of AND n.channel = p.channel AND n.chat = p.chat AND n.id > p.id
              AND n.delivered_at IS NULL AND n.failed_at IS NULL)`

	// sqlClaim leases, for process $5, the oldest pending message of each chat whose turn
	// has come; a chat's later messages wait until the earlier ones are delivered or
	// failed, except that an answer to a person (a prompt, a confirmation) waits only
	// behind earlier answers: not behind card edits, new cards, reminders or digests. An edit carries the channel's reference of the message it
	// replaces, and every message about a complaint the forum topic of the complaint in
	// that chat (or the one opened for it in an earlier attempt); a message sent in parts
	// carries how far it got.
	sqlClaim = `
WITH claimed AS (
	UPDATE outbox o SET locked_until = $3, lease_owner = $5, attempts = o.attempts + 1
	WHERE o.id IN (
		SELECT p.id FROM outbox p
		WHERE p.channel = ANY($1) AND p.delivered_at IS NULL AND p.failed_at IS NULL
		  AND p.next_attempt_at <= $2 AND ` + leaseFree + `
		  AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.channel = p.channel AND e.chat = p.chat AND e.id < p.id
		                  AND e.delivered_at IS NULL AND e.failed_at IS NULL AND NOT (p.answer AND NOT e.answer))
		ORDER BY p.next_attempt_at, p.id
		LIMIT $4
		FOR UPDATE SKIP LOCKED)
	RETURNING o.id, o.channel, o.chat, o.lang, o.unit, o.payload, o.attempts, o.edit_of, o.complaint_id, o.thread, o.parts_sent, o.receipt, o.answer)
SELECT c.id, c.channel, c.chat, c.lang, c.unit, c.payload, c.attempts,
	coalesce((SELECT e.receipt FROM outbox e WHERE e.id = c.edit_of), ''),
	coalesce(nullif(c.thread, ''), (SELECT k.thread FROM card k WHERE k.complaint_id = c.complaint_id AND k.channel = c.channel AND k.chat = c.chat), ''),
	c.parts_sent, c.receipt, c.answer
FROM claimed c ORDER BY c.id`

	// keptPayload is what a delivered or failed message keeps of its payload: what the
	// record and the lookups by receipt read (the message ID, the complaint, its
	// tracking number, report type, state and unit, whether it was a card). What people
	// wrote, names, template data, lists, choices and files are dropped. Migration
	// 00008 applied the same to the rows before it.
	keptPayload = `jsonb_strip_nulls(jsonb_build_object('msg', payload->'msg', 'complaint', payload->'complaint',
	'tracking', payload->'tracking', 'report', payload->'report', 'state', payload->'state', 'unit', payload->'unit',
	'card', payload->'card'))`

	sqlDelivered = `UPDATE outbox SET delivered_at = $2, receipt = $3, thread = $4, locked_until = NULL, lease_owner = NULL, last_error = '',
	payload = ` + keptPayload + `
WHERE id = $1 AND delivered_at IS NULL RETURNING complaint_id, channel, chat, (payload->>'card')::boolean, edit_of`
	// sqlCardDelivered makes a delivered card the one later edits replace: a new card
	// always, an edit only when it replaced the current card (an edit of an older card,
	// queued with a new card in the same chat, must not take its place).
	sqlCardDelivered = `UPDATE card SET outbox_id = $4, thread = CASE WHEN $5 = '' THEN thread ELSE $5 END
WHERE complaint_id = $1 AND channel = $2 AND chat = $3 AND ($6::bigint IS NULL OR outbox_id = $6)`
	sqlProgress = `UPDATE outbox SET parts_sent = $2, receipt = $3, thread = $4 WHERE id = $1 AND delivered_at IS NULL`
	sqlRetry    = `UPDATE outbox SET next_attempt_at = $2, locked_until = NULL, lease_owner = NULL, last_error = $3 WHERE id = $1 AND delivered_at IS NULL`
	// sqlDefer is sqlRetry for a wait that is no failure: the claim's attempt is taken back.
	sqlDefer = `UPDATE outbox SET next_attempt_at = $2, locked_until = NULL, lease_owner = NULL, last_error = $3,
	attempts = greatest(attempts - 1, 0) WHERE id = $1 AND delivered_at IS NULL`
	sqlFailed = `UPDATE outbox SET failed_at = $2, locked_until = NULL, lease_owner = NULL, last_error = $3, payload = ` + keptPayload + `
WHERE id = $1 AND delivered_at IS NULL`
)

// outRow is one message to queue for one chat.
type outRow struct {
	address
	unit   string // the unit whose group the chat is; empty for a citizen
	notice flows.Notice
	editOf int64 // the outbox row of the card this message replaces
	answer bool  // an answer to what a person just did in a group: it waits only behind earlier answers
}

// cardRef is a complaint's card in one chat, as sqlCards reads it.
type cardRef struct {
	complaint     int64
	channel, chat string
	unit          string
	outbox        int64
}

// moved lists the complaints of changes whose cards must be refreshed
// (flows.Change.RefreshesCards).
func moved(changes []flows.Change) []int64 {
	var ids []int64
	for _, ch := range changes {
		if ch.RefreshesCards() {
			ids = append(ids, ch.Complaint.ID)
		}
	}
	return ids
}

// movedCards returns the cards to refresh because changes moved their complaints.
func movedCards(ctx context.Context, tx *txn, changes []flows.Change) ([]cardRef, error) {
	ids := moved(changes)
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, sqlCards, ids)
	if err != nil {
		return nil, fmt.Errorf("queue card edits: %w", err)
	}
	cards, err := scanCards(rows)
	if err != nil {
		return nil, fmt.Errorf("queue card edits: %w", err)
	}
	return cards, nil
}

// scanCards reads the rows of sqlCards.
func scanCards(rows pgx.Rows) ([]cardRef, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (cardRef, error) {
		var k cardRef
		err := r.Scan(&k.complaint, &k.channel, &k.chat, &k.unit, &k.outbox)
		return k, err
	})
}

// queue writes the notices of changes to the outbox, one row per chat that must
// receive each: the complainant's conversation, or every group of the unit. Every
// change that moved a complaint also refreshes its cards in the groups that hold one.
func queue(ctx context.Context, tx *txn, rules *flows.Rules, changes []flows.Change, now time.Time) error {
	cards, err := movedCards(ctx, tx, changes)
	if err != nil {
		return err
	}
	_, err = queueRows(ctx, tx, outRows(rules, changes, cards), now)
	return err
}

// outRows are the outbox rows for the notices of changes, for the complaints they
// moved the edits of their cards (cards of other complaints are ignored), then the
// changes' acknowledgements (flows.Change.Acks, see originRows).
func outRows(rules *flows.Rules, changes []flows.Change, cards []cardRef) []outRow {
	size := len(cards) // a row per notice and chat, most notices going to one chat
	for _, ch := range changes {
		size += len(ch.Notices) + len(ch.Acks)
	}
	rows := make([]outRow, 0, size)
	for _, ch := range changes {
		for _, n := range ch.Notices {
			for _, a := range addresses(rules, ch.Complaint, n.To) {
				rows = append(rows, outRow{address: a, unit: n.To.Unit, notice: n})
			}
		}
	}
	rows = appendCardRows(rows, changes, cards)
	for _, ch := range changes {
		for _, n := range ch.Acks {
			rows = append(rows, originRows(n)...)
		}
	}
	return rows
}

// appendCardRows appends to rows the edits of the cards of the complaints changes moved.
func appendCardRows(rows []outRow, changes []flows.Change, cards []cardRef) []outRow {
	ids := moved(changes)
	if len(ids) == 0 {
		return rows
	}
	byID := map[int64]flows.Complaint{} // each complaint as its last change left it
	for _, ch := range changes {
		byID[ch.Complaint.ID] = ch.Complaint
	}
	for _, k := range cards {
		if !slices.Contains(ids, k.complaint) {
			continue
		}
		c := byID[k.complaint]
		rows = append(rows, outRow{address: address{k.channel, k.chat, "id"}, unit: k.unit, editOf: k.outbox,
			notice: flows.Notice{To: flows.ToUnit(k.unit), Msg: flows.MsgCard, Complaint: k.complaint, Tracking: c.Tracking, State: c.State, Card: true}})
	}
	return rows
}

// queueRows inserts rows in order and returns their outbox IDs; rows that carry a card
// become the complaint's card in their chat. It is one round trip, and asks for the
// senders' wake-up after tx commits.
func queueRows(ctx context.Context, tx *txn, rows []outRow, now time.Time) ([]int64, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	var b pgx.Batch
	var ids []int64
	if err := queueBatch(&b, rows, now, &ids); err != nil {
		return nil, err
	}
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return nil, err
	}
	tx.wake(OutboxQueued)
	return ids, nil
}

// queueBatch adds to b the statement that inserts rows in order (sqlQueue), nothing
// when there are no rows; waking the senders (txn.wake) is the caller's. Once b's
// results are read, ids holds the rows' outbox IDs; when ids is nil, as for a
// transition, only their number is checked (in the statement's command tag).
func queueBatch(b *pgx.Batch, rows []outRow, now time.Time, ids *[]int64) error {
	if len(rows) == 0 {
		return nil
	}
	n := len(rows)
	a, err := outColumns(rows)
	if err != nil {
		return err
	}
	inserted := func(got int64) error {
		if got != int64(n) {
			return fmt.Errorf("queue messages: %d of %d inserted", got, n)
		}
		return nil
	}
	q := b.Queue(sqlQueue, a.channel, a.chat, a.lang, a.complaint, a.unit, a.payload, a.editOf, a.ord, now, a.answer)
	if ids == nil {
		q.Exec(func(tag pgconn.CommandTag) error { return inserted(tag.RowsAffected()) })
	} else {
		q.Query(func(res pgx.Rows) error {
			var err error
			if *ids, err = pgx.CollectRows(res, pgx.RowTo[int64]); err != nil {
				return fmt.Errorf("queue messages: %w", err)
			}
			return inserted(int64(len(*ids)))
		})
	}
	logExports(b, rows, now)
	return nil
}

type address struct{ channel, chat, lang string }

// addresses resolves a recipient to the chats that must receive the notice: the
// complainant's chat, or every group chat of the unit, in Indonesian. A unit without
// any group chat receives nothing; `aduan units apply` warns about such units.
func addresses(rules *flows.Rules, c flows.Complaint, to flows.Recipient) []address {
	if to.Complainant {
		return []address{{c.Contact.Channel, c.Contact.Chat, langOr(c.Contact.Lang)}}
	}
	u, ok := rules.Units.Unit(to.Unit)
	if !ok {
		return nil
	}
	out := make([]address, 0, len(u.Chats))
	for _, c := range u.Chats {
		out = append(out, address{c.Channel, c.Chat, "id"})
	}
	return out
}

// Claim leases up to limit messages of the given channels that are due at now, at most
// one per chat and always the oldest pending one of its chat (an answer to a person
// overtakes whatever else the chat has pending), until now+lease or until this process dies, whichever
// comes first. A message whose lease ends before it is marked is claimed again:
// delivery is at least once, and a crash loses nothing. Card edits overtaken by a newer
// edit of the same message are marked failed ("superseded") instead of being claimed.
func (db *DB) Claim(ctx context.Context, channels []string, now time.Time, lease time.Duration, limit int) ([]flows.Envelope, error) {
	owner, err := db.owner(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := db.pool.Exec(ctx, sqlSupersede, channels, now); err != nil {
		return nil, fmt.Errorf("store: drop superseded edits: %w", err)
	}
	rows, err := db.pool.Query(ctx, sqlClaim, channels, now, now.Add(lease), limit, owner)
	if err != nil {
		return nil, fmt.Errorf("store: claim outbox: %w", err)
	}
	defer rows.Close()
	var out []flows.Envelope
	for rows.Next() {
		var o flows.Envelope
		var p []byte
		if err := rows.Scan(&o.ID, &o.Channel, &o.Chat, &o.Lang, &o.Unit, &p, &o.Attempts, &o.Edit, &o.Thread, &o.Parts, &o.PartRef, &o.Answer); err != nil {
			return nil, fmt.Errorf("store: claim outbox: %w", err)
		}
		if err := json.Unmarshal(p, &o.Notice); err != nil {
			return nil, fmt.Errorf("store: outbox %d payload: %w", o.ID, err)
		}
		o.Notice.To = flows.Recipient{Unit: o.Unit, Complainant: o.Unit == ""}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Progress records that the channel accepted the first parts of message id, the last
// one with receipt r (and r.Thread the forum topic opened for it, if any), so that a
// retry — by this process or another after a crash — sends only the rest.
func (db *DB) Progress(ctx context.Context, id int64, parts int, r flows.Receipt) error {
	return db.exec(ctx, "record progress", sqlProgress, id, parts, r.Ref, r.Thread)
}

// Delivered records that the channel confirmed message id at now, with its reference
// for the message (e.g. Telegram's message ID) and the forum topic it went to, if any.
// It is never sent again; a delivered card becomes the one later edits replace. The
// choices a surface without buttons numbered with it, and whether it took typed text
// (r.Choices, r.FreeText), are kept for reading typed answers (see Shown); of its
// payload it keeps only what keptPayload names: what it said to whom is gone.
func (db *DB) Delivered(ctx context.Context, id int64, r flows.Receipt, now time.Time) error {
	err := db.inTx(ctx, func(tx *txn) error {
		var complaint *int64
		var channel, chat string
		var card *bool
		var editOf *int64
		err := tx.QueryRow(ctx, sqlDelivered, id, now, r.Ref, r.Thread).Scan(&complaint, &channel, &chat, &card, &editOf)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // delivered before
		}
		if err == nil {
			err = saveShown(ctx, tx, id, r)
		}
		if err != nil || complaint == nil || card == nil || !*card {
			return err
		}
		_, err = tx.Exec(ctx, sqlCardDelivered, *complaint, channel, chat, id, r.Thread, editOf)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: outbox mark delivered: %w", err)
	}
	return nil
}

// Retry returns message id to the queue, to be tried again at at; reason is kept for
// operators and must not contain personal data.
func (db *DB) Retry(ctx context.Context, id int64, at time.Time, reason string) error {
	return db.exec(ctx, "reschedule", sqlRetry, id, at, reason)
}

// Defer returns message id to the queue until at without counting the attempt: the
// network asked to wait (a 429), or the local pacing did. reason must not contain
// personal data.
func (db *DB) Defer(ctx context.Context, id int64, at time.Time, reason string) error {
	return db.exec(ctx, "defer", sqlDefer, id, at, reason)
}

// Failed gives up on message id at now (the chat is unreachable); the chat's later
// messages proceed. Like a delivered message, it keeps only what keptPayload names.
func (db *DB) Failed(ctx context.Context, id int64, reason string, now time.Time) error {
	return db.exec(ctx, "mark failed", sqlFailed, id, now, reason)
}

func (db *DB) exec(ctx context.Context, what, sql string, args ...any) error {
	if _, err := db.pool.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("store: outbox %s: %w", what, err)
	}
	return nil
}

// Notification channels: once a transaction that queued outgoing messages has
// committed, OutboxQueued is notified; once one that stored an inbound message has,
// InboxReceived (txn.wake, sqlWake).
const (
	OutboxQueued  = "aduan_outbox"
	InboxReceived = "aduan_inbox"
)

// Listen calls wakes[name] each time a transaction notifies name (OutboxQueued,
// InboxReceived), until ctx ends. It holds one connection of its own and reconnects
// after errors, waiting retry between attempts, and wakes everyone each time it has
// begun to listen (at the start and after a reconnect).
// Notifications are only hints: workers also poll.
func (db *DB) Listen(ctx context.Context, retry time.Duration, wakes map[string]func()) {
	for ctx.Err() == nil {
		err := db.listen(ctx, wakes)
		if ctx.Err() != nil {
			return
		}
		db.log().Warn("database listener lost its connection", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(retry):
		}
	}
}

func (db *DB) listen(ctx context.Context, wakes map[string]func()) error {
	pc, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := pc.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	for name := range wakes {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{name}.Sanitize()); err != nil {
			return err
		}
	}
	// What was notified before the LISTEN (a message stored as the desk started, or
	// while the listener reconnected) is handled now, not at the workers' next poll.
	for _, wake := range wakes {
		wake()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if wake := wakes[n.Channel]; wake != nil {
			wake()
		}
	}
}
