package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
)

// Where personal data sits, and what Anonymise does with it:
//
//   - complaint: title, body, place, event_date, contact_name, contact_phone,
//     contact_email, taken_by (a staff member's name) are emptied; contact_chat becomes
//     flows.ErasedChat; attachments keep their kind and size only.
//
//   - attachment_file: the complaint's files are deleted (photos of documents, a
//     location: all of them are personal).
//
//   - audit_event: actor_name and text (and the salt of their hash) are emptied by the
//     one UPDATE the append-only trigger allows (migrations 00012, 00017); actor_ref
//     is already a pseudonym.
//
//   - pending_action: the complaint's are deleted (their text is an answer or reason).
//
//   - outbox: the complaint's messages to the complainant lose their chat and choices;
//     one still waiting is given up, keeping only what a given-up message keeps.
//
//   - deletion_request_complaint: marked erased.
//
//   - When no complaint holds the chat any more: the chat's delivered or given-up
//     messages lose their chat and choices, its handled inbound messages their chat,
//     and its session is deleted when no draft is being written (a draft expires on
//     its own, --draft-expire-after, and its files with the purge of unreferenced files).
//
//   - web_line (the web chat's transcript, 00011): the desk's lines about the
//     complaints are deleted; when no complaint holds the chat any more, every line of
//     the chat (what the citizen typed, their copy of their data) goes, and a browser
//     that kept the chat finds an empty one.
//
//   - WhatsApp's own store (whatsmeow_*, when there is one): a released chat's contact
//     (the name WhatsApp shows), privacy token, message secrets and its number↔LID
//     mapping are deleted. Its encryption sessions and identity keys, keyed by the
//     number, stay: WhatsApp needs them to talk to that number again.
//
// card, unit, unit_chat, unit_change, digest_sent, holiday, channel_state and
// pseudonym_key hold nothing of a citizen's.
const (
	// sqlLockFinal locks the complaints among $1 that are closed or archived and still
	// hold personal data; for a chat-only erasure ($2), those still holding their chat.
	sqlLockFinal = `SELECT id, state, unit, contact_channel, contact_chat FROM complaint
WHERE id = ANY($1) AND state IN ('closed', 'archived') AND anonymised_at IS NULL AND (NOT $2 OR contact_chat <> '` + flows.ErasedChat + `')
ORDER BY id FOR UPDATE`

	// sqlLockWaiting locks the waiting messages of the complaints $1 and lists those of
	// the complaints with one claimed by a sender at $2 (see notInFlight).
	sqlLockWaiting = `SELECT DISTINCT complaint_id FROM (
	SELECT complaint_id, locked_until FROM outbox
	WHERE complaint_id = ANY($1) AND delivered_at IS NULL AND failed_at IS NULL FOR UPDATE) o
WHERE locked_until > $2`

	sqlDeleteComplaintFiles = `DELETE FROM attachment_file WHERE id IN (
	SELECT substr(a->>'Ref', 6)::bigint FROM complaint c, jsonb_array_elements(c.attachments) a
	WHERE c.id = ANY($1) AND a->>'Ref' ~ '^file:[0-9]{1,18}$')`

	sqlAnonymiseComplaints = `UPDATE complaint SET title = '', body = '', place = '', event_date = '',
	contact_chat = '` + flows.ErasedChat + `', contact_name = '', contact_phone = '', contact_email = '', contact_nik = '', taken_by = '',
	attachments = coalesce((SELECT jsonb_agg(jsonb_build_object('Kind', a->'Kind', 'Ref', '', 'Name', '', 'Size', coalesce(a->'Size', '0'::jsonb)))
	                        FROM jsonb_array_elements(attachments) a), '[]'),
	anonymised_at = $2
WHERE id = ANY($1)`
	sqlEraseComplaintChats = `UPDATE complaint SET contact_chat = '` + flows.ErasedChat + `' WHERE id = ANY($1)`

	// sqlRedactAudit is the one change the audit trail allows (see migrations 00012
	// and 00017): the salt of what people wrote goes with it.
	sqlRedactAudit = `UPDATE audit_event SET actor_name = '', text = '', body_salt = NULL, redacted_at = $2 WHERE complaint_id = ANY($1) AND redacted_at IS NULL`
	// sqlCanRedact tells whether the audit trail has its redaction column yet.
	sqlCanRedact = `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'audit_event'::regclass AND attname = 'redacted_at' AND NOT attisdropped)`

	sqlDeletePendingOf = `DELETE FROM pending_action WHERE complaint_id = ANY($1)`
	sqlRequestErased   = `UPDATE deletion_request_complaint SET erased_at = $2 WHERE complaint_id = ANY($1) AND erased_at IS NULL`

	// sqlEraseOutbox takes the chat (and the choices shown) from the desk's messages to
	// the chats ($1, $2) that are about the complaints $3 (one not yet sent is given
	// up), and from those already sent or given up to the chats $4, $5 (no complaint
	// holds them any more).
	sqlEraseOutbox = `UPDATE outbox o SET chat = '` + flows.ErasedChat + `', choices = NULL, locked_until = NULL, lease_owner = NULL,
	failed_at = CASE WHEN o.delivered_at IS NULL AND o.failed_at IS NULL THEN $6 ELSE o.failed_at END,
	last_error = CASE WHEN o.delivered_at IS NULL AND o.failed_at IS NULL THEN 'personal data erased' ELSE o.last_error END,
	payload = ` + keptPayload + `
FROM (SELECT DISTINCT channel, chat FROM unnest($1::text[], $2::text[]) AS u(channel, chat)) AS k
WHERE o.unit = '' AND o.channel = k.channel AND o.chat = k.chat
  AND (o.complaint_id = ANY($3) OR ((o.delivered_at IS NOT NULL OR o.failed_at IS NOT NULL)
       AND (o.channel, o.chat) IN (SELECT * FROM unnest($4::text[], $5::text[]))))`

	// sqlReleased lists the chats among ($1, $2) that no complaint holds any more.
	sqlReleased = `SELECT DISTINCT u.channel, u.chat FROM unnest($1::text[], $2::text[]) AS u(channel, chat)
WHERE NOT EXISTS (SELECT 1 FROM complaint c WHERE c.contact_channel = u.channel AND c.contact_chat = u.chat)`
	sqlEraseInbox = `UPDATE inbox i SET chat = '` + flows.ErasedChat + `'
FROM unnest($1::text[], $2::text[]) AS u(channel, chat)
WHERE i.channel = u.channel AND i.chat = u.chat AND i.handled_at IS NOT NULL`
	// sqlEraseWebLines deletes the web chat's lines about the complaints $1, and every
	// line of the web chats among the released ($2, $3).
	sqlEraseWebLines = `DELETE FROM web_line w WHERE (w.body->>'complaint')::bigint = ANY($1)
	OR w.chat IN (SELECT u.chat FROM unnest($2::text[], $3::text[]) AS u(channel, chat) WHERE u.channel = 'web')`
	// sqlHasWhatsAppStore tells whether whatsmeow's tables exist (aduan migrate makes them).
	sqlHasWhatsAppStore = `SELECT to_regclass('whatsmeow_contacts') IS NOT NULL AND to_regclass('whatsmeow_lid_map') IS NOT NULL
	AND to_regclass('whatsmeow_privacy_tokens') IS NOT NULL AND to_regclass('whatsmeow_message_secrets') IS NOT NULL`
	// sqlEraseWhatsAppStore deletes what whatsmeow keeps of the chats $1 (JIDs), under
	// their number and their LID alike.
	sqlEraseWhatsAppStore = `WITH u AS (SELECT split_part(c, '@', 1) AS usr, split_part(c, '@', 2) AS srv FROM unnest($1::text[]) AS c),
m AS (SELECT lid, pn FROM whatsmeow_lid_map
      WHERE pn IN (SELECT usr FROM u WHERE srv = 's.whatsapp.net') OR lid IN (SELECT usr FROM u WHERE srv = 'lid')),
j AS (SELECT usr || '@' || srv AS jid FROM u UNION SELECT lid || '@lid' FROM m UNION SELECT pn || '@s.whatsapp.net' FROM m),
contacts AS (DELETE FROM whatsmeow_contacts WHERE their_jid IN (SELECT jid FROM j)),
tokens AS (DELETE FROM whatsmeow_privacy_tokens WHERE their_jid IN (SELECT jid FROM j)),
secrets AS (DELETE FROM whatsmeow_message_secrets WHERE chat_jid IN (SELECT jid FROM j) OR sender_jid IN (SELECT jid FROM j))
DELETE FROM whatsmeow_lid_map WHERE lid IN (SELECT lid FROM m)`
	sqlDeleteIdleSessions = `DELETE FROM session s USING unnest($1::text[], $2::text[]) AS u(channel, chat)
WHERE s.channel = u.channel AND s.chat = u.chat AND (s.step = '' OR $3)`
)

// Anonymise removes the personal data of the complaints ids that are closed or
// archived, at now, in one transaction, and returns how many it changed: the
// complainant's name, phone, e-mail and chat identity, what they wrote (title,
// description, place, date of the event), the attachments' files (their count and
// kinds stay), the names and texts of the audit trail, the complaint's pending
// actions and the messages to the complainant that held personal text; when no other
// complaint holds the chat, the chat's messages and its idle session. What the reports
// count stays: type, privacy mode, category, states, units, dates, deadlines, rating,
// the LAPOR! ID. Each complaint's audit trail gains an event flows.EvRedact whose text
// is reason. Open complaints and complaints already anonymised are left as they are;
// a caller anonymising many complaints passes them in batches (a thousand or so).
func (db *DB) Anonymise(ctx context.Context, ids []int64, reason string, now time.Time) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *txn) error {
		var err error
		n, err = db.anonymise(ctx, tx, ids, redaction{reason: reason, traces: true}, now)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: anonymise %d complaints: %w", len(ids), err)
	}
	return n, nil
}

// EraseChats erases only the chat identity of the complaints ids that are closed or
// archived (flows.ErasedChat): for anonim reports, which hold no other identity. It
// returns how many it changed; each gains an event flows.EvRedact with text reason.
func (db *DB) EraseChats(ctx context.Context, ids []int64, reason string, now time.Time) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *txn) error {
		var err error
		n, err = db.anonymise(ctx, tx, ids, redaction{reason: reason, chatOnly: true, traces: true}, now)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: erase the chats of %d complaints: %w", len(ids), err)
	}
	return n, nil
}

// redaction says what anonymise removes.
type redaction struct {
	reason   string // the text of the EvRedact event
	chatOnly bool   // the chat identity only (EraseChats)
	// traces: also the messages, inbound messages and sessions of the chats; without
	// it, only the complaint's own messages to its complainant that the outbox keeps
	// (the retention sweep: by then the rest is older than its own period and purged).
	traces      bool
	dropSession bool // the chats' sessions go even while a draft is being written (the citizen asked)
}

// redactable is a complaint as anonymise locked it.
type redactable struct {
	id            int64
	state         flows.State
	unit          string
	channel, chat string
}

// anonymise is Anonymise or EraseChats within tx, as r says.
func (db *DB) anonymise(ctx context.Context, tx *txn, ids []int64, r redaction, now time.Time) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	rows, err := tx.Query(ctx, sqlLockFinal, ids, r.chatOnly)
	if err != nil {
		return 0, err
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (redactable, error) {
		var c redactable
		err := r.Scan(&c.id, &c.state, &c.unit, &c.channel, &c.chat)
		return c, err
	})
	if err != nil || len(cs) == 0 {
		return 0, err
	}
	if cs, err = notInFlight(ctx, tx, cs, now); err != nil || len(cs) == 0 {
		return 0, err
	}
	n := len(cs)
	locked := make([]int64, n)
	channels, chats := make([]string, n), make([]string, n)
	changes := make([]flows.Change, n)
	for i, c := range cs {
		locked[i], channels[i], chats[i] = c.id, c.channel, c.chat
		changes[i] = flows.Change{
			Complaint: flows.Complaint{ID: c.id, Contact: flows.Contact{Channel: c.channel}},
			Audit: flows.AuditEvent{At: now, Kind: flows.EvRedact, Actor: flows.System, FromState: c.state, ToState: c.state,
				UnitBefore: c.unit, UnitAfter: c.unit, Text: r.reason},
		}
	}
	canRedact := false
	var b pgx.Batch
	if r.chatOnly {
		b.Queue(sqlEraseComplaintChats, locked)
	} else {
		b.Queue(sqlDeleteComplaintFiles, locked)
		b.Queue(sqlAnonymiseComplaints, locked, now)
		b.Queue(sqlDeletePendingOf, locked)
		b.Queue(sqlRequestErased, locked, now)
		b.Queue(sqlCanRedact).QueryRow(func(row pgx.Row) error { return row.Scan(&canRedact) })
	}
	var relChannels, relChats []string
	if r.traces {
		b.Queue(sqlReleased, channels, chats).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var ch, chat string
				if err := rows.Scan(&ch, &chat); err != nil {
					return err
				}
				relChannels, relChats = append(relChannels, ch), append(relChats, chat)
			}
			return rows.Err()
		})
	}
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return 0, err
	}
	b = pgx.Batch{}
	if canRedact {
		b.Queue(sqlRedactAudit, locked, now)
	}
	if _, err := db.recordBatch(&b, nil, changes, nil, now); err != nil {
		return 0, err
	}
	b.Queue(sqlEraseOutbox, channels, chats, locked, nonNil(relChannels), nonNil(relChats), now)
	b.Queue(sqlEraseWebLines, locked, nonNil(relChannels), nonNil(relChats))
	if len(relChats) > 0 {
		b.Queue(sqlEraseInbox, relChannels, relChats)
		b.Queue(sqlDeleteIdleSessions, relChannels, relChats, r.dropSession)
	}
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return 0, err
	}
	if err := eraseWhatsAppStore(ctx, tx, relChannels, relChats); err != nil {
		return 0, err
	}
	return n, nil
}

// notInFlight returns the complaints of cs none of whose messages a sender is
// delivering at now, and locks their waiting messages until tx ends. A sender renders
// a message from the complaint as it reads it, after claiming it: one claimed before
// the anonymisation commits would write the complaint's personal data after it (a web
// group's line, a card edit), out of reach. The messages locked here are claimed only
// once tx has committed, and so rendered from what is left; a complaint with one
// claimed already waits for the next sweep (the retention sweep and the deletion
// requests' find it again; sqlLockFinal locked the complaints first, in the order
// Apply locks a complaint and then its messages).
func notInFlight(ctx context.Context, tx *txn, cs []redactable, now time.Time) ([]redactable, error) {
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.id
	}
	rows, err := tx.Query(ctx, sqlLockWaiting, ids, now)
	if err != nil {
		return nil, err
	}
	busy, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(busy) == 0 {
		return cs, err
	}
	return slices.DeleteFunc(cs, func(c redactable) bool { return slices.Contains(busy, c.id) }), nil
}

// eraseWhatsAppStore deletes what whatsmeow's store keeps of the WhatsApp chats among
// (channels, chats), when the database has that store.
func eraseWhatsAppStore(ctx context.Context, tx *txn, channels, chats []string) error {
	var jids []string
	for i, ch := range channels {
		if ch == WhatsApp && strings.Contains(chats[i], "@") {
			jids = append(jids, chats[i])
		}
	}
	if len(jids) == 0 {
		return nil
	}
	var has bool
	if err := tx.QueryRow(ctx, sqlHasWhatsAppStore).Scan(&has); err != nil || !has {
		return err
	}
	_, err := tx.Exec(ctx, sqlEraseWhatsAppStore, jids)
	return err
}

const (
	sqlChatComplaints = `SELECT id, tracking, state IN ('closed', 'archived') FROM complaint
WHERE contact_channel = $1 AND contact_chat = $2 ORDER BY id FOR UPDATE`
	sqlNotAnonymised  = `SELECT id, tracking FROM complaint WHERE id = ANY($1) AND anonymised_at IS NULL ORDER BY id`
	sqlInsertDeletion = `INSERT INTO deletion_request (channel, requester, requested_at, erased, waiting, completed_at)
VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 = 0 THEN $3::timestamptz END) RETURNING id`
	sqlInsertDeletionComplaints = `INSERT INTO deletion_request_complaint (request_id, complaint_id) SELECT $1, unnest($2::bigint[])`
	sqlDeleteSession            = `DELETE FROM session WHERE channel = $1 AND chat = $2`
	sqlListRequests             = `SELECT id, channel, requester, requested_at, erased, waiting, completed_at FROM deletion_request
WHERE NOT $1 OR completed_at IS NULL ORDER BY id DESC LIMIT $2`
)

// eraseRequest carries out, within tx, a citizen's confirmed request to delete their
// personal data (flows.Outcome.Erase), on channel from chat: their closed and archived
// complaints are anonymised at once; their open ones are recorded to be anonymised by
// the retention sweep once they close; the files of the draft they dropped (draft) are
// deleted; with no open complaint the chat's messages lose the chat and its session
// goes. The request is recorded under the requester's pseudonym, never their chat, and
// logged without personal data. It returns what to tell the citizen.
func (db *DB) eraseRequest(ctx context.Context, tx *txn, channel, chat string, draft []flows.Attachment, now time.Time) (flows.Notice, error) {
	key, err := db.pseudonyms()
	if err != nil {
		return flows.Notice{}, err
	}
	rows, err := tx.Query(ctx, sqlChatComplaints, channel, chat)
	if err != nil {
		return flows.Notice{}, err
	}
	var final, open []int64
	var waiting []string
	for rows.Next() {
		var id int64
		var tracking string
		var done bool
		if err := rows.Scan(&id, &tracking, &done); err != nil {
			rows.Close()
			return flows.Notice{}, err
		}
		if done {
			final = append(final, id)
		} else {
			open, waiting = append(open, id), append(waiting, tracking)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return flows.Notice{}, err
	}
	erased, err := db.anonymise(ctx, tx, final, redaction{reason: flows.RedactRequest, traces: true, dropSession: true}, now)
	if err != nil {
		return flows.Notice{}, err
	}
	if erased < len(final) {
		// One of the desk's messages about it was being sent (notInFlight): it waits
		// for the next sweep, as an open one waits for its closing.
		rows, err := tx.Query(ctx, sqlNotAnonymised, final)
		if err != nil {
			return flows.Notice{}, err
		}
		for rows.Next() {
			var id int64
			var tracking string
			if err := rows.Scan(&id, &tracking); err != nil {
				rows.Close()
				return flows.Notice{}, err
			}
			open, waiting = append(open, id), append(waiting, tracking)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return flows.Notice{}, err
		}
	}
	var files []int64
	for _, a := range draft {
		if id, err := strconv.ParseInt(strings.TrimPrefix(a.Ref, "file:"), 10, 64); err == nil && strings.HasPrefix(a.Ref, "file:") {
			files = append(files, id)
		}
	}
	var b pgx.Batch
	if len(files) > 0 {
		b.Queue(sqlDeleteFiles, files)
	}
	var id int64
	b.Queue(sqlInsertDeletion, channel, key.of("complainant", channel, chat), now, erased, len(open)).QueryRow(func(row pgx.Row) error { return row.Scan(&id) })
	if len(open) == 0 {
		// Nothing of the chat is needed any more: what anonymise left of it (when it
		// had no closed complaint either) goes too.
		b.Queue(sqlEraseOutbox, []string{channel}, []string{chat}, []int64{}, []string{channel}, []string{chat}, now)
		b.Queue(sqlEraseInbox, []string{channel}, []string{chat})
		b.Queue(sqlEraseWebLines, []int64{}, []string{channel}, []string{chat})
		b.Queue(sqlDeleteSession, channel, chat)
	}
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return flows.Notice{}, err
	}
	if len(open) == 0 {
		if err := eraseWhatsAppStore(ctx, tx, []string{channel}, []string{chat}); err != nil {
			return flows.Notice{}, err
		}
	}
	if len(open) > 0 {
		if _, err := tx.Exec(ctx, sqlInsertDeletionComplaints, id, open); err != nil {
			return flows.Notice{}, err
		}
	}
	db.log().Info("deletion request recorded", "request", id, "channel", channel, "erased", erased, "waiting", len(open))
	return flows.ErasureDone(erased, waiting), nil
}

// DeletionRequest is a citizen's request to delete their personal data, as recorded.
type DeletionRequest struct {
	ID          int64
	Channel     string
	Requester   string // the requester's pseudonym in the audit trail
	RequestedAt time.Time
	Erased      int       // complaints anonymised when the request was made
	Waiting     int       // open complaints then, anonymised by the sweep once closed
	CompletedAt time.Time // zero while some of them is still open
}

// DeletionRequests returns the newest limit deletion requests, newest first; with
// open, only those not yet completed.
func (db *DB) DeletionRequests(ctx context.Context, open bool, limit int) ([]DeletionRequest, error) {
	rows, err := db.pool.Query(ctx, sqlListRequests, open, limit)
	if err != nil {
		return nil, fmt.Errorf("store: deletion requests: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DeletionRequest, error) {
		var d DeletionRequest
		var done *time.Time
		err := r.Scan(&d.ID, &d.Channel, &d.Requester, &d.RequestedAt, &d.Erased, &d.Waiting, &done)
		d.CompletedAt = deref(done)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: deletion requests: %w", err)
	}
	return out, nil
}
