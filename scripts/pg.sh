#!/usr/bin/env bash
# scripts/pg.sh — ensure a PostgreSQL server for Aduan and print its URL.
#
#   DATABASE_URL=$(scripts/pg.sh)   # start the local cluster if needed; print the URL
#   scripts/pg.sh stop              # stop the local cluster
#   scripts/pg.sh status            # say whether it runs
#
# stdout carries exactly one line, the URL; all progress goes to stderr.
#
# 1. If DATABASE_URL is set, it is the operator's choice: it is checked with the
#    desk's own code (`aduan healthcheck --database`, so every URL the desk accepts,
#    pool_max_conns and the like included) and printed unchanged when it answers.
#    When it does not, pg.sh stops with the reason; it never switches to another
#    database.
# 2. Only when DATABASE_URL is unset, a project-private cluster is used (created and
#    started as needed; Debian's `postgresql` package is installed if no server
#    binaries exist):
#      run as root   -> server runs as the `postgres` system user,
#                       state in /var/lib/aduan-dev
#      run as a user -> server runs as that user,
#                       state in ${XDG_STATE_HOME:-$HOME/.local/state}/aduan
#    ADUAN_PG_STATE chooses another state directory, ADUAN_PG_PORT another port.
#    The state directory (mode 0700) holds the data (pg/), the log (pg.log) and the
#    password (password, mode 0600). The server listens on 127.0.0.1:${ADUAN_PG_PORT:-54329}
#    and on a Unix socket in the state directory, and every connection needs the
#    password (scram-sha-256): role `aduan` (superuser), database `aduan`. It may hold
#    a running desk's real complaints. The server is never run as root and its data
#    never lives in the repo.
#    A cluster made by an older pg.sh (trust authentication) gets a password the next
#    time pg.sh starts it.
#
# Reset it:  scripts/pg.sh stop, then delete the state directory.
set -euo pipefail

# The URL goes to the original stdout (fd 3); everything else to stderr.
exec 3>&1 1>&2
PROG=pg.sh
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
source "$REPO/scripts/lib.sh"

ACTION=${1:-start}
case $ACTION in
start | stop | status) ;;
*) die "unknown action '$ACTION': want start (the default), stop or status" ;;
esac

# Nothing below needs the repo; being in / also keeps `postgres` from
# complaining about a working directory it cannot read.
cd /

PORT=${ADUAN_PG_PORT:-54329}
DB=aduan
ROLE=aduan

# Connection parameters in the environment would fight the explicit ones.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGDATA PGOPTIONS PGSSLMODE PGPASSWORD PGPASSFILE

newest_bin() {
	local d
	d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	[[ -n $d && -x $d/pg_ctl ]] && printf '%s\n' "$d"
	return 0
}

if [[ $(id -u) -eq 0 ]]; then
	STATE=${ADUAN_PG_STATE:-/var/lib/aduan-dev}
else
	STATE=${ADUAN_PG_STATE:-${XDG_STATE_HOME:-$HOME/.local/state}/aduan}
fi
DATA=$STATE/pg
LOG=$STATE/pg.log
PWFILE=$STATE/password

# --- 1. an existing DATABASE_URL --------------------------------------------
if [[ $ACTION == start && -n ${DATABASE_URL:-} ]]; then
	if ! command -v go >/dev/null; then
		say "warning: no 'go' to check DATABASE_URL with; using it as is"
		printf '%s\n' "$DATABASE_URL" >&3
		exit 0
	fi
	require_go
	checker=$(mktemp "${TMPDIR:-/tmp}/aduan-check.XXXXXX")
	trap 'rm -f "$checker"' EXIT
	if ! (cd "$REPO" && go build -o "$checker" ./cmd/aduan); then
		say "warning: could not build the desk to check DATABASE_URL with; using it as is"
		printf '%s\n' "$DATABASE_URL" >&3
		exit 0
	fi
	if out=$("$checker" healthcheck --database --timeout 20s 2>&1); then
		printf '%s\n' "$DATABASE_URL" >&3
		exit 0
	fi
	say "DATABASE_URL is set but the database does not answer:"
	sed 's/^/  /' <<<"$out" >&2
	if [[ $DATABASE_URL == *"127.0.0.1:$PORT/"* && $DATABASE_URL != *://*:*@* && -f $PWFILE ]]; then
		say "the local cluster needs its password now (in $PWFILE): unset DATABASE_URL and use DATABASE_URL=\$(scripts/pg.sh)"
	fi
	die "fix DATABASE_URL, or unset it to use the local development cluster"
fi

if [[ $(id -u) -eq 0 ]]; then
	as_owner() { runuser -u postgres -- "$@"; }
else
	as_owner() { "$@"; }
fi

# --- stop / status ------------------------------------------------------------
if [[ $ACTION != start ]]; then
	[[ -f $DATA/PG_VERSION ]] || die "no cluster in $DATA"
	BIN=/usr/lib/postgresql/$(<"$DATA/PG_VERSION")/bin
	[[ -x $BIN/pg_ctl ]] || die "$DATA was created by PostgreSQL $(<"$DATA/PG_VERSION"), whose binaries are gone"
	if [[ $ACTION == status ]]; then
		if as_owner "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1 </dev/null; then
			say "running: $DATA on 127.0.0.1:$(sed -n 4p "$DATA/postmaster.pid" 2>/dev/null)"
			exit 0
		fi
		say "not running: $DATA"
		exit 3
	fi
	if ! as_owner "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1 </dev/null; then
		say "not running: $DATA"
		exit 0
	fi
	as_owner "$BIN/pg_ctl" stop -D "$DATA" -m fast -w </dev/null >&2
	say "stopped $DATA"
	exit 0
fi

# --- 2. server binaries ------------------------------------------------------
BIN=$(newest_bin)
if [[ -z $BIN ]]; then
	say "no PostgreSQL server binaries in /usr/lib/postgresql; installing Debian's postgresql package"
	apt_install postgresql
	BIN=$(newest_bin)
	[[ -n $BIN ]] || die "postgresql installed but no /usr/lib/postgresql/*/bin/pg_ctl found"
	if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q .; then
		pg_lsclusters -h 2>/dev/null | while read -r ver name port _; do
			say "note: Debian's package also made its own cluster $ver/$name on port $port, which starts at boot; aduan does not use it."
			say "      To remove it: pg_dropcluster --stop $ver $name"
		done
	fi
fi

# --- 3. where the cluster lives and who runs it ------------------------------
if [[ $(id -u) -eq 0 ]]; then
	id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' system user to run the server"
	mkdir -p "$STATE"
	chown postgres:postgres "$STATE"
	own() { chown postgres:postgres "$@"; }
else
	mkdir -p "$STATE"
	own() { :; }
fi
chmod 700 "$STATE"

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

# new_password FILE: write a fresh random password (URL-safe) to FILE, mode 0600.
new_password() {
	(umask 077 && od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$1")
	own "$1"
}

# Every connection needs the password.
HBA=$(
	cat <<-EOF
		# Written by aduan scripts/pg.sh: every connection needs the password kept in
		# $PWFILE.
		local   all   all                  scram-sha-256
		host    all   all   127.0.0.1/32   scram-sha-256
		host    all   all   ::1/128        scram-sha-256
	EOF
)
write_hba() {
	printf '%s\n' "$HBA" >"$DATA/pg_hba.conf.new"
	chmod 600 "$DATA/pg_hba.conf.new"
	own "$DATA/pg_hba.conf.new"
	mv "$DATA/pg_hba.conf.new" "$DATA/pg_hba.conf"
}

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
	new_password "$PWFILE"
	as_owner "$BIN/initdb" -D "$DATA" -U "$ROLE" --pwfile="$PWFILE" -A scram-sha-256 -E UTF8 --locale="$locale" --data-checksums --no-instructions </dev/null
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
		password_encryption = 'scram-sha-256'
	EOF
	write_hba
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

# --- 7. the password ---------------------------------------------------------------
# A cluster from an older pg.sh trusts every local connection: give the role a
# password (while trust still lets us in), keep it, then require it.
if [[ ! -s $PWFILE ]]; then
	say "the cluster in $DATA has no password yet: setting one (kept in $PWFILE)"
	new_password "$PWFILE.new"
	printf "ALTER ROLE %s PASSWORD '%s';\n" "$ROLE" "$(<"$PWFILE.new")" |
		"$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d postgres >/dev/null ||
		die "could not set the password of role $ROLE (is the cluster in $DATA one of pg.sh's?)"
	mv "$PWFILE.new" "$PWFILE"
fi
if [[ $(cat "$DATA/pg_hba.conf" 2>/dev/null) != "$HBA" ]]; then
	write_hba
	as_owner "$BIN/pg_ctl" reload -D "$DATA" >/dev/null </dev/null
	say "connections to the cluster in $DATA now need its password"
fi
PASSWORD=$(<"$PWFILE")
URL="postgres://${ROLE}:${PASSWORD}@127.0.0.1:${PORT}/${DB}?sslmode=disable"

# --- 8. database -----------------------------------------------------------------
export PGPASSWORD=$PASSWORD
psql_admin=("$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d postgres)
exists=""
for ((i = 0; i < 50; i++)); do # a reload takes a moment to reach new connections
	if exists=$("${psql_admin[@]}" -c "select 1 from pg_database where datname = '$DB'" 2>/dev/null); then
		break
	fi
	((i == 49)) && die "cannot connect to 127.0.0.1:$PORT as $ROLE with the password in $PWFILE (see $LOG)"
	sleep 0.2
done
if [[ $exists != 1 ]]; then
	say "creating database $DB"
	"$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$ROLE" "$DB"
fi
unset PGPASSWORD

printf '%s\n' "$URL" >&3
