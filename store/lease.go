package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// LeaseLock is the first key of the advisory locks that identify processes holding
// leases: a process holds pg_advisory_lock(LeaseLock, owner) on a connection of its own
// for as long as it lives, and stamps owner on the outbox and inbox rows it claims. When
// the process dies its connection closes, the lock goes with it, and any other process
// takes its rows back at once instead of waiting for the leases to run out.
const LeaseLock int32 = 0x61647561 // "adua"

const (
	sqlTakeIdentity = `SELECT pg_try_advisory_lock($1::int, $2::int)`
	// leaseFree is the condition on a row aliased p that no live process holds it: its
	// lease ran out ($2 is now), or the process that took it is gone.
	leaseFree = `(p.locked_until IS NULL OR p.locked_until <= $2 OR (p.lease_owner IS NOT NULL AND p.lease_owner NOT IN (
		SELECT l.objid::bigint FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
		  AND l.classid = 1633973601 AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()))))`
)

// identity is this process's lease identity: the connection that holds its lock.
type identity struct {
	owner int64
	conn  *pgx.Conn
	stop  context.CancelFunc
	done  chan struct{}
}

// leases is the DB's lease identity, taken on first use.
type leases struct {
	mu sync.Mutex
	id *identity
}

// owner returns the key this process stamps on the rows it claims, taking the lock that
// proves it alive on first use (or after that connection was lost).
func (db *DB) owner(ctx context.Context) (int64, error) {
	db.lease.mu.Lock()
	defer db.lease.mu.Unlock()
	if db.lease.id != nil {
		return db.lease.id.owner, nil
	}
	pc, err := db.pool.Acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: lease identity: %w", err)
	}
	conn := pc.Hijack() // the lock lives exactly as long as this session
	for range 10 {
		owner := rand.Int64N(1<<31-2) + 1
		var got bool
		if err := conn.QueryRow(ctx, sqlTakeIdentity, LeaseLock, owner).Scan(&got); err != nil {
			conn.Close(context.WithoutCancel(ctx))
			return 0, fmt.Errorf("store: lease identity: %w", err)
		}
		if !got {
			continue // another process drew the same key
		}
		wctx, stop := context.WithCancel(context.Background())
		id := &identity{owner: owner, conn: conn, stop: stop, done: make(chan struct{})}
		db.lease.id = id
		go db.watch(wctx, id)
		return owner, nil
	}
	conn.Close(context.WithoutCancel(ctx))
	return 0, fmt.Errorf("store: lease identity: no free key")
}

// watch pings the identity's connection; when it is lost, the identity is dropped so
// that the next claim takes a new one (rows claimed under the old one are free for
// anyone by then).
func (db *DB) watch(ctx context.Context, id *identity) {
	defer close(id.done)
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			id.conn.Close(context.Background())
			return
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := id.conn.Ping(pctx)
			cancel()
			if err != nil && ctx.Err() == nil {
				db.log().Warn("lease identity connection lost, taking a new one", "err", err)
				db.lease.mu.Lock()
				if db.lease.id == id {
					db.lease.id = nil
				}
				db.lease.mu.Unlock()
				id.conn.Close(context.Background())
				return
			}
		}
	}
}

// closeLeases releases the identity: rows this process still holds are free at once.
func (db *DB) closeLeases() {
	db.lease.mu.Lock()
	id := db.lease.id
	db.lease.id = nil
	db.lease.mu.Unlock()
	if id != nil {
		id.stop()
		<-id.done
	}
}
