package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

const (
	// sqlBackupLock is held (shared, by the session) while a backup copies the files:
	// PurgeFiles, which takes it exclusively, deletes no bytes a backup still needs.
	sqlBackupLock   = `SELECT pg_advisory_lock_shared(1633973607, 0)`
	sqlBackupUnlock = `SELECT pg_advisory_unlock_shared(1633973607, 0)`
	sqlBackupCounts = `SELECT (SELECT count(*) FROM complaint), (SELECT count(*) FROM audit_event), (SELECT count(*) FROM attachment_file)`
	sqlBackupStores = `SELECT stored, count(*) FROM attachment_file WHERE stored <> 'postgres' GROUP BY stored ORDER BY stored`
	sqlBackupSums   = `SELECT DISTINCT sha256 FROM attachment_file WHERE stored = $1 ORDER BY sha256`
	// sqlWhatsAppTables: whatsmeow's tables holding the linked account's keys and state;
	// whatsmeow_version (its schema version) is not among them.
	sqlWhatsAppTables = `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() AND c.relname LIKE 'whatsmeow\_%' AND c.relname <> 'whatsmeow_version'
ORDER BY c.relname`
	sqlSchemaVersion = `SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied`
)

// Counts is how many complaints, audit events and attachments a database holds.
type Counts struct {
	Complaints  int64 `json:"complaints"`
	AuditEvents int64 `json:"audit_events"`
	Attachments int64 `json:"attachments"`
}

// Backup is one moment of the database, held until Close, for `aduan backup`: pg_dump
// reads it through Snapshot, and the files it lists stay in their store meanwhile
// (PurgeFiles waits for Close).
type Backup struct {
	Snapshot string // for pg_dump --snapshot
	Schema   int64  // the migration version
	Counts   Counts
	// Files are the SHA-256 of every attachment's bytes kept outside PostgreSQL, each
	// once, to read from the DB's FileStore.
	Files [][sha256.Size]byte
	// WhatsAppTables are whatsmeow's tables holding the linked account's keys and state
	// (schema-qualified, quoted), whose rows a backup leaves out unless asked.
	WhatsAppTables []string

	conn *pgxpool.Conn
	tx   pgx.Tx
}

// BeginBackup takes a consistent view of the database (a repeatable-read transaction
// whose snapshot it exports) and reads what a backup needs from it. It fails, naming
// the store, when attachments are kept in a store this DB was not given. Close it.
func (db *DB) BeginBackup(ctx context.Context) (*Backup, error) {
	pc, err := db.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: begin backup: %w", err)
	}
	b := &Backup{conn: pc}
	// Taken before the snapshot: a purge that committed before it is in the snapshot,
	// and none can delete bytes after it.
	if _, err := pc.Exec(ctx, sqlBackupLock); err != nil {
		pc.Release()
		return nil, fmt.Errorf("store: begin backup: %w", err)
	}
	if err := b.read(ctx, db); err != nil {
		b.Close(ctx)
		return nil, fmt.Errorf("store: begin backup: %w", err)
	}
	return b, nil
}

func (b *Backup) read(ctx context.Context, db *DB) error {
	var err error
	b.tx, err = b.conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	if err := b.tx.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&b.Snapshot); err != nil {
		return err
	}
	if err := b.tx.QueryRow(ctx, sqlSchemaVersion).Scan(&b.Schema); err != nil {
		return err
	}
	if b.Counts, err = counts(ctx, b.tx); err != nil {
		return err
	}
	rows, err := b.tx.Query(ctx, sqlBackupStores)
	if err != nil {
		return err
	}
	type kept struct {
		Stored string
		N      int64
	}
	stores, err := pgx.CollectRows(rows, pgx.RowToStructByPos[kept])
	if err != nil {
		return err
	}
	for _, s := range stores {
		if db.filesFor(s.Stored) == nil {
			return fmt.Errorf("%d attachments are kept in a %q store this desk was not given: set --files-dir (ADUAN_FILES_DIR) to their directory", s.N, s.Stored)
		}
	}
	if kind := db.Files().Kind(); kind != FilesInPostgres {
		rows, err := b.tx.Query(ctx, sqlBackupSums, kind)
		if err != nil {
			return err
		}
		sums, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			return err
		}
		for _, s := range sums {
			var sum [sha256.Size]byte
			if copy(sum[:], s) != len(sum) {
				return fmt.Errorf("an attachment's SHA-256 is %d bytes long", len(s))
			}
			b.Files = append(b.Files, sum)
		}
	}
	rows, err = b.tx.Query(ctx, sqlWhatsAppTables)
	if err != nil {
		return err
	}
	b.WhatsAppTables, err = pgx.CollectRows(rows, pgx.RowTo[string])
	return err
}

// Close ends the backup's transaction and lets purges run again.
func (b *Backup) Close(ctx context.Context) {
	if b.tx != nil {
		_ = b.tx.Rollback(ctx)
	}
	if _, err := b.conn.Exec(ctx, sqlBackupUnlock); err != nil {
		// The lock must not outlive the backup on a pooled connection: close it.
		_ = b.conn.Hijack().Close(ctx)
		return
	}
	b.conn.Release()
}

// ReadFile returns the bytes with SHA-256 sum from the DB's FileStore, verified.
func (db *DB) ReadFile(ctx context.Context, sum [sha256.Size]byte) ([]byte, error) {
	data, err := db.Files().Get(ctx, sum, nil)
	if err != nil {
		return nil, fmt.Errorf("store: file %x: %w", sum, err)
	}
	if sha256.Sum256(data) != sum {
		return nil, fmt.Errorf("store: file %x (%s store): %w", sum, db.Files().Kind(), ErrFileCorrupt)
	}
	return data, nil
}

// PutFile keeps data, whose SHA-256 must be sum, in the DB's FileStore, as restoring a
// backup does; bytes that do not match sum are refused with ErrFileCorrupt.
func (db *DB) PutFile(ctx context.Context, sum [sha256.Size]byte, data []byte) error {
	if sha256.Sum256(data) != sum {
		return fmt.Errorf("store: file %x: %w", sum, ErrFileCorrupt)
	}
	if _, err := db.Files().Put(ctx, sum, data); err != nil {
		return fmt.Errorf("store: file %x: %w", sum, err)
	}
	return nil
}

func counts(ctx context.Context, q pgx.Tx) (Counts, error) {
	var c Counts
	err := q.QueryRow(ctx, sqlBackupCounts).Scan(&c.Complaints, &c.AuditEvents, &c.Attachments)
	return c, err
}

// Counts returns how many complaints, audit events and attachments the database holds.
func (db *DB) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	err := db.pool.QueryRow(ctx, sqlBackupCounts).Scan(&c.Complaints, &c.AuditEvents, &c.Attachments)
	if err != nil {
		return c, fmt.Errorf("store: counts: %w", err)
	}
	return c, nil
}

// ErrNotEmpty is returned (wrapped, with what the database holds) by CheckEmpty.
var ErrNotEmpty = errors.New("store: the database is not empty")

// CheckEmpty returns nil when the database may receive a restored backup: it holds no
// complaint and no linked WhatsApp account (a database never migrated, or migrated and
// unused). Otherwise its error wraps ErrNotEmpty and says what the database holds.
func (db *DB) CheckEmpty(ctx context.Context) error {
	for _, t := range []struct{ table, what string }{
		{"complaint", "complaints"},
		{"whatsmeow_device", "linked WhatsApp accounts"},
	} {
		var exists bool
		if err := db.pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, t.table).Scan(&exists); err != nil {
			return fmt.Errorf("store: check empty: %w", err)
		}
		if !exists {
			continue
		}
		var n int64
		if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM `+t.table).Scan(&n); err != nil {
			return fmt.Errorf("store: check empty: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("%w: it holds %d %s", ErrNotEmpty, n, t.what)
		}
	}
	return nil
}

// SchemaVersion returns the newest migration version this program has.
func SchemaVersion() int64 {
	var newest int64
	entries, _ := fs.ReadDir(Migrations(), ".")
	for _, e := range entries {
		num, _, _ := strings.Cut(e.Name(), "_")
		if v, err := strconv.ParseInt(num, 10, 64); err == nil && v > newest {
			newest = v
		}
	}
	return newest
}
