package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"aduan/config"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
	"aduan/store/storetest"
)

// backupTables are compared row for row between a database and its restored copy.
var backupTables = []string{"complaint", "audit_event", "attachment_file", "outbox", "unit", "holiday", "card"}

// tableRows returns every row of table as JSON, in a stable order.
func tableRows(t *testing.T, db *store.DB, table string) string {
	t.Helper()
	var rows string
	err := db.Pool().QueryRow(t.Context(), `SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY to_jsonb(r)::text), '[]')::text FROM `+table+` r`).Scan(&rows)
	if err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	return rows
}

func count(t *testing.T, db *store.DB, sql string) int {
	t.Helper()
	var n int
	if err := db.Pool().QueryRow(t.Context(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// A complaint with attachments (one kept in PostgreSQL, one in the files directory)
// and an audit trail is backed up, and restored into a fresh empty database with a
// fresh files directory: every row of the record is the same, every attachment reads
// back with its bytes and SHA-256; the WhatsApp keys are there only when asked for.
// A database holding complaints is refused, and so is a backup with files and no
// directory to put them in.
func TestBackupRestoreJourney(t *testing.T) {
	srcDB, srcURL := storetest.New(t)
	srcDir := t.TempDir()
	c := newCLI(t)
	c.env["DATABASE_URL"], c.env["ADUAN_FILES_DIR"] = srcURL, srcDir
	c.ok("migrate") // WhatsApp's tables too
	ctx := t.Context()
	now := c.clock.Now()
	chat := "6281234567890@s.whatsapp.net"
	photo, letter := []byte("\xff\xd8 foto KTP-el yang rusak"), []byte("%PDF-1.4 surat pengantar RT")
	pgRef, err := srcDB.SaveFile(ctx, store.WhatsApp, chat, "wa-1", "ktp.jpg", "image/jpeg", photo, now)
	if err != nil {
		t.Fatal(err)
	}
	dirDB, err := store.Open(ctx, srcURL, store.WithFilesDir(srcDir))
	if err != nil {
		t.Fatal(err)
	}
	defer dirDB.Close()
	dirRef, err := dirDB.SaveFile(ctx, store.WhatsApp, chat, "wa-2", "surat.pdf", "application/pdf", letter, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dirDB.ApplyUnits(ctx, mustDirectory(t, flowstest.Units()), now); err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	rules, err := dirDB.Rules(ctx, cfg.Policy, cfg.Zone, cfg.Hours)
	if err != nil {
		t.Fatal(err)
	}
	r := flowstest.Report()
	r.Contact.Channel, r.Contact.Chat = store.WhatsApp, chat
	r.Attachment = []flows.Attachment{{Kind: "photo", Ref: pgRef, Name: "ktp.jpg", Size: int64(len(photo))},
		{Kind: "document", Ref: dirRef, Name: "surat.pdf", Size: int64(len(letter))}}
	k, err := dirDB.File(ctx, rules, cfg.Prefix, r, now)
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range []flows.Event{
		{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency},
		{Kind: flows.EvDistribute, Actor: flowstest.Member(flowstest.Regency), Target: flowstest.Agency},
		{Kind: flows.EvAnswer, Actor: flowstest.Member(flowstest.Agency), Text: "KTP-el dicetak ulang."},
	} {
		ch, err := dirDB.Apply(ctx, rules, k.ID, k.Version, ev, now.Add(time.Duration(i+1)*time.Minute))
		if err != nil {
			t.Fatalf("%s: %v", ev.Kind, err)
		}
		k = ch.Complaint
	}
	if _, err := srcDB.Pool().Exec(ctx, `INSERT INTO whatsmeow_device (jid, registration_id, noise_key, identity_key, signed_pre_key,
		signed_pre_key_id, signed_pre_key_sig, adv_key, adv_details, adv_account_sig, adv_account_sig_key, adv_device_sig)
	VALUES ('6289900000000:1@s.whatsapp.net', 1, $1, $1, $1, 1, $2, $1, $1, $2, $1, $2)`, bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 64)); err != nil {
		t.Fatal(err)
	}
	if n := count(t, srcDB, `SELECT count(*) FROM audit_event`); n < 4 {
		t.Fatalf("%d audit events, want the filing and three more", n)
	}

	backup := filepath.Join(t.TempDir(), "aduan.backup")
	out := c.ok("backup", backup)
	if !strings.Contains(out, "1 complaints, 4 audit events, 2 attachments (1 files in the archive); WhatsApp keys not included") {
		t.Errorf("backup said %q", out)
	}
	if info, err := os.Stat(backup); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v, %v; want mode 0600", info, err)
	}
	withKeys := filepath.Join(t.TempDir(), "aduan-wa.backup")
	if out := c.ok("backup", withKeys, "--with-whatsapp"); !strings.Contains(out, "WhatsApp keys INCLUDED") {
		t.Errorf("backup --with-whatsapp said %q", out)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(backup), ".aduan-backup-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	for _, tc := range []struct {
		file     string
		keys     int
		migrated bool // the target was migrated (aduan migrate), and never used
	}{{backup, 0, false}, {withKeys, 1, false}, {backup, 0, true}} {
		dstURL, dstDir := storetest.Empty(t), t.TempDir()
		if tc.migrated {
			_, dstURL = storetest.New(t)
		}
		d := newCLI(t)
		d.env["DATABASE_URL"] = dstURL
		d.fails(1, []string{"restore", tc.file}, "holds 1 attachment files kept in a directory: set --files-dir (ADUAN_FILES_DIR)")
		d.env["ADUAN_FILES_DIR"] = dstDir
		out := d.ok("restore", tc.file)
		if !strings.Contains(out, "1 complaints, 4 audit events, 2 attachments verified against their SHA-256; schema up to date") {
			t.Errorf("restore said %q", out)
		}
		dst, err := store.Open(ctx, dstURL, store.WithFilesDir(dstDir))
		if err != nil {
			t.Fatal(err)
		}
		defer dst.Close()
		for _, table := range backupTables {
			if got, want := tableRows(t, dst, table), tableRows(t, srcDB, table); got != want {
				t.Errorf("%s differs after the restore:\n got %s\nwant %s", table, got, want)
			}
		}
		got, err := dst.Complaint(ctx, k.ID)
		if err != nil || got.Tracking != k.Tracking || len(got.Attachment) != 2 {
			t.Fatalf("restored complaint %+v, %v", got, err)
		}
		for i, want := range [][]byte{photo, letter} {
			_, _, data, err := dst.Attachment(ctx, got.Attachment[i].Ref)
			var kept []byte
			if err := dst.Pool().QueryRow(ctx, `SELECT sha256 FROM attachment_file WHERE 'file:' || id = $1`, got.Attachment[i].Ref).Scan(&kept); err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(want); err != nil || !bytes.Equal(data, want) || !bytes.Equal(kept, sum[:]) {
				t.Errorf("attachment %d: %q, %v (sha256 %x)", i, data, err, kept)
			}
		}
		if _, err := os.Stat(dst.Files().(*store.DirFiles).Path(sha256.Sum256(letter))); err != nil {
			t.Errorf("the directory's file was not restored: %v", err)
		}
		if n := count(t, dst, `SELECT count(*) FROM whatsmeow_device`); n != tc.keys {
			t.Errorf("%s: %d WhatsApp devices restored, want %d", filepath.Base(tc.file), n, tc.keys)
		}
		if n := count(t, dst, `SELECT count(*) FROM whatsmeow_version`); n == 0 {
			t.Errorf("whatsmeow's schema version is not restored: it would recreate its tables over the restored ones")
		}
		if n := count(t, dst, `SELECT count(*) FROM audit_event WHERE complaint_id = `+strconv.FormatInt(k.ID, 10)); n != 4 {
			t.Errorf("%d audit events of the complaint restored, want 4", n)
		}
		// Once restored, the database holds complaints: a second restore is refused.
		d.fails(1, []string{"restore", tc.file}, "refused: store: the database is not empty: it holds 1 complaints; restore only into an empty database")
	}

	// Not a backup.
	bogus := filepath.Join(t.TempDir(), "bogus.tar")
	writeFile(t, bogus, "not a tar file at all, not even 512 bytes long")
	e := newCLI(t)
	e.env["DATABASE_URL"] = storetest.Empty(t)
	e.fails(1, []string{"restore", bogus}, "bogus.tar")
}

// The database's password reaches pg_dump through its environment (PGPASSWORD), never
// its command line, where ps shows it to every user of the machine; nor is it in the
// error when the tool fails.
func TestBackupPasswordNotOnCommandLine(t *testing.T) {
	_, url := storetest.New(t)
	// The storetest URL carries the server's password: the fake tool must see it in its
	// environment only.
	fake := t.TempDir()
	argsFile, envFile := filepath.Join(fake, "args"), filepath.Join(fake, "env")
	writeFile(t, filepath.Join(fake, "pg_dump"), "#!/bin/sh\nprintf '%s\\n' \"$@\" > "+argsFile+"\nenv > "+envFile+"\necho \"pg_dump: error: connection failed for $PGPASSWORD\" >&2\nexit 1\n")
	if err := os.Chmod(filepath.Join(fake, "pg_dump"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", fake+string(os.PathListSeparator)+os.Getenv("PATH"))
	c := newCLI(t)
	c.env["DATABASE_URL"] = url
	r := c.run("backup", filepath.Join(t.TempDir(), "x.backup"))
	if r.code != 1 || !strings.Contains(r.stderr, "pg_dump failed") {
		t.Fatalf("backup with a failing pg_dump: exit %d, stderr %q", r.code, r.stderr)
	}
	p, err := pgTool(url)
	if err != nil || p.password == "" {
		t.Fatalf("the test database URL has no password (%v): nothing to check", err)
	}
	args, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatal(err)
	}
	env, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(args), p.password) {
		t.Errorf("the password is on pg_dump's command line: %s", args)
	}
	if !slices.Contains(strings.Split(string(env), "\n"), "PGPASSWORD="+p.password) {
		t.Errorf("pg_dump's environment lacks PGPASSWORD")
	}
	if strings.Contains(r.stderr, p.password) || strings.Contains(r.stdout, p.password) {
		t.Errorf("the password is in the output: %s", r.stderr)
	}
}

// connParams reads both forms of DATABASE_URL; parameters only pgx knows are not passed
// to libpq's tools.
func TestPgToolParams(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want []string
	}{
		{"postgres://desk:p%40ss%3Aw0rd@db.example:6432/aduan?sslmode=verify-full&pool_max_conns=8",
			[]string{"PGAPPNAME=aduan-backup", "PGDATABASE=aduan", "PGHOST=db.example", "PGPASSWORD=p@ss:w0rd", "PGPORT=6432", "PGSSLMODE=verify-full", "PGUSER=desk"}},
		{"postgresql://desk@h1:5432,h2:5433/aduan?password=x%20y",
			[]string{"PGAPPNAME=aduan-backup", "PGDATABASE=aduan", "PGHOST=h1,h2", "PGPASSWORD=x y", "PGPORT=5432,5433", "PGUSER=desk"}},
		{"host=/run/postgresql dbname=aduan user=desk password='its \\'quoted\\' ok' connect_timeout=5",
			[]string{"PGAPPNAME=aduan-backup", "PGCONNECT_TIMEOUT=5", "PGDATABASE=aduan", "PGHOST=/run/postgresql", "PGPASSWORD=its 'quoted' ok", "PGUSER=desk"}},
	} {
		p, err := pgTool(tc.url)
		if err != nil {
			t.Errorf("%s: %v", tc.url, err)
			continue
		}
		slices.Sort(p.env)
		if !slices.Equal(p.env, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.url, p.env, tc.want)
		}
	}
}

// rewriteArchive copies the tar archive src to a new file, passing each entry through
// edit (which may change its bytes, or drop it with false), and returns the new file.
func rewriteArchive(t *testing.T, src string, edit func(name string, data []byte) ([]byte, bool)) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "edited.backup")
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	tw := tar.NewWriter(out)
	if err := eachEntry(src, func(name string, r io.Reader) error {
		data, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		data, keep := edit(name, data)
		if !keep {
			return nil
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// A backup file changed or cut short, or written by a newer program, is refused before
// anything is restored: the database stays empty.
func TestRestoreRefusesDamagedOrNewer(t *testing.T) {
	_, srcURL := storetest.New(t)
	srcDir := t.TempDir()
	src, err := store.Open(t.Context(), srcURL, store.WithFilesDir(srcDir))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := src.SaveFile(t.Context(), store.Telegram, "5001", "tg-1", "foto.jpg", "image/jpeg", []byte("foto"), time.Now()); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	c.env["DATABASE_URL"], c.env["ADUAN_FILES_DIR"] = srcURL, srcDir
	backup := filepath.Join(t.TempDir(), "aduan.backup")
	c.ok("backup", backup)

	for _, tc := range []struct {
		name string
		edit func(name string, data []byte) ([]byte, bool)
		want string
	}{
		{"file changed", func(name string, data []byte) ([]byte, bool) {
			if strings.HasPrefix(name, "files/") {
				return []byte("FOTO"), true
			}
			return data, true
		}, "does not match its SHA-256 (the file is damaged); nothing was restored"},
		{"file missing", func(name string, data []byte) ([]byte, bool) { return data, !strings.HasPrefix(name, "files/") },
			"0 attachment files in the archive, its manifest says 1 (the file is damaged or cut short); nothing was restored"},
		{"dump missing", func(name string, data []byte) ([]byte, bool) { return data, name != "database.pgdump" },
			"holds no database.pgdump (the file is damaged or cut short); nothing was restored"},
		{"newer schema", func(name string, data []byte) ([]byte, bool) {
			if name == "aduan-backup.json" {
				return bytes.Replace(data, []byte(fmt.Sprintf(`"schema_version": %d`, store.SchemaVersion())),
					[]byte(fmt.Sprintf(`"schema_version": %d`, store.SchemaVersion()+1)), 1), true
			}
			return data, true
		}, fmt.Sprintf("is a backup of schema %d, newer than this program's %d", store.SchemaVersion()+1, store.SchemaVersion())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dstURL := storetest.Empty(t)
			d := newCLI(t)
			d.env["DATABASE_URL"], d.env["ADUAN_FILES_DIR"] = dstURL, t.TempDir()
			d.fails(1, []string{"restore", rewriteArchive(t, backup, tc.edit)}, tc.want)
			dst, err := store.Open(t.Context(), dstURL)
			if err != nil {
				t.Fatal(err)
			}
			defer dst.Close()
			if n := count(t, dst, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`); n != 0 {
				t.Errorf("%d tables restored from a refused backup", n)
			}
		})
	}
}
