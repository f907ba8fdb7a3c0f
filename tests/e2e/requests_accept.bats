#!/usr/bin/env bats
# The accept queue (listeners, listen) against tools/acceptload, a server
# that accepts late and clocks each connection's wait from its client's
# connect() to its own accept(): waits within 5% (plus the bucket error),
# the queue's length and limit exact, and listen overflows counted.

load helpers

setup() { setup_gated; }

teardown() { teardown_gated; }

truth() { tail -n1 "$T/truth" | jq -r "$1"; }

# within PCT% plus the histogram's bucket width (6.25%) of the truth
within_bucket() {
	assert_within "$1" "$2" "$(awk -v p="$3" 'BEGIN { print p + 6.25 }')"
}

# overflows: the kernel's ListenOverflows now (latscope's network namespace)
overflows() {
	awk '/^TcpExt:/ { if (!n) { for (i = 2; i <= NF; i++) if ($i == "ListenOverflows") c = i; n = 1 }
		else print $c }' /proc/net/netstat
}

# run_acceptload ACCEPTLOAD_ARGS...: gated, latscope on its pid (-i 0.5,
# recording to $T/rec) until it is done and has printed its truth
run_acceptload() {
	start_gated acceptload "$@"
	PORT=$(jq .port "$T/truth")
	start_latscope "$T/out" -p "$WL" -i 0.5 -o "$T/rec"
	echo go >&7
	wait "$WL"
	stop_latscope
}

# the listener's rows of every snapshot, summed
listener() {
	jq -s --argjson pid "$WL" --argjson port "$PORT" '
		[.[].listeners[] | select(.pid == $pid and .port == $port)] |
		{rows: length, accepted: (map(.accepted) | add // 0), waits: (map(.waits) | add // 0),
		 total_ns: (map(.total_ns) | add // 0), max_ns: (map(.max_ns) | max // 0),
		 queue_max: (map(.queue_max) | max // 0), backlog: (map(.backlog) | unique),
		 full: (map(.full) | add // 0), laddr: (map(.laddr) | unique)}' "$T/out"
}

@test "accept queue: each connection's wait within 5% of the server's clock, the queue's length and limit exact" {
	run_acceptload --conns 6 --backlog 16 --delay-ms 40
	l=$(listener)
	echo "latscope: $l"
	echo "truth: $(tail -n1 "$T/truth")"
	[ "$(jq .accepted <<<"$l")" -eq 6 ]
	[ "$(jq .waits <<<"$l")" -eq 6 ]
	# all six queued before the first accept: it found six, of at most 17
	[ "$(jq .queue_max <<<"$l")" -eq "$(truth .first_queue)" ]
	[ "$(jq -c .backlog <<<"$l")" = "[16]" ]
	[ "$(jq .full <<<"$l")" -eq 0 ]
	[ "$(jq -r '.laddr | join(",")' <<<"$l")" = 127.0.0.1 ]
	assert_within "$(jq .total_ns <<<"$l")" "$(truth .total_ns)" 5
	within_bucket "$(jq .max_ns <<<"$l")" "$(truth .max_ns)" 5
	# merged by replay --summary: the histograms bucket by bucket
	"$LATSCOPE" replay "$T/rec" --summary > "$T/sum"
	r=$(jq -c --argjson pid "$WL" '.listeners[] | select(.pid == $pid)' "$T/sum")
	echo "summary: $(jq -c 'del(.hist)' <<<"$r")"
	[ "$(jq .waits <<<"$r")" -eq 6 ]
	within_bucket "$(jq .p50_ns <<<"$r")" "$(truth .p50_ns)" 5
	within_bucket "$(jq .p99_ns <<<"$r")" "$(truth .p99_ns)" 5
	[ "$(jq .queue_max <<<"$r")" -eq 6 ]
}

@test "accept queue: a full queue is seen by the accept that finds it, and the listen overflows are counted" {
	before=$(overflows)
	run_acceptload --conns 5 --backlog 4 --overflow 3 --delay-ms 40
	after=$(overflows)
	l=$(listener)
	echo "latscope: $l; listen: $(jq -sc 'map(.listen)' "$T/out")"
	echo "kernel ListenOverflows $before -> $after"
	[ "$(jq .accepted <<<"$l")" -eq 5 ]
	# the first accept found 5 queued, over the limit of 4: full
	[ "$(jq .queue_max <<<"$l")" -eq 5 ]
	[ "$(jq -c .backlog <<<"$l")" = "[4]" ]
	[ "$(jq .full <<<"$l")" -ge 1 ]
	# the three refused SYNs at least, and no more than the kernel counted
	# around latscope's whole run
	n=$(jq -s 'map(.listen.overflows) | add' "$T/out")
	[ "$n" -ge 3 ]
	[ "$n" -le $((after - before)) ]
	[ "$(jq -s 'map(.listen.drops) | add' "$T/out")" -ge "$n" ]
}

@test "accept queue: nothing recorded when the requests view is off (--probes without it)" {
	start_gated acceptload --conns 2 --backlog 4 --delay-ms 10
	start_latscope "$T/out" -p "$WL" -i 0.5 --probes syscalls
	echo go >&7
	wait "$WL"
	stop_latscope
	[ "$(jq -s '[.[].listeners[]] | length' "$T/out")" -eq 0 ]
	[ "$(jq -s 'map(.listen.overflows) | add' "$T/out")" -eq 0 ]
}
