package store_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"aduan/store"
	"aduan/store/storetest"
)

func TestOpenGivesUpOnASilentServer(t *testing.T) {
	t.Parallel()
	addr := storetest.SilentServer(t)
	start := time.Now()
	_, err := store.Open(context.Background(), "postgres://aduan@"+addr+"/aduan?sslmode=disable&connect_timeout=1")
	if err == nil {
		t.Fatal("Open of a server that never answers succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Open gave up after %s, want about the 1s connect_timeout", d)
	}
	host, port, _ := net.SplitHostPort(addr)
	for _, want := range []string{"did not answer within 1s", host + ":" + port} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Open error lacks %q: %v", want, err)
		}
	}
}

func TestCheckSchemaCreatesNothing(t *testing.T) {
	t.Parallel()
	db, err := store.Open(ctx, storetest.Empty(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); !errors.Is(err, store.ErrOldSchema) {
		t.Fatalf("CheckSchema of a database never migrated = %v, want ErrOldSchema", err)
	}
	var tables int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("CheckSchema left %d tables in a database it only checked", tables)
	}
}

func TestStoreLogsThroughItsLogger(t *testing.T) {
	t.Parallel()
	_, u := storetest.New(t)
	var buf storetest.LogBuffer
	db, err := store.Open(ctx, u, store.WithLog(slog.New(slog.NewJSONHandler(&buf, nil))))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		db.Lead(lctx, 0x6f7073, 10*time.Millisecond, func(context.Context) error { return errors.New("job failed") })
	}()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(buf.String(), "leadership ended") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	line, _, _ := strings.Cut(buf.String(), "\n")
	if !strings.Contains(line, `"msg":"leadership ended"`) || !strings.Contains(line, "job failed") {
		t.Errorf("the store's logger got %q, want a JSON line about the leadership", line)
	}
}
