package main

import (
	"archive/tar"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"

	"aduan/store"
)

// The archive `aduan backup` writes: a tar file holding, in this order, the manifest,
// pg_dump's custom-format dump and the attachments kept in a directory store, each at
// files/ab/cd/<its SHA-256 in hex>. Not compressed (the dump is, and photos are) and
// not encrypted.
const (
	backupFormat   = "aduan-backup/1"
	backupManifest = "aduan-backup.json"
	backupDump     = "database.pgdump"
	backupFiles    = "files/"
)

// manifest describes a backup; restore checks the restored database against it.
type manifest struct {
	Format       string       `json:"format"`
	Created      time.Time    `json:"created"`
	Program      string       `json:"program_version"`
	Schema       int64        `json:"schema_version"`
	WhatsAppKeys bool         `json:"whatsapp_keys"`
	FilesStore   string       `json:"files_store"`      // where the desk kept new attachments
	Files        int          `json:"files_in_archive"` // attachments' bytes under files/
	Counts       store.Counts `json:"counts"`
}

const backupHelp = `Write a backup of the desk to FILE, as of one moment: a tar archive holding
aduan-backup.json (what is in it), database.pgdump (the whole database, pg_dump's
custom format) and, when attachments are kept in a directory (--files-dir), the
bytes of every attachment under files/. FILE is replaced atomically and written
readable by its owner only (0600).

The WhatsApp session's keys (the rows of the whatsmeow_* tables) are left out: a
desk restored from the file links the number again (aduan whatsapp link). With
--with-whatsapp they are in the file, which then holds the linked account's keys:
whoever has it can read and send messages as the desk's number. Keep it like a
password.

The file is not encrypted and holds citizens' personal data (names, phone numbers,
NIKs, complaints, photos of documents) either way: keep it on encrypted storage
that only the operators can read, or encrypt it (age, gpg) before it leaves the
server. Needs pg_dump (PostgreSQL 15 or newer) on PATH; the database password
reaches it through the environment, never its command line.

Each backup is recorded in the access log (aduan audit access) as cli:<os user>,
with --as NAME as cli:<os user>/NAME, what "backup".`

func runBackup(ctx context.Context, e *env, args []string) error {
	fs := subcommand(e, "backup", "FILE [--with-whatsapp] [--as NAME]", backupHelp)
	withWA := fs.Bool("with-whatsapp", false, "include the WhatsApp session's keys (tables whatsmeow_*): keep the file like a password")
	as := fs.String("as", "", "the name the access log records beside the OS user (a staff ID)")
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return err
	}
	file := pos[0]
	db, err := openDB(ctx, e, true)
	if err != nil {
		return err
	}
	defer db.Close()
	pg, err := pgTool(e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	b, err := db.BeginBackup(ctx)
	if err != nil {
		return err
	}
	defer b.Close(context.WithoutCancel(ctx))

	dir := filepath.Dir(file)
	dump, err := os.CreateTemp(dir, ".aduan-backup-*.pgdump")
	if err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	dump.Close()
	defer os.Remove(dump.Name())
	dumpArgs := []string{"--format=custom", "--no-password", "--snapshot=" + b.Snapshot, "--file=" + dump.Name()}
	if !*withWA {
		for _, t := range b.WhatsAppTables {
			dumpArgs = append(dumpArgs, "--exclude-table-data="+t)
		}
	}
	if err := pg.run(ctx, "pg_dump", dumpArgs...); err != nil {
		return err
	}

	m := manifest{Format: backupFormat, Created: e.clock.Now().UTC(), Program: currentVersion().Version, Schema: b.Schema,
		WhatsAppKeys: *withWA, FilesStore: db.Files().Kind(), Files: len(b.Files), Counts: b.Counts}
	partial, err := os.CreateTemp(dir, ".aduan-backup-*.partial")
	if err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	defer os.Remove(partial.Name()) // gone once renamed
	if err := writeArchive(ctx, partial, m, dump.Name(), db, b); err != nil {
		partial.Close()
		return fmt.Errorf("write %s: %w", file, err)
	}
	if err := partial.Sync(); err != nil {
		partial.Close()
		return fmt.Errorf("write %s: %w", file, err)
	}
	if err := partial.Close(); err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	// Logged before the file is in place: no backup without its line in the access
	// log (the line is after the backup's snapshot, so in the live database only).
	if err := db.LogAccess(ctx, operator(e, *as), store.AccessBackup, 0, e.clock.Now()); err != nil {
		return fmt.Errorf("write %s: %w (no backup written)", file, err)
	}
	if err := os.Rename(partial.Name(), file); err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	keys := "not included (a restored desk links the number again)"
	if *withWA {
		keys = "INCLUDED: keep the file like a password"
	}
	fmt.Fprintf(e.stdout, "backup written to %s: %d complaints, %d audit events, %d attachments (%d files in the archive); WhatsApp keys %s\n",
		file, m.Counts.Complaints, m.Counts.AuditEvents, m.Counts.Attachments, m.Files, keys)
	return nil
}

// writeArchive writes the manifest, the dump and the backup's files to w as a tar
// archive, checking each file against its SHA-256 as it reads it.
func writeArchive(ctx context.Context, w io.Writer, m manifest, dump string, db *store.DB, b *store.Backup) error {
	tw := tar.NewWriter(w)
	add := func(name string, size int64, r io.Reader) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: m.Created, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := io.Copy(tw, r)
		return err
	}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := add(backupManifest, int64(len(mj)), bytes.NewReader(mj)); err != nil {
		return err
	}
	f, err := os.Open(dump)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if err := add(backupDump, info.Size(), f); err != nil {
		return err
	}
	for _, sum := range b.Files {
		data, err := db.ReadFile(ctx, sum)
		if err != nil {
			return err
		}
		if err := add(archivePath(sum), int64(len(data)), bytes.NewReader(data)); err != nil {
			return err
		}
	}
	return tw.Close()
}

// archivePath is where the bytes with SHA-256 sum are in the archive.
func archivePath(sum [sha256.Size]byte) string {
	h := hex.EncodeToString(sum[:])
	return backupFiles + h[:2] + "/" + h[2:4] + "/" + h
}

const restoreHelp = `Restore a backup written by aduan backup into the database of DATABASE_URL,
which must be empty: one just created (createdb), or migrated and never used. A
database holding any complaint (or a linked WhatsApp account) is refused. The whole
file is read first: one damaged, cut short or of a newer schema restores nothing.

The attachments in the file are written to --files-dir, which is required when the
file holds any. Then the schema is checked, the numbers of complaints, audit events
and attachments are compared with the backup's, and every attachment is read back
and checked against its SHA-256. A backup without the WhatsApp keys restores a desk
whose number is linked again with aduan whatsapp link. Needs pg_restore (PostgreSQL
15 or newer) on PATH. The restore is recorded in the restored database's access log
(aduan audit access) as cli:<os user>, with --as NAME as cli:<os user>/NAME, what
"restore".`

func runRestore(ctx context.Context, e *env, args []string) error {
	fs := subcommand(e, "restore", "FILE [--as NAME]", restoreHelp)
	as := fs.String("as", "", "the name the access log records beside the OS user (a staff ID)")
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return err
	}
	file := pos[0]
	m, err := readManifest(file)
	if err != nil {
		return err
	}
	if newest := store.SchemaVersion(); m.Schema > newest {
		return fmt.Errorf("%s is a backup of schema %d, newer than this program's %d: restore it with the version that wrote it (%s) or a newer one",
			file, m.Schema, newest, cmp.Or(m.Program, "unknown"))
	}
	db, err := openDB(ctx, e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if m.Files > 0 && db.Files().Kind() == store.FilesInPostgres {
		return fmt.Errorf("%s holds %d attachment files kept in a directory: set --files-dir (ADUAN_FILES_DIR) to the directory that is to keep them", file, m.Files)
	}
	if err := db.CheckEmpty(ctx); err != nil {
		if errors.Is(err, store.ErrNotEmpty) {
			return fmt.Errorf("refused: %w; restore only into an empty database (create one with createdb and point DATABASE_URL at it)", err)
		}
		return err
	}
	pg, err := pgTool(e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	if err := checkArchive(file, m); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "aduan-restore-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	dump := filepath.Join(tmp, backupDump)
	err = eachEntry(file, func(name string, r io.Reader) error {
		switch {
		case name == backupDump:
			f, err := os.OpenFile(dump, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
			if err != nil {
				return err
			}
			if _, err := io.Copy(f, r); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			// Restored before the files, so that a refusal by pg_restore writes none.
			return pg.run(ctx, "pg_restore", "--no-password", "--dbname="+pg.dbname, "--clean", "--if-exists", "--no-owner", "--no-acl",
				"--single-transaction", "--exit-on-error", dump)
		case strings.HasPrefix(name, backupFiles):
			sum, _ := archiveSum(name) // checked by checkArchive
			data, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			if err := db.PutFile(ctx, sum, data); err != nil {
				return fmt.Errorf("%s: %s: %w", file, name, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	schema := "up to date"
	if err := db.CheckSchema(ctx); errors.Is(err, store.ErrOldSchema) {
		schema = "older than this program: run aduan migrate before aduan serve"
	} else if err != nil {
		return err
	}
	got, err := db.Counts(ctx)
	if err != nil {
		return err
	}
	if got != m.Counts {
		return fmt.Errorf("restored %d complaints, %d audit events, %d attachments; the backup holds %d, %d, %d",
			got.Complaints, got.AuditEvents, got.Attachments, m.Counts.Complaints, m.Counts.AuditEvents, m.Counts.Attachments)
	}
	verified, err := db.VerifyFiles(ctx)
	if err != nil {
		return err
	}
	if err := db.LogAccess(ctx, operator(e, *as), store.AccessRestore, 0, e.clock.Now()); err != nil {
		return err
	}
	keys := "not in the backup: link the number again with aduan whatsapp link"
	if m.WhatsAppKeys {
		keys = "restored"
	}
	fmt.Fprintf(e.stdout, "restored %s (backup of %s): %d complaints, %d audit events, %d attachments verified against their SHA-256; schema %s; WhatsApp keys %s\n",
		file, m.Created.Format(time.RFC3339), got.Complaints, got.AuditEvents, verified, schema, keys)
	return nil
}

// checkArchive reads the whole backup file before anything is restored: it must hold
// the dump, and every attachment file its manifest counts, each matching its SHA-256.
func checkArchive(file string, m manifest) error {
	files, dump := 0, false
	err := eachEntry(file, func(name string, r io.Reader) error {
		switch {
		case name == backupDump:
			dump = true
		case strings.HasPrefix(name, backupFiles):
			sum, ok := archiveSum(name)
			if !ok {
				return fmt.Errorf("%s: unexpected entry %s (the file is damaged)", file, name)
			}
			h := sha256.New()
			if _, err := io.Copy(h, r); err != nil {
				return fmt.Errorf("%s: %s: %w", file, name, err)
			}
			if [sha256.Size]byte(h.Sum(nil)) != sum {
				return fmt.Errorf("%s: %s does not match its SHA-256 (the file is damaged); nothing was restored", file, name)
			}
			files++
		}
		return nil
	})
	switch {
	case err != nil:
		return err
	case !dump:
		return fmt.Errorf("%s holds no %s (the file is damaged or cut short); nothing was restored", file, backupDump)
	case files != m.Files:
		return fmt.Errorf("%s: %d attachment files in the archive, its manifest says %d (the file is damaged or cut short); nothing was restored", file, files, m.Files)
	}
	return nil
}

// readManifest reads the manifest that opens a backup file.
func readManifest(file string) (manifest, error) {
	var m manifest
	found := errors.New("found")
	err := eachEntry(file, func(name string, r io.Reader) error {
		if name != backupManifest {
			return fmt.Errorf("%s is not a backup written by aduan backup (it starts with %s)", file, name)
		}
		if err := json.NewDecoder(r).Decode(&m); err != nil {
			return fmt.Errorf("%s: %s: %w", file, backupManifest, err)
		}
		return found
	})
	switch {
	case err == nil:
		return m, fmt.Errorf("%s is empty: not a backup written by aduan backup", file)
	case !errors.Is(err, found):
		return m, err
	case m.Format != backupFormat:
		return m, fmt.Errorf("%s is a backup of format %q; this program reads %q", file, m.Format, backupFormat)
	}
	return m, nil
}

// eachEntry calls fn with each regular file of the tar archive file, in order, until
// fn returns an error.
func eachEntry(file string, fn func(name string, r io.Reader) error) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: not a readable backup: %w", file, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if err := fn(path.Clean(h.Name), tr); err != nil {
			return err
		}
	}
}

// archiveSum returns the SHA-256 an archive path names (see archivePath).
func archiveSum(name string) ([sha256.Size]byte, bool) {
	var sum [sha256.Size]byte
	h := path.Base(name)
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != len(sum) || name != archivePath([sha256.Size]byte(b)) {
		return sum, false
	}
	copy(sum[:], b)
	return sum, true
}

// pgConn is how pg_dump and pg_restore reach the desk's database: the connection
// parameters of DATABASE_URL as libpq's environment variables (the password in
// PGPASSWORD), so that nothing secret is on their command line, where ps shows it.
type pgConn struct {
	env      []string // PGHOST=…, PGPASSWORD=…, added to this process's environment
	dbname   string
	password string
}

// libpqEnv maps the connection parameters pg_dump understands to their variables;
// parameters only pgx knows (pool_max_conns…) are left out.
var libpqEnv = map[string]string{
	"host": "PGHOST", "hostaddr": "PGHOSTADDR", "port": "PGPORT", "dbname": "PGDATABASE", "user": "PGUSER",
	"password": "PGPASSWORD", "passfile": "PGPASSFILE", "service": "PGSERVICE", "options": "PGOPTIONS",
	"application_name": "PGAPPNAME", "connect_timeout": "PGCONNECT_TIMEOUT", "sslmode": "PGSSLMODE",
	"sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "sslrootcert": "PGSSLROOTCERT", "sslcrl": "PGSSLCRL",
	"sslsni": "PGSSLSNI", "gssencmode": "PGGSSENCMODE", "krbsrvname": "PGKRBSRVNAME",
	"channel_binding": "PGCHANNELBINDING", "target_session_attrs": "PGTARGETSESSIONATTRS",
	"require_auth": "PGREQUIREAUTH",
}

// pgTool parses a PostgreSQL URL (postgres://…) or key=value DSN into a pgConn.
func pgTool(dbURL string) (pgConn, error) {
	params, err := connParams(dbURL)
	if err != nil {
		return pgConn{}, fmt.Errorf("DATABASE_URL: %w", err)
	}
	var c pgConn
	params["application_name"] = "aduan-backup"
	for k, v := range params {
		if name, ok := libpqEnv[k]; ok {
			c.env = append(c.env, name+"="+v)
		}
	}
	c.dbname, c.password = params["dbname"], params["password"]
	if c.dbname == "" {
		c.dbname = params["user"]
	}
	return c, nil
}

// run runs a PostgreSQL client tool with the connection's environment; its error
// quotes the tool's last words (never the password).
func (c pgConn) run(ctx context.Context, tool string, args ...string) error {
	bin, err := exec.LookPath(tool)
	if err != nil {
		return fmt.Errorf("%s not found on PATH: install the PostgreSQL client tools (15 or newer)", tool)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), c.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		said := strings.TrimSpace(out.String())
		if c.password != "" {
			said = strings.ReplaceAll(said, c.password, "…")
		}
		if len(said) > 2000 {
			said = "…" + said[len(said)-2000:]
		}
		return fmt.Errorf("%s failed (%v): %s", tool, err, said)
	}
	return nil
}

// connParams returns the parameters of a URL or DSN, percent-decoded or unquoted.
func connParams(s string) (map[string]string, error) {
	p := map[string]string{}
	rest, isURL := strings.CutPrefix(s, "postgres://")
	if !isURL {
		rest, isURL = strings.CutPrefix(s, "postgresql://")
	}
	if !isURL {
		return p, parseDSN(s, p)
	}
	rest, query, _ := strings.Cut(rest, "?")
	authority, db, _ := strings.Cut(rest, "/")
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		user, pass, hasPass := strings.Cut(authority[:i], ":")
		var err error
		if p["user"], err = url.PathUnescape(user); err != nil {
			return nil, errors.New("unreadable user name")
		}
		if hasPass {
			if p["password"], err = url.PathUnescape(pass); err != nil {
				return nil, errors.New("unreadable password")
			}
		}
		authority = authority[i+1:]
	}
	var hosts, ports []string
	for _, hp := range strings.Split(authority, ",") {
		if hp == "" {
			continue
		}
		host, port := hp, ""
		if strings.HasPrefix(hp, "[") { // [::1]:5432
			if end := strings.Index(hp, "]"); end > 0 {
				host, port = hp[1:end], strings.TrimPrefix(hp[end+1:], ":")
			}
		} else if i := strings.LastIndex(hp, ":"); i >= 0 {
			host, port = hp[:i], hp[i+1:]
		}
		h, err := url.PathUnescape(host)
		if err != nil {
			return nil, errors.New("unreadable host")
		}
		hosts, ports = append(hosts, h), append(ports, port)
	}
	if len(hosts) > 0 {
		p["host"] = strings.Join(hosts, ",")
		if strings.Join(ports, "") != "" {
			p["port"] = strings.Join(ports, ",")
		}
	}
	if db != "" {
		d, err := url.PathUnescape(db)
		if err != nil {
			return nil, errors.New("unreadable database name")
		}
		p["dbname"] = d
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, errors.New("unreadable parameters")
	}
	for k, v := range q {
		p[k] = v[len(v)-1]
	}
	return p, nil
}

// parseDSN reads key=value pairs, values optionally single-quoted with \' and \\.
func parseDSN(s string, p map[string]string) error {
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		key, rest, ok := strings.Cut(s, "=")
		if !ok {
			return errors.New("want a postgres:// URL or key=value pairs")
		}
		key, rest = strings.TrimSpace(key), strings.TrimLeft(rest, " \t")
		var val strings.Builder
		if strings.HasPrefix(rest, "'") {
			i, closed := 1, false
			for ; i < len(rest); i++ {
				if rest[i] == '\\' && i+1 < len(rest) {
					i++
					val.WriteByte(rest[i])
					continue
				}
				if rest[i] == '\'' {
					closed = true
					break
				}
				val.WriteByte(rest[i])
			}
			if !closed {
				return errors.New("unterminated quoted value")
			}
			rest = rest[i+1:]
		} else {
			end := strings.IndexAny(rest, " \t")
			if end < 0 {
				end = len(rest)
			}
			val.WriteString(rest[:end])
			rest = rest[end:]
		}
		p[key] = val.String()
		s = rest
	}
	return nil
}
