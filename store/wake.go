package store

import (
	"context"
	"errors"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Transaction control for the transactions sent in batches, and the wake-up that
// follows their COMMIT.
const (
	sqlBegin  = `BEGIN`
	sqlCommit = `COMMIT`
	// sqlWake notifies channel $1 (OutboxQueued, InboxReceived) once a transaction has
	// committed, in a transaction of its own that does not wait for its commit record to
	// be flushed. A NOTIFY holds a lock shared by the whole cluster from its
	// transaction's commit until that commit is on disk, so every transaction notifying
	// inside would wait for the previous one's flush instead of sharing one (group
	// commit). A wake-up lost in a crash costs nothing: the senders and the inbox worker
	// also poll.
	sqlWake = `SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, '')`
)

// txn is a transaction of inTx: a pgx.Tx that also collects the channels to notify once
// it has committed. Every write path that queues outgoing messages or stores inbound
// ones asks for its wake-up through wake; none notifies inside its transaction.
type txn struct {
	pgx.Tx
	wakes *[]string
}

// wake asks for channel (OutboxQueued, InboxReceived) to be notified once t has
// committed. A rolled-back transaction wakes no one.
func (t *txn) wake(channel string) {
	if !slices.Contains(*t.wakes, channel) {
		*t.wakes = append(*t.wakes, channel)
	}
}

// savepoint runs fn in a savepoint of t, released when fn returns nil and rolled back
// otherwise. The wake-ups fn asks for are t's: they are sent when t commits, even if the
// savepoint was rolled back (a needless wake-up costs the senders one poll).
func (t *txn) savepoint(ctx context.Context, fn func(*txn) error) error {
	return pgx.BeginFunc(ctx, t.Tx, func(sp pgx.Tx) error {
		return fn(&txn{Tx: sp, wakes: t.wakes})
	})
}

// inTx runs fn in a transaction, committing when it returns nil and rolling back
// otherwise. The COMMIT and the wake-ups fn asked for (txn.wake) go in one round trip,
// the wake-ups after the COMMIT (see sqlWake and commit).
func (db *DB) inTx(ctx context.Context, fn func(*txn) error) error {
	pc, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer pc.Release() // a connection still in a transaction is closed, not reused
	ptx, err := pc.Begin(ctx)
	if err != nil {
		return err
	}
	finished := false
	defer func() {
		if !finished { // fn failed or panicked
			_ = ptx.Rollback(ctx)
		}
	}()
	t := &txn{Tx: ptx, wakes: new([]string)}
	if err := fn(t); err != nil {
		return err
	}
	// Committed on the connection rather than by ptx.Commit, so that the wake-ups follow
	// in the same batch; ptx is not used again.
	finished = true
	return db.commit(ctx, pc.Conn(), &pgx.Batch{}, *t.wakes...)
}

// commit sends b, the last statements of a transaction begun on q, followed by COMMIT
// and a wake-up (sqlWake) of each of channels. Once the transaction has committed, an
// error of a wake-up is logged, not returned: the work is done, and the listeners also
// poll.
func (db *DB) commit(ctx context.Context, q batcher, b *pgx.Batch, channels ...string) error {
	committed := false
	b.Queue(sqlCommit).Exec(func(tag pgconn.CommandTag) error {
		committed = tag.String() == "COMMIT" // an aborted transaction answers ROLLBACK
		return nil
	})
	for _, c := range channels {
		b.Queue(sqlWake, c)
	}
	err := q.SendBatch(ctx, b).Close()
	switch {
	case committed && err != nil:
		db.log().Warn("listeners not woken after a commit", "err", err)
		return nil
	case !committed && err == nil:
		return errors.New("transaction rolled back at commit")
	}
	return err
}
