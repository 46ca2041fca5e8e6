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
