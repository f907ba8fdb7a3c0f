#!/usr/bin/env bash
# User stacks unwound by CFI: libdwfl (latscope's) against libunwind on the
# same copied stack, 3 runs (build/bench/unwind_bench says how).
set -u
cd "$(dirname "$0")/../.."
for _ in 1 2 3; do
	build/bench/unwind_bench || { echo "unwind: the two unwinders found different frames" >&2; exit 1; }
done
