package store

import (
	"context"
	"fmt"
	"time"
)

// Leadership keys: one per job that must run on exactly one replica.
const (
	LeadTelegramPolling int64 = 0x616475616e02 // "aduan" 02
)

// Lead runs fn while this process holds the session advisory lock key, on a connection
// of its own kept for the whole leadership; fn's context ends when the connection (and
// so the lock) is lost. It tries again every retry until ctx ends, so another replica
// takes over when the leader dies.
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
