#!/usr/bin/env bats
# --uprobe-locks PID: uprobes on pthread_mutex_lock of one process measure
# exactly the acquisitions that had to wait.

load helpers

setup() { setup_gated; }

teardown() { teardown_gated; }

truth() { tail -n1 "$T/truth" | jq -r "$1"; }

@test "locks: --uprobe-locks measures the contended pthread_mutex_lock calls" {
	start_gated mutexload --mutex 4:50:1000
	# 4 raw tracepoints + the uprobe and the uretprobe
	start_latscope_attached "$T/out" 6 --probes locks -p "$WL" -i 60 --uprobe-locks "$WL"
	echo go >&7
	wait "$WL"
	stop_latscope
	r=$(jq -c --argjson pid "$WL" --arg a "$(truth .mutex.addr)" \
		'[.locks.user[] | select(.pid == $pid and .uaddr == $a)]' "$T/out")
	echo "$r" | jq -c '.[] | del(.hist)'
	# one kind, and the futex waits inside those calls are not counted twice
	[ "$(jq -c 'map(.kind) | unique' <<<"$r")" = '["mutex"]' ]
	count=$(jq 'map(.count) | add' <<<"$r")
	# only calls that waited: at most every call, and with four threads
	# holding the mutex 1 ms each, most of them
	[ "$count" -le "$(truth .mutex.acquired)" ]
	[ "$count" -ge $(( $(truth .mutex.acquired) / 2 )) ]
	assert_within "$(jq 'map(.total_ns) | add' <<<"$r")" "$(truth .mutex.wait_ns)" 30
	# at the return the stack starts in the caller of pthread_mutex_lock
	jq -e 'map(.stack[0]) | any(startswith("lock_and_time"))' <<<"$r"
	jq -e 'map(.stack) | flatten | any(startswith("contend_shared_mutex+0x"))' <<<"$r"
}

@test "locks: --uprobe-locks bad values are usage errors" {
	run -2 "$LATSCOPE" --json --uprobe-locks abc
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"--uprobe-locks 'abc'"* ]]
	run -2 "$LATSCOPE" --json --uprobe-locks 999999999
	[[ "$output" == *"no such process"* ]]
	run -2 "$LATSCOPE" --json --probes syscalls --uprobe-locks $$
	[[ "$output" == *"needs the locks family"* ]]
}
