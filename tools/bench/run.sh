#!/usr/bin/env bash
# make bench: every tools/bench/bench_*.sh and *_overhead.sh in turn, each
# printing its own table (root; a quiet host gives the steadiest numbers).
# A family adds a script; nothing here changes. BENCH=pattern picks scripts.
# BPF_STATS=0: without the BPF programs' own run time (a global switch, on
# for a few seconds by default).
set -u
export BPF_STATS=${BPF_STATS:-1}
cd "$(dirname "$0")"
if [ "$(id -u)" -ne 0 ]; then
	echo "bench: needs root to load BPF programs" >&2
	exit 1
fi
rc=0
for b in bench_*.sh *_overhead.sh; do
	[ -e "$b" ] || continue
	[[ $b == *${BENCH:-}* ]] || continue
	echo "== tools/bench/$b"
	bash "$b" || { echo "bench: $b failed" >&2; rc=1; }
	echo
done
exit $rc
