package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
)

const (
	// sqlSaveShown keeps what a delivered message offered to answer (see saveShown).
	sqlSaveShown = `UPDATE outbox SET choices = $2, free_text = $3 WHERE id = $1`
	// sqlKeepShown gives a delivered edit the surface did not carry out what the message
	// it was to replace offered: that message is still the one on the screen.
	sqlKeepShown = `UPDATE outbox o SET choices = p.choices, free_text = p.free_text FROM outbox p
WHERE o.id = $1 AND p.id = o.edit_of`
	// sqlShownByReceipt: what the desk's delivered message with a receipt in a chat
	// offered, as it was last delivered (an edited card: as the edit left it).
	sqlShownByReceipt = `SELECT receipt, coalesce(choices, 'null'), free_text FROM outbox
WHERE channel = $1 AND chat = $2 AND receipt = $3 AND receipt <> '' AND delivered_at IS NOT NULL
ORDER BY id DESC LIMIT 1`
	// sqlLastShown: the chat's latest delivered message that offered choices or took
	// typed text.
	sqlLastShown = `SELECT receipt, choices, free_text FROM outbox
WHERE channel = $1 AND chat = $2 AND choices IS NOT NULL ORDER BY id DESC LIMIT 1`
)

// saveShown keeps, with the delivered message id, the choices its surface numbered and
// whether it took typed text (r.Choices, r.FreeText) — for an edit the surface did not
// carry out (r.Unchanged), those of the message it was to replace —; a message that offered neither
// keeps nothing, and is never the one a typed number is read against. The choices stay
// when the delivered payload is trimmed: their labels and data name no person (the
// desk's words, units, tracking numbers, card actions at a version), and a quote of an
// old card must still find what that card offered.
func saveShown(ctx context.Context, tx *txn, id int64, r flows.Receipt) error {
	if r.Unchanged {
		_, err := tx.Exec(ctx, sqlKeepShown, id)
		return err
	}
	if len(r.Choices) == 0 && !r.FreeText {
		return nil
	}
	choices := r.Choices
	if choices == nil {
		choices = []flows.Shown{}
	}
	p, err := json.Marshal(choices)
	if err != nil {
		return fmt.Errorf("choices of outbox %d: %w", id, err)
	}
	_, err = tx.Exec(ctx, sqlSaveShown, id, p, r.FreeText)
	return err
}

// Shown returns what the desk's delivered message with the given receipt in a chat
// offered to answer, as a receipt: its reference, the choices its surface numbered (none
// when it offered none, or showed buttons) and whether it took typed text. Of a message
// delivered several times under one reference (a card edited in place) it is the latest
// delivery. ok is false when no delivered message in the chat has that receipt.
func (db *DB) Shown(ctx context.Context, channel, chat, receipt string) (r flows.Receipt, ok bool, err error) {
	r, ok, err = db.shown(ctx, sqlShownByReceipt, channel, chat, receipt)
	if err != nil {
		return r, false, fmt.Errorf("store: choices of a delivered message: %w", err)
	}
	return r, ok, nil
}

// LastShown returns what the latest message delivered to a chat that offered choices or
// took typed text offered (see Shown); messages that offered neither (a notice) are
// passed over. ok is false when the chat has none.
func (db *DB) LastShown(ctx context.Context, channel, chat string) (r flows.Receipt, ok bool, err error) {
	r, ok, err = db.shown(ctx, sqlLastShown, channel, chat)
	if err != nil {
		return r, false, fmt.Errorf("store: choices last shown in a chat: %w", err)
	}
	return r, ok, nil
}

func (db *DB) shown(ctx context.Context, sql string, args ...any) (flows.Receipt, bool, error) {
	var r flows.Receipt
	var choices []byte
	err := db.pool.QueryRow(ctx, sql, args...).Scan(&r.Ref, &choices, &r.FreeText)
	if errors.Is(err, pgx.ErrNoRows) {
		return flows.Receipt{}, false, nil
	}
	if err != nil {
		return flows.Receipt{}, false, err
	}
	if err := json.Unmarshal(choices, &r.Choices); err != nil {
		return flows.Receipt{}, false, fmt.Errorf("choices: %w", err)
	}
	if len(r.Choices) == 0 {
		r.Choices = nil
	}
	return r, true, nil
}
