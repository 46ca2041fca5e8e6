#!/usr/bin/env bash
# scripts/test.sh — the project's test command (README; CI runs it via .ci/run).
#
#   scripts/test.sh                      # go vet ./... ; go test -race ./... (twice)
#   scripts/test.sh -run Foo ./store/    # extra args REPLACE the default ./...
#
# Checks that the Go on PATH is the one go.mod needs, installs a C compiler when there
# is none (-race needs cgo; Debian's gcc, as root or with sudo, as pg.sh installs
# PostgreSQL) and Debian's chromium for the browser tests (required when CI=true),
# starts (or reuses) PostgreSQL via scripts/pg.sh and exports
# DATABASE_URL as an admin connection; tests create their own databases from it.
# A set DATABASE_URL is used as is when it answers; when it does not, the tests do
# not run (pg.sh says why).
# go test runs twice, with TZ=UTC and TZ=Asia/Pontianak (UTC+7), to catch
# code that depends on the machine's time zone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PROG=test.sh
REPO=$PWD
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

require_go

# -race needs cgo, and cgo a C compiler.
cc=$(go env CC)
if ! command -v "${cc:-gcc}" >/dev/null; then
	say "no C compiler (${cc:-gcc}) for go test -race"
	apt_install gcc libc6-dev
	command -v "${cc:-gcc}" >/dev/null || die "gcc installed but ${cc:-gcc} is not on PATH"
fi
export CGO_ENABLED=1

# The browser tests drive Debian's chromium (through chromedp). Installed when missing;
# without it they skip, except in CI (CI=true), where a missing chromium fails the run.
if ! command -v chromium >/dev/null; then
	say "no chromium for the browser tests"
	(apt_install chromium) || say "chromium not installed"
	if ! command -v chromium >/dev/null; then
		[[ ${CI:-} != true ]] || die "CI=true and no chromium: the browser tests cannot run (apt-get install chromium)"
		say "browser tests will be skipped (install Debian's chromium to run them)"
	fi
fi

DATABASE_URL=$(bash scripts/pg.sh)
export DATABASE_URL
say "DATABASE_URL=$(sed -E 's#//([^:/@]+):[^@]*@#//\1:***@#' <<<"$DATABASE_URL")"

if (($# > 0)); then
	args=("$@")
else
	args=(./...)
fi

say "go vet ./..."
go vet ./...

for tz in UTC Asia/Pontianak; do
	say "TZ=$tz go test -race -count=1 ${args[*]}"
	TZ=$tz go test -race -count=1 "${args[@]}"
done
