// Package storetest gives each test a fresh database, cloned from a template that is
// migrated once per set of migrations. It needs DATABASE_URL to name a PostgreSQL
// server where it may create databases (scripts/test.sh provides one); without it the
// test fails, never skips.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
	"aduan/store"
)

// templateLock is the advisory-lock key that serialises template creation across test
// processes.
const templateLock = 0x616475616e7470

var (
	once     sync.Once
	template string
	setupErr error
)

// AdminURL returns DATABASE_URL, failing the test when it is unset.
func AdminURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		tb.Fatal("DATABASE_URL is not set: run the tests with scripts/test.sh, which starts PostgreSQL")
	}
	return url
}

// New returns a store on a fresh database that is dropped when the test ends, and the
// database's URL.
func New(tb testing.TB) (*store.DB, string) {
	tb.Helper()
	admin := AdminURL(tb)
	ctx := context.Background()
	once.Do(func() { template, setupErr = ensureTemplate(ctx, admin) })
	if setupErr != nil {
		tb.Fatalf("storetest: template database: %v", setupErr)
	}
	name := "aduan_test_" + rand.Text()[:12]
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		tb.Fatalf("storetest: connect %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %q TEMPLATE %q`, name, template)); err != nil {
		tb.Fatalf("storetest: create database: %v", err)
	}
	url := withDatabase(tb, admin, name)
	db, err := store.Open(ctx, url)
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(func() {
		db.Close()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			tb.Errorf("storetest: drop %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		// A desk run on the database without a chat channel made its practice desk's
		// database beside it (cmd/aduan, --practice auto): it goes too.
		for _, n := range []string{name, name + "_latihan"} {
			if _, err := c.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %q WITH (FORCE)`, n)); err != nil {
				tb.Errorf("storetest: drop %s: %v", n, err)
			}
		}
	})
	return db, url
}

// NewWithUnits returns a fresh store with the flowstest-like units given applied and
// the built-in calendar seeded.
func NewWithUnits(tb testing.TB, units []flows.Unit) *store.DB {
	tb.Helper()
	db, _ := New(tb)
	dir, err := flows.NewDirectory(units)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.ApplyUnits(context.Background(), dir, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		tb.Fatal(err)
	}
	return db
}

func withDatabase(tb testing.TB, url, name string) string {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		tb.Fatalf("storetest: DATABASE_URL: %v", err)
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name) + password(cfg)
}

func password(cfg *pgx.ConnConfig) string {
	if cfg.Password == "" {
		return ""
	}
	return "&password=" + cfg.Password
}

// ensureTemplate creates, once per migration set, a database with every migration and
// the built-in holidays applied, and returns its name.
func ensureTemplate(ctx context.Context, admin string) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(store.Migrations(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(store.Migrations(), path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	if err != nil {
		return "", err
	}
	for _, hd := range flows.BuiltinHolidays() {
		fmt.Fprintln(h, hd.Date, hd.Kind)
	}
	name := "aduan_tpl_" + hex.EncodeToString(h.Sum(nil))[:16]

	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(templateLock)); err != nil {
		return "", err
	}
	defer conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, int64(templateLock))
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := conn.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %q WITH (FORCE)`, building)); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %q`, building)); err != nil {
		return "", err
	}
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		return "", err
	}
	url := fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, building) + password(cfg)
	db, err := store.Open(ctx, url)
	if err != nil {
		return "", err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return "", err
	}
	if _, err := db.SeedHolidays(ctx, flows.BuiltinHolidays(), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		db.Close()
		return "", err
	}
	db.Close()
	if _, err := conn.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %q RENAME TO %q`, building, name)); err != nil {
		return "", err
	}
	return name, nil
}

// SilentServer accepts connections and never answers, as a stuck server or a wrong
// port behind a proxy does. It returns its address; the
// listener and every connection close when the test ends.
func SilentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// LogBuffer is a bytes.Buffer safe for concurrent writers and readers: the log of a
// store or a desk under test.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Empty creates a database without any table, dropped when the test ends, and returns
// its URL: for what the desk does with a database that was never migrated.
func Empty(tb testing.TB) string {
	tb.Helper()
	admin := AdminURL(tb)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	name := "aduan_empty_" + strings.ToLower(rand.Text()[:12])
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %q`, name)); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			tb.Errorf("drop %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, fmt.Sprintf(`DROP DATABASE %q WITH (FORCE)`, name)); err != nil {
			tb.Errorf("drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
