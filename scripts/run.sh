#!/usr/bin/env bash
# scripts/run.sh — run the desk locally (README's run command).
#
#   scripts/run.sh [serve flags...]
#
# Checks that the Go on PATH is the one go.mod needs; uses DATABASE_URL when set
# (and stops if it does not answer), otherwise the local cluster from scripts/pg.sh;
# builds ./bin/aduan stamped with its version, applies migrations and the routing
# tree, then execs `aduan serve "$@"`.
#
# The routing tree: $ADUAN_UNITS_FILE when set. Without it, the example tree
# (config/units.example.yaml, placeholder chat IDs) is applied to a database that has
# no units yet, and a database that has units keeps them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PROG=run.sh
REPO=$PWD
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

require_go

# pg.sh passes a DATABASE_URL that answers through, and otherwise starts the local one.
DATABASE_URL=$(bash scripts/pg.sh)
export DATABASE_URL

# Version stamping: `aduan version`, the start's log line and /healthz name the build.
ldflags="-X main.buildTime=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
if command -v git >/dev/null && rev=$(git rev-parse HEAD 2>/dev/null); then
	[[ -z $(git status --porcelain --untracked-files=no 2>/dev/null) ]] || rev+=-dirty
	ldflags+=" -X main.commit=$rev -X main.version=$(git describe --tags --always --dirty 2>/dev/null || echo devel)"
fi
say "building bin/aduan"
go build -ldflags "$ldflags" -o ./bin/aduan ./cmd/aduan

./bin/aduan migrate

if [[ -n ${ADUAN_UNITS_FILE:-} ]]; then
	./bin/aduan units apply "$ADUAN_UNITS_FILE"
elif ./bin/aduan units list >/dev/null 2>&1; then
	say "keeping the routing tree already in the database (set ADUAN_UNITS_FILE to change it)"
else
	say "no routing tree yet: applying the example config/units.example.yaml (placeholder chat IDs; set ADUAN_UNITS_FILE to use yours)"
	./bin/aduan units apply config/units.example.yaml
fi

exec ./bin/aduan serve "$@"
