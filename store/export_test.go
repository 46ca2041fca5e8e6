package store

import (
	"context"
	"time"

	"aduan/flows"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// OpenTraced is Open with t told of every statement the store sends (tests only).
func OpenTraced(ctx context.Context, url string, t pgx.QueryTracer) (*DB, error) {
	cfg, err := poolConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.Tracer = t
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	db := &DB{pool: pool}
	if err := db.loadPseudonymKey(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// MigrateTo applies the migrations up to and including version (tests only).
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, sqldb, err := db.migrator()
	if err != nil {
		return err
	}
	defer sqldb.Close()
	_, err = p.UpTo(ctx, version)
	return err
}

// The lookups of a delivered message by its receipt (tests and benchmarks only).
const (
	SQLAbout           = sqlAbout
	SQLPendingByPrompt = sqlPendingByPrompt
	SQLShownByReceipt  = sqlShownByReceipt
)

// RecordedBatch is one batch a transition sent: its statements and their arguments.
type RecordedBatch []pgx.QueuedQuery

// recorder passes batches on to a connection and keeps a copy of each.
type recorder struct {
	*pgx.Conn
	batches []RecordedBatch
}

func (r *recorder) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	kept := make(RecordedBatch, len(b.QueuedQueries))
	for i, q := range b.QueuedQueries {
		kept[i] = pgx.QueuedQuery{SQL: q.SQL, Arguments: q.Arguments}
	}
	r.batches = append(r.batches, kept)
	return r.Conn.SendBatch(ctx, b)
}

// RecordApply is Apply on a connection of its own (version 0), returning the batches it
// sent (tests only).
func (db *DB) RecordApply(ctx context.Context, rules *flows.Rules, id int64, ev flows.Event, now time.Time) ([]RecordedBatch, error) {
	var out []RecordedBatch
	err := db.pipelined(ctx, func(conn *pgx.Conn) error {
		r := &recorder{Conn: conn}
		_, err := db.applyIn(ctx, r, nil, rules, id, 0, ev, now)
		out = r.batches
		return err
	})
	return out, err
}
