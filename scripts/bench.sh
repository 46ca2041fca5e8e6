#!/usr/bin/env bash
# scripts/bench.sh — benchmarks against the dev PostgreSQL.
#
#   scripts/bench.sh                 # all benchmarks in ./store/ and ./flows/
#   BENCH=Intake scripts/bench.sh    # only benchmarks matching the regexp
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DATABASE_URL=$(bash scripts/pg.sh)
export DATABASE_URL

# --- Go benchmarks -------------------------------------------------------------
go test -run '^$' -bench "${BENCH:-.}" -benchmem ./store/ ./flows/

# --- pgbench comparison: see docs/PERFORMANCE.md --------------------------------
# (to be filled in)
