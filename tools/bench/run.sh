#!/usr/bin/env bash
# make bench: every tools/bench/bench_*.sh in turn (root; a quiet host gives
# the steadiest numbers). BENCH=pattern runs a subset.
set -u
cd "$(dirname "$0")"
rc=0
for b in bench_*.sh; do
	[[ $b == *${BENCH:-}* ]] || continue
	bash "$b" || rc=1
	echo
done
exit $rc
