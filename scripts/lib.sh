# shellcheck shell=bash
# scripts/lib.sh — shared by the scripts (sourced, not run). Set PROG first.
#
#   say MSG...            progress on stderr, as "PROG: MSG"
#   die MSG...            an error on stderr, exit 1
#   apt_install PKG...    install Debian packages (as root, or with sudo)
#   require_go            stop unless the Go on PATH can build this module (go.mod's
#                         version); REPO must be the repository's root

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
	say "error: $*"
	exit 1
}

apt_install() {
	command -v apt-get >/dev/null || die "apt-get not found; install $* yourself"
	local sudo=()
	if [[ $(id -u) -ne 0 ]]; then
		command -v sudo >/dev/null || die "not root and no sudo; install $* yourself (apt-get install $*)"
		sudo=(sudo)
	fi
	say "installing Debian's $* (apt-get)"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2
}

# go_older A B: whether Go version A (1.21.0, 1.26) is older than B.
go_older() {
	[[ $1 != "$2" && $(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1) == "$1" ]]
}

require_go() {
	local need have inrepo hint
	need=$(awk '$1 == "go" { print $2; exit }' "$REPO/go.mod")
	hint="install Go $need or newer from https://go.dev/dl/ (for example into /usr/local/go) and put its bin/ first on PATH: export PATH=/usr/local/go/bin:\$PATH. Debian's own golang-go package is older than this"
	if ! command -v go >/dev/null; then
		die "no 'go' on PATH; this module (go.mod) needs Go $need: $hint"
	fi
	# The Go installed, not one go.mod makes it switch to; old releases print only `go version`.
	have=$(cd / && GOTOOLCHAIN=local go version 2>/dev/null | awk '{ sub(/^go/, "", $3); print $3 }')
	have=${have%%[!0-9.]*}
	[[ -n $have ]] || die "'go version' printed nothing usable; this module needs Go $need: $hint"
	if ! go_older "$have" "$need"; then
		return 0
	fi
	if go_older "$have" 1.21; then
		die "Go $have found ($(command -v go)), too old to read go.mod, which needs Go $need: $hint"
	fi
	# Go 1.21 and later switch to the toolchain go.mod names by themselves (GOTOOLCHAIN=auto)
	# when they may download it.
	inrepo=$(cd "$REPO" && go env GOVERSION 2>/dev/null) || inrepo=
	inrepo=${inrepo#go}
	if [[ -z $inrepo ]] || go_older "${inrepo%%[!0-9.]*}" "$need"; then
		die "Go $have found ($(command -v go)); go.mod needs Go $need and it could not switch to it (GOTOOLCHAIN=${GOTOOLCHAIN:-auto}): $hint"
	fi
	say "Go $have found; building with Go $inrepo, which go.mod asks for (GOTOOLCHAIN)"
}
