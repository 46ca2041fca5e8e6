package store

import (
	"context"

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

// TextArray, IntArray and BoolArray are the text forms of arrays the outbox rows are
// sent in (tests only).
func TextArray(elems []string) string {
	return textArray(len(elems), func(i int) string { return elems[i] })
}
func IntArray(elems []int64) string {
	return intArray(len(elems), func(i int) int64 { return elems[i] })
}
func BoolArray(elems []bool) string {
	return boolArray(len(elems), func(i int) bool { return elems[i] })
}
