package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
)

// Where an attachment's bytes are kept, as attachment_file.stored names it.
const (
	FilesInPostgres = "postgres" // in the row itself (attachment_file.data)
	FilesInDir      = "dir"      // in a directory on disk, under their SHA-256 (DirFiles)
)

// ErrFileCorrupt is returned (wrapped, with the attachment's reference) when the bytes
// read for an attachment do not match the SHA-256 or the size kept when it was saved:
// they were changed or damaged behind the desk's back. They are never served.
var ErrFileCorrupt = errors.New("store: attachment does not match its SHA-256")

// ErrFileMissing is returned (wrapped, with the attachment's reference) when a store
// has no bytes for an attachment its row names.
var ErrFileMissing = errors.New("store: attachment bytes missing")

// FileStore keeps the bytes of attachments, addressed by their SHA-256; the table
// attachment_file keeps, in PostgreSQL whatever the store, what each file is, its
// SHA-256, its owner and which store holds its bytes. The DB verifies every read
// against the SHA-256, and serialises Put and Delete of the same bytes across
// replicas (an advisory lock), so an implementation needs no locking of its own.
//
// PostgresFiles (the default) keeps the bytes in the row; DirFiles in a directory. An
// S3-compatible object store would be a third implementation: Put as PutObject under
// the hex SHA-256, Get as GetObject, Delete as DeleteObject (see README, Attachments).
type FileStore interface {
	// Kind names the store in attachment_file.stored (FilesInPostgres, FilesInDir…).
	Kind() string
	// Put keeps data, whose SHA-256 is sum, before its row commits. It returns the
	// bytes the row itself is to hold: data for PostgresFiles, nil for a store that
	// keeps them elsewhere. Putting bytes the store already holds is no error. When Put
	// returns nil error the bytes are durable (on disk: written and synced).
	Put(ctx context.Context, sum [sha256.Size]byte, data []byte) (inline []byte, err error)
	// Get returns the bytes kept under sum; inline is what the row holds (nil outside
	// PostgresFiles). Bytes that are gone give an error wrapping ErrFileMissing. Get
	// does not verify them: the DB does.
	Get(ctx context.Context, sum [sha256.Size]byte, inline []byte) ([]byte, error)
	// Delete removes the bytes kept under sum, once no row names them any more; bytes
	// already gone are no error.
	Delete(ctx context.Context, sum [sha256.Size]byte) error
}

var (
	_ FileStore = PostgresFiles{}
	_ FileStore = (*DirFiles)(nil)
)

// PostgresFiles keeps attachments' bytes in their attachment_file row: nothing to set
// up, backed up with the database, fine for a regency's volume.
type PostgresFiles struct{}

// Kind returns FilesInPostgres.
func (PostgresFiles) Kind() string { return FilesInPostgres }

// Put returns data: the row holds it.
func (PostgresFiles) Put(_ context.Context, _ [sha256.Size]byte, data []byte) ([]byte, error) {
	return data, nil
}

// Get returns inline, the row's bytes (ErrFileMissing when the row holds none).
func (PostgresFiles) Get(_ context.Context, _ [sha256.Size]byte, inline []byte) ([]byte, error) {
	if inline == nil {
		return nil, ErrFileMissing
	}
	return inline, nil
}

// Delete does nothing: deleting the row deleted the bytes.
func (PostgresFiles) Delete(context.Context, [sha256.Size]byte) error { return nil }

// DirFiles keeps attachments' bytes in a directory, one file per SHA-256 at
// DIR/ab/cd/abcd…(64 hex digits), so the same bytes sent twice are kept once. Files
// are written to DIR/tmp, synced, renamed into place and their directory synced: a
// crash leaves either the whole file or none. Files and directories are private to the
// desk's user (0600, 0700).
type DirFiles struct {
	dir string
}

// staleTemp is how old a temporary file in DIR/tmp must be for NewDirFiles to remove it
// as left by a crash during a Put.
const staleTemp = time.Hour

// NewDirFiles returns the store in dir, creating it (and DIR/tmp) when missing, and
// checks that the desk can write there. Temporary files a crash left in DIR/tmp for
// over an hour are removed.
func NewDirFiles(dir string) (*DirFiles, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("store: files directory %s: %w", dir, err)
	}
	d := &DirFiles{dir: abs}
	if err := os.MkdirAll(d.tmp(), 0o700); err != nil {
		return nil, fmt.Errorf("store: files directory: %w", err)
	}
	probe, err := os.CreateTemp(d.tmp(), ".probe-*")
	if err != nil {
		return nil, fmt.Errorf("store: files directory %s is not writable: %w", abs, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	if entries, err := os.ReadDir(d.tmp()); err == nil {
		for _, e := range entries {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTemp {
				os.Remove(filepath.Join(d.tmp(), e.Name()))
			}
		}
	}
	return d, nil
}

// Dir returns the store's directory (absolute).
func (d *DirFiles) Dir() string { return d.dir }

func (d *DirFiles) tmp() string { return filepath.Join(d.dir, "tmp") }

// Kind returns FilesInDir.
func (d *DirFiles) Kind() string { return FilesInDir }

// Path returns where the bytes with SHA-256 sum are kept.
func (d *DirFiles) Path(sum [sha256.Size]byte) string {
	h := hex.EncodeToString(sum[:])
	return filepath.Join(d.dir, h[:2], h[2:4], h)
}

// Put writes data atomically at Path(sum) and returns nil: the row holds no bytes.
func (d *DirFiles) Put(_ context.Context, sum [sha256.Size]byte, data []byte) ([]byte, error) {
	p := d.Path(sum)
	leaf := filepath.Dir(p)
	if err := os.MkdirAll(leaf, 0o700); err != nil {
		return nil, fmt.Errorf("store: files directory: %w", err)
	}
	f, err := os.CreateTemp(d.tmp(), ".put-*")
	if err != nil {
		return nil, fmt.Errorf("store: files directory: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("store: files directory: write %s: %w", p, err)
	}
	for _, dir := range []string{leaf, filepath.Dir(leaf), d.dir} {
		if err := syncDir(dir); err != nil {
			return nil, fmt.Errorf("store: files directory: %w", err)
		}
	}
	return nil, nil
}

// Get reads Path(sum).
func (d *DirFiles) Get(_ context.Context, sum [sha256.Size]byte, _ []byte) ([]byte, error) {
	p := d.Path(sum)
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: no file %s", ErrFileMissing, p)
	}
	if err != nil {
		return nil, fmt.Errorf("store: files directory: %w", err)
	}
	return data, nil
}

// Delete removes Path(sum).
func (d *DirFiles) Delete(_ context.Context, sum [sha256.Size]byte) error {
	p := d.Path(sum)
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: files directory: %w", err)
	}
	return syncDir(filepath.Dir(p))
}

// syncDir makes a directory's entries (a rename, a removal) durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// WithFiles makes the DB keep new attachments' bytes in fs (default PostgresFiles).
// Files already kept in PostgreSQL are still read from their rows.
func WithFiles(fs FileStore) Option { return func(db *DB) { db.files = fs } }

// WithFilesDir makes the DB keep new attachments' bytes in a DirFiles at dir (Open
// fails when it cannot use it); an empty dir keeps them in PostgreSQL.
func WithFilesDir(dir string) Option { return func(db *DB) { db.filesDir = dir } }

// Files returns the store that keeps new attachments' bytes.
func (db *DB) Files() FileStore {
	if db.files == nil {
		return PostgresFiles{}
	}
	return db.files
}

// filesFor returns the store that holds bytes kept as kind, or nil when this DB has
// none of that kind.
func (db *DB) filesFor(kind string) FileStore {
	if kind == FilesInPostgres {
		return PostgresFiles{}
	}
	if f := db.Files(); f.Kind() == kind {
		return f
	}
	return nil
}

// Advisory locks, in the two-key form (a space of their own): class 1633973606
// ("aduf") with the first four bytes of a SHA-256, held by a Put and by a purge of the
// same bytes; and class 1633973607 ("adug"), which a backup holds shared while it
// copies the files and a purge must take exclusively (see BeginBackup).
const (
	sqlLockFileSum = `SELECT pg_advisory_xact_lock(1633973606, $1::int4)`
	sqlSaveFile    = `INSERT INTO attachment_file (channel, file_ref, name, mime, size, sha256, data, stored, session_chat, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`
	sqlAttachment = `SELECT name, mime, size, sha256, stored, data FROM attachment_file WHERE id = $1`
	// sqlDropDraftFiles deletes files of a chat's draft that no complaint owns.
	sqlDropDraftFiles = `DELETE FROM attachment_file WHERE id = ANY($1) AND channel = $2 AND session_chat = $3 AND complaint_id IS NULL`
	// sqlDropUnfiled deletes up to $2 files no complaint owns, kept before $1, that no
	// session's draft holds: left by a draft dropped elsewhere, a message never handled,
	// or a version of the desk that did not delete them.
	sqlDropUnfiled = `DELETE FROM attachment_file WHERE id IN (
  SELECT f.id FROM attachment_file f WHERE f.complaint_id IS NULL AND f.created_at < $1
    AND NOT EXISTS (SELECT 1 FROM session s WHERE s.channel = f.channel AND s.chat = f.session_chat
      AND s.draft->'Attachment' @> jsonb_build_array(jsonb_build_object('Ref', 'file:' || f.id)))
  ORDER BY f.created_at LIMIT $2)`
	sqlQueuePurge     = `INSERT INTO attachment_purge (sha256, stored) VALUES ($1, $2) ON CONFLICT DO NOTHING`
	sqlPurgeQueue     = `SELECT sha256 FROM attachment_purge WHERE stored = $1 LIMIT $2`
	sqlPurgeTryBackup = `SELECT pg_try_advisory_xact_lock(1633973607, 0)`
	sqlFileNeeded     = `SELECT EXISTS (SELECT 1 FROM attachment_file WHERE sha256 = $1 AND stored = $2)`
	sqlPurged         = `DELETE FROM attachment_purge WHERE sha256 = $1 AND stored = $2`
	sqlFileIDs        = `SELECT id FROM attachment_file WHERE id > $1 ORDER BY id LIMIT $2`
)

// sumLock is the advisory lock key of the bytes with SHA-256 sum.
func sumLock(sum [sha256.Size]byte) int32 { return int32(binary.BigEndian.Uint32(sum[:4])) }

// SaveFile keeps the bytes of a file a citizen sent in chat of channel and returns the
// reference to store on the complaint ("file:<id>"), so that the record does not
// depend on the network keeping the file. The file belongs to the chat's draft until
// the draft is filed (the complaint then owns it) or dropped (the file is deleted).
// fileRef is the channel's own reference of the file.
func (db *DB) SaveFile(ctx context.Context, channel, chat, fileRef, name, mime string, data []byte, now time.Time) (string, error) {
	sum := sha256.Sum256(data)
	files := db.Files()
	var id int64
	if files.Kind() == FilesInPostgres {
		if err := db.pool.QueryRow(ctx, sqlSaveFile, channel, fileRef, name, mime, len(data), sum[:], data, FilesInPostgres, chat, now).Scan(&id); err != nil {
			return "", fmt.Errorf("store: save file: %w", err)
		}
		return attachmentRef(id), nil
	}
	err := db.inTx(ctx, func(tx *txn) error {
		// Held until COMMIT: a purge of the same bytes waits, then sees this row.
		if _, err := tx.Exec(ctx, sqlLockFileSum, sumLock(sum)); err != nil {
			return err
		}
		inline, err := files.Put(ctx, sum, data)
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, sqlSaveFile, channel, fileRef, name, mime, len(data), sum[:], inline, files.Kind(), chat, now).Scan(&id)
	})
	if err != nil {
		// The bytes may be in the store with no row naming them: the next purge looks.
		// (Only a crash between Put and COMMIT leaves them unnamed.)
		if _, qerr := db.pool.Exec(context.WithoutCancel(ctx), sqlQueuePurge, sum[:], files.Kind()); qerr != nil {
			db.log().Warn("file kept without its row", "err", qerr)
		}
		return "", fmt.Errorf("store: save file: %w", err)
	}
	return attachmentRef(id), nil
}

// attachmentRef is the reference of attachment id.
func attachmentRef(id int64) string { return "file:" + strconv.FormatInt(id, 10) }

// attachmentID returns the attachment ID of a reference, false when ref is none.
func attachmentID(ref string) (int64, bool) {
	s, ok := strings.CutPrefix(ref, "file:")
	id, err := strconv.ParseInt(s, 10, 64)
	return id, ok && err == nil && id > 0
}

// Attachment returns a kept file's name, type and bytes by its reference, after
// checking them against the SHA-256 and size kept when it was saved. It returns
// ErrNotFound for an unknown reference; an error wrapping ErrFileCorrupt, naming the
// reference and the store, when the bytes differ (they are not returned); one wrapping
// ErrFileMissing when the store lost them; and an error naming the store when the
// bytes are in a store this DB was not given (a files directory, see WithFilesDir).
func (db *DB) Attachment(ctx context.Context, ref string) (name, mime string, data []byte, err error) {
	id, ok := attachmentID(ref)
	if !ok {
		return "", "", nil, ErrNotFound
	}
	var size int64
	var kept, inline []byte
	var stored string
	err = db.pool.QueryRow(ctx, sqlAttachment, id).Scan(&name, &mime, &size, &kept, &stored, &inline)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", nil, ErrNotFound
	}
	if err != nil {
		return "", "", nil, fmt.Errorf("store: attachment %s: %w", ref, err)
	}
	if data, err = db.readFile(ctx, ref, size, kept, stored, inline); err != nil {
		return "", "", nil, err
	}
	return name, mime, data, nil
}

// readFile reads and verifies the bytes of attachment ref (see Attachment).
func (db *DB) readFile(ctx context.Context, ref string, size int64, kept []byte, stored string, inline []byte) ([]byte, error) {
	var sum [sha256.Size]byte
	if len(kept) != len(sum) {
		return nil, fmt.Errorf("store: attachment %s: %w: the row's SHA-256 is %d bytes long", ref, ErrFileCorrupt, len(kept))
	}
	copy(sum[:], kept)
	files := db.filesFor(stored)
	if files == nil {
		return nil, fmt.Errorf("store: attachment %s is kept in a %q store and this desk keeps files in %q: set --files-dir (ADUAN_FILES_DIR) to its directory",
			ref, stored, db.Files().Kind())
	}
	data, err := files.Get(ctx, sum, inline)
	if err != nil {
		return nil, fmt.Errorf("store: attachment %s (%s store): %w", ref, stored, err)
	}
	if got := sha256.Sum256(data); got != sum || int64(len(data)) != size {
		return nil, fmt.Errorf("store: attachment %s (%s store): %w: kept %d bytes with SHA-256 %x, read %d bytes with SHA-256 %x",
			ref, stored, ErrFileCorrupt, size, sum, len(data), got)
	}
	return data, nil
}

// fileBatch is how many files SweepFiles, PurgeFiles and VerifyFiles handle at a time.
const fileBatch = 500

// VerifyFiles reads every kept attachment and checks it against its SHA-256 and size
// (see Attachment). It returns how many it verified and, on the first that fails, an
// error naming it.
func (db *DB) VerifyFiles(ctx context.Context) (int, error) {
	n := 0
	var last int64
	for {
		rows, err := db.pool.Query(ctx, sqlFileIDs, last, fileBatch)
		if err != nil {
			return n, fmt.Errorf("store: verify files: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return n, fmt.Errorf("store: verify files: %w", err)
		}
		for _, id := range ids {
			if _, _, _, err := db.Attachment(ctx, attachmentRef(id)); err != nil {
				return n, err
			}
			n++
			last = id
		}
		if len(ids) < fileBatch {
			return n, nil
		}
	}
}

// dropDraftFiles deletes, within tx, the files of chat's draft that it no longer holds:
// those in before (the draft as it was) or the message's new attachment (in) that are
// in none of keep (the draft as it is, the complaint filed from it). It returns how
// many it deleted. A file a complaint owns is never deleted here.
func dropDraftFiles(ctx context.Context, tx *txn, channel, chat string, before []flows.Attachment, in *flows.Attachment, keep ...[]flows.Attachment) (int64, error) {
	kept := map[string]bool{}
	for _, k := range keep {
		for _, a := range k {
			kept[a.Ref] = true
		}
	}
	var ids []int64
	add := func(a flows.Attachment) {
		if id, ok := attachmentID(a.Ref); ok && !kept[a.Ref] {
			ids = append(ids, id)
			kept[a.Ref] = true
		}
	}
	for _, a := range before {
		add(a)
	}
	if in != nil {
		add(*in)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	tag, err := tx.Exec(ctx, sqlDropDraftFiles, ids, channel, chat)
	if err != nil {
		return 0, fmt.Errorf("drop draft files: %w", err)
	}
	return tag.RowsAffected(), nil
}

// UnfiledFileGrace is how long a file no complaint owns and no draft holds is kept
// before SweepFiles deletes it: the time between a channel saving a file and the
// conversation taking it into the draft, with room for retries.
const UnfiledFileGrace = 24 * time.Hour

// SweepFiles deletes the files no complaint owns and no draft holds, kept more than
// UnfiledFileGrace before now (drafts dropped on a path that did not delete them), then
// purges the bytes of deleted files from their store (PurgeFiles). It returns how many
// files it deleted. It is the desk's one purge of such files (the retention sweep
// leaves them to it); a complaint's own files go when it is anonymised.
func (db *DB) SweepFiles(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		tag, err := db.pool.Exec(ctx, sqlDropUnfiled, now.Add(-UnfiledFileGrace), fileBatch)
		if err != nil {
			return total, fmt.Errorf("store: sweep files: %w", err)
		}
		total += int(tag.RowsAffected())
		if tag.RowsAffected() < fileBatch {
			break
		}
	}
	if _, err := db.PurgeFiles(ctx); err != nil {
		return total, err
	}
	return total, nil
}

// PurgeFiles deletes from the desk's file store the bytes no row names any more (queued
// by the trigger on attachment_file when a row kept outside PostgreSQL is deleted). It
// returns how many it deleted. While a backup copies the files it purges nothing (the
// next sweep does). Bytes queued for a store this DB was not given stay queued.
func (db *DB) PurgeFiles(ctx context.Context) (int, error) {
	files := db.Files()
	if files.Kind() == FilesInPostgres {
		return 0, nil
	}
	n := 0
	for {
		rows, err := db.pool.Query(ctx, sqlPurgeQueue, files.Kind(), fileBatch)
		if err != nil {
			return n, fmt.Errorf("store: purge files: %w", err)
		}
		sums, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			return n, fmt.Errorf("store: purge files: %w", err)
		}
		for _, s := range sums {
			var sum [sha256.Size]byte
			copy(sum[:], s)
			free := false // no backup is copying the files
			err := db.inTx(ctx, func(tx *txn) error {
				if err := tx.QueryRow(ctx, sqlPurgeTryBackup).Scan(&free); err != nil || !free {
					return err
				}
				if _, err := tx.Exec(ctx, sqlLockFileSum, sumLock(sum)); err != nil {
					return err
				}
				var needed bool
				if err := tx.QueryRow(ctx, sqlFileNeeded, s, files.Kind()).Scan(&needed); err != nil {
					return err
				}
				if !needed {
					if err := files.Delete(ctx, sum); err != nil {
						return err
					}
					n++
				}
				_, err := tx.Exec(ctx, sqlPurged, s, files.Kind())
				return err
			})
			if err != nil {
				return n, fmt.Errorf("store: purge files: %w", err)
			}
			if !free {
				return n, nil // the next sweep purges them
			}
		}
		if len(sums) < fileBatch {
			return n, nil
		}
	}
}
