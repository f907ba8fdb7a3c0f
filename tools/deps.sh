#!/bin/sh
# Installs latscope's build and test dependencies from Debian's packages,
# only those missing: idempotent, and quiet when nothing is missing.
set -eu
PKGS="make gcc pkg-config clang-19 libclang-rt-19-dev bpftool libbpf-dev libelf-dev libdw-dev liblzma-dev zlib1g-dev
libncurses-dev libcmocka-dev libjansson-dev libmicrohttpd-dev curl linux-libc-dev bats jq tmux iproute2
procps prometheus scdoc man-db dpkg-dev debhelper lintian libunwind-dev
libc6-dbg postgresql redis-server"
# (libc6-dbg: libc's internal names in the unwinding tests; postgresql: the
# real server whose LWLock waits the locks tests check under pgbench, and
# whose statement durations the requests tests check; redis-server: the
# other real server of tests/e2e/requests_servers.bats, its latencystats)
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
echo "make deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# apt's log goes to a private file (mktemp: a new name, O_EXCL, mode 0600),
# never to a fixed name in /tmp where any local user could plant a symlink
log=$(mktemp "${TMPDIR:-/tmp}/latscope-deps.XXXXXX")
if ! $SUDO apt-get install -y -q --no-install-recommends $missing >>"$log" 2>&1; then
	$SUDO apt-get update -q >>"$log" 2>&1 || true
	$SUDO apt-get install -y -q --no-install-recommends $missing >>"$log" 2>&1 || {
		echo "make deps: apt-get failed; see $log" >&2
		tail -n 5 "$log" >&2
		exit 1
	}
fi
rm -f "$log"
