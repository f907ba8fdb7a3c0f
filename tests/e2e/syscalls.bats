#!/usr/bin/env bats
# The syscalls family against a workload that knows its own latencies
# (tools/sysload): exact counts and errors, percentiles within the
# histogram's bound of the workload's own measurement, max close to the
# truth, in-flight calls while they block.

load helpers

setup() { setup_gated; }

teardown() { teardown_gated; }

# start_workload ARGS...: sysload waiting on the fifo; sets WL, BLOCKER
start_workload() {
	start_gated sysload "$@"
	BLOCKER=$(head -n1 "$T/truth" | jq .blocker_tid)
}

truth() { tail -n1 "$T/truth" | jq "$1"; }

# the merged row of (pid, syscall) over every snapshot of OUT
row() {
	jq -s --argjson pid "$WL" --arg sc "$1" '
		[.[].syscalls[] | select(.pid == $pid and .syscall == $sc)] |
		{count: (map(.count) | add // 0), errors: (map(.errors) | add // 0),
		 total_ns: (map(.total_ns) | add // 0), max_ns: (map(.max_ns) | max // 0),
		 rows: length, first: .[0]}' "$T/out"
}

@test "syscalls: exact counts, errors, percentiles and max of known calls in one snapshot" {
	start_workload --sleep 60:1000:20000 --pipe 40:3000 --enoent 37
	# a long interval: everything lands in the final snapshot on SIGINT
	start_latscope_attached "$T/out" 4 -p "$WL" -i 60
	echo go >&7
	wait "$WL"
	stop_latscope
	[ "$(jq -s length "$T/out")" -eq 1 ]

	r=$(row nanosleep)
	[ "$(jq .count <<<"$r")" -eq 60 ]
	[ "$(jq .errors <<<"$r")" -eq 0 ]
	for p in p50_ns p90_ns p99_ns p999_ns; do
		assert_within "$(jq .first.$p <<<"$r")" "$(truth .sleep.$p)" 5
	done
	# max is exact kernel time: a little under the workload's own clock
	max=$(jq .max_ns <<<"$r"); want=$(truth .sleep.max_ns)
	[ "$max" -le "$want" ]
	[ "$max" -ge $((want - 500000)) ]
	assert_within "$(jq .total_ns <<<"$r")" "$(truth .sleep.total_ns)" 2

	r=$(row read)
	[ "$(jq .count <<<"$r")" -eq 40 ]
	assert_within "$(jq .first.p50_ns <<<"$r")" "$(truth .pipe.p50_ns)" 5
	assert_within "$(jq .first.p99_ns <<<"$r")" "$(truth .pipe.p99_ns)" 5

	r=$(row openat)
	[ "$(jq .count <<<"$r")" -eq 37 ]
	[ "$(jq .errors <<<"$r")" -eq 37 ]

	# the histogram holds exactly the calls, and the comm is the workload's
	[ "$(jq '[.first.hist[][1]] | add' <<<"$(row nanosleep)")" -eq 60 ]
	[ "$(jq -r .first.comm <<<"$r")" = "sysload" ]
}

@test "syscalls: counts add up exactly across many short intervals" {
	start_workload --sleep 150:500:4000 --enoent 200
	start_latscope "$T/out" -p "$WL" -i 0.1
	echo go >&7
	wait "$WL"
	sleep 0.3
	stop_latscope
	r=$(row nanosleep)
	[ "$(jq .rows <<<"$r")" -ge 2 ]	# really spread over intervals
	[ "$(jq .count <<<"$r")" -eq 150 ]
	assert_within "$(jq .total_ns <<<"$r")" "$(truth .sleep.total_ns)" 2
	max=$(jq .max_ns <<<"$r"); want=$(truth .sleep.max_ns)
	[ "$max" -le "$want" ] && [ "$max" -ge $((want - 500000)) ]
	r=$(row openat)
	[ "$(jq .count <<<"$r")" -eq 200 ]
	[ "$(jq .errors <<<"$r")" -eq 200 ]
	# each snapshot's interval is measured and they tile the run
	jq -s -e 'all(.[]; .interval_ns > 0 and .interval_ns < 1000000000)' "$T/out"
}

@test "syscalls: a blocked call shows in inflight while it blocks, and not after" {
	start_workload --block 2500
	start_latscope "$T/out" -p "$WL" -i 0.25
	echo go >&7
	sleep 1.6
	# a snapshot taken while the call blocks lists it, with its elapsed time
	jq -s -e --argjson tid "$BLOCKER" --argjson pid "$WL" '
		[.[].inflight[] | select(.tid == $tid)] | length > 0 and
		all(.[]; .pid == $pid and .syscall == "readv" and .elapsed_ns >= 100000000) and
		(map(.elapsed_ns) | max) > 900000000 and (map(.elapsed_ns) | max) < 2500000000' "$T/out"
	wait "$WL"
	sleep 0.6
	stop_latscope
	# once returned, it is counted with its real length and no longer listed
	jq -s -e --argjson tid "$BLOCKER" '.[-1].inflight | all(.tid != $tid)' "$T/out"
	r=$(row readv)
	[ "$(jq .count <<<"$r")" -eq 1 ]
	assert_within "$(jq .max_ns <<<"$r")" "$(truth .block.max_ns)" 2
}

@test "syscalls: -p filters in the kernel: no other process appears" {
	start_workload --sleep 5:1000:1000
	start_latscope "$T/out" -p "$WL" -i 0.2
	echo go >&7
	wait "$WL"
	sleep 0.3
	stop_latscope
	jq -s -e --argjson pid "$WL" '[.[].syscalls[].pid] | length > 0 and all(. == $pid)' "$T/out"
}

@test "syscalls: -d stops by itself with exit 0 and interval-spaced snapshots" {
	run timeout 10 "$LATSCOPE" --json --probes syscalls -i 0.3 -d 1
	[ "$status" -eq 0 ]
	n=$(printf '%s\n' "$output" | grep -c '^{')
	[ "$n" -ge 3 ] && [ "$n" -le 5 ]
	printf '%s\n' "$output" | grep '^{' | jq -s -e 'all(.[]; .schema == "latscope/1" and .probes.syscalls == "on")'
}

@test "syscalls: SIGTERM and SIGHUP stop cleanly with a last snapshot" {
	for sig in TERM HUP; do
		"$LATSCOPE" --json --probes syscalls -i 60 > "$T/o.$sig" 2>/dev/null &
		p=$!
		for i in $(seq 1 100); do [ "$(bpf_links $p)" -ge 3 ] && break; sleep 0.05; done
		kill -$sig $p
		wait $p
		[ "$(wc -l < "$T/o.$sig")" -eq 1 ]
		jq -e '.interval_ns > 0' "$T/o.$sig"
	done
}
