#!/usr/bin/env bats
# Kernel lock contention for real: threads of tools/mutexload mmap, touch
# and munmap memory in a loop, so they queue on their mm's mmap_lock (an
# rwsem) and on page-table spinlocks.

load helpers

setup() { setup_gated; }

teardown() { teardown_gated; }

@test "locks: mmap/munmap threads show typed kernel lock waits with symbolized stacks" {
	start_gated mutexload --kernel 4:1500
	start_latscope_attached "$T/out" 4 --probes locks -p "$WL" -i 60
	echo go >&7
	wait "$WL"
	stop_latscope
	jq -c '.locks.kernel[] | del(.hist)' "$T/out" | head -20
	[ "$(jq '.locks.kernel | length' "$T/out")" -gt 0 ]
	# every type is one of the names contention_begin's flags give
	jq -e '.locks.kernel | all(.type | test("^(spinlock|rwlock-(read|write)|rwsem(-read|-write)?|rt-mutex|rwlock-rt-(read|write)|percpu-rwsem-(read|write)|mutex|mutex-spin)$"))' "$T/out"
	# the mm's mmap_lock: an rwsem waited on from the mmap/munmap/fault paths
	jq -e '[.locks.kernel[] | select(.type | startswith("rwsem")) |
		select(.symbol | test("munmap|mmap|vma|fault"))] | length > 0' "$T/out"
	# stacks are symbols, not raw addresses, and start in the lock code
	jq -e '[.locks.kernel[] | select(.stack | length > 0)] | length > 0 and
		all(.stack | all(test("^[A-Za-z_.][A-Za-z0-9_.]*\\+0x[0-9a-f]+( \\[[^]]+\\])?$")))' "$T/out"
	# ... from the waiter down: latscope's own frames are not on top (BPF
	# frames further down are an interrupted program, a real context)
	jq -e '.locks.kernel | all(.stack | length == 0 or (.[0] | test("^bpf_|^0x|bpf_trace_run") | not))' "$T/out"
	# the lock is named by the first caller outside the locking code
	jq -e '.locks.kernel | all(.symbol | test("spin_lock|rwsem|queued|down_write|down_read") | not)' "$T/out"
	jq -e '.locks.kernel | all((.hist | map(.[1]) | add) == .count)' "$T/out"
	jq -e '.locks.kernel | all(.count > 0 and .total_ns > 0 and .max_ns > 0 and .p99_ns <= .max_ns and (.lock | startswith("0x")))' "$T/out"
	[ "$(jq '.dropped.map_full' "$T/out")" -eq 0 ]
	# no double counting of nested waits: the threads cannot have waited
	# longer, all locks together, than they existed
	waited=$(jq '[.locks.kernel[].total_ns] | add' "$T/out")
	lived=$(tail -n1 "$T/truth" | jq '.kernel.threads * .kernel.elapsed_ns')
	echo "waited $waited ns of $lived thread-ns"
	[ "$waited" -le "$lived" ]
}
