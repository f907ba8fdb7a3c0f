#!/usr/bin/env bash
# Runs every tools/bench/*_overhead.sh (one per probe family, or whatever a
# family wants to measure), each printing its own results. A family adds a
# script; nothing here changes. BENCH=pattern picks scripts.
#   tools/bench/run.sh            (what `make bench` runs, as root)
set -u
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
	echo "bench: needs root to load BPF programs" >&2
	exit 1
fi
rc=0
for s in tools/bench/*_overhead.sh; do
	[ -e "$s" ] || continue
	case "$s" in *${BENCH:-}*) ;; *) continue ;; esac
	echo "== $s"
	bash "$s" || { echo "bench: $s failed" >&2; rc=1; }
done
exit $rc
