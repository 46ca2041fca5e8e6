#!/usr/bin/env bash
# scripts/pg.sh — ensure a PostgreSQL server for Aduan and print its URL.
#
#   DATABASE_URL=$(scripts/pg.sh)
#
# stdout carries exactly one line, the URL; all progress goes to stderr.
#
# 1. If DATABASE_URL is set and answers, it is printed unchanged.
# 2. Otherwise a project-private cluster is used (created and started as
#    needed; Debian's `postgresql` package is installed if no server binaries
#    exist):
#      run as root   -> server runs as the `postgres` system user,
#                       state in /var/lib/aduan-dev (data: pg/, log: pg.log)
#      run as a user -> server runs as that user,
#                       state in ${XDG_STATE_HOME:-$HOME/.local/state}/aduan
#    It listens on 127.0.0.1:${ADUAN_PG_PORT:-54329} only, with trust auth
#    (dev only!), superuser `aduan`, database `aduan`.
#    The server is never run as root and its data never lives in the repo.
#
# Stop it:   runuser -u postgres -- /usr/lib/postgresql/VER/bin/pg_ctl -D /var/lib/aduan-dev/pg stop
#            (as a normal user: pg_ctl -D ~/.local/state/aduan/pg stop)
# Reset it:  stop, then delete the state directory.
set -euo pipefail

# The URL goes to the original stdout (fd 3); everything else to stderr.
exec 3>&1 1>&2
say() { printf 'pg.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Nothing below needs the repo; being in / also keeps `postgres` from
# complaining about a working directory it cannot read.
cd /

PORT=${ADUAN_PG_PORT:-54329}
DB=aduan
ROLE=aduan
URL="postgres://${ROLE}@127.0.0.1:${PORT}/${DB}?sslmode=disable"

# Connection parameters in the environment would fight the explicit ones.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGDATA PGOPTIONS PGSSLMODE

newest_bin() {
	local d
	d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	[[ -n $d && -x $d/pg_ctl ]] && printf '%s\n' "$d"
	return 0
}

# --- 1. an existing DATABASE_URL --------------------------------------------
if [[ -n ${DATABASE_URL:-} ]]; then
	bin=$(newest_bin)
	psql_cmd=$(command -v psql || true)
	[[ -n $bin ]] && psql_cmd=$bin/psql
	isready_cmd=$(command -v pg_isready || true)
	[[ -n $bin ]] && isready_cmd=$bin/pg_isready
	if [[ -n $psql_cmd ]]; then
		if PGCONNECT_TIMEOUT=5 "$psql_cmd" -X -q -A -t "$DATABASE_URL" -c 'select 1' >/dev/null 2>&1; then
			printf '%s\n' "$DATABASE_URL" >&3
			exit 0
		fi
	elif [[ -n $isready_cmd ]]; then
		if "$isready_cmd" -q -t 5 -d "$DATABASE_URL"; then
			printf '%s\n' "$DATABASE_URL" >&3
			exit 0
		fi
	else
		say "warning: no psql/pg_isready to check DATABASE_URL; using it as is"
		printf '%s\n' "$DATABASE_URL" >&3
		exit 0
	fi
	say "DATABASE_URL is set but does not answer; falling back to the local dev cluster"
fi

# --- 2. server binaries ------------------------------------------------------
BIN=$(newest_bin)
if [[ -z $BIN ]]; then
	say "no PostgreSQL server binaries in /usr/lib/postgresql; installing Debian's postgresql package"
	command -v apt-get >/dev/null || die "apt-get not found; install PostgreSQL yourself or set DATABASE_URL"
	sudo=()
	if [[ $(id -u) -ne 0 ]]; then
		command -v sudo >/dev/null || die "not root and no sudo; install postgresql or set DATABASE_URL"
		sudo=(sudo)
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql
	BIN=$(newest_bin)
	[[ -n $BIN ]] || die "postgresql installed but no /usr/lib/postgresql/*/bin/pg_ctl found"
fi

# --- 3. where the cluster lives and who runs it ------------------------------
if [[ $(id -u) -eq 0 ]]; then
	id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' system user to run the server"
	STATE=/var/lib/aduan-dev
	as_owner() { runuser -u postgres -- "$@"; }
	mkdir -p "$STATE"
	chown postgres:postgres "$STATE"
else
	STATE=${XDG_STATE_HOME:-$HOME/.local/state}/aduan
	as_owner() { "$@"; }
	mkdir -p "$STATE"
fi
chmod 700 "$STATE"
DATA=$STATE/pg
LOG=$STATE/pg.log

# Unix socket paths are limited to ~107 bytes; with a very long $HOME use TCP only.
SOCKDIR=$STATE
if ((${#SOCKDIR} + 20 > 100)); then
	SOCKDIR=
fi

# Serialise concurrent invocations (e.g. two test runs started together).
exec 9>"$STATE/pg.lock"
flock -w 120 9 || die "timed out waiting for $STATE/pg.lock"

# An existing cluster keeps using the major version that created it.
if [[ -f $DATA/PG_VERSION ]]; then
	ver=$(<"$DATA/PG_VERSION")
	if [[ -x /usr/lib/postgresql/$ver/bin/pg_ctl ]]; then
		BIN=/usr/lib/postgresql/$ver/bin
	else
		die "$DATA was created by PostgreSQL $ver, whose binaries are gone; remove $DATA to recreate it"
	fi
fi

# --- 4. initdb (once) ----------------------------------------------------------
if [[ ! -f $DATA/PG_VERSION ]]; then
	if [[ -d $DATA ]] && [[ -n $(ls -A "$DATA") ]]; then
		die "$DATA exists but is not a cluster (failed initdb?); remove it and re-run"
	fi
	locale=C
	if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
		locale=C.UTF-8
	fi
	say "creating cluster in $DATA ($("$BIN/postgres" --version))"
	as_owner "$BIN/initdb" -D "$DATA" -U "$ROLE" -A trust -E UTF8 --locale="$locale" --data-checksums --no-instructions </dev/null
	# Dev settings. fsync/synchronous_commit stay ON: this cluster may also
	# hold a running desk's real complaints.
	cat >>"$DATA/postgresql.conf" <<-EOF

		# --- added by aduan scripts/pg.sh ---
		# listen_addresses, port and unix_socket_directories are passed by pg.sh
		# on the pg_ctl command line.
		max_connections = 200
		shared_buffers = 256MB
		fsync = on
		synchronous_commit = on
		full_page_writes = on
		timezone = 'UTC'
		log_timezone = 'UTC'
		lc_messages = 'C'
		log_line_prefix = '%m [%p] %q%u@%d '
	EOF
fi

# --- 5. start (if not running) -------------------------------------------------
# The server outlives this script, so it must not inherit any descriptor but
# 0-2 (which pg_ctl -l points at /dev/null and the log): otherwise it would
# hold our lock forever, or keep a caller's pipe open so that
# $(scripts/pg.sh) or a CI log step never sees EOF.
detached() (
	for fd in "/proc/$BASHPID/fd/"*; do
		fd=${fd##*/}
		if ((fd > 2)); then eval "exec $fd>&-"; fi
	done
	"$@" </dev/null
)
status=0
as_owner "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1 </dev/null || status=$?
if [[ $status -ne 0 ]]; then
	say "starting PostgreSQL on 127.0.0.1:$PORT (log: $LOG)"
	opts="-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories='$SOCKDIR'"
	if ! detached as_owner "$BIN/pg_ctl" start -D "$DATA" -l "$LOG" -w -t 60 -o "$opts"; then
		say "server failed to start; last lines of $LOG:"
		tail -n 20 "$LOG" >&2 || true
		exit 1
	fi
fi

# --- 6. wait for TCP readiness ----------------------------------------------------
for ((i = 0; i < 300; i++)); do
	if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -t 1; then
		break
	fi
	((i == 299)) && die "server in $DATA is running but 127.0.0.1:$PORT does not answer (another port? see $LOG)"
	sleep 0.2
done

# --- 7. database -----------------------------------------------------------------
psql_admin=("$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d postgres)
exists=$("${psql_admin[@]}" -c "select 1 from pg_database where datname = '$DB'")
if [[ $exists != 1 ]]; then
	say "creating database $DB"
	"$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$ROLE" "$DB"
fi

printf '%s\n' "$URL" >&3
