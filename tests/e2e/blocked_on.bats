#!/usr/bin/env bats
# pools[].blocked_on against tools/peerload's pool: 4 workers, each calling
# a TCP server on loopback that answers in 1 ms and one that answers in
# 50 ms. The kernel charges each io sleep to the peer the thread waits on
# (resolved from the fd of the call it sleeps in): the slow server carries
# at least 90% of the pool's io time, named with its address and port; the
# fast one is listed too. Without --peers: blocked_on is the pools family's.

load helpers

POOL_LINKS=4	# sched_switch, sched_wakeup, sched_wakeup_new, sched_process_exit

setup() { setup_gated; }

teardown() { teardown_gated; }

truth() { tail -n1 "$T/truth" | jq -r "$1"; }

# run_pool ARGS...: peerload's pool under latscope --probes pools (no
# --peers), interval and extra options in LSARGS.
run_pool() {
	start_gated peerload --chatty 0 "$@"
	# shellcheck disable=SC2086
	start_latscope_attached "$T/out" $POOL_LINKS --probes pools -p "$WL" ${LSARGS:--i 60}
	echo go >&7
	wait "$WL"
	stop_latscope
}

# the workers' pool ("worker-0".."worker-3"), summed over every snapshot:
# {io_ns, blocked: {peer: io_ns}, first: [first peer of each row]}
workers() {
	jq -s --argjson pid "$WL" '
		[.[].pools[] | select(.pid == $pid and .pool == "worker")] |
		{rows: length, io_ns: (map(.io_ns) | add // 0),
		 blocked: (map(.blocked_on[]) | group_by(.peer) |
			   map({key: .[0].peer, value: (map(.io_ns) | add)}) | from_entries),
		 first: map(.blocked_on[0].peer // "")}' "$T/out"
}

@test "blocked_on: the slow downstream carries >= 90% of the pool's io time, named by address and port" {
	run_pool --pool 4:5
	w=$(workers)
	slow="tcp:127.0.0.1:$(truth .slow_port)"
	fast="tcp:127.0.0.1:$(truth .fast_port)"
	echo "$w" | jq -c . >&2
	[ "$(jq .rows <<<"$w")" -ge 1 ]
	io=$(jq .io_ns <<<"$w")
	s=$(jq --arg p "$slow" '.blocked[$p] // 0' <<<"$w")
	f=$(jq --arg p "$fast" '.blocked[$p] // 0' <<<"$w")
	# 4 workers x 5 answers held 50 ms each by the server
	[ "$s" -ge $((20 * 50000000 * 9 / 10)) ]
	[ $((s * 100)) -ge $((90 * io)) ]
	# the fast one is there too, with less
	[ "$f" -gt 0 ] && [ "$f" -lt "$s" ]
	# nothing but the two downstreams: the workers talk to no one else
	[ "$(jq '.blocked | keys | length' <<<"$w")" -eq 2 ]
	# the list is sorted: the slow one first in every row
	jq -e --arg p "$slow" '.first | all(. == $p)' <<<"$w"
	# blocked_on never exceeds the pool's io time
	[ $((s + f)) -le "$io" ]
	[ "$(jq '.dropped.map_full' "$T/out")" -eq 0 ]
}

@test "blocked_on: short intervals: a wait under way is counted up to each snapshot, the rest at the next" {
	LSARGS="-i 0.2" run_pool --pool 4:8
	w=$(workers)
	echo "$w" | jq -c . >&2
	[ "$(jq .rows <<<"$w")" -ge 2 ]
	io=$(jq .io_ns <<<"$w")
	s=$(jq --arg p "tcp:127.0.0.1:$(truth .slow_port)" '.blocked[$p] // 0' <<<"$w")
	[ "$s" -ge $((32 * 50000000 * 9 / 10)) ]
	[ $((s * 100)) -ge $((75 * io)) ]
	# every row: sorted by io_ns, at most 8 peers, no more than the row's io
	jq -s -e --argjson pid "$WL" '
		[.[].pools[] | select(.pid == $pid)] | all(
			(.blocked_on | length) <= 8 and
			([.blocked_on[].io_ns] == ([.blocked_on[].io_ns] | sort | reverse)) and
			(([.blocked_on[].io_ns] | add // 0) <= .io_ns + 1000000))' "$T/out"
}

@test "blocked_on: replay --summary merges it, Prometheus carries it" {
	LSARGS="-i 0.3 --prom $T/x.prom" run_pool --pool 4:5
	slow="tcp:127.0.0.1:$(truth .slow_port)"
	sum=$(jq --arg p "$slow" '.blocked[$p]' <<<"$(workers)")
	run --separate-stderr "$LATSCOPE" replay "$T/out" --summary
	[ "$status" -eq 0 ]
	# (rows of one pool may differ by comm: the main thread's name is
	# gone once the process exits)
	m=$(jq -c --argjson pid "$WL" '[.pools[] | select(.pid == $pid and .pool == "worker")]' <<<"$output")
	echo "$m" >&2
	jq -e --arg p "$slow" 'length >= 1 and all(.blocked_on[0].peer == $p)' <<<"$m"
	[ "$(jq --arg p "$slow" '[.[].blocked_on[] | select(.peer == $p) | .io_ns] | add' <<<"$m")" -eq "$sum" ]
	# a counter in seconds per (comm, pool, peer)
	grep -F 'latscope_pool_blocked_on_io_seconds_total{' "$T/x.prom" | grep -F "peer=\"$slow\"" >&2
	v=$(grep -F 'latscope_pool_blocked_on_io_seconds_total{' "$T/x.prom" |
		grep -F "peer=\"$slow\"" | awk '{ s += $NF } END { printf "%.9f", s }')
	awk -v v="$v" -v s="$sum" 'BEGIN { d = v * 1e9 - s; if (d < 0) d = -d; exit !(v > 0 && d < 1e6) }'
}
