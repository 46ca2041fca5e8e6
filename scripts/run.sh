#!/usr/bin/env bash
# scripts/run.sh — run the desk locally (README's run command).
#
#   scripts/run.sh [serve flags...]
#
# Uses DATABASE_URL if set, otherwise the dev cluster from scripts/pg.sh;
# builds ./bin/aduan, applies migrations, then execs `aduan serve "$@"`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# pg.sh passes a DATABASE_URL that answers through, and otherwise starts the local one.
DATABASE_URL=$(bash scripts/pg.sh)
export DATABASE_URL

echo "run.sh: building bin/aduan" >&2
go build -o ./bin/aduan ./cmd/aduan

./bin/aduan migrate

# The routing tree: ADUAN_UNITS_FILE when set, else the example units so that a
# fresh checkout has somewhere to route complaints.
./bin/aduan units apply "${ADUAN_UNITS_FILE:-config/units.example.yaml}"

exec ./bin/aduan serve "$@"
