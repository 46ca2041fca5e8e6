package store_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
	"aduan/store/storetest"
)

// filesRig is a store keeping new files in PostgreSQL or in a directory.
type filesRig struct {
	db    *store.DB
	rules *flows.Rules
	dir   *store.DirFiles // nil for PostgreSQL
	// intake drops drafts after two hours: well within store.UnfiledFileGrace, so that
	// only the drop itself can delete their files.
	intake flows.Intake
}

// filesSetup returns a store with the fixture units keeping files as kind
// (store.FilesInPostgres, store.FilesInDir in a t.TempDir()).
func filesSetup(t *testing.T, kind string) filesRig {
	t.Helper()
	base, url := storetest.New(t)
	if _, err := base.ApplyUnits(ctx, mustDir(t), flowstest.At(t, "2026-11-01 09:00")); err != nil {
		t.Fatal(err)
	}
	r := filesRig{db: base}
	if kind == store.FilesInDir {
		db, err := store.Open(ctx, url, store.WithFilesDir(t.TempDir()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		r.db, r.dir = db, db.Files().(*store.DirFiles)
	}
	if got := r.db.Files().Kind(); got != kind {
		t.Fatalf("store keeps files in %q, want %q", got, kind)
	}
	rules, err := r.db.Rules(ctx, flows.DefaultPolicy(), flowstest.Zone(t), flows.DefaultWeekHours())
	if err != nil {
		t.Fatal(err)
	}
	r.rules = rules
	r.intake = flows.DefaultIntake()
	r.intake.RemindAfter, r.intake.ExpireAfter = time.Hour, 2*time.Hour
	return r
}

func mustDir(t *testing.T) *flows.Directory {
	t.Helper()
	d, err := flows.NewDirectory(flowstest.Units())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (r filesRig) save(t *testing.T, chat, data string, at time.Time) string {
	t.Helper()
	ref, err := r.db.SaveFile(ctx, store.Telegram, chat, "tg-"+data, "foto.jpg", "image/jpeg", []byte(data), at)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// rows returns how many of refs still have their row.
func (r filesRig) rows(t *testing.T, refs ...string) int {
	t.Helper()
	var n int
	if err := r.db.Pool().QueryRow(ctx, `SELECT count(*) FROM attachment_file WHERE 'file:' || id = ANY($1)`, refs).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// onDisk reports whether the directory store holds data (always false for PostgreSQL).
func (r filesRig) onDisk(t *testing.T, data string) bool {
	t.Helper()
	if r.dir == nil {
		return false
	}
	_, err := os.Stat(r.dir.Path(sha256.Sum256([]byte(data))))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return err == nil
}

// startDraft puts chat's conversation at step with the fixture report as its draft.
func (r filesRig) startDraft(t *testing.T, chat string, step flows.Step, files []flows.Attachment, at time.Time) {
	t.Helper()
	d := flowstest.Report()
	d.Contact = flows.Contact{Channel: store.Telegram, Chat: chat, Lang: "id"}
	d.Attachment = files
	draft, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.db.Pool().Exec(ctx, `INSERT INTO session (channel, chat, lang, step, draft, updated_at) VALUES ($1, $2, 'id', $3, $4, $5)`,
		store.Telegram, chat, step, draft, at); err != nil {
		t.Fatal(err)
	}
}

func (r filesRig) converse(t *testing.T, in flows.Inbound, at time.Time) {
	t.Helper()
	in.Channel, in.User = store.Telegram, in.Chat
	if err := r.db.Converse(ctx, r.rules, &r.intake, "KR", in, at); err != nil {
		t.Fatal(err)
	}
}

func photo(ref string) *flows.Attachment {
	return &flows.Attachment{Kind: "photo", Ref: ref, Name: "foto.jpg", Size: 4}
}

var fileKinds = []string{store.FilesInPostgres, store.FilesInDir}

// Every read checks the bytes against the SHA-256 kept when they were saved: bytes
// changed in the database or on disk are refused with an error naming the attachment,
// never served; bytes gone from disk too.
func TestAttachmentVerifiedOnRead(t *testing.T) {
	for _, kind := range fileKinds {
		t.Run(kind, func(t *testing.T) {
			r := filesSetup(t, kind)
			at := flowstest.At(t, "2026-11-30 10:00")
			ref := r.save(t, "5001", "foto asli KTP", at)
			other := r.save(t, "5001", "foto kedua", at)
			name, mime, data, err := r.db.Attachment(ctx, ref)
			if err != nil || name != "foto.jpg" || mime != "image/jpeg" || string(data) != "foto asli KTP" {
				t.Fatalf("Attachment = %q %q %q, %v", name, mime, data, err)
			}
			var stored string
			var inline []byte
			if err := r.db.Pool().QueryRow(ctx, `SELECT stored, data FROM attachment_file WHERE 'file:' || id = $1`, ref).Scan(&stored, &inline); err != nil {
				t.Fatal(err)
			}
			if stored != kind || (kind == store.FilesInDir) != (inline == nil) || (kind == store.FilesInDir) != r.onDisk(t, "foto asli KTP") {
				t.Fatalf("kept as %q, %d bytes in the row, on disk %v", stored, len(inline), r.onDisk(t, "foto asli KTP"))
			}

			// Tampered: the same length, one byte changed.
			if kind == store.FilesInPostgres {
				if _, err := r.db.Pool().Exec(ctx, `UPDATE attachment_file SET data = 'foto palsu KTP' WHERE 'file:' || id = $1`, ref); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(r.dir.Path(sha256.Sum256([]byte("foto asli KTP"))), []byte("foto palsu KTP"), 0o600); err != nil {
				t.Fatal(err)
			}
			_, _, data, err = r.db.Attachment(ctx, ref)
			if !errors.Is(err, store.ErrFileCorrupt) || data != nil {
				t.Fatalf("tampered read = %q, %v; want no bytes and ErrFileCorrupt", data, err)
			}
			for _, want := range []string{ref + " ", "(" + kind + " store)", "SHA-256"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "palsu") || strings.Contains(err.Error(), "asli") {
				t.Errorf("error %q quotes the file", err)
			}
			if _, err := r.db.VerifyFiles(ctx); !errors.Is(err, store.ErrFileCorrupt) || !strings.Contains(err.Error(), ref+" ") {
				t.Errorf("VerifyFiles = %v; want ErrFileCorrupt naming %s", err, ref)
			}
			// The other file is intact.
			if _, _, data, err := r.db.Attachment(ctx, other); err != nil || string(data) != "foto kedua" {
				t.Errorf("the other file: %q, %v", data, err)
			}
			if kind == store.FilesInDir {
				if err := os.Remove(r.dir.Path(sha256.Sum256([]byte("foto kedua")))); err != nil {
					t.Fatal(err)
				}
				if _, _, _, err := r.db.Attachment(ctx, other); !errors.Is(err, store.ErrFileMissing) || !strings.Contains(err.Error(), other+" ") {
					t.Errorf("read of a file gone from disk: %v; want ErrFileMissing naming %s", err, other)
				}
			}
			if _, _, _, err := r.db.Attachment(ctx, "file:999999"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("unknown reference: %v", err)
			}
		})
	}
}

// A desk started without the files directory its files are in says so, rather than
// serving nothing.
func TestAttachmentInAStoreNotGiven(t *testing.T) {
	r := filesSetup(t, store.FilesInDir)
	ref := r.save(t, "5001", "foto", flowstest.At(t, "2026-11-30 10:00"))
	plain, err := store.Open(ctx, r.db.Pool().Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	_, _, _, err = plain.Attachment(ctx, ref)
	if err == nil || !strings.Contains(err.Error(), ref+" is kept in a \"dir\" store") || !strings.Contains(err.Error(), "--files-dir") {
		t.Errorf("read without the directory: %v", err)
	}
}

// A draft's files go with it: cancelled by the citizen, or dropped by the sweep when
// it expires — their rows, and their bytes from the directory (unless another
// complaint's draft holds the same bytes). A file the draft had no room for goes at
// once.
func TestDraftFilesGoWithTheDraft(t *testing.T) {
	for _, kind := range fileKinds {
		t.Run(kind, func(t *testing.T) {
			r := filesSetup(t, kind)
			at := flowstest.At(t, "2026-11-30 10:00")
			intake := r.intake

			// 5001 cancels; 5002 lets the draft expire; 5003 sent the same photo as 5002.
			for _, chat := range []string{"5001", "5002", "5003"} {
				r.startDraft(t, chat, flows.StepFiles, nil, at)
			}
			a1, a2 := r.save(t, "5001", "ktp 5001", at), r.save(t, "5001", "kk 5001", at)
			r.converse(t, flows.Inbound{Chat: "5001", Attachment: photo(a1)}, at)
			r.converse(t, flows.Inbound{Chat: "5001", Attachment: photo(a2)}, at)
			b1 := r.save(t, "5002", "foto bersama", at)
			r.converse(t, flows.Inbound{Chat: "5002", Attachment: photo(b1)}, at)
			c1 := r.save(t, "5003", "foto bersama", at)
			r.converse(t, flows.Inbound{Chat: "5003", Attachment: photo(c1)}, at)
			var owners []string
			rows, err := r.db.Pool().Query(ctx, `SELECT session_chat FROM attachment_file WHERE complaint_id IS NULL ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				owners = append(owners, s)
			}
			if strings.Join(owners, ",") != "5001,5001,5002,5003" {
				t.Fatalf("owners %v", owners)
			}
			if _, n, err := r.db.DraftFiles(ctx, store.Telegram, "5001"); err != nil || n != 2 {
				t.Fatalf("5001's draft holds %d files (%v), want 2", n, err)
			}

			// A draft full up refuses the next file: it is not kept.
			more := make([]string, intake.MaxFiles-2)
			for i := range more {
				more[i] = r.save(t, "5001", "lagi "+string(rune('a'+i)), at)
				r.converse(t, flows.Inbound{Chat: "5001", Attachment: photo(more[i])}, at)
			}
			extra := r.save(t, "5001", "satu terlalu banyak", at)
			r.converse(t, flows.Inbound{Chat: "5001", Attachment: photo(extra)}, at)
			if r.rows(t, extra) != 0 || r.onDisk(t, "satu terlalu banyak") {
				t.Errorf("the file the full draft refused is kept")
			}

			// Cancelled.
			r.converse(t, flows.Inbound{Chat: "5001", Command: "batal"}, at.Add(time.Minute))
			if n := r.rows(t, append([]string{a1, a2}, more...)...); n != 0 {
				t.Errorf("%d files of the cancelled draft are kept", n)
			}
			if r.onDisk(t, "ktp 5001") || r.onDisk(t, "kk 5001") {
				t.Errorf("the cancelled draft's files are still on disk")
			}

			// 5003 goes on writing; 5002's draft expires.
			r.converse(t, flows.Inbound{Chat: "5003", Text: "masih di sini"}, at.Add(intake.ExpireAfter/2))
			if _, err := r.db.SweepSessions(ctx, &intake, at.Add(intake.ExpireAfter+time.Minute)); err != nil {
				t.Fatal(err)
			}
			if _, n, _ := r.db.DraftFiles(ctx, store.Telegram, "5002"); n != 0 || r.rows(t, b1) != 0 {
				t.Errorf("the expired draft's file is kept (draft holds %d)", n)
			}
			if r.rows(t, c1) != 1 || (kind == store.FilesInDir && !r.onDisk(t, "foto bersama")) {
				t.Fatalf("the same bytes in 5003's live draft are gone")
			}
			if _, _, data, err := r.db.Attachment(ctx, c1); err != nil || string(data) != "foto bersama" {
				t.Errorf("5003's file: %q, %v", data, err)
			}
			// Then 5003's expires too: the shared bytes go.
			if _, err := r.db.SweepSessions(ctx, &intake, at.Add(intake.ExpireAfter/2+intake.ExpireAfter+time.Minute)); err != nil {
				t.Fatal(err)
			}
			if r.rows(t, c1) != 0 || r.onDisk(t, "foto bersama") {
				t.Errorf("the last draft holding the shared bytes expired and they are kept")
			}
			var queued, left int
			if err := r.db.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM attachment_purge), (SELECT count(*) FROM attachment_file)`).Scan(&queued, &left); err != nil {
				t.Fatal(err)
			}
			if queued != 0 || left != 0 {
				t.Errorf("%d purges queued, %d files left; want none", queued, left)
			}
		})
	}
}

// Filing transfers a draft's files to the complaint: the chat no longer owns them, the
// sweep leaves them, and they read back intact. A file saved and never taken into a
// draft is deleted by the sweep after UnfiledFileGrace.
func TestFilingTransfersFiles(t *testing.T) {
	for _, kind := range fileKinds {
		t.Run(kind, func(t *testing.T) {
			r := filesSetup(t, kind)
			at := flowstest.At(t, "2026-11-30 10:00")
			intake := r.intake
			a1, a2 := r.save(t, "5001", "ktp", at), r.save(t, "5001", "surat", at)
			r.startDraft(t, "5001", flows.StepConfirm, []flows.Attachment{*photo(a1), {Kind: "document", Ref: a2, Name: "surat.pdf", Size: 5}}, at)
			r.converse(t, flows.Inbound{Chat: "5001", Choice: "i:confirm:send"}, at)
			var id int64
			if err := r.db.Pool().QueryRow(ctx, `SELECT id FROM complaint WHERE contact_chat = '5001'`).Scan(&id); err != nil {
				t.Fatalf("not filed: %v", err)
			}
			var owned, bySession int
			if err := r.db.Pool().QueryRow(ctx, `SELECT count(*) FILTER (WHERE complaint_id = $1), count(*) FILTER (WHERE session_chat IS NOT NULL) FROM attachment_file`, id).
				Scan(&owned, &bySession); err != nil {
				t.Fatal(err)
			}
			if owned != 2 || bySession != 0 {
				t.Errorf("after filing: %d files owned by the complaint, %d by the chat; want 2, 0", owned, bySession)
			}
			stray := r.save(t, "5001", "tak pernah masuk draf", at)
			for _, now := range []time.Time{at.Add(intake.ExpireAfter + time.Minute), at.Add(store.UnfiledFileGrace + time.Minute)} {
				if _, err := r.db.SweepSessions(ctx, &intake, now); err != nil {
					t.Fatal(err)
				}
			}
			if r.rows(t, stray) != 0 || r.onDisk(t, "tak pernah masuk draf") {
				t.Errorf("a file no draft holds is kept after the grace")
			}
			c, err := r.db.Complaint(ctx, id)
			if err != nil || len(c.Attachment) != 2 {
				t.Fatalf("complaint %+v, %v", c.Attachment, err)
			}
			for i, want := range []string{"ktp", "surat"} {
				if _, _, data, err := r.db.Attachment(ctx, c.Attachment[i].Ref); err != nil || !bytes.Equal(data, []byte(want)) {
					t.Errorf("attachment %d: %q, %v", i, data, err)
				}
			}
			if n, err := r.db.VerifyFiles(ctx); err != nil || n != 2 {
				t.Errorf("VerifyFiles = %d, %v; want 2", n, err)
			}
		})
	}
}

// Migration 00013 gives the files kept before it their owners: the complaint whose
// attachments name one, else the session whose draft holds it; a file neither names
// (left by a draft dropped before) is deleted by the sweep.
func TestMigrationOwnsFilesKeptBefore(t *testing.T) {
	url := storetest.Empty(t)
	old, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	sqldb := stdlib.OpenDBFromPool(old.Pool())
	p, err := goose.NewProvider(goose.DialectPostgres, sqldb, store.Migrations())
	if err == nil {
		_, err = p.UpTo(ctx, 12) // every migration before 00013
	}
	sqldb.Close()
	old.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, url) // reads the schema's pseudonym key
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := flowstest.At(t, "2026-11-30 10:00")
	var refs []string
	for _, data := range []string{"filed", "drafted", "left"} {
		var id int64
		sum := sha256.Sum256([]byte(data))
		if err := db.Pool().QueryRow(ctx, `INSERT INTO attachment_file (channel, file_ref, name, mime, size, sha256, data, created_at)
VALUES ('telegram', $1, 'foto.jpg', 'image/jpeg', $2, $3, $4, $5) RETURNING id`, "tg-"+data, len(data), sum[:], []byte(data), at).Scan(&id); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, "file:"+strconv.FormatInt(id, 10))
	}
	if _, err := db.ApplyUnits(ctx, mustDir(t), at); err != nil {
		t.Fatal(err)
	}
	// The complaint as the schema of then holds it (this program's filing writes columns
	// of later migrations).
	atts, _ := json.Marshal([]flows.Attachment{*photo(refs[0])})
	var c flows.Complaint
	if err := db.Pool().QueryRow(ctx, `INSERT INTO complaint (tracking, version, type, privacy, body, attachments, contact_channel, contact_chat,
	state, unit, clock_from, filed_at, updated_at) VALUES ('KR-261130-AAAA', 1, 'pengaduan', 'biasa', 'KK belum jadi.', $1, 'telegram', '5008',
	'submitted', $2, $3, $3, $3) RETURNING id`, atts, flowstest.National, at).Scan(&c.ID); err != nil {
		t.Fatal(err)
	}
	draft, _ := json.Marshal(flows.Complaint{Attachment: []flows.Attachment{*photo(refs[1])}})
	if _, err := db.Pool().Exec(ctx, `INSERT INTO session (channel, chat, step, draft, updated_at) VALUES ('telegram', '5009', 'files', $1, $2)`, draft, at); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	type owner struct {
		Complaint *int64
		Chat      *string
		Stored    string
	}
	var got []owner
	rows, err := db.Pool().Query(ctx, `SELECT complaint_id, session_chat, stored FROM attachment_file ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	if got, err = pgx.CollectRows(rows, pgx.RowToStructByPos[owner]); err != nil || len(got) != 3 {
		t.Fatalf("%v, %v", got, err)
	}
	if got[0].Complaint == nil || *got[0].Complaint != c.ID || got[0].Chat != nil ||
		got[1].Complaint != nil || got[1].Chat == nil || *got[1].Chat != "5009" ||
		got[2].Complaint != nil || got[2].Chat != nil || got[0].Stored != store.FilesInPostgres {
		t.Errorf("owners after the migration: %+v", got)
	}
	if _, err := db.SweepFiles(ctx, at.Add(store.UnfiledFileGrace+time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := (filesRig{db: db}).rows(t, refs...); n != 2 {
		t.Errorf("%d files left after the sweep, want the filed and the drafted", n)
	}
	for i, want := range []string{"filed", "drafted"} {
		if _, _, data, err := db.Attachment(ctx, refs[i]); err != nil || string(data) != want {
			t.Errorf("%s: %q, %v", refs[i], data, err)
		}
	}
}

// While a backup copies the files, no purge deletes bytes it lists; once it is done,
// the purge goes on.
func TestPurgeWaitsForBackup(t *testing.T) {
	r := filesSetup(t, store.FilesInDir)
	at := flowstest.At(t, "2026-11-30 10:00")
	ref := r.save(t, "5001", "foto", at)
	b, err := r.db.BeginBackup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Files) != 1 || b.Files[0] != sha256.Sum256([]byte("foto")) || b.Counts.Attachments != 1 || b.Snapshot == "" {
		t.Fatalf("backup %+v", b)
	}
	if _, err := r.db.Pool().Exec(ctx, `DELETE FROM attachment_file WHERE 'file:' || id = $1`, ref); err != nil {
		t.Fatal(err)
	}
	if n, err := r.db.PurgeFiles(ctx); err != nil || n != 0 || !r.onDisk(t, "foto") {
		t.Fatalf("purge during a backup: %d, %v; on disk %v", n, err, r.onDisk(t, "foto"))
	}
	if data, err := r.db.ReadFile(ctx, b.Files[0]); err != nil || string(data) != "foto" {
		t.Errorf("the backup reads %q, %v", data, err)
	}
	b.Close(ctx)
	if n, err := r.db.PurgeFiles(ctx); err != nil || n != 1 || r.onDisk(t, "foto") {
		t.Errorf("purge after the backup: %d, %v; on disk %v", n, err, r.onDisk(t, "foto"))
	}
}
