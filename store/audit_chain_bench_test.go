package store_test

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"aduan/store"
	"aduan/store/storetest"
)

// BenchmarkAuditVerify checks the audit chains of 1,000,000 closed complaints, five
// events each (10,000 with -short), made by bench/pgbench/audit.sql, as `aduan audit
// verify` does (docs/PERFORMANCE.md, goal under 60 s).
func BenchmarkAuditVerify(b *testing.B) {
	n := 1000000
	if testing.Short() {
		n = 10000
	}
	db, _ := storetest.New(b)
	script, err := os.ReadFile("../bench/pgbench/audit.sql")
	if err != nil {
		b.Fatal(err)
	}
	conn, err := db.Pool().Acquire(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Release()
	start := time.Now()
	for _, stmt := range strings.Split(strings.ReplaceAll(string(script), ":ncomplaints", strconv.Itoa(n)), ";\n") {
		if strings.TrimSpace(stripComments(stmt)) == "" {
			continue
		}
		if _, err := conn.Conn().PgConn().Exec(ctx, stmt).ReadAll(); err != nil {
			b.Fatalf("%s: %v", stmt, err)
		}
	}
	b.Logf("%d complaints, %d events made in %s", n, 5*n, time.Since(start).Round(time.Second))
	var got store.AuditCheck
	b.ResetTimer()
	for b.Loop() {
		if got, err = db.VerifyAudit(ctx, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if !got.OK() || got.Complaints != int64(n) || got.Events != int64(5*n) {
		b.Fatalf("verify = %+v", got)
	}
	b.ReportMetric(float64(got.Events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/verify")
}

func stripComments(sql string) string {
	var out []string
	for line := range strings.SplitSeq(sql, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
