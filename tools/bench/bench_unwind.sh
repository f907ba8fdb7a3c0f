#!/usr/bin/env bash
# User stacks unwound by CFI: libdwfl (latscope's) against libunwind on the
# same copied stack, 3 runs (build/bench/unwind_bench says how); then the
# first stack of each of 20 processes of one binary started on their own
# (build/bench/unwind_procs: the binaries' tables shared by build id).
set -u
cd "$(dirname "$0")/../.."
for _ in 1 2 3; do
	build/bench/unwind_bench || { echo "unwind: the two unwinders found different frames" >&2; exit 1; }
done
for _ in 1 2; do
	build/bench/unwind_procs 20 || { echo "unwind: processes of one binary unwound differently" >&2; exit 1; }
done
