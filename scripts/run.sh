#!/usr/bin/env bash
# scripts/run.sh — run the desk locally (README's run command).
#
#   scripts/run.sh [serve flags...]
#
# Uses DATABASE_URL if set, otherwise the dev cluster from scripts/pg.sh;
# builds ./bin/aduan, applies migrations, then execs `aduan serve "$@"`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -z ${DATABASE_URL:-} ]]; then
	DATABASE_URL=$(bash scripts/pg.sh)
fi
export DATABASE_URL

echo "run.sh: building bin/aduan" >&2
go build -o ./bin/aduan ./cmd/aduan

./bin/aduan migrate

# Without ADUAN_UNITS_FILE, load the example units so a fresh checkout has
# something to route complaints to. The operator replaces this with the real
# unit list (ADUAN_UNITS_FILE=/path/to/units.yaml, or `aduan units apply FILE`).
if [[ -z ${ADUAN_UNITS_FILE:-} && -f config/units.example.yaml ]]; then
	./bin/aduan units apply config/units.example.yaml
fi

exec ./bin/aduan serve "$@"
