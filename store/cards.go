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
// it, in the complaint's forum topic where it has one. A group that may not see the
// complaint (flows.Rules.Show; a group that received one of its cards may) learns
// nothing about it: the press is answered, to the presser alone, that the button is
// stale, as for tampered data. A card shown again becomes the one later changes edit.
func (db *DB) Show(ctx context.Context, rules *flows.Rules, units []string, in flows.Inbound, v flows.View, now time.Time) error {
	err := db.handleTx(ctx, in, func(tx pgx.Tx) error {
		c, err := scanComplaint(tx.QueryRow(ctx, sqlGetComplaint, v.Complaint))
		if errors.Is(err, ErrNotFound) {
			return groupReply(ctx, tx, in, "", nil, &staleNotice, now)
		}
		if err != nil {
			return err
		}
		var seen bool
		if err := tx.QueryRow(ctx, sqlCardInChat, c.ID, in.Channel, in.Chat).Scan(&seen); err != nil {
			return err
		}
		for _, unit := range units {
			if ns, ok := rules.Show(c, unit, v, seen); ok {
				return groupReply(ctx, tx, in, unit, ns, nil, now)
			}
		}
		return groupReply(ctx, tx, in, "", nil, &staleNotice, now)
	})
	if err != nil {
		return fmt.Errorf("store: show complaint: %w", err)
	}
	return nil
}
