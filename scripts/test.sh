#!/usr/bin/env bash
# scripts/test.sh — the project's test command (README; CI runs it via .ci/run).
#
#   scripts/test.sh                      # go vet ./... ; go test -race ./... (twice)
#   scripts/test.sh -run Foo ./store/    # extra args REPLACE the default ./...
#
# Starts (or reuses) PostgreSQL via scripts/pg.sh and exports DATABASE_URL as
# an admin connection; tests create their own databases from it.
# A pre-set DATABASE_URL that answers is used as is.
# go test runs twice, with TZ=UTC and TZ=Asia/Pontianak (UTC+7), to catch
# code that depends on the machine's time zone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DATABASE_URL=$(bash scripts/pg.sh)
export DATABASE_URL
echo "test.sh: DATABASE_URL=$(sed -E 's#//([^:/@]+):[^@]*@#//\1:***@#' <<<"$DATABASE_URL")" >&2

if (($# > 0)); then
	args=("$@")
else
	args=(./...)
fi

echo "test.sh: go vet ./..." >&2
go vet ./...

for tz in UTC Asia/Pontianak; do
	echo "test.sh: TZ=$tz go test -race -count=1 ${args[*]}" >&2
	TZ=$tz go test -race -count=1 "${args[@]}"
done
