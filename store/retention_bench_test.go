package store_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
)

// BenchmarkRetention measures the retention sweep over closed complaints whose period
// has ended, 100,000 and 1,000,000 of them (-short: 100,000 only), each with the five
// audit events of a complaint answered and closed, its own chat and an attachment,
// in transactions of 1,000, by one worker and by two at once; the goal is 5,000 complaints/s or more. Meanwhile one
// client files complaints without pause: their latency shows that the sweep holds no
// lock filing waits for (file_p99_ms, file_max_ms; file_alone_p99_ms the same client
// filing for 10 s before, alone). The data is made in SQL, copies of
// a complaint filed and worked through the store. Run it with -benchtime=1x (each
// iteration after the first finds nothing to do); `ONLY=retention scripts/bench.sh` runs
// closed=1000k/workers=2.
func BenchmarkRetention(b *testing.B) {
	for _, total := range []int{100_000, 1_000_000} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("closed=%dk/workers=%d", total/1000, workers), func(b *testing.B) {
				if testing.Short() && total > 100_000 {
					b.Skip("-short: 1M complaints take minutes to load")
				}
				benchRetention(b, total, workers)
			})
		}
	}
}

func benchRetention(b *testing.B, total, workers int) {
	start := time.Now()
	db, rules := benchStore(b, 0)
	at := func(v string) time.Time { return flowstest.At(b, v) }
	ref, err := db.SaveFile(ctx, store.Telegram, "", "f", "ktp.jpg", "image/jpeg", []byte("foto ktp"), at("2024-06-03 09:00"))
	if err != nil {
		b.Fatal(err)
	}
	r := flowstest.Report()
	r.Attachment = []flows.Attachment{{Kind: "photo", Ref: ref, Name: "ktp.jpg", Size: 8}}
	c, err := db.File(ctx, rules, "TP", r, at("2024-06-03 09:00"))
	if err != nil {
		b.Fatal(err)
	}
	nat, reg, agy := flowstest.Member(flowstest.National), flowstest.Member(flowstest.Regency), flowstest.Member(flowstest.Agency)
	for _, ev := range []flows.Event{
		{Kind: flows.EvRoute, Actor: nat, Target: flowstest.Regency},
		{Kind: flows.EvDistribute, Actor: reg, Target: flowstest.Agency},
		{Kind: flows.EvAnswer, Actor: agy, Text: "Ibu Budi, KK Anda sudah dicetak."},
		{Kind: flows.EvSatisfied, Actor: flowstest.Complainant},
	} {
		if _, err := db.Apply(ctx, rules, c.ID, 0, ev, at("2024-06-04 10:00")); err != nil {
			b.Fatal(err)
		}
	}
	if ref != "file:1" {
		b.Fatalf("the template's file is %s, want file:1 (the copies are file:2…)", ref)
	}
	cols := strings.Replace(cloneColumns, "attachments,", "", 1)
	var auditCols string
	if err := db.Pool().QueryRow(ctx, `SELECT string_agg('a.' || column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns
WHERE table_name = 'audit_event' AND column_name NOT IN ('id', 'complaint_id')`).Scan(&auditCols); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE bench_tpl AS SELECT * FROM complaint WHERE id = $1::bigint`,
		`INSERT INTO attachment_file (channel, file_ref, name, mime, size, sha256, data, created_at)
SELECT channel, file_ref || g, name, mime, size, sha256, data, created_at FROM attachment_file, generate_series(1, $2::int) g WHERE id = $1::bigint`,
		`INSERT INTO complaint (tracking, contact_chat, attachments, ` + cols + `)
SELECT 'BR-' || g, 'c' || g, jsonb_build_array(jsonb_build_object('Kind', 'photo', 'Ref', 'file:' || (g + 1), 'Name', 'ktp.jpg', 'Size', 8)), ` + cols + `
FROM generate_series(1, $2::int) g, bench_tpl WHERE bench_tpl.id = $1::bigint ORDER BY g`,
		// The copies' events keep the template's hashes when the trail is chained
		// (migration 00012): its trigger would take a lock per complaint; the sweep
		// reads the hash of each complaint's last event only to chain its own.
		`DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'audit_event_chain') THEN
	ALTER TABLE audit_event DISABLE TRIGGER audit_event_chain; END IF; END $$`,
		`INSERT INTO audit_event (complaint_id, ` + strings.ReplaceAll(auditCols, "a.", "") + `)
SELECT c.id, ` + auditCols + ` FROM complaint c, audit_event a WHERE c.tracking LIKE 'BR-%' AND a.complaint_id = $1::bigint ORDER BY c.id, a.id`,
		`DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'audit_event_chain') THEN
	ALTER TABLE audit_event ENABLE TRIGGER audit_event_chain; END IF; END $$`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, c.ID)
		}
		if strings.Contains(q, "$2") {
			args = append(args, total)
		}
		if _, err := db.Pool().Exec(ctx, q, args...); err != nil {
			b.Fatalf("%.60s: %v", q, err)
		}
	}
	for _, q := range []string{`VACUUM (ANALYZE)`, `CHECKPOINT`} {
		if _, err := db.Pool().Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("loaded %d closed complaints in %s", total, time.Since(start).Round(time.Second))

	now := at("2026-11-30 09:00")
	// The same client alone first, for the latency of filing without the sweep.
	var base []time.Duration
	for t0 := time.Now(); time.Since(t0) < 10*time.Second; {
		t1 := time.Now()
		if _, err := db.File(ctx, rules, "NB", flowstest.Report(), now); err != nil {
			b.Fatal(err)
		}
		base = append(base, time.Since(t1))
	}
	slices.Sort(base)
	opt := store.RetentionOptions{After: 730 * 24 * time.Hour, Keep: 30 * 24 * time.Hour, Workers: workers}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var lat []time.Duration
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			t0 := time.Now()
			if _, err := db.File(ctx, rules, "NW", flowstest.Report(), now); err != nil {
				b.Error(err)
				return
			}
			lat = append(lat, time.Since(t0))
		}
	}()
	b.ResetTimer()
	var first time.Duration
	var rep store.RetentionReport
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		got, err := db.Retain(ctx, opt, now)
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			first, rep = time.Since(t0), got
		}
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	if rep.Anonymised != total+1 {
		b.Fatalf("anonymised %d, want %d", rep.Anonymised, total+1)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(rep.Anonymised)/first.Seconds(), "complaints/s")
	b.ReportMetric(first.Seconds(), "s/sweep")
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "file_p99_ms")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "file_max_ms")
		b.ReportMetric(float64(len(lat)), "filed")
	}
	b.ReportMetric(float64(base[len(base)*99/100].Microseconds())/1000, "file_alone_p99_ms") // after ResetTimer, which drops metrics
}
