package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
)

const (
	sqlChannelSeen = `INSERT INTO channel_state (channel, connected, seen_at) VALUES ($1, $2, $3)
ON CONFLICT (channel) DO UPDATE SET connected = excluded.connected, seen_at = excluded.seen_at`

	// sqlChannelAlert replaces the channel's alert and returns whether the same kind was
	// already in force (then the units were told already).
	sqlChannelAlert = `
WITH before AS (SELECT alert, cleared_at FROM channel_state WHERE channel = $1)
INSERT INTO channel_state (channel, connected, seen_at, alert, alert_detail, alert_at, alert_until, alert_build, cleared_at)
VALUES ($1, false, $4, $2, $3, $4, $5, $6, NULL)
ON CONFLICT (channel) DO UPDATE SET connected = false, alert = excluded.alert, alert_detail = excluded.alert_detail,
	alert_at = excluded.alert_at, alert_until = excluded.alert_until, alert_build = excluded.alert_build, cleared_at = NULL
RETURNING coalesce((SELECT alert = $2 AND cleared_at IS NULL FROM before), false)`

	// sqlChannelNote records an alert that does not stop the channel, over as soon as
	// raised, unless one that does is in force.
	sqlChannelNote = `
INSERT INTO channel_state (channel, seen_at, alert, alert_detail, alert_at, alert_build, cleared_at)
VALUES ($1, $4, $2, $3, $4, $5, $4)
ON CONFLICT (channel) DO UPDATE SET alert = excluded.alert, alert_detail = excluded.alert_detail, alert_at = excluded.alert_at,
	alert_until = NULL, alert_build = excluded.alert_build, cleared_at = excluded.cleared_at
WHERE channel_state.cleared_at IS NOT NULL OR channel_state.alert = ''`

	// sqlChannelClear ends the channel's alert in force, returning its kind.
	sqlChannelClear = `UPDATE channel_state n SET cleared_at = $2 FROM channel_state o
WHERE n.channel = $1 AND o.channel = n.channel AND n.alert <> '' AND n.cleared_at IS NULL RETURNING o.alert`

	// sqlChannelResume ends the wait of the channel's alert in force: the channel may
	// try again at once, and the alert ends when it connects.
	sqlChannelResume = `UPDATE channel_state SET alert_until = $2 WHERE channel = $1 AND alert <> '' AND cleared_at IS NULL RETURNING alert`

	sqlChannelState = `
SELECT s.connected, s.seen_at, s.alert, s.alert_detail, s.alert_at, s.alert_until, s.alert_build, s.cleared_at
FROM channel_state s WHERE s.channel = $1`

	sqlChannelTraffic = `SELECT
	(SELECT max(received_at) FROM inbox WHERE channel = $1),
	(SELECT max(delivered_at) FROM outbox WHERE channel = $1 AND delivered_at IS NOT NULL),
	(SELECT count(*) FROM outbox WHERE channel = $1 AND delivered_at IS NULL AND failed_at IS NULL)`
)

// ChannelState is what the desk knows of a channel that holds one connection.
type ChannelState struct {
	// Connected reports whether the replica holding the connection was connected when
	// it last reported, at Seen (zero when none ever did).
	Connected bool
	Seen      time.Time
	// Alert is the channel's last alert (zero Kind: none ever); Alert.Cleared tells
	// whether it is over.
	Alert flows.Alert
	// LastIn is when the last message from the channel was received, LastOut when the
	// last one to it was delivered (zero: never), and Queued how many wait to be sent.
	LastIn, LastOut time.Time
	Queued          int
}

// SeenChannel records that this replica holds the channel's connection at now, and
// whether it is connected.
func (db *DB) SeenChannel(ctx context.Context, channel string, connected bool, now time.Time) error {
	return db.exec(ctx, "record channel state", sqlChannelSeen, channel, connected, now)
}

// RaiseAlert records a as the channel's alert in force (replacing the last one) and,
// when it stops the channel and is not already in force, queues flows.MsgChannelDown
// to every unit's group on the other channels, in one transaction. An alert that does
// not stop the channel (flows.AlertMediaExpired) is kept as the last one, over at
// once and told to nobody, unless one that stops the channel is in force.
func (db *DB) RaiseAlert(ctx context.Context, rules *flows.Rules, a flows.Alert) error {
	if !a.Kind.Blocks() {
		return db.exec(ctx, "note "+string(a.Kind), sqlChannelNote, a.Channel, string(a.Kind), a.Detail, a.At, a.Build)
	}
	err := db.inTx(ctx, func(tx *txn) error {
		var already bool
		if err := tx.QueryRow(ctx, sqlChannelAlert, a.Channel, string(a.Kind), a.Detail, a.At, nullTime(a.Until), a.Build).Scan(&already); err != nil {
			return err
		}
		n, ok := a.Notice()
		if !ok || already {
			return nil
		}
		_, err := queueRows(ctx, tx, unitsElsewhere(rules, a.Channel, n), a.At)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: raise %s alert on %s: %w", a.Kind, a.Channel, err)
	}
	return nil
}

// ClearAlert ends the channel's alert in force, if any, and reports whether there was
// one; when it had stopped the channel, every unit's group on the other channels is
// told the channel works again (flows.MsgChannelUp).
func (db *DB) ClearAlert(ctx context.Context, rules *flows.Rules, channel string, now time.Time) (bool, error) {
	var cleared bool
	err := db.inTx(ctx, func(tx *txn) error {
		var kind string
		err := tx.QueryRow(ctx, sqlChannelClear, channel, now).Scan(&kind)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		cleared = true
		if !flows.AlertKind(kind).Blocks() {
			return nil
		}
		n := flows.Notice{Msg: flows.MsgChannelUp, Data: map[string]string{"Channel": flows.ChannelTitle(channel)}}
		_, err = queueRows(ctx, tx, unitsElsewhere(rules, channel, n), now)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: clear alert on %s: %w", channel, err)
	}
	return cleared, nil
}

// ResumeAlert lets the channel try again at once despite the alert in force, if any
// (an operator stopped what caused it), and reports whether there was one. The alert
// lasts until the channel works again, as ClearAlert then records.
func (db *DB) ResumeAlert(ctx context.Context, channel string, now time.Time) (bool, error) {
	var kind string
	err := db.pool.QueryRow(ctx, sqlChannelResume, channel, now).Scan(&kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: resume %s: %w", channel, err)
	}
	return true, nil
}

// unitsElsewhere addresses n to every group of every unit on the channels but channel.
func unitsElsewhere(rules *flows.Rules, channel string, n flows.Notice) []outRow {
	if rules == nil || rules.Units == nil {
		return nil
	}
	var rows []outRow
	for _, u := range rules.Units.Units() {
		n := n
		n.To = flows.ToUnit(u.Code)
		for _, a := range addresses(rules, flows.Complaint{}, n.To) {
			if a.channel != channel {
				rows = append(rows, outRow{address: a, unit: u.Code, notice: n})
			}
		}
	}
	return rows
}

// Channel returns what the desk knows of the channel: its last reported state and
// alert (zero when none was ever recorded) and its traffic.
func (db *DB) Channel(ctx context.Context, channel string) (ChannelState, error) {
	var s ChannelState
	var seen, at, until, cleared *time.Time
	var kind string
	err := db.pool.QueryRow(ctx, sqlChannelState, channel).Scan(&s.Connected, &seen, &kind, &s.Alert.Detail, &at, &until, &s.Alert.Build, &cleared)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return s, fmt.Errorf("store: channel %s state: %w", channel, err)
	}
	s.Alert.Channel, s.Alert.Kind = channel, flows.AlertKind(kind)
	s.Seen, s.Alert.At, s.Alert.Until, s.Alert.Cleared = deref(seen), deref(at), deref(until), deref(cleared)
	var in, out *time.Time
	if err := db.pool.QueryRow(ctx, sqlChannelTraffic, channel).Scan(&in, &out, &s.Queued); err != nil {
		return s, fmt.Errorf("store: channel %s traffic: %w", channel, err)
	}
	s.LastIn, s.LastOut = deref(in), deref(out)
	return s, nil
}
