#!/usr/bin/env bash
# scripts/bench.sh — benchmarks against the dev PostgreSQL; docs/PERFORMANCE.md reports them.
#
#   scripts/bench.sh                 # every figure of docs/PERFORMANCE.md (about 30 minutes)
#   ONLY=sweep scripts/bench.sh      # only part 1 below (about 3 minutes)
#   ONLY=throughput scripts/bench.sh # only part 2 below (about 7 minutes)
#   ONLY=audit scripts/bench.sh      # only part 3 below (about 10 minutes, most of it making the data)
#   ONLY=retention scripts/bench.sh  # only part 4 below (about 8 minutes, most of it making the data)
#   BENCH=Intake scripts/bench.sh    # only the Go benchmarks matching the regexp, once
#
# The full run:
#   1. the sweep benchmarks: BenchmarkSweep, SWEEPS timed sweeps per case (default 7;
#      the figure is their median);
#   2. ROUNDS rounds (default 5) of filing and transition throughput, the figures being
#      the medians of the rounds: pgbench runs bench/pgbench/file.sql and
#      route.sql with CLIENTS connections for BENCH_SECONDS seconds (defaults 8 and 10), one
#      statement per round trip, each followed by the Go benchmark doing the same through
#      the store (BenchmarkFile, BenchmarkApply), which sends the same statements in
#      batches (TestPgbenchScripts checks they are the same), with as many goroutines and
#      pool connections for as long, then
#      with the store's default pool (16 connections unless DATABASE_URL sets pool_max_conns);
#      then BenchmarkApplyReplay, the batches of one DB.Apply sent again through pgx without
#      the store's own work (rules, deadlines, pseudonyms, messages), as pgbench replays
#      fixed values.
#      pgbench runs one untimed second before each timed run, as the Go benchmark's
#      calibration runs come before its timed one; odd rounds run pgbench first, even
#      rounds the store first.
#   3. `aduan audit verify` over 1,000,000 complaints' chains of five events each, made by
#      bench/pgbench/audit.sql in the database aduan_auditbench (AUDIT_COMPLAINTS=1000000),
#      VERIFIES times (default 3), each timed; the database is dropped at the end.
#   4. the retention sweep over 1,000,000 closed complaints past their period, two
#      workers, once (BenchmarkRetention/closed=1000k/workers=2: it makes the data in a
#      database of its own, dropped at the end), with a client filing beside it; the
#      figure is its rate in complaints/s.
# Other processes on the machine move every figure; the summary gives, besides the
# medians, the median of the per-round ratios store/pgbench (the two ran side by side),
# and the CPU time the whole machine spent per transaction on each side (/proc/stat
# around each timed run): what a transaction costs, apart from how long the processors
# stood idle while it waited (on the WAL flush of its COMMIT, mostly); and how much of
# that the client spent (pgbench's process; the Go benchmark's, that is the store, pgx
# and the Go runtime), the rest being PostgreSQL's and the kernel's. The client shares
# the processors with the server, so what it spends the server cannot.
# The pgbench database, aduan_pgbench, is made afresh for each round and dropped at the end.
# SHORT=1 skips the 1M-complaint sweep set (go test -short) and runs the retention sweep over
# 100,000 instead; OUT=dir keeps the raw output there.
# COMPARE=REV (a git revision) also runs, in each throughput round and before the current
# code, REV's filing: its bench/pgbench/file.sql with its bench.sh's variables, and its
# BenchmarkFile (pool=8), and REV's BenchmarkApply (pool=8), built from `git archive REV`:
# a before/after in one run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DATABASE_URL=$(bash scripts/pg.sh)
export DATABASE_URL

if [[ -n ${BENCH:-} ]]; then
	go test -run '^$' -bench "$BENCH" -benchmem ./store/ ./flows/
	exit
fi

ROUNDS=${ROUNDS:-5}
SWEEPS=${SWEEPS:-7}
CLIENTS=${CLIENTS:-8}
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
OUT=${OUT:-$(mktemp -d /tmp/aduan-bench.XXXXXX)}
mkdir -p "$OUT"
say() { printf 'bench.sh: %s\n' "$*" >&2; }
say "output in $OUT; load: $(cut -d' ' -f1-3 /proc/loadavg)"

# The Go benchmarks use `clients` goroutines (store/bench_test.go); it must match.
grep -q "^const clients = $CLIENTS\$" store/bench_test.go ||
	{ say "CLIENTS=$CLIENTS but store/bench_test.go has another clients const"; exit 1; }

bin=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGBENCH=$bin/pgbench
PSQL=$bin/psql
[[ -x $PGBENCH ]] || PGBENCH=$(command -v pgbench)
[[ -x $PSQL ]] || PSQL=$(command -v psql)
PGB_DB=aduan_pgbench
PGB_URL=$(sed -E "s#/[^/?]+(\?|\$)#/$PGB_DB\1#" <<<"$DATABASE_URL")
NCOMPLAINTS=100000
psql_admin() { PGOPTIONS='-c client_min_messages=warning' "$PSQL" -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" "$@"; }
# The 1-minute load average every 5 s, for the summary: the figures depend on it.
while sleep 5; do printf '%s %s\n' "$(date -u +%T)" "$(cut -d' ' -f1 /proc/loadavg)"; done >"$OUT/load.txt" &
sampler=$!
AUDIT_DB=aduan_auditbench
AUDIT_URL=$(sed -E "s#/[^/?]+(\?|\$)#/$AUDIT_DB\1#" <<<"$DATABASE_URL")
trap 'kill $sampler 2>/dev/null; psql_admin -c "DROP DATABASE IF EXISTS $PGB_DB WITH (FORCE)" -c "DROP DATABASE IF EXISTS $AUDIT_DB WITH (FORCE)" || true' EXIT

go test -c -o "$OUT/store.test" ./store/
if [[ -n ${COMPARE:-} ]]; then
	mkdir -p "$OUT/compare"
	git archive "$COMPARE" | tar -x -C "$OUT/compare"
	(cd "$OUT/compare" && go test -c -o "$OUT/compare/store.test" ./store/)
	say "COMPARE=$COMPARE ($(git rev-parse --short "$COMPARE")) built in $OUT/compare"
fi

# --- 1. the sweep --------------------------------------------------------------------------
: >"$OUT/sweep.txt"
if [[ ${ONLY:-sweep} == sweep ]]; then
	say "sweep benchmarks, $SWEEPS sweeps per case"
	(cd store && "$OUT/store.test" -test.run '^$' -test.bench Sweep -test.benchtime "${SWEEPS}x" ${SHORT:+-test.short}) |
		tee "$OUT/sweep.txt"
fi

# --- 2. filing and transitions, beside pgbench ---------------------------------------------
# pgbench variables: what the store writes for flowstest.Report() filed on Tuesday
# 2026-12-01 09:00 Asia/Pontianak, and for its routing to the regency an hour later.
common=(-D channel=telegram
	-D 'channel2={telegram,telegram}' -D 'lang2={id,id}' -D 'ord2={0,1}' -D 'false2={f,f}'
	-D 'channel3={telegram,telegram,telegram}' -D 'lang3={id,id,id}' -D 'ord3={0,1,2}' -D 'false3={f,f,f}'
	-D "ncomplaints=$NCOMPLAINTS")
file=(-D type=pengaduan -D privacy=biasa -D category=kk -D 'title=KK belum jadi'
	-D 'body=Sudah tiga minggu mengurus KK baru di kantor kecamatan, belum juga selesai.'
	-D 'place=Sungai Raya' -D 'attachments=[]' -D name=Budi -D phone=081234567890
	-D lang=id -D state=submitted -D unit=nasional -D 'due=2026-12-04 09:00+07' -D due_kind=route
	-D 'now=2026-12-01 09:00+07' -D 'next=2026-12-04 07:00+07' -D f_kind=file
	-D f_actor_kind=complainant -D f_actor_ref=complainant:9d41e07bc35a28f6d1e4 -D f_to=submitted -D f_unit_after=nasional -D f_unit_chat=-1001
	-D 'f_units={"",nasional}'
	-D 'f_payload1={"msg":"complainant.filed","tracking":"KR-261201-TCUH","state":"submitted","due":"2026-12-04T09:00:00+07:00"}'
	-D 'f_payload2={"msg":"unit.new","tracking":"KR-261201-TCUH","state":"submitted","due":"2026-12-04T09:00:00+07:00","card":true}')
route=(-D 'at=2026-12-01 10:00+07' -D r_state=routed -D r_unit=kuburaya -D 'r_due=2026-12-02 10:00+07'
	-D r_due_kind=distribute -D 'r_next=2026-12-02 08:00+07' -D r_kind=route -D r_actor_kind=unit
	-D r_actor_unit=nasional -D r_actor_ref=member:5f0c2a9e81d47b3c6e20 -D 'r_actor_name=Petugas nasional'
	-D r_from=submitted -D r_unit_chat=-1002 -D 'r_units={"",kuburaya,nasional}'
	-D 'r_payload1={"msg":"complainant.verified","complaint":1,"tracking":"KR-261201-TCUH","state":"routed","unit":"kuburaya","due":"2026-12-02T10:00:00+07:00"}'
	-D 'r_payload2={"msg":"unit.new","complaint":1,"tracking":"KR-261201-TCUH","state":"routed","due":"2026-12-02T10:00:00+07:00","card":true}'
	-D 'r_payload3={"msg":"card.body","complaint":1,"tracking":"KR-261201-TCUH","state":"routed","card":true}')

if [[ -n ${COMPARE:-} ]]; then
	# REV's variables, as its bench.sh defines them, renamed compare_common, compare_file, compare_route.
	# The definitions only: from common=( to the first line that is not one of them.
	eval "$(awk '/^common=\(/ { on = 1 } on && /^(if |pgbench_db\(\))/ { exit } on' "$OUT/compare/scripts/bench.sh" |
		sed -E 's/^(common|file|route)=\(/compare_\1=(/')"
fi

pgbench_db() {
	psql_admin -c "DROP DATABASE IF EXISTS $PGB_DB WITH (FORCE)" -c "CREATE DATABASE $PGB_DB"
	for f in store/migrations/*.sql; do
		sed -n '/^-- +goose Up/,/^-- +goose Down/p' "$f"
	done | "$PSQL" -X -q -v ON_ERROR_STOP=1 "$PGB_URL"
	"$PSQL" -X -q -v ON_ERROR_STOP=1 -v "ncomplaints=$NCOMPLAINTS" -f bench/pgbench/setup.sql "$PGB_URL"
}
# busy_ticks: the machine's CPU time in use since boot, in USER_HZ ticks (10 ms): user,
# nice, system, irq and softirq of /proc/stat, as BenchmarkFile and BenchmarkApply count
# their machine-µs/tx.
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
run_pgbench() { # script (a path under bench/pgbench/, or any path), variables… → "tx/s machine-µs/tx client-µs/tx"
	local script=$1 before ticks TIMEFORMAT='%3U %3S'
	shift
	[[ -f $script ]] || script=bench/pgbench/$script
	# A second untimed first, as the Go benchmark's calibration runs (b.N = 1, 100, …)
	# warm the store's connections and statement caches before its timed run.
	"$PGBENCH" -n -M prepared -c "$CLIENTS" -j 2 -T 1 -f "$script" "$@" "$PGB_URL" >/dev/null 2>&1
	before=$(busy_ticks)
	# time: pgbench's own CPU time (user, system), the client's share of the machine's.
	{ time "$PGBENCH" -n -M prepared -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" -f "$script" "$@" "$PGB_URL" >"$OUT/pgbench.last" 2>&1; } 2>"$OUT/pgbench.time"
	ticks=$(($(busy_ticks) - before))
	cat "$OUT/pgbench.last" >>"$OUT/pgbench.txt"
	awk -v ticks=$ticks -v client="$(cat "$OUT/pgbench.time")" '
		/^number of transactions actually processed:/ { n = $NF }
		/^tps = / { tps = $3 }
		END { split(client, t, " "); printf "%s %.0f %.0f\n", tps, n ? ticks * 10000 / n : 0, n ? (t[1] + t[2]) * 1e6 / n : 0 }' "$OUT/pgbench.last"
}
run_go() { # benchmark regexp [store directory, test binary] → "tx/s machine-µs/tx client-µs/tx"
	(cd "${2:-store}" && "${3:-$OUT/store.test}" -test.run '^$' -test.bench "$1" -test.benchtime "${SECONDS_PER_RUN}s") |
		tee -a "$OUT/go.txt" | awk '/tx\/s/ { for (i = 2; i <= NF; i++) { if ($i == "tx/s") tps = $(i - 1); if ($i == "machine-µs/tx") cpu = $(i - 1); if ($i == "store-µs/tx") own = $(i - 1) }
			print tps, (cpu == "" ? "-" : cpu), (own == "" ? "-" : own) }'
}
# Fields of "tx/s machine-µs/tx client-µs/tx".
tps() { echo "${1%% *}"; }
cpu() { local rest=${1#* }; echo "${rest%% *}"; }
client() { echo "${1##* }"; }

[[ ${ONLY:-throughput} == throughput ]] || ROUNDS=0
printf 'round\tload\tpgbench_file\tgo_file\tgo_file_pooldefault\tpgbench_route\tgo_apply\tgo_apply_pooldefault\tcompare_pgbench_file\tcompare_go_file\tcompare_go_apply\tcpu_pgbench_file\tcpu_go_file\tcpu_pgbench_route\tcpu_go_apply\tclient_pgbench_file\tclient_go_file\tclient_pgbench_route\tclient_go_apply\tgo_apply_replay\tcpu_go_apply_replay\tclient_go_apply_replay\n' >"$OUT/throughput.tsv"
for ((r = 1; r <= ROUNDS; r++)); do
	say "throughput round $r of $ROUNDS; load: $(cut -d' ' -f1-3 /proc/loadavg)"
	load=$(cut -d' ' -f1 /proc/loadavg)
	pgbench_db
	cpf=- cgf=- cga=-
	if [[ -n ${COMPARE:-} ]]; then
		cpf=$(tps "$(run_pgbench "$OUT/compare/bench/pgbench/file.sql" "${compare_common[@]}" "${compare_file[@]}")")
		cgf=$(tps "$(run_go '^BenchmarkFile$/^pool=8$' "$OUT/compare/store" "$OUT/compare/store.test")")
		cga=$(tps "$(run_go '^BenchmarkApply$/^pool=8$' "$OUT/compare/store" "$OUT/compare/store.test")")
	fi
	# Odd rounds run pgbench first, even rounds the store first: what a run leaves
	# behind (its WAL bringing on a checkpoint, autovacuum of its rows) falls on the run
	# after it, and the order must not favour either side.
	if ((r % 2)); then
		pf=$(run_pgbench file.sql "${common[@]}" "${file[@]}")
		gf=$(run_go '^BenchmarkFile$/^pool=8$')
		gf4=$(run_go '^BenchmarkFile$/^pool=default$')
		pr=$(run_pgbench route.sql "${common[@]}" "${route[@]}")
		ga=$(run_go '^BenchmarkApply$/^pool=8$')
		ga4=$(run_go '^BenchmarkApply$/^pool=default$')
		gr=$(run_go '^BenchmarkApplyReplay$/^pool=8$')
	else
		gr=$(run_go '^BenchmarkApplyReplay$/^pool=8$')
		gf4=$(run_go '^BenchmarkFile$/^pool=default$')
		gf=$(run_go '^BenchmarkFile$/^pool=8$')
		pf=$(run_pgbench file.sql "${common[@]}" "${file[@]}")
		ga4=$(run_go '^BenchmarkApply$/^pool=default$')
		ga=$(run_go '^BenchmarkApply$/^pool=8$')
		pr=$(run_pgbench route.sql "${common[@]}" "${route[@]}")
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$load" "$(tps "$pf")" "$(tps "$gf")" "$(tps "$gf4")" \
		"$(tps "$pr")" "$(tps "$ga")" "$(tps "$ga4")" "$cpf" "$cgf" "$cga" "$(cpu "$pf")" "$(cpu "$gf")" "$(cpu "$pr")" "$(cpu "$ga")" \
		"$(client "$pf")" "$(client "$gf")" "$(client "$pr")" "$(client "$ga")" "$(tps "$gr")" "$(cpu "$gr")" "$(client "$gr")" |
		tee -a "$OUT/throughput.tsv"
done

# --- 3. aduan audit verify over 1M complaints' chains ---------------------------------------
: >"$OUT/audit.txt"
if [[ ${ONLY:-audit} == audit ]]; then
	n=${AUDIT_COMPLAINTS:-1000000}
	say "audit chains: making $n complaints' chains in $AUDIT_DB"
	psql_admin -c "DROP DATABASE IF EXISTS $AUDIT_DB WITH (FORCE)" -c "CREATE DATABASE $AUDIT_DB"
	go build -o "$OUT/aduan" ./cmd/aduan
	DATABASE_URL=$AUDIT_URL "$OUT/aduan" migrate # the schema as the program checks it
	start=$(date +%s)
	"$PSQL" -X -q -v ON_ERROR_STOP=1 -v "ncomplaints=$n" -f bench/pgbench/audit.sql "$AUDIT_URL"
	say "made in $(($(date +%s) - start)) s"
	for ((v = 1; v <= ${VERIFIES:-3}; v++)); do
		say "audit verify $v; load: $(cut -d' ' -f1-3 /proc/loadavg)"
		{ /usr/bin/time -f '%e s elapsed, %U s user, %S s system, %M kB max RSS' \
			env DATABASE_URL="$AUDIT_URL" "$OUT/aduan" audit verify; } 2>&1 | tee -a "$OUT/audit.txt"
	done
fi

# --- 4. the retention sweep over 1M closed complaints ---------------------------------------
: >"$OUT/retention.txt"
if [[ ${ONLY:-retention} == retention ]]; then
	closed=1000k
	[[ -z ${SHORT:-} ]] || closed=100k
	say "retention sweep over closed=$closed, 2 workers; load: $(cut -d' ' -f1-3 /proc/loadavg)"
	(cd store && "$OUT/store.test" -test.run '^$' -test.bench "^BenchmarkRetention\$/^closed=$closed/workers=2\$" \
		-test.benchtime 1x -test.timeout 60m ${SHORT:+-test.short}) | tee "$OUT/retention.txt"
	say "retention sweep done; load: $(cut -d' ' -f1-3 /proc/loadavg)"
fi

# --- summary: medians ----------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -F'\t' -v c="$1" 'NR > 1 { print $c }' "$OUT/throughput.tsv" | median; }
ratio() { awk -F'\t' -v a="$1" -v b="$2" 'NR > 1 { print 100 * $a / $b }' "$OUT/throughput.tsv" | median; }
echo
echo "== summary (load at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
awk '{ print $2 }' "$OUT/load.txt" | sort -g | awk '{ v[NR] = $1 } END {
	if (NR) printf "1-minute load average, every 5 s (%d samples): lowest %s, median %s, highest %s\n", NR, v[1], v[int((NR + 1) / 2)], v[NR] }'
if ((ROUNDS > 0)); then
	echo "throughput, $ROUNDS rounds, $CLIENTS clients, ${SECONDS_PER_RUN}s each:"
	awk -v pf="$(col 3)" -v gf="$(col 4)" -v gf4="$(col 5)" -v pr="$(col 6)" -v ga="$(col 7)" -v ga4="$(col 8)" \
		-v rf="$(ratio 4 3)" -v rf4="$(ratio 5 3)" -v ra="$(ratio 7 6)" -v ra4="$(ratio 8 6)" 'BEGIN {
		f = "%-11s pgbench %5.0f tx/s   store %5.0f tx/s (%3.0f%%)   store, default pool %5.0f tx/s (%3.0f%%)\n"
		printf f, "filing:", pf, gf, rf, gf4, rf4
		printf f, "transition:", pr, ga, ra, ga4, ra4
		print "(tx/s: medians of the rounds; %: medians of the per-round ratios to pgbench)"
	}'
	awk -v pf="$(col 12)" -v gf="$(col 13)" -v pr="$(col 14)" -v ga="$(col 15)" 'BEGIN {
		printf "CPU time of the whole machine per transaction (µs, medians): filing: pgbench %.0f, store %.0f; transition: pgbench %.0f, store %.0f\n", pf, gf, pr, ga
	}'
	# The client's share: pgbench's process, or the Go benchmark's (the store, pgx and
	# the runtime); the rest of the machine's is PostgreSQL's and the kernel's.
	awk -F'\t' 'NR > 1 { for (c = 12; c <= 15; c++) printf "%s%s", $c - $(c + 4), (c < 15 ? "\t" : "\n") }' "$OUT/throughput.tsv" >"$OUT/server.tsv"
	srv() { awk -F'\t' -v c="$1" '{ print $c }' "$OUT/server.tsv" | median; }
	awk -v pf="$(col 16)" -v gf="$(col 17)" -v pr="$(col 18)" -v ga="$(col 19)" \
		-v spf="$(srv 1)" -v sgf="$(srv 2)" -v spr="$(srv 3)" -v sga="$(srv 4)" 'BEGIN {
		printf "  of it the client (pgbench / the Go benchmark):   filing: pgbench %.0f, store %.0f; transition: pgbench %.0f, store %.0f\n", pf, gf, pr, ga
		printf "  the rest (PostgreSQL and the kernel):           filing: pgbench %.0f, store %.0f; transition: pgbench %.0f, store %.0f\n", spf, sgf, spr, sga
	}'
	awk -v gr="$(col 20)" -v rr="$(ratio 20 6)" -v cr="$(col 21)" -v kr="$(col 22)" 'BEGIN {
		printf "transition replayed (BenchmarkApplyReplay: DB.Apply'"'"'s two batches again through pgx, no rules): %.0f tx/s (%.0f%% of pgbench), machine %.0f µs/tx, client %.0f\n", gr, rr, cr, kr
	}'
	if [[ -n ${COMPARE:-} ]]; then
		awk -v rev="$COMPARE" -v pf="$(col 9)" -v gf="$(col 10)" -v rf="$(ratio 10 9)" -v nf="$(ratio 4 10)" 'BEGIN {
			printf "%-11s pgbench %5.0f tx/s   store %5.0f tx/s (%3.0f%%)   (COMPARE=%s); the current store: %3.0f%% of it\n", "filing:", pf, gf, rf, rev, nf
		}'
		awk -v rev="$COMPARE" -v ga="$(col 11)" -v ra="$(ratio 11 6)" -v na="$(ratio 7 11)" 'BEGIN {
			printf "%-11s                      store %5.0f tx/s (%3.0f%%)   (COMPARE=%s); the current store: %3.0f%% of it\n", "transition:", ga, ra, rev, na
		}'
	fi
fi
awk '/^BenchmarkSweep/ {
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^BenchmarkSweep\//, "", name)
	for (i = 2; i <= NF; i++) if ($i == "ms/sweep") printf "sweep %-32s median of %d: %9.2f ms\n", name, $2, $(i - 1)
}' "$OUT/sweep.txt"
awk '/^BenchmarkRetention\// {
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^BenchmarkRetention\//, "", name)
	for (i = 3; i < NF; i++) m[$(i + 1)] = $i
	printf "retention %s: %.0f complaints/s (%.1f s); filing beside it p99 %.0f ms, max %.0f ms (alone p99 %.0f ms)\n",
		name, m["complaints/s"], m["s/sweep"], m["file_p99_ms"], m["file_max_ms"], m["file_alone_p99_ms"]
}' "$OUT/retention.txt"
awk '/ s elapsed/ { print $1 }' "$OUT/audit.txt" | sort -g | awk '{ v[NR] = $1 } END {
	if (NR) printf "audit verify over the chains of aduan_auditbench, %d runs: median %.1f s (lowest %.1f, highest %.1f)\n", NR, v[int((NR + 1) / 2)], v[1], v[NR] }'
