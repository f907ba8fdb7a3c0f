#!/usr/bin/env bats
# The pools family against a thread pool that knows its own saturation
# (tools/poolload): thread count, busy and saturated shares within 10
# points of the workload's truth, the dominant state per mode, run-queue
# time within 15% of /proc/self/task/TID/schedstat, main thread and
# acceptors kept apart.

load helpers

POOL_LINKS=4	# sched_switch, sched_wakeup, sched_wakeup_new, sched_process_exit (sys_exit: once an accept is seen)

setup() { setup_gated; }

teardown() { teardown_gated; }

# run_pool ARGS...: poolload ARGS under latscope (-p, 0.5 s intervals),
# from before "go" until after its threads exited. Sets WL.
run_pool() {
	"$TOOLS/poolload" "$@" < "$T/go" > "$T/truth" 2> "$T/wl.err" &
	WL=$!
	exec 7> "$T/go"
	wait_for_file "$T/truth"
	start_latscope_attached "$T/out" "${LINKS:-$POOL_LINKS}" --probes "${PROBES:-pools}" \
		-p "$WL" -i 0.5
	# a first snapshot with the pool asleep, seeded from /proc
	wait_for_file "$T/out" 50
	if declare -F before_go > /dev/null; then before_go; fi
	echo go >&7
	if declare -F after_go > /dev/null; then after_go; fi
	wait "$WL"
	sleep 0.7	# the interval in which the workers exit
	stop_latscope
}

truth() { tail -n1 "$T/truth" | jq "$1"; }
first() { head -n1 "$T/truth" | jq "$1"; }

# rows of pool NAME of the workload, in snapshots wholly inside its run
inner_rows() {
	jq -s --argjson pid "$WL" --arg pool "$1" \
	   --argjson s "$(truth .start_real_ns)" --argjson e "$(truth .end_real_ns)" '
		[.[] | select(.ts_ns - .interval_ns >= $s and .ts_ns <= $e) |
		 .pools[] | select(.pid == $pid and .pool == $pool)]' "$T/out"
}

# mean of FIELD over the inner rows of pool NAME
inner_mean() {
	inner_rows "$1" | jq "if length == 0 then -1000 else (map(.$2) | add / length) end"
}

# assert_points ACTUAL EXPECTED POINTS: |ACTUAL-EXPECTED| <= POINTS
assert_points() {
	awk -v a="$1" -v e="$2" -v p="$3" 'BEGIN {
		d = a - e; if (d < 0) d = -d
		if (d <= p) exit 0
		printf "%s is not within %s points of %s\n", a, p, e > "/dev/stderr"; exit 1 }'
}

# dominant NAME: the largest of oncpu/runq/lock/io summed over inner rows
dominant() {
	inner_rows "$1" | jq -r '
		{oncpu: (map(.oncpu_ns) | add), runq: (map(.runq_ns) | add),
		 lock: (map(.lock_ns) | add), io: (map(.io_ns) | add)} |
		to_entries | max_by(.value) | .key'
}

@test "pools: slow downstream read directly: io, threads, busy and saturated near the truth" {
	run_pool --workers 4 --mode io --rate 160 --task-us 20000 --duration 3
	[ "$(inner_rows worker | jq length)" -ge 3 ]
	inner_rows worker | jq -e 'all(.[]; .threads == 4 and .others == [] and
		(.thread_list | length) == 4)'
	assert_points "$(inner_mean worker busy_pct)" "$(truth .busy_pct)" 10
	assert_points "$(inner_mean worker saturated_pct)" "$(truth .saturated_pct)" 10
	[ "$(dominant worker)" = io ]
	# -p filters in the kernel: no other process's pool appears
	jq -s -e --argjson pid "$WL" '[.[].pools[].pid] | length > 0 and all(. == $pid)' "$T/out"
	# the drill-down lists exactly the workers, and adds up to the pool
	inner_rows worker | jq -e --argjson w "$(first .workers)" 'all(.[];
		([.thread_list[].tid] | sort) == ($w | sort) and
		([.thread_list[].io_ns] | add) == .io_ns and
		([.thread_list[].idle_ns] | add) == .idle_ns)'
	# each worker's times cover about the whole interval (a sanity bound)
	jq -s -e --argjson pid "$WL" --argjson s "$(truth .start_real_ns)" \
	   --argjson e "$(truth .end_real_ns)" '
		[.[] | select(.ts_ns - .interval_ns >= $s and .ts_ns <= $e) as $snap |
		 $snap.pools[] | select(.pid == $pid and .pool == "worker") | .thread_list[] |
		 (.oncpu_ns + .runq_ns + .lock_ns + .io_ns + .idle_ns) / $snap.interval_ns] |
		length > 0 and all(.[]; . > 0.8 and . < 1.2)' "$T/out"
}

@test "pools: poll with a timeout on a socket downstream is io, not idle" {
	run_pool --workers 4 --mode poll --downstream socket --rate 160 --task-us 20000 --duration 3
	assert_points "$(inner_mean worker busy_pct)" "$(truth .busy_pct)" 10
	assert_points "$(inner_mean worker saturated_pct)" "$(truth .saturated_pct)" 10
	[ "$(dominant worker)" = io ]
}

@test "pools: mutex contention is lock" {
	run_pool --workers 4 --mode lock --rate 200 --burst 4 --task-us 4000 --duration 3
	[ "$(dominant worker)" = lock ]
	assert_points "$(inner_mean worker busy_pct)" "$(truth .busy_pct)" 10
	assert_points "$(inner_mean worker saturated_pct)" "$(truth .saturated_pct)" 10
}

@test "pools: CPU burn on more threads than CPUs is runq, and runq time matches schedstat" {
	run_pool --workers 6 --mode cpu --rate 60 --burst 6 --task-us 10000 --duration 3
	[ "$(dominant worker)" = runq ]
	# every worker's run-queue time over all snapshots, against the kernel's own
	for tid in $(first '.workers[]'); do
		got=$(jq -s --argjson tid "$tid" '[.[].pools[].thread_list[]? |
			select(.tid == $tid) | .runq_ns] | add // 0' "$T/out")
		assert_within "$got" "$(truth ".runq_ns[\"$tid\"]")" 15
	done
	inner_rows worker | jq -e 'all(.[]; .threads == 6 and .runq_p99_ns > 0)'
}

@test "pools: main thread and acceptor with the workers' very name are kept apart" {
	run_pool --workers 4 --mode io --rate 160 --task-us 20000 --duration 3 --acceptor --name srv
	acc=$(first .acceptor_tid)
	# the acceptor was asleep in accept(2) when latscope attached
	inner_rows srv | jq -e --argjson pid "$WL" --argjson acc "$acc" 'length >= 3 and all(.[];
		.threads == 4 and
		(.others | sort_by(.tid)) == ([{tid: $pid, role: "main"},
					       {tid: $acc, role: "acceptor"}] | sort_by(.tid)) and
		all(.thread_list[]; .tid != $acc and .tid != $pid))'
	assert_points "$(inner_mean srv saturated_pct)" "$(truth .saturated_pct)" 10
	assert_points "$(inner_mean srv busy_pct)" "$(truth .busy_pct)" 10
}

@test "pools: an acceptor born after attach is found by its workers' I/O, and stays one" {
	run_pool --workers 4 --mode io --rate 160 --task-us 20000 --duration 3 --acceptor-late --name srv
	acc=$(jq .acceptor_tid "$T/wl.err")
	[ "$acc" -gt 0 ]
	inner_rows srv | jq -e --argjson acc "$acc" 'length >= 3 and all(.[];
		.threads == 4 and any(.others[]; .tid == $acc and .role == "acceptor"))'
	assert_points "$(inner_mean srv saturated_pct)" "$(truth .saturated_pct)" 10
}

# With the syscalls family on, pools_switch and pools_sys_exit run from its
# programs (include/hook_slots.h) instead of being attached on their own:
# the kernel's program array holds them, and the pool's figures are the same.
@test "pools: with the syscalls family, pools' programs run through the shared hooks" {
	# before go: sched_switch's slot only; once the acceptor waits in
	# accept, sys_exit's too
	before_go() { wait_hook_slots "$LS_PID" '[3]'; }
	after_go() { wait_hook_slots "$LS_PID" '[2,3]'; }
	# syscalls' 4 links, and pools' 4 but sched_switch
	PROBES=syscalls,pools LINKS=7 run_pool --workers 4 --mode io --rate 160 --task-us 20000 \
		--duration 3 --acceptor-late --name srv
	acc=$(jq .acceptor_tid "$T/wl.err")
	[ "$acc" -gt 0 ]
	inner_rows srv | jq -e --argjson acc "$acc" 'length >= 3 and all(.[];
		.threads == 4 and any(.others[]; .tid == $acc and .role == "acceptor"))'
	assert_points "$(inner_mean srv saturated_pct)" "$(truth .saturated_pct)" 10
	assert_points "$(inner_mean srv busy_pct)" "$(truth .busy_pct)" 10
	# and the syscalls family's own rows of the workload are there
	jq -s -e --argjson pid "$WL" '[.[].syscalls[] | select(.pid == $pid and .syscall == "read")] |
		length > 0' "$T/out"
}

@test "pools: an idle pool is neither busy nor saturated; exited threads are reported once, then gone" {
	run_pool --workers 4 --mode io --rate 10 --task-us 2000 --duration 2
	inner_rows worker | jq -e 'length >= 2 and all(.[]; .busy_pct < 5 and
		.saturated_pct == 0 and .threads == 4)'
	# seeded at attach: asleep on the condition variable counts as idle
	jq -s -e --argjson pid "$WL" '.[0].pools[] | select(.pid == $pid and .pool == "worker") |
		.idle_ns > 0 and .busy_pct == 0' "$T/out"
	# after the exit interval the workload is gone from every later snapshot
	jq -s -e --argjson pid "$WL" '[.[] | [.pools[] | select(.pid == $pid)] | length] |
		. as $n | ($n | length) >= 2 and $n[-1] == 0' "$T/out"
}

@test "pools: workers that accept and serve their own connections stay workers" {
	run_pool --workers 4 --mode io --rate 160 --task-us 20000 --duration 3 --self-accept
	# asleep in accept at attach they count as acceptors, until each serves
	# a connection it accepted itself
	inner_rows worker | jq -e 'length >= 3 and all(.[]; .threads == 4 and .others == [])'
	got=$(inner_rows worker | jq '.[1:] | map(.saturated_pct) | add / length')
	assert_points "$got" "$(truth .saturated_pct)" 10
	assert_points "$(inner_mean worker busy_pct)" "$(truth .busy_pct)" 10
}

@test "pools: a sleep on a contended kernel lock (inode lock) is lock, not io" {
	kernel_has_raw_tp contention_begin || skip "the kernel has no lock:contention_begin tracepoint"
	# the workers share one CPU (see poolload): a writer that finds the
	# inode lock taken sleeps on it, it cannot spin on a running owner
	run_pool --workers 4 --mode klock --rate 50 --burst 4 --duration 2
	inner_rows worker | jq -e '(map(.lock_ns) | add) > 0 and
		(map(.lock_ns) | add) > 5 * (map(.io_ns) | add)'
}

@test "pools: waiting for work in poll or select on an eventfd is idle" {
	for how in poll select; do
		run_pool --workers 4 --mode io --rate 160 --task-us 20000 --duration 2 --wait $how
		inner_rows worker | jq -e 'length >= 2 and all(.[]; .threads == 4)'
		assert_points "$(inner_mean worker busy_pct)" "$(truth .busy_pct)" 10
		assert_points "$(inner_mean worker saturated_pct)" "$(truth .saturated_pct)" 10
		rm -f "$T/out" "$T/truth"
	done
}

@test "pools: hostile thread names come out as valid JSON, grouped all the same" {
	name=$'w"\\\x01\xff\t'
	run_pool --workers 3 --mode io --rate 20 --task-us 1000 --duration 1 --name "$name"
	# every line parses, and the three workers form one pool under that name
	jq -s -e --argjson pid "$WL" '[.[].pools[] | select(.pid == $pid and .threads == 3)] |
		length > 0' "$T/out"
	jq -s -e --argjson pid "$WL" '[.[].pools[] | select(.pid == $pid) | .pool] | unique |
		map(select(startswith("w\"\\"))) | length == 1' "$T/out"
}

@test "pools: a rename of the main thread shows in the next snapshots (its name is kept between them)" {
	# the main thread names itself "renamed" halfway through the run
	run_pool --workers 4 --mode io --rate 160 --task-us 20000 --duration 4 --acceptor \
		--name srv --rename-main renamed
	renamed=$(awk '$1 == "renamed" { print $2 }' "$T/wl.err")
	[ -n "$renamed" ]
	# every snapshot begun after the rename and ended before the run did
	# (then /proc has no name to give): its name, and not main any more
	jq -s -e --argjson pid "$WL" --argjson r "$renamed" --argjson e "$(truth .end_real_ns)" '
		[.[] | select(.ts_ns - .interval_ns > $r and .ts_ns <= $e) | .pools[] |
		 select(.pid == $pid)] |
		length >= 2 and all(.[]; .comm == "renamed" and all(.others[]; .role != "main"))' "$T/out"
	# and before it, the workers' name, listed apart as main in their pool
	jq -s -e --argjson pid "$WL" --argjson r "$renamed" '
		[.[] | select(.ts_ns < $r) | .pools[] | select(.pid == $pid)] |
		length >= 1 and all(.[]; .comm == "srv") and any(.[]; any(.others[]; .role == "main"))' "$T/out"
}

@test "pools: threads by the ten thousand coming and going reuse the kernel's slots: no drops" {
	# 4 processes of 50 threads, each replacing up to 1,000 threads a
	# second; under -p the pools' thread table and the syscalls family's
	# inflight table have 4,096 slots each, so without the slots of exited
	# threads handed back they would overflow within seconds
	forks0=$(awk '/^processes/ { print $2 }' /proc/stat)
	# no --seconds: it runs until told, however long attaching takes under
	# this churn on a slow host (4 s seen on a 2-vCPU guest)
	"$TOOLS/scaleload" --procs 4 --threads 50 --churn 1000 --period 1 > "$T/wl" &
	WL=$!
	wait_for_file "$T/wl"
	kids=$(pgrep -P "$WL" | paste -sd,)
	[ "$(echo "$kids" | tr , '\n' | wc -l)" -eq 4 ]
	start_latscope_attached "$T/out" $((POOL_LINKS + 4)) --probes pools,syscalls -p "$kids" -i 1
	sleep 8
	stop_latscope
	forks=$(( $(awk '/^processes/ { print $2 }' /proc/stat) - forks0 ))
	kill "$WL" 2>/dev/null; wait "$WL" || true
	echo "threads made during the run: $forks" >&3
	# the churn itself: more than twice the table's slots
	[ "$forks" -gt $((2 * 4096)) ]
	n=$(jq -s 'length' "$T/out")
	[ "$n" -ge 6 ]
	[ "$(jq -s '[.[].dropped.map_full] | add' "$T/out")" -eq 0 ]
	# and the pools are still followed at the end: 4 of 50 workers
	jq -e -s --arg kids "$kids" '
		($kids | split(",") | map(tonumber)) as $k |
		[.[-2].pools[] | select(.pid as $p | $k | index($p)) | .threads] |
		length == 4 and all(. >= 40)' "$T/out"
}
