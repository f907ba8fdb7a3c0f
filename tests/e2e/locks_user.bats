#!/usr/bin/env bats
# The locks family's user-space side against tools/mutexload, which knows
# its own truth: the address of the mutex its threads fight over and how
# long they waited in pthread_mutex_lock by their own clock.

load helpers

setup() { setup_gated; }

teardown() { teardown_gated; }

# start_workload ARGS...: mutexload waiting on the fifo; sets WL
start_workload() {
	start_gated mutexload "$@"
}

truth() { tail -n1 "$T/truth" | jq -r "$1"; }

# all user rows of the workload over every snapshot
user_rows() {
	jq -c --argjson pid "$WL" '.locks.user[] | select(.pid == $pid)' "$T/out"
}

# run the workload to its end under latscope (one final snapshot)
run_traced() {
	start_latscope_attached "$T/out" 4 --probes locks -p "$WL" -i 60 "$@"
	echo go >&7
	wait "$WL"
	stop_latscope
	[ "$(jq -s length "$T/out")" -eq 1 ]
	[ "$(jq -r '.probes.locks' "$T/out")" = on ]
}

@test "locks: a contended pthread mutex is a mutex entry whose wait matches the workload's" {
	start_workload --mutex 4:50:1000
	run_traced
	addr=$(truth .mutex.addr)
	r=$(user_rows | jq -s --arg a "$addr" '[.[] | select(.uaddr == $a)] |
		{n: length, kind: (map(.kind) | unique), count: (map(.count) | add // 0),
		 total_ns: (map(.total_ns) | add // 0), max_ns: (map(.max_ns) | max // 0),
		 stacks: map(.stack), p99_ok: all(.p99_ns <= .max_ns)}')
	echo "$r"
	[ "$(jq -c .kind <<<"$r")" = '["mutex"]' ]
	# the acquisitions that took long did so mostly by waiting in the kernel
	# (the workload's own count also catches preemptions: 70%)
	[ "$(jq .count <<<"$r")" -ge $(( $(truth .mutex.contended) * 7 / 10 )) ]
	assert_within "$(jq .total_ns <<<"$r")" "$(truth .mutex.wait_ns)" 30
	# the waiter's stack names the function that contends
	jq -e '.stacks | flatten | any(startswith("contend_shared_mutex+0x"))' <<<"$r"
	# percentiles and max are consistent, the histogram holds every wait
	jq -e '.max_ns > 0 and .p99_ok' <<<"$r"
	user_rows | jq -se 'all((.hist | map(.[1]) | add) == .count)'
	# -p is applied in the kernel: nobody else's waits
	jq -e --argjson pid "$WL" '.locks.user | all(.pid == $pid)' "$T/out"
}

@test "locks: with the syscalls family, the futex programs run through the shared hooks" {
	start_workload --mutex 4:50:1000
	# syscalls' 4 links and locks' 2 (contention_begin/end): the futex
	# programs are in the syscalls family's program array instead
	start_latscope_attached "$T/out" 6 --probes syscalls,locks -p "$WL" -i 60
	wait_hook_slots "$LS_PID" '[0,1]'
	echo go >&7
	wait "$WL"
	stop_latscope
	addr=$(truth .mutex.addr)
	r=$(user_rows | jq -s --arg a "$addr" '[.[] | select(.uaddr == $a)] |
		{count: (map(.count) | add // 0), total_ns: (map(.total_ns) | add // 0)}')
	echo "$r"
	[ "$(jq .count <<<"$r")" -ge $(( $(truth .mutex.contended) * 7 / 10 )) ]
	assert_within "$(jq .total_ns <<<"$r")" "$(truth .mutex.wait_ns)" 30
	# the head's own work is whole: the futex calls are syscalls rows too
	jq -e --argjson pid "$WL" '[.syscalls[] | select(.pid == $pid and .syscall == "futex")] |
		length == 1 and .[0].count > 0' "$T/out"
}

@test "locks: threads idle in pthread_cond_wait are condvar waits, not mutex contention" {
	start_workload --condvar 3:600
	run_traced
	caddr=$(truth .condvar.addr)
	user_rows > "$T/rows"
	cat "$T/rows"
	# the condvar's futex word lies inside the pthread_cond_t (48 bytes)
	cv=$(jq -s --arg a "$caddr" '
		($a | ltrimstr("0x") | explode | reduce .[] as $c (0;
			. * 16 + (if $c >= 97 then $c - 87 else $c - 48 end))) as $base |
		[.[] | select(.uaddr | ltrimstr("0x") | explode | reduce .[] as $c (0;
			. * 16 + (if $c >= 97 then $c - 87 else $c - 48 end)) |
			. >= $base and . < $base + 48)]' "$T/rows")
	[ "$(jq '[.[].kind] | unique == ["condvar"]' <<<"$cv")" = true ]
	# three threads idled ~600 ms each
	[ "$(jq '[.[].count] | add' <<<"$cv")" -ge 3 ]
	[ "$(jq '[.[].total_ns] | add' <<<"$cv")" -ge 1500000000 ]
	# what shows as mutex is at most the brief re-lock after the
	# broadcast: nothing near the idle time
	[ "$(jq -s '[.[] | select(.kind == "mutex") | .total_ns] | add // 0' "$T/rows")" -lt 100000000 ]
}

@test "locks: stacks of a process that exited before the snapshot are still symbolized" {
	# long enough (~0.3 s) for the map reader to run while it lives even
	# on a slow host (or under ASan); it still exits before the snapshot
	start_workload --mutex 3:200:500
	run_traced
	# the workload is gone by now (waited for above), yet its frames
	# have names: its map was read while it ran
	! kill -0 "$WL" 2>/dev/null
	user_rows | jq -se 'map(.stack) | flatten | any(startswith("mutex_thread+0x"))'
	user_rows | jq -se 'map(.comm) | unique == ["mutexload"]'
}

@test "locks: short intervals split the waits without losing or repeating any" {
	start_workload --mutex 4:60:1000
	start_latscope_attached "$T/out" 4 --probes locks -p "$WL" -i 0.1
	echo go >&7
	wait "$WL"
	sleep 0.3
	stop_latscope
	[ "$(jq -s length "$T/out")" -ge 3 ]
	addr=$(truth .mutex.addr)
	# several snapshots carry waits of the one mutex; together they match
	[ "$(jq -s --arg a "$addr" '[.[] | select(any(.locks.user[]; .uaddr == $a))] | length' "$T/out")" -ge 2 ]
	total=$(jq -s --arg a "$addr" '[.[].locks.user[] | select(.uaddr == $a) | .total_ns] | add' "$T/out")
	assert_within "$total" "$(truth .mutex.wait_ns)" 30
	# an interval's max is one of its own waits: never above its total
	jq -se '[.[].locks.user[]] | all(.max_ns <= .total_ns and .count > 0)' "$T/out"
}
