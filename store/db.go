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
	"sync/atomic"
	"time"

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
	logg  *slog.Logger
	lease leases
	key   atomic.Pointer[pseudonymKey] // read by Open, Migrate or CheckSchema once the schema has it
	// files keeps new attachments' bytes (nil: PostgresFiles); filesDir, when set, makes
	// Open use a DirFiles there (WithFilesDir).
	files    FileStore
	filesDir string
}

// ConnectTimeout bounds connecting to the database, the whole handshake included, when
// the URL sets no connect_timeout: a server that accepts the connection and never
// answers makes Open fail instead of hanging.
const ConnectTimeout = 10 * time.Second

// Option changes how Open sets up a DB.
type Option func(*DB)

// WithLog makes the store log through l instead of slog.Default().
func WithLog(l *slog.Logger) Option { return func(db *DB) { db.logg = l } }

// poolConfig parses url as Open reads it: application_name aduan, 16 connections unless
// pool_max_conns says otherwise, and ConnectTimeout unless connect_timeout says otherwise.
func poolConfig(url string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse database URL: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "aduan"
	if !strings.Contains(url, "pool_max_conns") {
		// pgxpool's default (the number of CPUs, at least 4) starves the workers and
		// sweeps of a small server; the listener, the lease identity and the polling
		// leader hold one each.
		cfg.MaxConns = 16
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = ConnectTimeout
	}
	return cfg, nil
}

// Open connects to the database at url (a PostgreSQL URL or DSN) and checks that it
// answers within the connect timeout (connect_timeout in url, else ConnectTimeout). It
// does not migrate; it reads the key of the audit trail's pseudonyms when the schema
// has one (Migrate and CheckSchema read it otherwise). Its error says what failed: the
// URL, the connection (with the server's address), or the timeout.
func Open(ctx context.Context, url string, opts ...Option) (*DB, error) {
	cfg, err := poolConfig(url)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	timeout := cfg.ConnConfig.ConnectTimeout
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		if ctx.Err() == nil && (errors.Is(err, context.DeadlineExceeded) || pctx.Err() != nil) {
			return nil, fmt.Errorf("store: connect: the database at %s:%d did not answer within %s (connect_timeout): %w",
				cfg.ConnConfig.Host, cfg.ConnConfig.Port, timeout, err)
		}
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	db := &DB{pool: pool}
	for _, o := range opts {
		o(db)
	}
	if db.filesDir != "" {
		files, err := NewDirFiles(db.filesDir)
		if err != nil {
			pool.Close()
			return nil, err
		}
		db.files = files
	}
	if err := db.loadPseudonymKey(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) log() *slog.Logger {
	if db.logg != nil {
		return db.logg
	}
	return slog.Default()
}

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

const sqlVersionTableExists = `SELECT to_regclass('goose_db_version') IS NOT NULL`

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
	if err := db.loadPseudonymKey(ctx); err != nil {
		return applied, err
	}
	return applied, nil
}

// CheckSchema returns ErrOldSchema (wrapped with the versions) when the database lacks
// migrations this program needs, and nil when it is up to date.
//
// It only reads: on a database never migrated it creates nothing (not even goose's
// version table) and reports the schema as old.
func (db *DB) CheckSchema(ctx context.Context) error {
	var migrated bool
	if err := db.pool.QueryRow(ctx, sqlVersionTableExists).Scan(&migrated); err != nil {
		return fmt.Errorf("store: check schema: %w", err)
	}
	if !migrated {
		return fmt.Errorf("%w (the database has never been migrated)", ErrOldSchema)
	}
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
	return db.loadPseudonymKey(ctx)
}
