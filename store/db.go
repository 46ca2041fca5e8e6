// Package store keeps the desk's state in PostgreSQL: units, complaints and their audit
// trail, the outbox and inbox, and the holiday calendar. Every state change is one
// transaction that compare-and-sets the complaint, appends its audit event and queues
// its messages. SQL lives in const blocks beside the code that runs it.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the embedded migration files, named NNNNN_name.sql.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return sub
}

// ErrNotFound is returned when a complaint, unit or holiday does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrOldSchema is returned by CheckSchema when migrations are pending.
var ErrOldSchema = errors.New("store: the database schema is older than this program; run `aduan migrate`")

// DB is the desk's database. It is safe for concurrent use.
type DB struct {
	pool  *pgxpool.Pool
	lease leases
}

// Open connects to the database at url (a PostgreSQL URL or DSN) and checks that it
// answers. It does not migrate.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse database URL: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "aduan"
	if !strings.Contains(url, "pool_max_conns") {
		// pgxpool's default (the number of CPUs, at least 4) starves the workers and
		// sweeps of a small server; the listener and the polling leader hold one each.
		cfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	return &DB{pool: pool}, nil
}

func (db *DB) log() *slog.Logger { return slog.Default() }

// Close closes every connection; the leases this process holds are free at once.
func (db *DB) Close() {
	db.closeLeases()
	db.pool.Close()
}

// Pool returns the connection pool, for components that share it (the WhatsApp store).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

func (db *DB) migrator() (*goose.Provider, *sql.DB, error) {
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, nil, err
	}
	sqldb := stdlib.OpenDBFromPool(db.pool)
	p, err := goose.NewProvider(goose.DialectPostgres, sqldb, Migrations(), goose.WithSessionLocker(locker))
	if err != nil {
		sqldb.Close()
		return nil, nil, err
	}
	return p, sqldb, nil
}

// Migrate applies every pending migration, holding a session lock so that replicas
// starting together apply each migration once. It returns the versions applied.
func (db *DB) Migrate(ctx context.Context) ([]int64, error) {
	p, sqldb, err := db.migrator()
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	defer sqldb.Close()
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	var applied []int64
	for _, r := range res {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// CheckSchema returns ErrOldSchema (wrapped with the versions) when the database lacks
// migrations this program needs, and nil when it is up to date.
func (db *DB) CheckSchema(ctx context.Context) error {
	p, sqldb, err := db.migrator()
	if err != nil {
		return fmt.Errorf("store: check schema: %w", err)
	}
	defer sqldb.Close()
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("store: check schema: %w", err)
	}
	if current < target {
		return fmt.Errorf("%w (database at version %d, program needs %d)", ErrOldSchema, current, target)
	}
	return nil
}

// inTx runs fn in a transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, fn)
}
