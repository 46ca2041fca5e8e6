package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	sqlPendingByPrompt = `
SELECT p.id, p.unit, p.complaint_id, p.version, p.event, p.target, p.text, p.done_at IS NOT NULL
FROM pending_action p JOIN outbox o ON o.id = p.prompt_id
WHERE o.channel = $1 AND o.chat = $2 AND o.receipt = $3 AND o.delivered_at IS NOT NULL AND o.receipt <> ''
ORDER BY p.id DESC LIMIT 1`
	sqlLockPending = `SELECT id, unit, complaint_id, version, event, target, text, done_at IS NOT NULL
FROM pending_action WHERE id = $1 AND channel = $2 AND chat = $3 FOR UPDATE`
	sqlPendingText = `UPDATE pending_action SET text = $2 WHERE id = $1`
	sqlPendingDone = `UPDATE pending_action SET done_at = $2 WHERE id = $1`
	sqlTracking    = `SELECT tracking, type FROM complaint WHERE id = $1`
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
	err := db.handleTx(ctx, in, func(tx pgx.Tx) error {
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
				replies = append(replies, refusal(fe))
			}
		}
		if o.Event != nil {
			more, err := db.citizenEvent(ctx, tx, rules, mine, o, now)
			if err != nil {
				return err
			}
			replies = append(replies, more...)
		}
		if err := putSession(ctx, tx, intake, o.Session); err != nil {
			return err
		}
		if err := queueTo(ctx, tx, in.Channel, in.Chat, o.Session.Lang, "", replies, now); err != nil {
			return err
		}
		return handled(ctx, tx, in, now)
	})
	if err != nil {
		return fmt.Errorf("store: converse: %w", err)
	}
	return nil
}

// citizenEvent applies the event the conversation asked for to one of the citizen's
// complaints, in a savepoint so that a refusal leaves the rest of the transaction
// intact; it returns the refusal to tell the citizen, if any. Any other failure is
// returned: the whole message is then rolled back and handled again later.
func (db *DB) citizenEvent(ctx context.Context, tx pgx.Tx, rules *flows.Rules, mine []flows.Complaint, o flows.Outcome, now time.Time) ([]flows.Notice, error) {
	var id int64
	var report flows.ReportType
	for _, c := range mine {
		if c.Tracking == o.Tracking {
			id, report = c.ID, c.Type
		}
	}
	if id == 0 {
		return []flows.Notice{{To: flows.ToComplainant, Msg: flows.MsgNotYours}}, nil
	}
	err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
		_, err := db.applyTx(ctx, sp, rules, id, 0, *o.Event, now)
		return err
	})
	var fe *flows.Error
	if errors.As(err, &fe) {
		n := refusal(fe)
		n.Tracking, n.Report = o.Tracking, report
		return []flows.Notice{n}, nil
	}
	return nil, err
}

// genericError is the message for a failure on the desk's side.
const genericError = "error.generic"

func refusal(fe *flows.Error) flows.Notice {
	return flows.Notice{To: flows.ToComplainant, Msg: flows.MsgRefused, Text: string(fe.Code), Data: fe.Data}
}

// sessionBatch is how many sessions SweepSessions handles in one transaction.
const sessionBatch = 500

// SweepSessions reminds citizens of unfinished complaints and drops abandoned drafts,
// as of now, in transactions of up to 500 sessions until none is due. It returns how
// many sessions it changed. Each session it looks at is due no more (its next check is
// after now, or never), so the sweep ends.
func (db *DB) SweepSessions(ctx context.Context, intake *flows.Intake, now time.Time) (int, error) {
	total := 0
	for {
		n, seen, err := db.sweepSessions(ctx, intake, now, sessionBatch)
		total += n
		if err != nil {
			return total, fmt.Errorf("store: sweep sessions: %w", err)
		}
		if seen < sessionBatch {
			return total, nil
		}
	}
}

// sweepSessions handles up to limit due sessions in one transaction; it returns how
// many it changed and how many it looked at.
func (db *DB) sweepSessions(ctx context.Context, intake *flows.Intake, now time.Time, limit int) (changed, seen int, err error) {
	err = db.inTx(ctx, func(tx pgx.Tx) error {
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

// Press handles a card button pressed in a group chat that is the group of units
// (the first of them that may take the action acts). It locks the complaint and either
// refuses, offers the units to choose from, asks for text (keeping the action pending),
// or applies the event. What the group should know (a choice of units, a request for
// text, who did what) goes to the group, in the complaint's forum topic where it has
// one; a refusal answers the press itself, seen by the person who pressed only, and a
// press in a group that holds no card of the complaint learns nothing about it (not
// even its tracking number). Every press is answered. Everything, with the record
// that the press was handled, commits together.
func (db *DB) Press(ctx context.Context, rules *flows.Rules, units []string, in flows.Inbound, a flows.CardAction, now time.Time) error {
	err := db.handleTx(ctx, in, func(tx pgx.Tx) error {
		c, err := scanComplaint(tx.QueryRow(ctx, sqlLockComplaint, a.Complaint))
		if errors.Is(err, ErrNotFound) {
			return groupReply(ctx, tx, in, "", nil, &staleNotice, now)
		}
		if err != nil {
			return err
		}
		var held bool
		if err := tx.QueryRow(ctx, sqlCardInChat, c.ID, in.Channel, in.Chat).Scan(&held); err != nil {
			return err
		}
		if !held {
			return groupReply(ctx, tx, in, "", nil, &staleNotice, now)
		}
		unit := actingUnit(rules, c, units, a.Event)
		if a.Version != c.Version {
			// An old card: say who changed the complaint since.
			var fe *flows.Error
			if err := alreadyDone(ctx, tx, c.ID, in.User); !errors.As(err, &fe) {
				return err
			}
			return groupReply(ctx, tx, in, unit, nil, refusalU(c, fe), now)
		}
		actor := flows.Actor{Kind: flows.ByUnit, Unit: unit, Ref: in.User, Name: in.Name}
		p := rules.PressCard(c, unit, a, actor)
		if p.Reply != nil {
			p.Reply.Complaint = c.ID // in the complaint's forum topic
			p.Reply.Report = c.Type
		}
		switch {
		case p.Event != nil:
			replies, person, err := db.groupEvent(ctx, tx, rules, c, a.Version, *p.Event, in, now)
			if err != nil {
				return err
			}
			return groupReply(ctx, tx, in, unit, replies, person, now)
		case p.AskText:
			ids, err := queueRowsTo(ctx, tx, in, unit, []flows.Notice{*p.Reply}, now)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, sqlInsertPending, in.Channel, in.Chat, unit, c.ID, c.Version, a.Event, a.Target, ids[0], now); err != nil {
				return err
			}
			return groupReply(ctx, tx, in, unit, nil, nil, now)
		case p.Reply != nil && p.Reply.Msg == flows.MsgRefusedU:
			p.Reply.Alert = true
			return groupReply(ctx, tx, in, unit, nil, p.Reply, now)
		case p.Reply != nil:
			return groupReply(ctx, tx, in, unit, []flows.Notice{*p.Reply}, nil, now)
		}
		return groupReply(ctx, tx, in, unit, nil, nil, now)
	})
	if err != nil {
		return fmt.Errorf("store: press card: %w", err)
	}
	return nil
}

// staleNotice answers a button that no card or pending action in its chat offers.
var staleNotice = flows.Notice{Msg: flows.MsgStaleCard, Alert: true}

// refusalU is a unit's refusal about complaint c, for the person who pressed.
func refusalU(c flows.Complaint, fe *flows.Error) *flows.Notice {
	return &flows.Notice{Msg: flows.MsgRefusedU, Complaint: c.ID, Tracking: c.Tracking, Report: c.Type, Text: string(fe.Code), Data: fe.Data, Alert: true}
}

// GroupCommand answers a command typed in the group of units: the group's chat ID
// (flows.ChatIDNotice, also in a group that is no unit's: units empty), the queue of
// their open complaints, or how the cards work. Other commands in a group that is no
// unit's are only marked handled.
func (db *DB) GroupCommand(ctx context.Context, units []string, in flows.Inbound, now time.Time) error {
	err := db.handleTx(ctx, in, func(tx pgx.Tx) error {
		if flows.IsChatIDCommand(in.Command) {
			first := ""
			if len(units) > 0 {
				first = units[0]
			}
			return groupReply(ctx, tx, in, first, []flows.Notice{flows.ChatIDNotice(in.Chat, units)}, nil, now)
		}
		if len(units) == 0 {
			return handled(ctx, tx, in, now)
		}
		rows, err := tx.Query(ctx, sqlOpenOfUnits, units)
		if err != nil {
			return err
		}
		open, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (flows.Complaint, error) { return scanComplaint(r) })
		if err != nil {
			return err
		}
		return groupReply(ctx, tx, in, units[0], []flows.Notice{flows.GroupCommand(in.Command, units[0], open)}, nil, now)
	})
	if err != nil {
		return fmt.Errorf("store: group command: %w", err)
	}
	return nil
}

// ReplyText handles a reply in a group chat: when it answers the request for text of a
// pending action, the text is kept and shown back with buttons to confirm or cancel,
// in the complaint's forum topic where it has one. Replies to anything else are only
// marked handled.
func (db *DB) ReplyText(ctx context.Context, in flows.Inbound, now time.Time) error {
	err := db.handleTx(ctx, in, func(tx pgx.Tx) error {
		var id, complaint int64
		var version int
		var unit, event, target, text string
		var done bool
		err := tx.QueryRow(ctx, sqlPendingByPrompt, in.Channel, in.Chat, in.ReplyTo).Scan(&id, &unit, &complaint, &version, &event, &target, &text, &done)
		if errors.Is(err, pgx.ErrNoRows) || done {
			return handled(ctx, tx, in, now)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlPendingText, id, in.Text); err != nil {
			return err
		}
		var tracking string
		var report flows.ReportType
		if err := tx.QueryRow(ctx, sqlTracking, complaint).Scan(&tracking, &report); err != nil {
			return err
		}
		n := flows.ConfirmText(id, tracking, flows.EventKind(event), in.Text)
		n.Complaint = complaint
		n.Report = report
		return groupReply(ctx, tx, in, unit, []flows.Notice{n}, nil, now)
	})
	if err != nil {
		return fmt.Errorf("store: reply text: %w", err)
	}
	return nil
}

// ConfirmPending handles the Send or Cancel button under a pending action's text: Send
// applies the action as the group's member who pressed it, with the version the card
// showed when the action was begun. A used or unknown confirmation, a cancellation and
// a refusal answer the press only; what was done is told to the group.
func (db *DB) ConfirmPending(ctx context.Context, rules *flows.Rules, in flows.Inbound, id int64, confirm bool, now time.Time) error {
	err := db.handleTx(ctx, in, func(tx pgx.Tx) error {
		var complaint int64
		var version int
		var unit, event, target, text string
		var done bool
		err := tx.QueryRow(ctx, sqlLockPending, id, in.Channel, in.Chat).Scan(&id, &unit, &complaint, &version, &event, &target, &text, &done)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && (done || text == "")) {
			return groupReply(ctx, tx, in, unit, nil, &staleNotice, now)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlPendingDone, id, now); err != nil {
			return err
		}
		if !confirm {
			var tracking string
			var report flows.ReportType
			if err := tx.QueryRow(ctx, sqlTracking, complaint).Scan(&tracking, &report); err != nil {
				return err
			}
			return groupReply(ctx, tx, in, unit, nil, &flows.Notice{Msg: flows.MsgCancelledU, Complaint: complaint, Tracking: tracking, Report: report}, now)
		}
		c, err := scanComplaint(tx.QueryRow(ctx, sqlLockComplaint, complaint))
		if err != nil {
			return err
		}
		ev := flows.Event{Kind: flows.EventKind(event), Actor: flows.Actor{Kind: flows.ByUnit, Unit: unit, Ref: in.User, Name: in.Name}, Target: target, Text: text}
		// The rules check the action again on the complaint as it now is: a colleague's
		// findings or a recorded LAPOR! ID since the action began do not void it.
		replies, person, err := db.groupEvent(ctx, tx, rules, c, 0, ev, in, now)
		if err != nil {
			return err
		}
		return groupReply(ctx, tx, in, unit, replies, person, now)
	})
	if err != nil {
		return fmt.Errorf("store: confirm pending action: %w", err)
	}
	return nil
}

// Stale answers a button pressed in a group chat that no card or pending action
// offers — tampered or unknown data — with flows.MsgStaleCard, to the person who
// pressed only, and marks it handled.
func (db *DB) Stale(ctx context.Context, in flows.Inbound, now time.Time) error {
	if err := db.Answer(ctx, in, staleNotice, now); err != nil {
		return fmt.Errorf("store: stale button: %w", err)
	}
	return nil
}

// Answer tells n to the person who sent in, and to nobody else — as the answer to
// their press when in came from a button (Inbound.Press), else in their own chat —
// and marks in handled: for what the desk refuses before any complaint is looked at
// (a stale button, someone no longer in the group).
func (db *DB) Answer(ctx context.Context, in flows.Inbound, n flows.Notice, now time.Time) error {
	err := db.handleTx(ctx, in, func(tx pgx.Tx) error {
		return groupReply(ctx, tx, in, "", nil, &n, now)
	})
	if err != nil {
		return fmt.Errorf("store: answer: %w", err)
	}
	return nil
}

// groupEvent applies a unit's event in a savepoint and returns what to tell the group
// (that it was done) or the person who acted (why not). Failures other than refusals
// are returned, so that the press is rolled back and handled again.
func (db *DB) groupEvent(ctx context.Context, tx pgx.Tx, rules *flows.Rules, c flows.Complaint, version int, ev flows.Event, in flows.Inbound, now time.Time) ([]flows.Notice, *flows.Notice, error) {
	var ch flows.Change
	err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
		var err error
		ch, err = db.applyTx(ctx, sp, rules, c.ID, version, ev, now)
		return err
	})
	var fe *flows.Error
	switch {
	case err == nil && tellsActor(ch, ev):
		return nil, nil, nil // the change itself tells the group who did what (archiving)
	case err == nil:
		return []flows.Notice{{Msg: flows.MsgDone, Complaint: c.ID, Tracking: c.Tracking, Report: c.Type, Actor: in.Name, Unit: ev.Target,
			Data: map[string]string{"Event": string(ev.Kind)}}}, nil, nil
	case errors.As(err, &fe):
		return nil, refusalU(c, fe), nil
	}
	return nil, nil, err
}

// tellsActor reports whether a change already tells the acting unit's group who did it.
func tellsActor(ch flows.Change, ev flows.Event) bool {
	for _, n := range ch.Notices {
		if n.To.Unit != "" && n.To.Unit == ev.Actor.Unit && n.Actor != "" {
			return true
		}
	}
	return false
}

// actingUnit picks, among the units whose group the press came from, the one that may
// take the action on c; the first one when none may (the rules then refuse).
func actingUnit(rules *flows.Rules, c flows.Complaint, units []string, ev flows.EventKind) string {
	for _, u := range units {
		for _, k := range rules.Actions(c, u) {
			if k == ev {
				return u
			}
		}
	}
	if len(units) == 0 {
		return ""
	}
	return units[0]
}

// groupReply queues replies to the group the inbound message came from and person to
// the one who sent it (toPerson), and marks the message handled. A press is always
// answered: with person, or with a bare acknowledgement.
func groupReply(ctx context.Context, tx pgx.Tx, in flows.Inbound, unit string, replies []flows.Notice, person *flows.Notice, now time.Time) error {
	rows := groupRows(in, unit, replies)
	if person == nil && in.Press != "" {
		person = &flows.Notice{}
	}
	if person != nil && in.User != "" {
		rows = append(rows, toPerson(in, *person))
	}
	if _, err := queueRows(ctx, tx, rows, now); err != nil {
		return err
	}
	return handled(ctx, tx, in, now)
}

// toPerson addresses n to the person who sent in, never to the group: as the answer to
// their press when in came from a button, else to their own chat (on Telegram and
// WhatsApp a person's ID is also their private chat's). It is in their language.
func toPerson(in flows.Inbound, n flows.Notice) outRow {
	n.To, n.Press = flows.Recipient{}, in.Press
	return outRow{address: address{in.Channel, in.User, langOr(in.Lang)}, notice: n}
}

func groupRows(in flows.Inbound, unit string, ns []flows.Notice) []outRow {
	rows := make([]outRow, len(ns))
	for i, n := range ns {
		n.To = flows.ToUnit(unit)
		rows[i] = outRow{address: address{in.Channel, in.Chat, "id"}, unit: unit, notice: n, answer: true}
	}
	return rows
}

func queueRowsTo(ctx context.Context, tx pgx.Tx, in flows.Inbound, unit string, ns []flows.Notice, now time.Time) ([]int64, error) {
	return queueRows(ctx, tx, groupRows(in, unit, ns), now)
}

// queueTo queues notices for one chat.
func queueTo(ctx context.Context, tx pgx.Tx, channel, chat, lang, unit string, ns []flows.Notice, now time.Time) error {
	rows := make([]outRow, len(ns))
	for i, n := range ns {
		rows[i] = outRow{address: address{channel, chat, langOr(lang)}, unit: unit, notice: n}
	}
	_, err := queueRows(ctx, tx, rows, now)
	return err
}

func lockSession(ctx context.Context, tx pgx.Tx, channel, chat string) (flows.Session, error) {
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

func putSession(ctx context.Context, tx pgx.Tx, intake *flows.Intake, s flows.Session) error {
	return putSessionAt(ctx, tx, s, intake.NextCheck(s))
}

// putSessionAt saves a session whose next check is next (zero: never).
func putSessionAt(ctx context.Context, tx pgx.Tx, s flows.Session, next time.Time) error {
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
func mine(ctx context.Context, tx pgx.Tx, channel, chat, about string) ([]flows.Complaint, error) {
	rows, err := tx.Query(ctx, sqlMine, channel, chat, about)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (flows.Complaint, error) { return scanComplaint(r) })
}

// Session returns the conversation of a chat (a zero session when there is none).
func (db *DB) Session(ctx context.Context, channel, chat string) (flows.Session, error) {
	var s flows.Session
	err := db.inTx(ctx, func(tx pgx.Tx) error {
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
