package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
)

// Show answers a button that shows more of a complaint in the group of units — its
// card again, its attachments, its whole description, its record — without changing
// it, as flows.Rules.Shown decides from the complaint and whether the chat received a
// card of it. A card shown again becomes the one later changes edit.
func (db *DB) Show(ctx context.Context, rules *flows.Rules, units []string, in flows.Inbound, v flows.View, now time.Time) error {
	err := db.handleTx(ctx, in, func(tx *txn) error {
		var c flows.Complaint
		var seen bool
		var b pgx.Batch
		b.Queue(sqlGetComplaint, v.Complaint).QueryRow(func(row pgx.Row) error {
			var err error
			if c, err = scanComplaint(row); errors.Is(err, ErrNotFound) {
				return nil
			}
			return err
		})
		b.Queue(sqlCardInChat, v.Complaint, in.Channel, in.Chat).QueryRow(func(row pgx.Row) error { return row.Scan(&seen) })
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return err
		}
		return db.react(ctx, tx, rules, in, c, rules.Shown(c, seen, units, v, in.Origin()), now)
	})
	if err != nil {
		return fmt.Errorf("store: show complaint: %w", err)
	}
	return nil
}
