package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// WebLine is one line of a web chat as the store keeps it (see bot/web): its reference,
// the line itself as JSON, and the version it was last written at.
type WebLine struct {
	ID      int64
	Ref     string
	Body    []byte
	Version int64
	At      time.Time // when it was first written
}

const (
	sqlWebPutEdit = `
UPDATE web_line SET body = $3, version = nextval('web_line_version'), updated_at = $4
WHERE chat = $1 AND ref = $2
RETURNING ref, version`
	sqlWebLines = `
SELECT id, ref, body, version, created_at FROM web_line
WHERE chat = $1 AND version > $2 ORDER BY id`
	sqlWebVersion = `SELECT coalesce(max(version), 0) FROM web_line WHERE chat = $1`
	// sqlWebClaim tags the lines of chat $1 before its line $3 that name no complaint
	// with complaint $2.
	sqlWebClaim = `UPDATE web_line SET body = body || jsonb_build_object('complaint', $2::bigint)
WHERE chat = $1 AND id < (SELECT id FROM web_line WHERE chat = $1 AND ref = $3) AND NOT body ? 'complaint'`
)

// ClaimWebLines gives complaint the lines of a web chat written before its line ref
// that name no complaint yet: the conversation that filed it (what the citizen typed,
// the desk's questions and the summary), so that erasing the complaint's personal data
// erases them too (sqlEraseWebLines) while the chat holds other complaints. The web
// channel calls it when it delivers the filing's confirmation (line ref); calling it
// again claims nothing more.
func (db *DB) ClaimWebLines(ctx context.Context, chat string, complaint int64, ref string) error {
	if _, err := db.pool.Exec(ctx, sqlWebClaim, chat, complaint, ref); err != nil {
		return fmt.Errorf("store: claim web lines: %w", err)
	}
	return nil
}

// PutWebLine writes a line of a web chat and returns its reference and version. With
// edit set, it replaces the line of that reference in the chat (a card kept current);
// when there is none, it writes a new line. outboxID, when not zero, is the outbox
// message the line delivers: writing it again returns the line written the first time,
// so that a delivery retried after a crash shows once.
func (db *DB) PutWebLine(ctx context.Context, chat, edit string, outboxID int64, body []byte, now time.Time) (ref string, version int64, err error) {
	if edit != "" {
		err = db.pool.QueryRow(ctx, sqlWebPutEdit, chat, edit, body, now).Scan(&ref, &version)
		if err == nil {
			return ref, version, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return "", 0, fmt.Errorf("store: edit web line: %w", err)
		}
	}
	var id *int64
	if outboxID != 0 {
		id = &outboxID
	}
	// The reference is made of the id, taken first.
	err = db.pool.QueryRow(ctx, `WITH l AS (SELECT nextval('web_line_id_seq') AS id)
INSERT INTO web_line (id, chat, ref, outbox_id, body, created_at, updated_at)
SELECT l.id, $1, 'w' || l.id, $2, $3, $4, $4 FROM l
ON CONFLICT (outbox_id) DO UPDATE SET outbox_id = web_line.outbox_id
RETURNING ref, version`, chat, id, body, now).Scan(&ref, &version)
	if err != nil {
		return "", 0, fmt.Errorf("store: write web line: %w", err)
	}
	return ref, version, nil
}

// PostWeb stores what a person sent in a web chat: the inbound message for the desk
// (as Receive does) and its line in the chat, in one transaction, then wakes the inbox
// worker. It returns false when the message was stored before.
func (db *DB) PostWeb(ctx context.Context, channel, messageID, chat string, payload, line []byte, now time.Time) (bool, error) {
	var b pgx.Batch
	b.Queue(sqlBegin)
	fresh := false
	b.Queue(sqlReceive, channel, messageID, chat, payload, now).Exec(func(tag pgconn.CommandTag) error {
		fresh = tag.RowsAffected() == 1
		return nil
	})
	b.Queue(`INSERT INTO web_line (chat, ref, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
ON CONFLICT (ref) DO NOTHING`, chat, "in-"+messageID, line, now)
	if err := db.commit(ctx, db.pool, &b, InboxReceived); err != nil {
		return false, fmt.Errorf("store: post web message: %w", err)
	}
	return fresh, nil
}

// WebLines returns the lines of a web chat written or changed after version, oldest
// first.
func (db *DB) WebLines(ctx context.Context, chat string, after int64) ([]WebLine, error) {
	rows, err := db.pool.Query(ctx, sqlWebLines, chat, after)
	if err != nil {
		return nil, fmt.Errorf("store: web lines: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (WebLine, error) {
		var l WebLine
		return l, r.Scan(&l.ID, &l.Ref, &l.Body, &l.Version, &l.At)
	})
	if err != nil {
		return nil, fmt.Errorf("store: web lines: %w", err)
	}
	return out, nil
}

// WebVersion returns the latest version of a web chat's lines; 0 for a chat without any.
func (db *DB) WebVersion(ctx context.Context, chat string) (int64, error) {
	var v int64
	if err := db.pool.QueryRow(ctx, sqlWebVersion, chat).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: web version: %w", err)
	}
	return v, nil
}
