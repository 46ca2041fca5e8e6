package store_test

// Benchmarks behind docs/PERFORMANCE.md; scripts/bench.sh runs them next to pgbench.
//
//   BenchmarkFile, BenchmarkApply  filing and routing throughput with `clients`
//                                  goroutines, the client count pgbench is given;
//   BenchmarkSweep                 the every-minute sweep over 100k and 1M stored
//                                  complaints with 0, 1,000 and 10,000 of them due;
//   BenchmarkReceiptLookup         finding what a quoted message was (its complaint,
//                                  the pending action it prompted) among 2M delivered.
//
// Each benchmark has a database of its own, cloned from the migrated template; the
// throughput benchmarks keep theirs for all their runs (see throughputDB).

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
	"aduan/store/storetest"
)

// clients is the number of concurrent callers, and of pool connections, in the
// throughput benchmarks: scripts/bench.sh runs pgbench with -c 8 to match.
const clients = 8

// benchStore returns a fresh database with the fixture units, its rules, and a store on
// it whose pool holds conns connections (0: the store's default).
func benchStore(b *testing.B, conns int) (*store.DB, *flows.Rules) {
	b.Helper()
	base, url := mustUnitsDB(b)
	db := base
	if conns > 0 {
		db = openPool(b, url, conns)
	}
	return db, mustRules(b, db)
}

// mustUnitsDB returns a fresh database with the fixture units, and its URL.
func mustUnitsDB(tb testing.TB) (*store.DB, string) {
	tb.Helper()
	db, url := storetest.New(tb)
	dir, err := flows.NewDirectory(flowstest.Units())
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.ApplyUnits(ctx, dir, flowstest.At(tb, "2026-01-01 00:00")); err != nil {
		tb.Fatal(err)
	}
	return db, url
}

func mustRules(tb testing.TB, db *store.DB) *flows.Rules {
	tb.Helper()
	rules, err := db.Rules(ctx, flows.DefaultPolicy(), flowstest.Zone(tb), flows.DefaultWeekHours())
	if err != nil {
		tb.Fatal(err)
	}
	return rules
}

// openPool opens a store on url whose pool holds conns connections (0: the store's
// default), closed when the benchmark ends.
func openPool(b *testing.B, url string, conns int) *store.DB {
	b.Helper()
	if conns > 0 {
		url = fmt.Sprintf("%s&pool_max_conns=%d", url, conns)
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	return db
}

// pools names the pool sizes the throughput benchmarks run with: as many connections
// as clients, and the store's own default (pool=default: 16 unless the URL sets
// pool_max_conns).
func pools() map[string]int {
	return map[string]int{fmt.Sprintf("pool=%d", clients): clients, "pool=default": 0}
}

// throughputDB is the database of one throughput benchmark, made before its
// sub-benchmarks and kept for all their runs (b.N = 1, 100, …): dropping a database
// makes PostgreSQL checkpoint at once, and after a checkpoint every page's first change
// writes a full page image to the WAL, so a database per run would start each timed
// run on a fresh checkpoint. Runs share it as pgbench's rounds share theirs.
type throughputDB struct {
	base  *store.DB // for loading data
	url   string
	rules *flows.Rules
	used  int // operations of the runs so far, so that a run does not redo an earlier one's
}

func newThroughputDB(b *testing.B) *throughputDB {
	b.Helper()
	base, url := mustUnitsDB(b)
	return &throughputDB{base: base, url: url, rules: mustRules(b, base)}
}

// store opens a pool of conns connections (0: the store's default) and connects
// `clients` of them before the timer starts, as pgbench connects before it times.
func (t *throughputDB) store(b *testing.B, conns int) *store.DB {
	b.Helper()
	db := openPool(b, t.url, conns)
	held := make([]*pgxpool.Conn, 0, clients)
	for range clients {
		c, err := db.Pool().Acquire(ctx)
		if err != nil {
			b.Fatal(err)
		}
		held = append(held, c)
	}
	for _, c := range held {
		c.Release()
	}
	return db
}

// vacuum vacuums and analyses the tables a throughput benchmark writes, as
// bench/pgbench/setup.sql does pgbench's, so that autovacuum does not start on them
// while the timer runs.
func (t *throughputDB) vacuum(b *testing.B) {
	b.Helper()
	if _, err := t.base.Pool().Exec(ctx, `VACUUM (ANALYZE) complaint, card, outbox, audit_event`); err != nil {
		b.Fatal(err)
	}
}

// parallel runs op for i in [0, n) on `clients` goroutines and reports the rate as
// tx/s, one transaction per op; the CPU time per transaction of this process
// (store-µs/tx: the store, pgx and the runtime) and of the whole machine (machine-µs/tx:
// PostgreSQL too, and whatever else runs); and the WAL written per transaction
// (wal-B/tx, the whole cluster's). Only this part is timed.
func (t *throughputDB) parallel(b *testing.B, n int, op func(i int) error) {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	var first atomic.Pointer[error]
	b.ResetTimer()
	wal := t.walPosition(b)
	self, machine := processCPU(b), machineCPU(b)
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || first.Load() != nil {
					return
				}
				if err := op(i); err != nil {
					first.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	self, machine = processCPU(b)-self, machineCPU(b)-machine
	b.StopTimer()
	wal = t.walPosition(b) - wal
	if err := first.Load(); err != nil {
		b.Fatal(*err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "tx/s")
	b.ReportMetric(float64(self.Microseconds())/float64(b.N), "store-µs/tx")
	b.ReportMetric(float64(machine.Microseconds())/float64(b.N), "machine-µs/tx")
	b.ReportMetric(float64(wal)/float64(b.N), "wal-B/tx")
}

// walPosition is where the cluster's next WAL record will be written, in bytes.
func (t *throughputDB) walPosition(b *testing.B) int64 {
	var pos int64
	if err := t.base.Pool().QueryRow(ctx, `SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint`).Scan(&pos); err != nil {
		b.Fatal(err)
	}
	return pos
}

// processCPU is the CPU time this process has used, user and system.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// machineCPU is the CPU time all processors of the machine have been busy since boot
// (user, nice, system, irq and softirq in /proc/stat, counted in USER_HZ = 100 ticks).
func machineCPU(b *testing.B) time.Duration {
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		b.Fatal(err)
	}
	line, _, _ := strings.Cut(string(stat), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq …
	if len(f) < 8 || f[0] != "cpu" {
		b.Fatalf("/proc/stat begins %q", line)
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7} {
		v, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			b.Fatalf("/proc/stat: %v", err)
		}
		ticks += v
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// BenchmarkFile files complaints from `clients` goroutines: per op one DB.File, that is
// one transaction inserting the complaint, its audit event, two outbox rows and the
// national group's card. The pool=default variant uses the store's default pool.
func BenchmarkFile(b *testing.B) {
	t := newThroughputDB(b)
	for name, conns := range pools() {
		b.Run(name, func(b *testing.B) {
			t.vacuum(b)
			db := t.store(b, conns)
			first := t.used
			t.used += b.N
			base := flowstest.At(b, "2026-12-01 08:00")
			t.parallel(b, b.N, func(i int) error {
				i += first
				report := flowstest.Report()
				report.Contact.Chat = strconv.Itoa(1 + i%50000) // as many complainants as the pgbench script
				// One minute apart: about 1,440 filings a day keeps tracking numbers
				// (390,625 a day) from colliding often.
				_, err := db.File(ctx, t.rules, "KR", report, base.Add(time.Duration(i)*time.Minute))
				return err
			})
		})
	}
}

// BenchmarkApply routes complaints from `clients` goroutines, the transition
// bench/pgbench/route.sql runs: each op is one DB.Apply in which the national admin
// routes a submitted complaint to the regency (lock, cards read, compare-and-set,
// audit event, three outbox rows, the regency's card). The submitted complaints, with
// the card of the national group, are copied in SQL from one filed through the store,
// before the timer starts; each is routed once. The complaints routed by earlier runs
// stay in the database, as pgbench's stay in its.
func BenchmarkApply(b *testing.B) {
	t := newThroughputDB(b)
	tpl, route, at := t.routing(b)
	for name, conns := range pools() {
		b.Run(name, func(b *testing.B) {
			ids := t.clones(b, "AP", b.N, tpl)
			t.vacuum(b)
			db := t.store(b, conns)
			t.parallel(b, len(ids), func(i int) error {
				_, err := db.Apply(ctx, t.rules, ids[i], 0, route, at)
				return err
			})
		})
	}
}

// BenchmarkApplyReplay is BenchmarkApply without the store's own work: the two batches
// that one DB.Apply of the same routing sent (recorded by sqlTrace) are sent again
// through pgx for each complaint, its ID and its complainant's chat put in, their
// results read and dropped. No rules, deadlines, pseudonyms or messages are computed,
// nothing is scanned: what is left is pgx's, the Go runtime's and PostgreSQL's part of
// a transition, to set beside pgbench's route.sql, which also replays values fixed in
// advance.
func BenchmarkApplyReplay(b *testing.B) {
	t := newThroughputDB(b)
	tpl, route, at := t.routing(b)
	tr := &sqlTrace{}
	traced, err := store.OpenTraced(ctx, t.url, tr)
	if err != nil {
		b.Fatal(err)
	}
	defer traced.Close()
	for name, conns := range pools() {
		b.Run(name, func(b *testing.B) {
			ids := t.clones(b, "AR", b.N+1, tpl)
			from := cloneOf(ids, b.N) // routed once through the store, its batches recorded
			tr.take()
			if _, err := traced.Apply(ctx, t.rules, from.id, 0, route, at); err != nil {
				b.Fatal(err)
			}
			batches := tr.takeBatches()
			if len(batches) != 2 {
				b.Fatalf("DB.Apply sent %d batches, not 2", len(batches))
			}
			t.vacuum(b)
			db := t.store(b, conns)
			t.parallel(b, b.N, func(i int) error {
				pc, err := db.Pool().Acquire(ctx)
				if err != nil {
					return err
				}
				defer pc.Release()
				for _, qs := range batches {
					var batch pgx.Batch
					for _, q := range qs {
						batch.Queue(q.SQL, swapClone(q.Arguments, from, cloneOf(ids, i))...)
					}
					if err := pc.Conn().SendBatch(ctx, &batch).Close(); err != nil {
						return err
					}
				}
				return nil
			})
		})
	}
}

// routing files the submitted complaint that the transition benchmarks copy, and
// returns it with the event they apply to the copies (the national admin routing to
// the regency) and when.
func (t *throughputDB) routing(b *testing.B) (tpl int64, route flows.Event, at time.Time) {
	b.Helper()
	filed := flowstest.At(b, "2026-12-01 09:00")
	c, err := t.base.File(ctx, t.rules, "KR", flowstest.Report(), filed)
	if err != nil {
		b.Fatal(err)
	}
	route = flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}
	return c.ID, route, filed.Add(time.Hour)
}

// clones copies complaint tpl n times (mustClone) under tracking numbers that no earlier
// run used.
func (t *throughputDB) clones(b *testing.B, prefix string, n int, tpl int64) []int64 {
	ids := mustClone(b, t.base, fmt.Sprintf("%s%d-", prefix, t.used), n, tpl)
	t.used += n
	return ids
}

// clone is a complaint mustClone made: its ID and its complainant's chat.
type clone struct {
	id   int64
	chat string
}

// cloneOf is the i-th of the complaints mustClone returned the IDs of.
func cloneOf(ids []int64, i int) clone {
	return clone{ids[i], strconv.Itoa((i + 1) % 50000)}
}

// swapClone is args with complaint from replaced by to: its ID in scalars and bigint
// arrays, its complainant's chat in the text arrays of the outbox rows (both also in
// the text form those are sent in: "{7,7,7}", "{"8","-1002"}").
func swapClone(args []any, from, to clone) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case int64:
			if v == from.id {
				a = to.id
			}
		case string:
			if inner, ok := strings.CutPrefix(v, "{"); ok && strings.HasSuffix(v, "}") {
				elems := strings.Split(strings.TrimSuffix(inner, "}"), ",")
				for j, e := range elems {
					switch e {
					case strconv.FormatInt(from.id, 10):
						elems[j] = strconv.FormatInt(to.id, 10)
					case strconv.Quote(from.chat):
						elems[j] = strconv.Quote(to.chat)
					}
				}
				a = "{" + strings.Join(elems, ",") + "}"
			}
		case []int64:
			w := make([]int64, len(v))
			for j, x := range v {
				if x == from.id {
					x = to.id
				}
				w[j] = x
			}
			a = w
		}
		out[i] = a
	}
	return out
}

// cloneColumns are the complaint columns copied from a template row; tracking and
// contact_chat are made unique per copy.
const cloneColumns = `version, type, privacy, category, title, body, place, event_date, attachments,
	contact_channel, contact_name, contact_phone, contact_email, contact_lang, state, unit, team, due_at,
	due_kind, reminded, overdue, warned, clock_from, next_check_at, lapor_id, rating, filed_at, updated_at, closed_at`

// mustClone inserts n copies of complaint tpl and of its cards, tracking numbers
// prefix1…prefixN, and returns their IDs in order.
func mustClone(b *testing.B, db *store.DB, prefix string, n int, tpl int64) []int64 {
	b.Helper()
	rows, err := db.Pool().Query(ctx, `
INSERT INTO complaint (tracking, contact_chat, `+cloneColumns+`)
SELECT $1 || g, (g % 50000)::text, `+cloneColumns+`
FROM generate_series(1, $2::int) g, complaint WHERE id = $3
ORDER BY g RETURNING id`, prefix, n, tpl)
	if err != nil {
		b.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) != n {
		b.Fatalf("clone %d complaints: %d, %v", n, len(ids), err)
	}
	mustCloneCards(b, db, ids, []int64{tpl})
	return ids
}

// mustCloneCards gives complaint ids[i] the cards of complaint tpls[(i+1) % len(tpls)].
func mustCloneCards(b *testing.B, db *store.DB, ids, tpls []int64) {
	b.Helper()
	_, err := db.Pool().Exec(ctx, `
INSERT INTO card (complaint_id, channel, chat, unit, outbox_id, thread)
SELECT u.id, k.channel, k.chat, k.unit, k.outbox_id, k.thread
FROM unnest($1::bigint[]) WITH ORDINALITY AS u(id, n)
JOIN card k ON k.complaint_id = ($2::bigint[])[1 + u.n % cardinality($2::bigint[])]`, ids, tpls)
	if err != nil {
		b.Fatalf("clone cards: %v", err)
	}
}

// maxDue is the largest number of complaints a sweep benchmark makes due at once.
const maxDue = 10_000

// BenchmarkSweep times DB.Sweep over 100k and 1M stored complaints with 0, 1,000 and
// 10,000 due, at a working day's 10:00 (the daily digests already queued: the sweep
// counts open complaints per unit and finds every digest claimed) and at 07:00 (before
// the digest time: the sweep proper alone). The 1M database takes about half a minute
// to load; -short skips it.
func BenchmarkSweep(b *testing.B) {
	for _, total := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("total=%dk", total/1000), func(b *testing.B) {
			if testing.Short() && total > 100_000 {
				b.Skip("-short: 1M complaints take about half a minute to load")
			}
			s := loadSweepSet(b, total)
			for _, at := range []string{"10:00", "07:00"} {
				now := flowstest.At(b, "2026-12-01 "+at)
				for _, due := range []int{0, 1_000, maxDue} {
					b.Run(fmt.Sprintf("at=%s/due=%d", at, due), func(b *testing.B) { s.bench(b, due, now) })
				}
			}
		})
	}
}

// sweepSet is a database of stored complaints for the sweep benchmarks: 5% open and
// not due (checks in the coming days), the rest closed (no check), and maxDue
// candidates spread evenly through the table, with their templates' cards, that reset
// makes due or not.
type sweepSet struct {
	db      *store.DB
	rules   *flows.Rules
	now     time.Time // the sweep's time: Tuesday 2026-12-01 10:00
	cands   []int64   // candidate IDs; candidate n (1-based) copies due template n % 3
	tpl     []int64   // the due templates, in bench_tpl
	outbox  int64     // the last outbox row before the benchmarks
	prevDue int       // how many candidates the last reset made due
}

// loadSweepSet builds a sweepSet of total complaints. Templates are made through the
// store (File and Apply, so every column is what the rules set), kept as they were
// in table bench_tpl, and copied with INSERT … SELECT generate_series; the templates
// themselves stay, not due.
func loadSweepSet(b *testing.B, total int) *sweepSet {
	b.Helper()
	start := time.Now()
	db, rules := benchStore(b, 0)
	s := &sweepSet{db: db, rules: rules, now: flowstest.At(b, "2026-12-01 10:00")}
	at := func(v string) time.Time { return flowstest.At(b, v) }
	file := func(when string) int64 {
		c, err := db.File(ctx, rules, "TP", flowstest.Report(), at(when))
		if err != nil {
			b.Fatal(err)
		}
		return c.ID
	}
	apply := func(id int64, kind flows.EventKind, actor flows.Actor, target, text, when string) {
		ev := flows.Event{Kind: kind, Actor: actor, Target: target, Text: text}
		if _, err := db.Apply(ctx, rules, id, 0, ev, at(when)); err != nil {
			b.Fatalf("%s: %v", kind, err)
		}
	}
	nat, reg, agy := flowstest.Member(flowstest.National), flowstest.Member(flowstest.Regency), flowstest.Member(flowstest.Agency)

	// Closed: answered and closed as satisfied a month ago.
	closed := file("2026-11-02 09:00")
	apply(closed, flows.EvRoute, nat, flowstest.Regency, "", "2026-11-02 10:00")
	apply(closed, flows.EvDistribute, reg, flowstest.Agency, "", "2026-11-02 11:00")
	apply(closed, flows.EvAnswer, agy, "", "Sudah selesai diproses.", "2026-11-03 10:00")
	apply(closed, flows.EvSatisfied, flowstest.Complainant, "", "", "2026-11-04 10:00")
	// Open, not due: filed an hour ago.
	open := file("2026-12-01 09:00")
	// Due A: the national admin's routing deadline (Monday 10:00) passed: one overdue
	// step, one message.
	dueA := file("2026-11-25 10:00")
	// Due B: the agency's answer deadline passed: one overdue step, messages to the
	// agency and the regency.
	dueB := file("2026-11-25 09:00")
	apply(dueB, flows.EvRoute, nat, flowstest.Regency, "", "2026-11-25 10:00")
	apply(dueB, flows.EvDistribute, reg, flowstest.Agency, "", "2026-11-26 10:00")
	// Due C: answered ten days ago, the complainant silent: auto-closure (the warning
	// is skipped once the closure time has passed), messages to the complainant and
	// the agency, and edits of its three cards.
	dueC := file("2026-11-10 09:00")
	apply(dueC, flows.EvRoute, nat, flowstest.Regency, "", "2026-11-10 10:00")
	apply(dueC, flows.EvDistribute, reg, flowstest.Agency, "", "2026-11-10 11:00")
	apply(dueC, flows.EvAnswer, agy, "", "Sudah selesai diproses.", "2026-11-20 10:00")
	s.tpl = []int64{dueA, dueB, dueC}

	for _, c := range []struct {
		id  int64
		due bool
	}{{closed, false}, {open, false}, {dueA, true}, {dueB, true}, {dueC, true}} {
		got, err := db.Complaint(ctx, c.id)
		if err != nil {
			b.Fatal(err)
		}
		if isDue := !got.NextCheck.IsZero() && !got.NextCheck.After(s.now); isDue != c.due {
			b.Fatalf("template %d (%s): next check %s, want due=%v at %s", c.id, got.State, got.NextCheck, c.due, s.now)
		}
	}

	stride := total / maxDue
	notDue := s.now.Add(30 * 24 * time.Hour)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`CREATE TABLE bench_tpl AS SELECT * FROM complaint`, nil},
		{`INSERT INTO complaint (tracking, contact_chat, ` + cloneColumns + `)
SELECT 'BK-' || g, (g % 50000)::text, ` + cloneColumns + `
FROM generate_series(1, $1::int) g
JOIN bench_tpl t ON t.id = CASE WHEN g % $2 = 0 THEN ($3::bigint[])[1 + (g / $2) % 3]
                                WHEN g % 20 = 1 THEN $4
                                ELSE $5 END
ORDER BY g`, []any{total, stride, s.tpl, open, closed}},
		// The candidates and the templates start not due.
		{`UPDATE complaint SET next_check_at = $1 WHERE next_check_at <= $2`, []any{notDue, s.now}},
	} {
		if _, err := db.Pool().Exec(ctx, q.sql, q.args...); err != nil {
			b.Fatalf("%s: %v", q.sql, err)
		}
	}
	rows, err := db.Pool().Query(ctx, `SELECT c.id FROM unnest($1::text[]) WITH ORDINALITY AS u(tracking, n)
JOIN complaint c USING (tracking) ORDER BY u.n`, candidateTracking(stride))
	if err != nil {
		b.Fatal(err)
	}
	if s.cands, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil || len(s.cands) != maxDue {
		b.Fatalf("candidates: %d, %v", len(s.cands), err)
	}
	// Candidate n copies template n % 3, cards included.
	mustCloneCards(b, db, s.cands, s.tpl)
	if err := db.Pool().QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM outbox`).Scan(&s.outbox); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctx, `VACUUM (ANALYZE)`); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d complaints in %s", total, time.Since(start).Round(time.Second))
	return s
}

func candidateTracking(stride int) []string {
	out := make([]string, maxDue)
	for n := range out {
		out[n] = fmt.Sprintf("BK-%d", (n+1)*stride)
	}
	return out
}

// reset makes the first due candidates due and the others not, as copies of their
// templates, empties the audit trail and removes the messages the last sweeps queued.
func (s *sweepSet) reset(b *testing.B, due int) {
	b.Helper()
	n := max(due, s.prevDue)
	if n > 0 {
		_, err := s.db.Pool().Exec(ctx, `
UPDATE complaint d SET version = t.version, state = t.state, unit = t.unit, team = t.team, due_at = t.due_at,
	due_kind = t.due_kind, reminded = t.reminded, overdue = t.overdue, warned = t.warned, clock_from = t.clock_from,
	next_check_at = CASE WHEN u.n <= $3 THEN t.next_check_at ELSE $4 END, updated_at = t.updated_at, closed_at = t.closed_at
FROM unnest($1::bigint[]) WITH ORDINALITY AS u(id, n)
JOIN bench_tpl t ON t.id = ($2::bigint[])[1 + u.n % 3]
WHERE d.id = u.id`, s.cands[:n], s.tpl, due, s.now.Add(30*24*time.Hour))
		if err != nil {
			b.Fatal(err)
		}
	}
	// No card, edit or pending action points at these messages; the foreign-key checks
	// (card.outbox_id and outbox.edit_of have no index) would take minutes, so they are off.
	err := pgx.BeginFunc(ctx, s.db.Pool(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM outbox WHERE id > $1`, s.outbox)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.db.Pool().Exec(ctx, `TRUNCATE audit_event`); err != nil {
		b.Fatal(err)
	}
	s.prevDue = due
}

// bench times sweeps at now with due complaints due, after one untimed sweep that warms
// the caches and queues the day's digests. ms/sweep is the median sweep; ns/op the mean.
func (s *sweepSet) bench(b *testing.B, due int, now time.Time) {
	s.reset(b, due)
	if _, err := s.db.Sweep(ctx, s.rules, now, store.SweepOptions{}); err != nil {
		b.Fatal(err)
	}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		s.reset(b, due)
		b.StartTimer()
		start := time.Now()
		rep, err := s.db.Sweep(ctx, s.rules, now, store.SweepOptions{})
		times = append(times, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		seen := map[int64]bool{}
		for _, ch := range rep.Changes {
			seen[ch.Complaint.ID] = true
		}
		if len(seen) != due {
			b.Fatalf("sweep changed %d complaints, want %d", len(seen), due)
		}
	}
	b.StopTimer()
	slices.Sort(times)
	median := times[len(times)/2]
	b.ReportMetric(float64(median.Microseconds())/1000, "ms/sweep")
	if due > 0 {
		b.ReportMetric(float64(due)/median.Seconds(), "complaints/s")
	}
}

// receiptRows is the number of delivered messages BenchmarkReceiptLookup stores.
const receiptRows = 2_000_000

// BenchmarkReceiptLookup times the lookups of a quoted reply by the quoted message's
// receipt, one at a time, over receiptRows delivered messages: a quarter in 10 unit
// groups (50,000 each), the rest in 75,000 citizens' chats (20 each), one group message
// in 25 a prompt with its pending action. Each sub-benchmark looks up 1,000 receipts
// drawn at random, in turn, through pgx's prepared statements as the store does:
//
//	about          the complaint a citizen's quoted message was about (sqlAbout)
//	pending        the pending action a group member's quoted prompt asked text for
//	pending-miss   a quote of a group message that prompted nothing (no row found)
//	shown          what a group message quoted on a surface without buttons offered
//	               (sqlShownByReceipt: its numbered choices)
//
// and reports the median and 99th percentile besides the mean. noindex/… repeat them
// after dropping the index of delivered receipts, as the lookups ran before it. The
// database takes about a minute to load.
func BenchmarkReceiptLookup(b *testing.B) {
	db, rules := benchStore(b, 0)
	at := flowstest.At(b, "2026-12-01 09:00")
	c, err := db.File(ctx, rules, "KR", flowstest.Report(), at)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	exec := func(sql string, args ...any) {
		if _, err := db.Pool().Exec(ctx, sql, args...); err != nil {
			b.Fatal(err)
		}
	}
	// Receipts are the row numbers g; group messages are those with g divisible by 4,
	// and prompts those with g ending in 00.
	exec(`
INSERT INTO outbox (channel, chat, lang, complaint_id, unit, payload, created_at, next_attempt_at, delivered_at, receipt)
SELECT 'telegram', CASE WHEN g % 4 = 0 THEN (-2001 - g / 4 % 10)::text ELSE (100000 + g % 75000)::text END, 'id', $1::bigint,
	CASE WHEN g % 4 = 0 THEN 'nasional' ELSE '' END,
	jsonb_build_object('msg', CASE WHEN g % 4 = 0 THEN 'unit.new' ELSE 'complainant.answered' END, 'complaint', $1::bigint, 'tracking', 'KR-' || g / 20),
	$2, $2, $2, g::text
FROM generate_series(1, $3::int) g`, c.ID, at, receiptRows)
	exec(`
INSERT INTO pending_action (channel, chat, unit, complaint_id, version, event, prompt_id, created_at)
SELECT channel, chat, unit, complaint_id, 1, 'answer', id, $1 FROM outbox WHERE unit = 'nasional' AND receipt LIKE '%00'`, at)
	exec(`VACUUM (ANALYZE) outbox, pending_action`)
	b.Logf("%d delivered messages loaded in %s", receiptRows, time.Since(start).Round(time.Second))

	sample := func(where string) [][]any {
		rows, err := db.Pool().Query(ctx, `SELECT channel, chat, receipt FROM outbox WHERE delivered_at IS NOT NULL AND `+where+` ORDER BY random() LIMIT 1000`)
		if err != nil {
			b.Fatal(err)
		}
		keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) {
			var ch, chat, receipt string
			err := r.Scan(&ch, &chat, &receipt)
			return []any{ch, chat, receipt}, err
		})
		if err != nil || len(keys) != 1000 {
			b.Fatalf("sample %s: %d, %v", where, len(keys), err)
		}
		return keys
	}
	cases := []struct {
		name, sql string
		keys      [][]any
		found     bool
	}{
		{"about", store.SQLAbout, sample(`unit = ''`), true},
		{"pending", store.SQLPendingByPrompt, sample(`unit <> '' AND receipt LIKE '%00'`), true},
		{"pending-miss", store.SQLPendingByPrompt, sample(`unit <> '' AND receipt LIKE '%20'`), false},
		{"shown", store.SQLShownByReceipt, sample(`unit <> ''`), true},
	}
	run := func(prefix string) {
		for _, tc := range cases {
			b.Run(prefix+tc.name, func(b *testing.B) {
				took := make([]time.Duration, 0, 1024)
				for i := 0; b.Loop(); i++ {
					t0 := time.Now()
					rows, err := db.Pool().Query(ctx, tc.sql, tc.keys[i%len(tc.keys)]...)
					if err != nil {
						b.Fatal(err)
					}
					n := 0
					for rows.Next() {
						n++
					}
					if err := rows.Err(); err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(t0))
					if (n == 1) != tc.found {
						b.Fatalf("%v: %d rows", tc.keys[i%len(tc.keys)], n)
					}
				}
				slices.Sort(took)
				b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
				b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
			})
		}
	}
	run("")
	if _, err := db.Pool().Exec(ctx, `DROP INDEX outbox_delivered_receipt`); err != nil {
		b.Fatal(err)
	}
	run("noindex/")
}
