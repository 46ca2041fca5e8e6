package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"aduan/flows"
)

const complaintColumns = `id, tracking, version, type, privacy, category, title, body, place, event_date,
	attachments, contact_channel, contact_chat, contact_name, contact_phone, contact_email, contact_lang,
	state, unit, coalesce(team, ''), due_at, due_kind, reminded, overdue, warned, clock_from, next_check_at,
	lapor_id, rating, filed_at, updated_at, closed_at, taken_by, contact_nik`

const (
	// sqlFile files a complaint in one statement: the complaint (unless its tracking
	// number $1 is taken: then nothing at all, and no row returned; its NIK is $42),
	// its audit event ($24…$34), and its messages ($35…$41, in the order of $40), each
	// about the complaint: the complaint's ID, known only here, completes their payloads. A new
	// card becomes the complaint's card in its chat, as sqlQueue records one.
	sqlFile = `
WITH filed AS (
INSERT INTO complaint (tracking, version, type, privacy, category, title, body, place, event_date,
	attachments, contact_channel, contact_chat, contact_name, contact_phone, contact_email, contact_lang,
	state, unit, due_at, due_kind, clock_from, next_check_at, filed_at, updated_at, contact_nik)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $23, $42)
ON CONFLICT (tracking) DO NOTHING
RETURNING id),
audit AS (
INSERT INTO audit_event (complaint_id, at, kind, actor_kind, actor_unit, actor_ref, actor_name,
	from_state, to_state, unit_before, unit_after, text)
SELECT id, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34 FROM filed),
queued AS (
INSERT INTO outbox (channel, chat, lang, complaint_id, unit, payload, created_at, next_attempt_at, answer)
SELECT u.channel, u.chat, u.lang, f.id, u.unit, u.payload || jsonb_build_object('complaint', f.id), $23, $23, u.answer
FROM filed f, unnest($35::text[], $36::text[], $37::text[], $38::text[], $39::jsonb[], $40::int[], $41::boolean[])
	AS u(channel, chat, lang, unit, payload, ord, answer)
ORDER BY u.ord
RETURNING id, channel, chat, complaint_id, unit, payload),
cards AS (
INSERT INTO card (complaint_id, channel, chat, unit, outbox_id)
SELECT DISTINCT ON (complaint_id, channel, chat) complaint_id, channel, chat, unit, id FROM queued
WHERE payload @> '{"card": true}' AND unit <> ''
ORDER BY complaint_id, channel, chat, id DESC
ON CONFLICT (complaint_id, channel, chat) DO UPDATE SET unit = excluded.unit, outbox_id = excluded.outbox_id)
SELECT id FROM filed`

	sqlLockComplaint = `SELECT ` + complaintColumns + ` FROM complaint WHERE id = $1 FOR UPDATE`
	sqlGetComplaint  = `SELECT ` + complaintColumns + ` FROM complaint WHERE id = $1`
	sqlGetByTracking = `SELECT ` + complaintColumns + ` FROM complaint WHERE tracking = upper($1)`
	// sqlLastActor finds who made the complaint's latest change (alerts change nothing)
	// and whether it was $2 (a channel identity), as a unit member or as the complainant.
	sqlLastActor = `SELECT a.actor_name, a.kind, $2 <> '' AND a.actor_ref IN (actor_pseudonym('member', '', $2),
	actor_pseudonym('complainant', c.contact_channel, $2))
FROM audit_event a JOIN complaint c ON c.id = a.complaint_id
WHERE a.complaint_id = $1 AND a.kind NOT IN ('remind', 'overdue', 'warn') ORDER BY a.id DESC LIMIT 1`

	// sqlUpdateComplaints writes the mutable columns of many complaints at once, each
	// only if its version is still the one read (compare-and-set).
	sqlUpdateComplaints = `
UPDATE complaint c SET version = u.version, state = u.state, unit = u.unit, team = nullif(u.team, ''),
	due_at = u.due_at, due_kind = u.due_kind, reminded = u.reminded, overdue = u.overdue, warned = u.warned,
	clock_from = u.clock_from, next_check_at = u.next_check_at, lapor_id = u.lapor_id, rating = u.rating,
	updated_at = u.updated_at, closed_at = u.closed_at
FROM unnest($1::bigint[], $2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::timestamptz[],
	$8::text[], $9::bool[], $10::bool[], $11::bool[], $12::timestamptz[], $13::timestamptz[], $14::text[],
	$15::smallint[], $16::timestamptz[], $17::timestamptz[])
	AS u(id, old_version, version, state, unit, team, due_at, due_kind, reminded, overdue, warned,
	     clock_from, next_check_at, lapor_id, rating, updated_at, closed_at)
WHERE c.id = u.id AND c.version = u.old_version`

	// sqlUpdateComplaint is sqlUpdateComplaints for one complaint, as a transition
	// writes it: scalar parameters cost pgx and PostgreSQL less than seventeen arrays of
	// one element each.
	sqlUpdateComplaint = `
UPDATE complaint SET version = $3, state = $4, unit = $5, team = nullif($6, ''), due_at = $7, due_kind = $8,
	reminded = $9, overdue = $10, warned = $11, clock_from = $12, next_check_at = $13, lapor_id = $14,
	rating = $15, updated_at = $16, closed_at = $17
WHERE id = $1 AND version = $2`

	sqlInsertAudit = `
INSERT INTO audit_event (complaint_id, at, kind, actor_kind, actor_unit, actor_ref, actor_name,
	from_state, to_state, unit_before, unit_after, text)
SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
	$7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])`

	// sqlInsertAuditEvent is sqlInsertAudit for one event, as a transition records it.
	sqlInsertAuditEvent = `
INSERT INTO audit_event (complaint_id, at, kind, actor_kind, actor_unit, actor_ref, actor_name,
	from_state, to_state, unit_before, unit_after, text)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`

	sqlTakenBy = `UPDATE complaint SET taken_by = $2 WHERE id = $1`

	// sqlCardsOf is sqlCards for one complaint, the cards Apply refreshes. With a scalar
	// parameter PostgreSQL keeps one generic plan for it; sqlCards' array parameter, of
	// unknown length, has it plan the query anew at every execution.
	sqlCardsOf = `SELECT k.complaint_id, k.channel, k.chat, k.unit, k.outbox_id FROM card k JOIN unit u ON u.code = k.unit
WHERE k.complaint_id = $1 AND NOT u.retired ORDER BY k.channel, k.chat`

	sqlAudit = `SELECT at, kind, actor_kind, actor_unit, actor_ref, actor_name, from_state, to_state,
	unit_before, unit_after, text FROM audit_event WHERE complaint_id = $1 ORDER BY id`
)

// File stores a new complaint filed at now: it assigns a unique tracking number with
// the prefix, applies the rules' filing step and queues its notices, all in one
// transaction. It returns the stored complaint, or a *flows.Error when the report is
// incomplete.
//
// The transaction takes one round trip: BEGIN, the complaint with its audit event and
// messages in one statement (sqlFile), COMMIT and the senders' wake-up (sqlWake).
func (db *DB) File(ctx context.Context, rules *flows.Rules, prefix string, c flows.Complaint, now time.Time) (flows.Complaint, error) {
	var nc flows.Complaint
	err := db.pipelined(ctx, func(conn *pgx.Conn) error {
		var err error
		nc, err = db.fileIn(ctx, conn, nil, rules, prefix, c, now)
		return err
	})
	var fe *flows.Error
	if errors.As(err, &fe) {
		return flows.Complaint{}, err
	}
	if err != nil {
		return flows.Complaint{}, fmt.Errorf("store: file complaint: %w", err)
	}
	return nc, nil
}

// batcher is a transaction, or a connection that fileIn and applyIn begin and commit
// one on.
type batcher interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// fileTx files c within tx, retrying with another tracking number while one is taken.
func (db *DB) fileTx(ctx context.Context, tx *txn, rules *flows.Rules, prefix string, c flows.Complaint, now time.Time) (flows.Complaint, error) {
	return db.fileIn(ctx, tx, tx, rules, prefix, c, now)
}

// fileIn files c on q, retrying with another tracking number while one is taken. When
// in is nil, q is a connection and each attempt is a transaction of its own, BEGIN and
// COMMIT in the batch of sqlFile (an attempt whose tracking number was taken commits
// nothing); otherwise q is in, and the senders' wake-up is asked of in (txn.wake).
func (db *DB) fileIn(ctx context.Context, q batcher, in *txn, rules *flows.Rules, prefix string, c flows.Complaint, now time.Time) (flows.Complaint, error) {
	key, err := db.pseudonyms()
	if err != nil {
		return flows.Complaint{}, err
	}
	for attempt := 0; attempt < 20; attempt++ {
		tracking, err := flows.NewTracking(prefix, now, rules.Calendar.Location(), nil)
		if err != nil {
			return flows.Complaint{}, err
		}
		c.Tracking = tracking
		ch, err := rules.File(c, now)
		if err != nil {
			return flows.Complaint{}, err
		}
		nc := ch.Complaint
		args, err := fileArgs(key, rules, ch)
		if err != nil {
			return flows.Complaint{}, err
		}
		var b pgx.Batch
		if in == nil {
			b.Queue(sqlBegin)
		}
		found := false
		b.Queue(sqlFile, args...).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				found = true
				if err := rows.Scan(&nc.ID); err != nil {
					return err
				}
			}
			return rows.Err()
		})
		if in == nil {
			err = db.commit(ctx, q, &b, OutboxQueued)
		} else {
			err = q.SendBatch(ctx, &b).Close()
		}
		if err != nil {
			return flows.Complaint{}, err
		}
		if !found {
			continue // tracking number taken: try another
		}
		if in != nil {
			in.wake(OutboxQueued)
		}
		return nc, nil
	}
	return flows.Complaint{}, fmt.Errorf("no free tracking number for %s today", prefix)
}

// fileArgs are the arguments of sqlFile for the filing ch: the complaint, its
// audit event (its actor by pseudonym) and its messages, whose payloads lack the
// complaint's ID.
func fileArgs(key *pseudonymKey, rules *flows.Rules, ch flows.Change) ([]any, error) {
	nc, a := ch.Complaint, ch.Audit
	atts := []byte("[]") // as most complaints are filed: nothing to encode
	if len(nc.Attachment) > 0 {
		var err error
		if atts, err = json.Marshal(nc.Attachment); err != nil {
			return nil, err
		}
	}
	for i := range ch.Notices {
		ch.Notices[i].Complaint = 0 // sqlFile adds it
	}
	o, err := outColumns(outRows(rules, []flows.Change{ch}, nil))
	if err != nil {
		return nil, err
	}
	return []any{nc.Tracking, nc.Version, nc.Type, nc.Privacy, nc.Category, nc.Title, nc.Body, nc.Place,
		nc.EventDate, atts, nc.Contact.Channel, nc.Contact.Chat, nc.Contact.Name, nc.Contact.Phone,
		nc.Contact.Email, langOr(nc.Contact.Lang), nc.State, nc.Unit, nullTime(nc.Due), nc.DueKind,
		nc.ClockFrom, nullTime(nc.NextCheck), nc.FiledAt,
		a.At, a.Kind, a.Actor.Kind, a.Actor.Unit, key.actorRef(a.Actor, nc.Contact.Channel), a.Actor.Name,
		a.FromState, a.ToState, a.UnitBefore, a.UnitAfter, a.Text,
		o.channel, o.chat, o.lang, o.unit, o.payload, o.ord, o.answer, string(nc.Contact.NIK)}, nil
}

// Apply makes ev happen to complaint id at now, in one transaction that locks the
// complaint, checks the version the actor saw (when version > 0), applies the rules,
// writes the complaint, its audit event and its notices. When the complaint changed
// since the actor saw it, it returns flows.ErrAlreadyDone with Data "By" (who changed it)
// and "Event" (what they did). Refusals by the rules are returned as *flows.Error;
// ErrNotFound when there is no such complaint. An event asked from a chat (ev.Origin)
// is acknowledged there, after the change's notices and card edits (flows.Change.Acks).
//
// The transaction takes two round trips: BEGIN with the complaint locked and read and
// its cards read; then the compare-and-set, the audit event, the messages with the
// cards, COMMIT and the senders' wake-up (sqlWake). The compare-and-set holds for
// certain once the version read is the one expected, as the complaint stays locked
// from the read to the COMMIT; a statement that fails makes the server skip the rest
// of the batch, COMMIT with it, and the transaction is rolled back.
func (db *DB) Apply(ctx context.Context, rules *flows.Rules, id int64, version int, ev flows.Event, now time.Time) (flows.Change, error) {
	var ch flows.Change
	err := db.pipelined(ctx, func(conn *pgx.Conn) error {
		var err error
		ch, err = db.applyIn(ctx, conn, nil, rules, id, version, ev, now)
		return err
	})
	var fe *flows.Error
	switch {
	case errors.As(err, &fe), errors.Is(err, ErrNotFound):
		return flows.Change{}, err
	case err != nil:
		return flows.Change{}, fmt.Errorf("store: apply %s to complaint %d: %w", ev.Kind, id, err)
	}
	return ch, nil
}

// applyTx applies ev to complaint id within tx, as Apply does.
func (db *DB) applyTx(ctx context.Context, tx *txn, rules *flows.Rules, id int64, version int, ev flows.Event, now time.Time) (flows.Change, error) {
	return db.applyIn(ctx, tx, tx, rules, id, version, ev, now)
}

// applyIn applies ev to complaint id on q in two batches. When in is nil, q is a
// connection and applyIn begins the transaction there (in the first batch) and commits
// it (in the second); otherwise q is in, and the senders' wake-up is asked of in
// (txn.wake).
func (db *DB) applyIn(ctx context.Context, q batcher, in *txn, rules *flows.Rules, id int64, version int, ev flows.Event, now time.Time) (flows.Change, error) {
	var c flows.Complaint
	var cards []cardRef
	var b pgx.Batch
	if in == nil {
		b.Queue(sqlBegin)
	}
	b.Queue(sqlLockComplaint, id).QueryRow(func(row pgx.Row) error {
		var err error
		c, err = scanComplaint(row)
		return err
	})
	// Read after the lock is held, as the cards of a moved complaint would be.
	b.Queue(sqlCardsOf, id).Query(func(rows pgx.Rows) error {
		var err error
		cards, err = scanCards(rows)
		return err
	})
	if err := q.SendBatch(ctx, &b).Close(); err != nil {
		return flows.Change{}, err
	}
	if version > 0 && c.Version != version {
		return flows.Change{}, alreadyDone(ctx, q, id, ev.Actor.Ref)
	}
	ch, err := rules.Apply(c, ev, now)
	if err != nil {
		return flows.Change{}, err
	}
	b = pgx.Batch{}
	updateBatch(&b, []flows.Complaint{ch.Complaint}, []int{c.Version})
	if ch.Complaint.TakenBy != c.TakenBy {
		// Only taking and re-assigning a task change it: kept out of the update above.
		b.Queue(sqlTakenBy, c.ID, ch.Complaint.TakenBy).Exec(func(pgconn.CommandTag) error { return nil })
	}
	queued, err := db.recordBatch(&b, rules, []flows.Change{ch}, cards, now)
	if err != nil {
		return flows.Change{}, err
	}
	switch {
	case in != nil:
		err = q.SendBatch(ctx, &b).Close()
		if err == nil && queued {
			in.wake(OutboxQueued)
		}
	case queued:
		err = db.commit(ctx, q, &b, OutboxQueued)
	default:
		err = db.commit(ctx, q, &b)
	}
	if err != nil {
		return flows.Change{}, err
	}
	return ch, nil
}

// pipelined runs fn on a connection of its own; fn begins and commits a transaction
// there, sending its statements in batches. A transaction fn leaves open (it failed)
// is rolled back.
func (db *DB) pipelined(ctx context.Context, fn func(*pgx.Conn) error) error {
	pc, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer pc.Release() // a connection still in a transaction is closed, not reused
	conn := pc.Conn()
	err = fn(conn)
	if conn.PgConn().TxStatus() != 'I' && !conn.IsClosed() {
		if _, rerr := conn.Exec(ctx, `ROLLBACK`); rerr != nil && err == nil {
			err = rerr
		}
		if err == nil {
			err = errors.New("transaction left open")
		}
	}
	return err
}

// alreadyDone is the refusal of an action on a complaint that changed since the actor
// (user, their channel identity) saw it: flows.AlreadyDone of its latest change.
func alreadyDone(ctx context.Context, q batcher, id int64, user string) error {
	last, err := scanLastActor(q.QueryRow(ctx, sqlLastActor, id, user), user)
	if err != nil {
		return err
	}
	return flows.AlreadyDone(last, user)
}

// scanLastActor reads the row of sqlLastActor run for user: the complaint's latest
// change, with its actor's name and, since the trail holds only pseudonyms, Ref user
// when the change was user's own and empty otherwise.
func scanLastActor(row pgx.Row, user string) (flows.AuditEvent, error) {
	var last flows.AuditEvent
	var self bool
	if err := row.Scan(&last.Actor.Name, &last.Kind, &self); err != nil {
		return last, err
	}
	if self {
		last.Actor.Ref = user
	}
	return last, nil
}

// Complaint returns the complaint with the given ID, or ErrNotFound.
func (db *DB) Complaint(ctx context.Context, id int64) (flows.Complaint, error) {
	return scanComplaint(db.pool.QueryRow(ctx, sqlGetComplaint, id))
}

// ComplaintByTracking returns the complaint with the given tracking number (any case),
// or ErrNotFound.
func (db *DB) ComplaintByTracking(ctx context.Context, tracking string) (flows.Complaint, error) {
	return scanComplaint(db.pool.QueryRow(ctx, sqlGetByTracking, tracking))
}

// Filter selects complaints for List. Zero fields select everything.
type Filter struct {
	State   flows.State
	Unit    string
	Channel string // with Chat: the complaints of one conversation
	Chat    string
	Limit   int // default 100
}

// List returns the complaints matching f, newest first.
func (db *DB) List(ctx context.Context, f Filter) ([]flows.Complaint, error) {
	q := `SELECT ` + complaintColumns + ` FROM complaint WHERE true`
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		q += " AND " + cond + " $" + strconv.Itoa(len(args))
	}
	if f.State != "" {
		add("state =", f.State)
	}
	if f.Unit != "" {
		add("unit =", f.Unit)
	}
	if f.Channel != "" {
		add("contact_channel =", f.Channel)
		add("contact_chat =", f.Chat)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	args = append(args, f.Limit)
	q += " ORDER BY id DESC LIMIT $" + strconv.Itoa(len(args))
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list complaints: %w", err)
	}
	defer rows.Close()
	var out []flows.Complaint
	for rows.Next() {
		c, err := scanComplaint(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list complaints: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Audit returns the audit trail of complaint id, oldest first. Each actor's Ref is
// their pseudonym (ActorRef), never a chat identity.
func (db *DB) Audit(ctx context.Context, id int64) ([]flows.AuditEvent, error) {
	rows, err := db.pool.Query(ctx, sqlAudit, id)
	if err != nil {
		return nil, fmt.Errorf("store: audit of %d: %w", id, err)
	}
	defer rows.Close()
	var out []flows.AuditEvent
	for rows.Next() {
		var a flows.AuditEvent
		if err := rows.Scan(&a.At, &a.Kind, &a.Actor.Kind, &a.Actor.Unit, &a.Actor.Ref, &a.Actor.Name,
			&a.FromState, &a.ToState, &a.UnitBefore, &a.UnitAfter, &a.Text); err != nil {
			return nil, fmt.Errorf("store: audit of %d: %w", id, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// record appends the audit events of changes and queues their notices, with the edits
// of the cards of the complaints they moved.
func (db *DB) record(ctx context.Context, tx *txn, rules *flows.Rules, changes []flows.Change, now time.Time) error {
	cards, err := movedCards(ctx, tx, changes)
	if err != nil {
		return err
	}
	var b pgx.Batch
	queued, err := db.recordBatch(&b, rules, changes, cards, now)
	if err != nil {
		return err
	}
	if queued {
		tx.wake(OutboxQueued)
	}
	return tx.SendBatch(ctx, &b).Close()
}

// recordBatch adds to b the statements that append the audit events of changes and
// queue their notices, with edits of the given cards of the complaints they moved.
// Each event names its actor by pseudonym (pseudonymKey.actorRef), never by chat
// identity. It reports whether it queued any message: the caller then wakes the
// senders.
func (db *DB) recordBatch(b *pgx.Batch, rules *flows.Rules, changes []flows.Change, cards []cardRef, now time.Time) (bool, error) {
	key, err := db.pseudonyms()
	if err != nil {
		return false, err
	}
	insertAudit(b, key, changes)
	rows := outRows(rules, changes, cards)
	return len(rows) > 0, queueBatch(b, rows, now, nil)
}

// insertAudit adds to b the insert of the audit events of changes, in one statement
// (with scalar parameters for one event, as a transition records it).
func insertAudit(b *pgx.Batch, key *pseudonymKey, changes []flows.Change) {
	n := len(changes)
	if n == 1 {
		ch := changes[0]
		a := ch.Audit
		b.Queue(sqlInsertAuditEvent, ch.Complaint.ID, a.At, string(a.Kind), string(a.Actor.Kind), a.Actor.Unit,
			key.actorRef(a.Actor, ch.Complaint.Contact.Channel), a.Actor.Name, string(a.FromState), string(a.ToState),
			a.UnitBefore, a.UnitAfter, a.Text).Exec(func(pgconn.CommandTag) error { return nil })
		return
	}
	ids, at := make([]int64, n), make([]time.Time, n)
	strs := columns[string](10, n)
	kind, akind, aunit, aref, aname, from, to, ub, ua, text := strs[0], strs[1], strs[2], strs[3], strs[4], strs[5], strs[6], strs[7], strs[8], strs[9]
	for i, ch := range changes {
		a := ch.Audit
		ids[i], at[i], kind[i] = ch.Complaint.ID, a.At, string(a.Kind)
		akind[i], aunit[i], aname[i] = string(a.Actor.Kind), a.Actor.Unit, a.Actor.Name
		aref[i] = key.actorRef(a.Actor, ch.Complaint.Contact.Channel)
		from[i], to[i], ub[i], ua[i], text[i] = string(a.FromState), string(a.ToState), a.UnitBefore, a.UnitAfter, a.Text
	}
	b.Queue(sqlInsertAudit, ids, at, kind, akind, aunit, aref, aname, from, to, ub, ua, text).Exec(func(pgconn.CommandTag) error { return nil })
}

// updateComplaints compare-and-sets complaints against the versions they were read at.
func (db *DB) updateComplaints(ctx context.Context, tx *txn, cs []flows.Complaint, old []int) error {
	var b pgx.Batch
	updateBatch(&b, cs, old)
	return tx.SendBatch(ctx, &b).Close()
}

// updateBatch adds to b the compare-and-set of complaints against the versions they were
// read at (with scalar parameters for one, as a transition writes it); reading its
// result fails unless every one still was at that version.
func updateBatch(b *pgx.Batch, cs []flows.Complaint, old []int) {
	n := len(cs)
	check := func(tag pgconn.CommandTag) error {
		if tag.RowsAffected() != int64(n) {
			return fmt.Errorf("update complaints: %d of %d still at the version read", tag.RowsAffected(), n)
		}
		return nil
	}
	if n == 1 {
		c := cs[0]
		b.Queue(sqlUpdateComplaint, c.ID, int32(old[0]), int32(c.Version), string(c.State), c.Unit, c.Team,
			nullTime(c.Due), string(c.DueKind), c.Timers.Reminded, c.Timers.Overdue, c.Timers.Warned,
			c.ClockFrom, nullTime(c.NextCheck), c.LaporID, int16(c.Rating), c.Updated, nullTime(c.ClosedAt)).Exec(check)
		return
	}
	ids, rating := make([]int64, n), make([]int16, n)
	i32, strs, nullable, times, bools := columns[int32](2, n), columns[string](5, n), columns[*time.Time](3, n), columns[time.Time](2, n), columns[bool](3, n)
	ver, oldv := i32[0], i32[1]
	state, unit, team, dueKind, lapor := strs[0], strs[1], strs[2], strs[3], strs[4]
	due, next, closed := nullable[0], nullable[1], nullable[2]
	clock, upd := times[0], times[1]
	rem, ovd, warn := bools[0], bools[1], bools[2]
	for i, c := range cs {
		ids[i], oldv[i], ver[i] = c.ID, int32(old[i]), int32(c.Version)
		state[i], unit[i], team[i] = string(c.State), c.Unit, c.Team
		due[i], dueKind[i] = nullTime(c.Due), string(c.DueKind)
		rem[i], ovd[i], warn[i] = c.Timers.Reminded, c.Timers.Overdue, c.Timers.Warned
		clock[i], next[i], lapor[i], rating[i] = c.ClockFrom, nullTime(c.NextCheck), c.LaporID, int16(c.Rating)
		upd[i], closed[i] = c.Updated, nullTime(c.ClosedAt)
	}
	b.Queue(sqlUpdateComplaints, ids, oldv, ver, state, unit, team, due, dueKind, rem, ovd, warn,
		clock, next, lapor, rating, upd, closed).Exec(check)
}

// columns returns k slices of length n (a statement's array parameters of one type)
// sharing one allocation: the statements for many complaints send dozens of such
// arrays.
func columns[T any](k, n int) [][]T {
	all := make([]T, k*n)
	out := make([][]T, k)
	for i := range out {
		out[i] = all[i*n : (i+1)*n : (i+1)*n]
	}
	return out
}

func scanComplaint(row pgx.Row) (flows.Complaint, error) {
	// Columns of named types (flows.State, …) and nullable times are read into plain
	// strings, int32s and pgtype.Timestamptz, which pgx scans without reflection: the
	// complaint is read on every transition. They are fields of one struct, as what
	// Scan is given escapes: one allocation, not one each.
	var r struct {
		c                                 flows.Complaint
		atts                              []byte
		typ, privacy, state, dueKind, nik string
		version                           int32
		rating                            int16
		due, next, closed                 pgtype.Timestamptz
	}
	c := &r.c
	err := row.Scan(&c.ID, &c.Tracking, &r.version, &r.typ, &r.privacy, &c.Category, &c.Title, &c.Body,
		&c.Place, &c.EventDate, &r.atts, &c.Contact.Channel, &c.Contact.Chat, &c.Contact.Name, &c.Contact.Phone,
		&c.Contact.Email, &c.Contact.Lang, &r.state, &c.Unit, &c.Team, &r.due, &r.dueKind, &c.Timers.Reminded,
		&c.Timers.Overdue, &c.Timers.Warned, &c.ClockFrom, &r.next, &c.LaporID, &r.rating, &c.FiledAt, &c.Updated, &r.closed, &c.TakenBy, &r.nik)
	if errors.Is(err, pgx.ErrNoRows) {
		return flows.Complaint{}, ErrNotFound
	}
	if err != nil {
		return flows.Complaint{}, err
	}
	c.Version, c.Rating = int(r.version), int(r.rating)
	c.Type, c.Privacy, c.State, c.DueKind, c.Contact.NIK = flows.ReportType(r.typ), flows.Privacy(r.privacy), flows.State(r.state), flows.DueKind(r.dueKind), flows.NIK(r.nik)
	if string(r.atts) == "[]" { // as most complaints are: nothing to decode
		c.Attachment = []flows.Attachment{}
	} else if err := json.Unmarshal(r.atts, &c.Attachment); err != nil {
		return *c, fmt.Errorf("attachments of %s: %w", c.Tracking, err)
	}
	c.Due, c.NextCheck, c.ClosedAt = r.due.Time, r.next.Time, r.closed.Time
	return *c, nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func langOr(l string) string {
	if l == "" {
		return "id"
	}
	return l
}
