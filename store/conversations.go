package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
)

const (
	sqlLockSession = `SELECT lang, step, draft, fixing, focus, resume, nudged, updated_at, pending, partial FROM session
WHERE channel = $1 AND chat = $2 FOR UPDATE`
	sqlPutSession = `
INSERT INTO session (channel, chat, lang, step, draft, fixing, focus, resume, nudged, updated_at, next_check_at, pending, partial)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (channel, chat) DO UPDATE SET lang = $3, step = $4, draft = $5, fixing = $6, focus = $7,
	resume = $8, nudged = $9, updated_at = $10, next_check_at = $11, pending = $12, partial = $13`
	// sqlMine: the citizen's 20 newest complaints, those waiting for their reply, and
	// the one their message concerns ($3), newest first.
	sqlMine = `SELECT ` + complaintColumns + ` FROM complaint
WHERE contact_channel = $1 AND contact_chat = $2
  AND (state = 'answered' OR tracking = $3 OR id >= coalesce((SELECT id FROM complaint
	WHERE contact_channel = $1 AND contact_chat = $2 ORDER BY id DESC OFFSET 19 LIMIT 1), 0))
ORDER BY id DESC`
	// sqlAbout: what complaint the desk's message with a receipt in a chat was about
	// (index outbox_delivered_receipt).
	sqlAbout = `SELECT coalesce(payload->>'tracking', '') FROM outbox
WHERE channel = $1 AND chat = $2 AND receipt = $3 AND delivered_at IS NOT NULL AND receipt <> '' ORDER BY id DESC LIMIT 1`
	// sqlContactLang: the language a citizen chose, for the messages about their open complaints.
	sqlContactLang = `UPDATE complaint SET contact_lang = $3
WHERE contact_channel = $1 AND contact_chat = $2 AND state NOT IN ('closed', 'archived') AND contact_lang <> $3`
	sqlDueSessions = `SELECT channel, chat FROM session WHERE next_check_at <= $1 ORDER BY next_check_at LIMIT $2 FOR UPDATE SKIP LOCKED`
	sqlDraftFiles  = `SELECT step, coalesce(jsonb_array_length(CASE WHEN jsonb_typeof(draft->'Attachment') = 'array' THEN draft->'Attachment' END), 0)
FROM session WHERE channel = $1 AND chat = $2`

	sqlInsertPending = `
INSERT INTO pending_action (channel, chat, unit, complaint_id, version, event, target, prompt_id, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	// sqlNextPending and sqlInsertPendingText keep a pending action whose text came with
	// it: its ID is known before its confirmation, which carries it, is queued.
	sqlNextPending       = `SELECT nextval(pg_get_serial_sequence('pending_action', 'id'))`
	sqlInsertPendingText = `
INSERT INTO pending_action (id, channel, chat, unit, complaint_id, version, event, target, prompt_id, created_at, text)
VALUES ($10, $1, $2, $3, $4, $5, $6, $7, $8, $9, $11)`
	sqlPendingByPrompt = `
SELECT p.id, p.unit, p.complaint_id, p.version, p.event, p.target, p.text, p.done_at IS NOT NULL
FROM pending_action p JOIN outbox o ON o.id = p.prompt_id
WHERE o.channel = $1 AND o.chat = $2 AND o.receipt = $3 AND o.delivered_at IS NOT NULL AND o.receipt <> ''
ORDER BY p.id DESC LIMIT 1`
	sqlLockPending = `SELECT id, unit, complaint_id, version, event, target, text, done_at IS NOT NULL
FROM pending_action WHERE id = $1 AND channel = $2 AND chat = $3 FOR UPDATE`
	sqlSavePending = `UPDATE pending_action SET text = $2, done_at = CASE WHEN $3 THEN $4 ELSE done_at END WHERE id = $1`
	sqlCardInChat  = `SELECT EXISTS (SELECT 1 FROM card WHERE complaint_id = $1 AND channel = $2 AND chat = $3)`
	sqlOpenOfUnits = `SELECT ` + complaintColumns + ` FROM complaint
WHERE ((unit = ANY($1) OR (team = ANY($1) AND state = 'in_progress')) AND state IN ('submitted', 'routed', 'distributed', 'in_progress', 'ombudsman'))
   OR (state = 'ombudsman' AND EXISTS (SELECT 1 FROM unit u WHERE u.code = ANY($1) AND u.kind = 'ombudsman'))
ORDER BY due_at NULLS LAST, id LIMIT 31`
)

// Converse handles a citizen's message in their private chat: it locks their session,
// lets the intake decide, files the draft or applies the event it asks for, saves the
// session, queues the replies and marks the inbound message handled — one
// transaction, so a message is never half handled nor handled twice.
func (db *DB) Converse(ctx context.Context, rules *flows.Rules, intake *flows.Intake, prefix string, in flows.Inbound, now time.Time) error {
	var dropped int64
	err := db.handleTx(ctx, in, func(tx *txn) error {
		s, err := lockSession(ctx, tx, in.Channel, in.Chat)
		if err != nil {
			return err
		}
		if in.ReplyTo != "" && in.About == "" {
			err := tx.QueryRow(ctx, sqlAbout, in.Channel, in.Chat, in.ReplyTo).Scan(&in.About)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		mine, err := mine(ctx, tx, in.Channel, in.Chat, in.Concerns())
		if err != nil {
			return err
		}
		o := intake.Converse(s, in, mine, now)
		if s.Lang != "" && o.Session.Lang != s.Lang {
			// The citizen chose another language: news of their complaints follows it.
			if _, err := tx.Exec(ctx, sqlContactLang, in.Channel, in.Chat, langOr(o.Session.Lang)); err != nil {
				return err
			}
		}
		replies := o.Replies
		if o.File {
			if _, err := db.fileTx(ctx, tx, rules, prefix, o.Draft, now); err != nil {
				var fe *flows.Error
				if !errors.As(err, &fe) {
					return err
				}
				replies = append(replies, flows.CitizenRefusal(flows.Complaint{}, fe))
			}
		}
		if o.Event != nil {
			more, err := db.citizenEvent(ctx, tx, rules, mine, o, now)
			if err != nil {
				return err
			}
			replies = append(replies, more...)
		}
		if o.Request != flows.RequestNone {
			if replies, err = db.answerRequest(ctx, tx, o, replies, now); err != nil {
				return err
			}
		}
		// Files the draft no longer holds (it was cancelled, or refused the file) go;
		// those of the complaint filed from it are the complaint's now.
		keep := o.Session.Draft.Attachment
		if o.File {
			keep = append(slices.Clip(keep), o.Draft.Attachment...)
		}
		if dropped, err = dropDraftFiles(ctx, tx, in.Channel, in.Chat, s.Draft.Attachment, in.Attachment, keep); err != nil {
			return err
		}
		if err := putSession(ctx, tx, intake, o.Session); err != nil {
			return err
		}
		if o.Erase {
			n, err := db.eraseRequest(ctx, tx, in.Channel, in.Chat, s.Draft.Attachment, now)
			if err != nil {
				return err
			}
			replies = append(replies, n)
		}
		if err := queueTo(ctx, tx, in.Channel, in.Chat, o.Session.Lang, "", replies, now); err != nil {
			return err
		}
		return handled(ctx, tx, in, now)
	})
	if err != nil {
		return fmt.Errorf("store: converse: %w", err)
	}
	if dropped > 0 {
		if _, err := db.PurgeFiles(ctx); err != nil {
			// Still queued: the sweep purges them.
			db.log().Warn("files of a dropped draft not purged yet", "err", err)
		}
	}
	return nil
}

// citizenEvent applies the event the conversation asked for to one of the citizen's
// complaints, in a savepoint so that a refusal leaves the rest of the transaction
// intact; it returns what to tell the citizen instead (flows.Outcome.Concerned,
// flows.CitizenRefusal), if anything. Any other failure is returned: the whole message
// is then rolled back and handled again later.
func (db *DB) citizenEvent(ctx context.Context, tx *txn, rules *flows.Rules, mine []flows.Complaint, o flows.Outcome, now time.Time) ([]flows.Notice, error) {
	c, notYours := o.Concerned(mine)
	if notYours != nil {
		return notYours, nil
	}
	err := tx.savepoint(ctx, func(sp *txn) error {
		_, err := db.applyTx(ctx, sp, rules, c.ID, 0, *o.Event, now)
		return err
	})
	var fe *flows.Error
	if errors.As(err, &fe) {
		return []flows.Notice{flows.CitizenRefusal(c, fe)}, nil
	}
	return nil, err
}

// sessionBatch is how many sessions SweepSessions handles in one transaction.
const sessionBatch = 500

// SweepSessions reminds citizens of unfinished complaints and drops abandoned drafts
// with their files, as of now, in transactions of up to 500 sessions until none is
// due; then it sweeps the files no draft holds (SweepFiles). It returns how many
// sessions it changed. Each session it looks at is due no more (its next check is after
// now, or never), so the sweep ends.
func (db *DB) SweepSessions(ctx context.Context, intake *flows.Intake, now time.Time) (int, error) {
	total := 0
	for {
		n, seen, err := db.sweepSessions(ctx, intake, now, sessionBatch)
		total += n
		if err != nil {
			return total, fmt.Errorf("store: sweep sessions: %w", err)
		}
		if seen < sessionBatch {
			break
		}
	}
	if _, err := db.SweepFiles(ctx, now); err != nil {
		return total, err
	}
	return total, nil
}

// sweepSessions handles up to limit due sessions in one transaction; it returns how
// many it changed and how many it looked at.
func (db *DB) sweepSessions(ctx context.Context, intake *flows.Intake, now time.Time, limit int) (changed, seen int, err error) {
	err = db.inTx(ctx, func(tx *txn) error {
		changed = 0
		rows, err := tx.Query(ctx, sqlDueSessions, now, limit)
		if err != nil {
			return err
		}
		type key struct{ channel, chat string }
		var due []key
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.channel, &k.chat); err != nil {
				rows.Close()
				return err
			}
			due = append(due, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		seen = len(due)
		for _, k := range due {
			s, err := lockSession(ctx, tx, k.channel, k.chat)
			if err != nil {
				return err
			}
			o, ok := intake.Tick(s, now)
			if !ok {
				o.Session = s
			}
			next := intake.NextCheck(o.Session)
			if !next.IsZero() && !next.After(now) {
				next = time.Time{} // nothing more will come due for it: never again
			}
			if _, err := dropDraftFiles(ctx, tx, k.channel, k.chat, s.Draft.Attachment, nil, o.Session.Draft.Attachment); err != nil {
				return err
			}
			if err := putSessionAt(ctx, tx, o.Session, next); err != nil {
				return err
			}
			if ok {
				changed++
				if err := queueTo(ctx, tx, k.channel, k.chat, s.Lang, "", o.Replies, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return changed, seen, err
}

// Press handles a card button pressed in a group chat that is the group of units: it
// locks the complaint, reads whether the chat holds a card of it and its latest change,
// lets flows.Rules.Pressed decide, and carries out what it decided (see react). Every
// press is answered. Everything, with the record that the press was handled, commits
// together.
func (db *DB) Press(ctx context.Context, rules *flows.Rules, units []string, in flows.Inbound, a flows.CardAction, now time.Time) error {
	err := db.handleTx(ctx, in, func(tx *txn) error {
		var c flows.Complaint
		var held bool
		var last flows.AuditEvent
		var b pgx.Batch
		b.Queue(sqlLockComplaint, a.Complaint).QueryRow(func(row pgx.Row) error {
			var err error
			if c, err = scanComplaint(row); errors.Is(err, ErrNotFound) {
				return nil
			}
			return err
		})
		b.Queue(sqlCardInChat, a.Complaint, in.Channel, in.Chat).QueryRow(func(row pgx.Row) error { return row.Scan(&held) })
		b.Queue(sqlLastActor, a.Complaint, in.User).QueryRow(func(row pgx.Row) error {
			var err error
			last, err = scanLastActor(row, in.User)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			return err
		})
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return err
		}
		rx := rules.Pressed(c, held, units, a, in.Origin(), last)
		if rx.Pending != nil {
			// A card's short command typed with its text ("jawab <teks>" quoting the
			// card on a surface without buttons, see bot.Pick): the action's text.
			rx.Pending.Text = strings.TrimSpace(in.Text)
		}
		return db.react(ctx, tx, rules, in, c, rx, now)
	})
	if err != nil {
		return fmt.Errorf("store: press card: %w", err)
	}
	return nil
}

// GroupCommand answers a command typed in the group of units as flows.GroupAnswer
// decides: the group's chat ID (also in a group that is no unit's: units empty), the
// queue of their open complaints, or how the cards work. Other commands in a group
// that is no unit's are only marked handled.
func (db *DB) GroupCommand(ctx context.Context, units []string, in flows.Inbound, now time.Time) error {
	err := db.handleTx(ctx, in, func(tx *txn) error {
		var open []flows.Complaint
		if len(units) > 0 && !flows.IsChatIDCommand(in.Command) {
			rows, err := tx.Query(ctx, sqlOpenOfUnits, units)
			if err != nil {
				return err
			}
			if open, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (flows.Complaint, error) { return scanComplaint(r) }); err != nil {
				return err
			}
		}
		return db.react(ctx, tx, nil, in, flows.Complaint{}, flows.GroupAnswer(in.Command, units, open, in.Origin()), now)
	})
	if err != nil {
		return fmt.Errorf("store: group command: %w", err)
	}
	return nil
}

// ReplyText handles a reply in a group chat: when it answers the request for text of a
// pending action, flows.ReplyPending decides (the text is kept and shown back with
// buttons to confirm or cancel). Replies to anything else are only marked handled.
func (db *DB) ReplyText(ctx context.Context, in flows.Inbound, now time.Time) error {
	err := db.handleTx(ctx, in, func(tx *txn) error {
		p, err := scanPending(tx.QueryRow(ctx, sqlPendingByPrompt, in.Channel, in.Chat, in.ReplyTo))
		if err != nil {
			return err
		}
		var c flows.Complaint
		if p.ID != 0 && !p.Done {
			if c, err = scanComplaint(tx.QueryRow(ctx, sqlGetComplaint, p.Complaint)); err != nil {
				return err
			}
		}
		return db.react(ctx, tx, nil, in, c, flows.ReplyPending(p, c, in.Text, in.Origin()), now)
	})
	if err != nil {
		return fmt.Errorf("store: reply text: %w", err)
	}
	return nil
}

// ConfirmPending handles the Send or Cancel button under a pending action's text, as
// flows.ConfirmPending decides: Send applies the action as the group's member who
// pressed it. A used or unknown confirmation, a cancellation and a refusal answer the
// press only; what was done is told to the group.
func (db *DB) ConfirmPending(ctx context.Context, rules *flows.Rules, in flows.Inbound, id int64, confirm bool, now time.Time) error {
	err := db.handleTx(ctx, in, func(tx *txn) error {
		p, err := scanPending(tx.QueryRow(ctx, sqlLockPending, id, in.Channel, in.Chat))
		if err != nil {
			return err
		}
		var c flows.Complaint
		if p.ID != 0 {
			if c, err = scanComplaint(tx.QueryRow(ctx, sqlGetComplaint, p.Complaint)); err != nil {
				return err
			}
		}
		return db.react(ctx, tx, rules, in, c, flows.ConfirmPending(p, c, confirm, in.Origin()), now)
	})
	if err != nil {
		return fmt.Errorf("store: confirm pending action: %w", err)
	}
	return nil
}

// scanPending reads a pending action (sqlPendingByPrompt, sqlLockPending); a zero one
// when there is none.
func scanPending(row pgx.Row) (flows.Pending, error) {
	var p flows.Pending
	var event string
	err := row.Scan(&p.ID, &p.Unit, &p.Complaint, &p.Version, &event, &p.Target, &p.Text, &p.Done)
	if errors.Is(err, pgx.ErrNoRows) {
		return flows.Pending{}, nil
	}
	p.Event = flows.EventKind(event)
	return p, err
}

// Stale answers a button pressed in a group chat that no card or pending action
// offers — tampered or unknown data — with flows.MsgStaleCard, to the person who
// pressed only, and marks it handled.
func (db *DB) Stale(ctx context.Context, in flows.Inbound, now time.Time) error {
	err := db.handleTx(ctx, in, func(tx *txn) error {
		return db.react(ctx, tx, nil, in, flows.Complaint{}, flows.Stale(in.Origin()), now)
	})
	if err != nil {
		return fmt.Errorf("store: stale button: %w", err)
	}
	return nil
}

// Answer tells n to the person who sent in, and to nobody else — as the answer to
// their press when in came from a button (Inbound.Press), else in their own chat —
// and marks in handled: for what the desk refuses before any complaint is looked at
// (a stale button, someone no longer in the group).
func (db *DB) Answer(ctx context.Context, in flows.Inbound, n flows.Notice, now time.Time) error {
	err := db.handleTx(ctx, in, func(tx *txn) error {
		return db.react(ctx, tx, nil, in, flows.Complaint{}, flows.Answer(in.Origin(), n), now)
	})
	if err != nil {
		return fmt.Errorf("store: answer: %w", err)
	}
	return nil
}

// react carries out, within tx, what flows decided about in, an action on complaint c:
// it keeps the pending action (rx.Pending), applies the event (rx.Event, as Apply does,
// in a savepoint: when the rules refuse it, the rest of the transaction stands and the
// person is told why, flows.Refused), queues the notices and marks in handled. A new
// pending action's prompt is the first notice; one that comes with its text is shown
// back to be confirmed at once instead (flows.ReplyPending), and that confirmation is
// its prompt. Failures other than refusals are returned, so that the message is rolled
// back and handled again.
func (db *DB) react(ctx context.Context, tx *txn, rules *flows.Rules, in flows.Inbound, c flows.Complaint, rx flows.Reaction, now time.Time) error {
	p := rx.Pending
	if p != nil && p.ID != 0 {
		if _, err := tx.Exec(ctx, sqlSavePending, p.ID, p.Text, p.Done, now); err != nil {
			return err
		}
	}
	ns := rx.Notices
	withText := p != nil && p.ID == 0 && p.Text != ""
	if withText {
		if err := tx.QueryRow(ctx, sqlNextPending).Scan(&p.ID); err != nil {
			return err
		}
		ns = flows.ReplyPending(*p, c, p.Text, in.Origin()).Notices
	}
	if rx.Event != nil {
		err := tx.savepoint(ctx, func(sp *txn) error {
			_, err := db.applyTx(ctx, sp, rules, c.ID, rx.Version, *rx.Event, now)
			return err
		})
		var fe *flows.Error
		switch {
		case errors.As(err, &fe):
			ns = flows.Refused(c, rx.Event.Origin, fe)
		case err != nil:
			return err
		}
	}
	var rows []outRow
	for _, n := range ns {
		rows = append(rows, originRows(n)...)
	}
	ids, err := queueRows(ctx, tx, rows, now)
	if err != nil {
		return err
	}
	if p != nil && (p.ID == 0 || withText) {
		if len(ids) == 0 {
			return errors.New("pending action without a prompt")
		}
		sql, args := sqlInsertPending, []any{in.Channel, in.Chat, p.Unit, p.Complaint, p.Version, p.Event, p.Target, ids[0], now}
		if withText {
			sql, args = sqlInsertPendingText, append(args, p.ID, p.Text)
		}
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			return err
		}
	}
	return handled(ctx, tx, in, now)
}

// originRows addresses a notice for where an action came from: the chat it was taken
// in (flows.ToOrigin), as the group of its unit, ahead of the chat's other messages;
// or the person who took it (flows.ToPerson), on Telegram and WhatsApp in their own
// chat (a person's ID is also their private chat's), in their language — none when the
// surface named no person. A notice for anyone else has no rows here (see addresses).
func originRows(n flows.Notice) []outRow {
	o := n.To.Origin
	switch {
	case n.To.Person && o.User != "":
		return []outRow{{address: address{o.Channel, o.User, langOr(o.Lang)}, notice: n}}
	case n.To.Person, o.Chat == "":
		return nil
	}
	return []outRow{{address: address{o.Channel, o.Chat, "id"}, unit: n.To.Unit, notice: n, answer: true}}
}

// queueTo queues notices for one chat.
func queueTo(ctx context.Context, tx *txn, channel, chat, lang, unit string, ns []flows.Notice, now time.Time) error {
	rows := make([]outRow, len(ns))
	for i, n := range ns {
		rows[i] = outRow{address: address{channel, chat, langOr(lang)}, unit: unit, notice: n}
	}
	_, err := queueRows(ctx, tx, rows, now)
	return err
}

func lockSession(ctx context.Context, tx *txn, channel, chat string) (flows.Session, error) {
	s := flows.Session{Channel: channel, Chat: chat}
	var draft []byte
	err := tx.QueryRow(ctx, sqlLockSession, channel, chat).Scan(&s.Lang, &s.Step, &draft, &s.Fixing, &s.Focus, &s.Resume, &s.Nudged, &s.Updated,
		&s.Pending, &s.Partial)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(draft, &s.Draft); err != nil {
		return s, fmt.Errorf("session draft: %w", err)
	}
	return s, nil
}

func putSession(ctx context.Context, tx *txn, intake *flows.Intake, s flows.Session) error {
	return putSessionAt(ctx, tx, s, intake.NextCheck(s))
}

// putSessionAt saves a session whose next check is next (zero: never).
func putSessionAt(ctx context.Context, tx *txn, s flows.Session, next time.Time) error {
	draft, err := json.Marshal(s.Draft)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, sqlPutSession, s.Channel, s.Chat, langOr(s.Lang), s.Step, draft, s.Fixing, s.Focus, s.Resume, s.Nudged,
		s.Updated, nullTime(next), s.Pending, s.Partial)
	return err
}

// mine returns the citizen's complaints the conversation may need: the 20 newest, every
// one waiting for their reply, and the one with tracking number about (when set).
func mine(ctx context.Context, tx *txn, channel, chat, about string) ([]flows.Complaint, error) {
	rows, err := tx.Query(ctx, sqlMine, channel, chat, about)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (flows.Complaint, error) { return scanComplaint(r) })
}

// Session returns the conversation of a chat (a zero session when there is none).
func (db *DB) Session(ctx context.Context, channel, chat string) (flows.Session, error) {
	var s flows.Session
	err := db.inTx(ctx, func(tx *txn) error {
		var err error
		s, err = lockSession(ctx, tx, channel, chat)
		return err
	})
	return s, err
}

// DraftFiles returns the step of a chat's conversation and how many attachments its
// draft holds, so that a channel fetches a file only when the draft has room for it
// (StepMenu and 0 when the chat has no session).
func (db *DB) DraftFiles(ctx context.Context, channel, chat string) (flows.Step, int, error) {
	var step flows.Step
	var n int
	err := db.pool.QueryRow(ctx, sqlDraftFiles, channel, chat).Scan(&step, &n)
	if errors.Is(err, pgx.ErrNoRows) {
		return flows.StepMenu, 0, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("store: draft files: %w", err)
	}
	return step, n, nil
}
