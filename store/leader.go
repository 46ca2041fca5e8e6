package store

import (
	"context"
	"fmt"
	"time"
)

// Leadership keys: one per job that must run on exactly one replica.
const (
	LeadTelegramPolling int64 = 0x616475616e02 // "aduan" 02
	// LeadWhatsApp is held by the replica that holds the WhatsApp connection, and by
	// `aduan whatsapp link` and `unlink` while they use the account.
	LeadWhatsApp int64 = 0x616475616e03
)

// Lock keys: one per job that must not run twice at once, held for its duration.
const (
	// LockWhatsAppSchema serialises upgrades of whatsmeow's tables (`aduan migrate`).
	LockWhatsAppSchema int64 = 0x616475616e10
)

// Lead runs fn while this process holds the session advisory lock key, on a connection
// of its own kept for the whole leadership; fn's context ends when the connection (and
// so the lock) is lost. It tries again every retry until ctx ends, so another replica
// takes over when the leader dies: at once when its process ends, and within
// LeaderTimeout(retry) when its host or network does (the server ends a leader's
// session that stops pinging, and so frees the lock).
func (db *DB) Lead(ctx context.Context, key int64, retry time.Duration, fn func(context.Context) error) {
	for ctx.Err() == nil {
		if err := db.lead(ctx, key, retry, fn); err != nil && ctx.Err() == nil {
			db.log().Warn("leadership ended", "key", key, "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(retry):
		}
	}
}

// TryLead runs fn once if this process can take the lock key now, as Lead does, and
// reports whether it could; fn's error is returned as it is.
func (db *DB) TryLead(ctx context.Context, key int64, fn func(context.Context) error) (bool, error) {
	var ran bool
	var ferr error
	err := db.lead(ctx, key, 5*time.Second, func(ctx context.Context) error {
		ran = true
		ferr = fn(ctx)
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: take lock: %w", err)
	}
	return ran, ferr
}

// LeaderTimeout is how long the server keeps the session of a leader that pings every
// ping and then stops (its host or network gone): four pings, at least 20 seconds.
func LeaderTimeout(ping time.Duration) time.Duration { return max(4*ping, 20*time.Second) }

func (db *DB) lead(ctx context.Context, key int64, ping time.Duration, fn func(context.Context) error) error {
	pc, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	var got bool
	if err := pc.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil || !got {
		pc.Release()
		return err
	}
	conn := pc.Hijack() // the lock lives exactly as long as this session
	lctx, cancel := context.WithCancel(ctx)
	pinged := make(chan struct{})
	defer func() {
		cancel()
		<-pinged // the connection is not safe for concurrent use
		conn.Close(context.WithoutCancel(ctx))
	}()
	// A leader whose host or network vanishes never closes its session: the server ends
	// it once it has been idle (no ping) for the timeout, so another replica takes over.
	timeout := fmt.Sprintf("%dms", LeaderTimeout(ping).Milliseconds())
	// (PostgreSQL 14 and later; an older server keeps such a session until TCP notices.)
	if _, err := conn.Exec(lctx, `SELECT set_config('idle_session_timeout', $1, false)`, timeout); err != nil && lctx.Err() == nil {
		db.log().Warn("leader session timeout not set: a vanished leader's lock lasts until TCP keepalive ends its session", "key", key, "err", err)
	}
	go func() {
		defer close(pinged)
		t := time.NewTicker(ping)
		defer t.Stop()
		for {
			select {
			case <-lctx.Done():
				return
			case <-t.C:
				if err := conn.Ping(lctx); err != nil {
					cancel()
					return
				}
			}
		}
	}()
	if err := fn(lctx); err != nil && lctx.Err() == nil {
		return fmt.Errorf("leader job: %w", err)
	}
	return nil
}

// WithLock runs fn while this process holds the session advisory lock key, waiting
// for it as long as ctx allows: a job that another process runs at the same time
// waits until that one is done, then runs (and finds, say, nothing left to upgrade).
func (db *DB) WithLock(ctx context.Context, key int64, fn func(context.Context) error) error {
	pc, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("store: lock: %w", err)
	}
	// The lock is the session's: the connection is closed, never returned to the pool
	// holding it, should unlocking fail.
	conn := pc.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return fmt.Errorf("store: lock: %w", err)
	}
	return fn(ctx)
}
