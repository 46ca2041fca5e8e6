package store_test

import (
	"context"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
	"aduan/store/storetest"
)

// sqlTrace records the statements a store sends and the round trips they take: a
// batch is one, a query outside a batch one more. It also keeps each batch's
// statements with their arguments (BenchmarkApplyReplay sends them again).
type sqlTrace struct {
	mu      sync.Mutex
	sql     []string
	trips   int
	batches [][]pgx.QueuedQuery
}

func (t *sqlTrace) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sql = append(t.sql, d.SQL)
	t.trips++
	return ctx
}

func (t *sqlTrace) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (t *sqlTrace) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	t.mu.Lock()
	defer t.mu.Unlock()
	kept := make([]pgx.QueuedQuery, 0, len(d.Batch.QueuedQueries))
	for _, q := range d.Batch.QueuedQueries {
		t.sql = append(t.sql, q.SQL)
		kept = append(kept, pgx.QueuedQuery{SQL: q.SQL, Arguments: q.Arguments})
	}
	t.batches = append(t.batches, kept)
	t.trips++
	return ctx
}

func (t *sqlTrace) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (t *sqlTrace) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// take returns what was recorded since the last take, and forgets it.
func (t *sqlTrace) take() ([]string, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	sql, trips := t.sql, t.trips
	t.sql, t.trips, t.batches = nil, 0, nil
	return sql, trips
}

// takeBatches returns the batches recorded since the last take, and forgets what was
// recorded.
func (t *sqlTrace) takeBatches() [][]pgx.QueuedQuery {
	t.mu.Lock()
	defer t.mu.Unlock()
	batches := t.batches
	t.sql, t.trips, t.batches = nil, 0, nil
	return batches
}

// pgbenchStatements returns the SQL statements of a pgbench script, without comments,
// meta-commands (\set) and the \gset or \aset that ends a statement.
func pgbenchStatements(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var cur strings.Builder
	for line := range strings.SplitSeq(string(data), "\n") {
		trim := strings.TrimSpace(line)
		if trim == "" || strings.HasPrefix(trim, "--") || strings.HasPrefix(trim, `\`) {
			continue
		}
		end := false
		if i := strings.LastIndex(line, ` \`); i >= 0 && regexp.MustCompile(`^ \\[ga]set\b`).MatchString(line[i:]) {
			line, end = line[:i], true
		}
		if s, ok := strings.CutSuffix(strings.TrimRight(line, " \t"), ";"); ok {
			line, end = s, true
		}
		cur.WriteString(line + "\n")
		if end {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		t.Fatalf("%s: a statement without an end: %q", path, cur.String())
	}
	return out
}

// storePattern matches the store's statement sql with each $n standing for whatever
// pgbench writes in its place, and any whitespace for any whitespace.
func storePattern(sql string) *regexp.Regexp {
	parts := regexp.MustCompile(`\$\d+`).Split(strings.TrimSpace(sql), -1)
	ws := regexp.MustCompile(`\s+`)
	for i, p := range parts {
		parts[i] = ws.ReplaceAllString(regexp.QuoteMeta(p), `\s+`)
	}
	return regexp.MustCompile(`(?s)^` + strings.Join(parts, `\s*[^;]+?\s*`) + `$`)
}

// TestPgbenchScripts checks that bench/pgbench/file.sql and route.sql, the baseline of
// docs/PERFORMANCE.md, run the statements DB.File and DB.Apply send, in the same order
// (the store's SQL with $n replaced), and that the store sends them in one round trip
// (File) and two (Apply).
func TestPgbenchScripts(t *testing.T) {
	_, url := storetest.New(t)
	tr := &sqlTrace{}
	// One connection, so that the second run finds its statements prepared.
	db, err := store.OpenTraced(ctx, url+"&pool_max_conns=1", tr)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir, err := flows.NewDirectory(flowstest.Units())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyUnits(ctx, dir, flowstest.At(t, "2026-01-01 00:00")); err != nil {
		t.Fatal(err)
	}
	rules, err := db.Rules(ctx, flows.DefaultPolicy(), flowstest.Zone(t), flows.DefaultWeekHours())
	if err != nil {
		t.Fatal(err)
	}
	filed := flowstest.At(t, "2026-12-01 09:00")
	route := flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}
	for run := range 2 {
		tr.take()
		c, err := db.File(ctx, rules, "KR", flowstest.Report(), filed)
		if err != nil {
			t.Fatal(err)
		}
		fileSQL, fileTrips := tr.take()
		if _, err := db.Apply(ctx, rules, c.ID, c.Version, route, filed.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		applySQL, applyTrips := tr.take()
		if run == 0 {
			continue // the statements were prepared: an extra round trip each
		}
		for _, s := range []struct {
			script string
			sent   []string
		}{{"file.sql", fileSQL}, {"route.sql", applySQL}} {
			script := pgbenchStatements(t, "../bench/pgbench/"+s.script)
			if len(script) != len(s.sent) {
				t.Errorf("%s has %d statements, the store sent %d:\n%s", s.script, len(script), len(s.sent), strings.Join(s.sent, ";\n"))
				continue
			}
			for i, sql := range s.sent {
				if !storePattern(sql).MatchString(script[i]) {
					t.Errorf("%s, statement %d:\n%s\ndoes not run the store's\n%s", s.script, i+1, script[i], strings.TrimSpace(sql))
				}
			}
		}
		if fileTrips != 1 || applyTrips != 2 {
			t.Errorf("round trips: File %d, Apply %d; want 1 and 2", fileTrips, applyTrips)
		}
	}
}
