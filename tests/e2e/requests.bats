#!/usr/bin/env bats
# The requests view against tools/reqload, a thread-per-connection server
# whose clients clock every request: counts and bytes exactly, p50/p99
# within 5% of the clients' plus the bucket error, clients by address,
# requests held open listed in flight, replay --summary merging them.

load helpers

setup() { setup_gated; }

teardown() { teardown_gated; }

truth() { tail -n1 "$T/truth" | jq -r "$1"; }

# run_reqload LATSCOPE_ARGS... -- REQLOAD_ARGS...: reqload gated, latscope
# on its pid recording to $T/out (and $T/rec), run until reqload is done
# and has printed its truth.
run_reqload() {
	local la=()
	while [ "$1" != -- ]; do la+=("$1"); shift; done
	shift
	start_gated reqload "$@"
	start_latscope "$T/out" -p "$WL" -o "$T/rec" "${la[@]}"
	echo go >&7
	wait "$WL"
	# the closes of the last connections land in a snapshot
	sleep 0.5
	stop_latscope
}

# the listener's rows over every snapshot, summed
listener() {
	jq -s --argjson pid "$WL" --argjson port "$(truth .port)" '
		[.[].requests[] | select(.pid == $pid and .port == $port)] |
		{requests: (map(.requests) | add // 0), bytes_in: (map(.bytes_in) | add // 0),
		 bytes_out: (map(.bytes_out) | add // 0), accepted: (map(.accepted) | add // 0),
		 closed: (map(.closed) | add // 0), max_ns: (map(.max_ns) | max // 0),
		 laddr: (map(.laddr) | unique)}' "$T/out"
}

# within PCT% plus the histogram's bucket width (6.25%) of the truth
within_bucket() {
	assert_within "$1" "$2" "$(awk -v p="$3" 'BEGIN { print p + 6.25 }')"
}

@test "requests: counts and bytes exact, p50/p99 within 5% of the clients', clients by address" {
	run_reqload -i 0.5 -- --clients 3 --requests 100 --cost-us 8000
	l=$(listener)
	[ "$(jq .requests <<<"$l")" -eq "$(truth .requests)" ]
	[ "$(jq .bytes_in <<<"$l")" -eq "$(truth .bytes_in)" ]
	[ "$(jq .bytes_out <<<"$l")" -eq "$(truth .bytes_out)" ]
	[ "$(jq -r '.laddr | join(",")' <<<"$l")" = 127.0.0.1 ]
	# every connection accepted after latscope attached, and closed
	[ "$(jq .accepted <<<"$l")" -eq 3 ]
	[ "$(jq .closed <<<"$l")" -eq 3 ]
	# one merged row: the histograms summed bucket by bucket
	"$LATSCOPE" replay "$T/rec" --summary > "$T/sum"
	r=$(jq -c --argjson pid "$WL" '.requests[] | select(.pid == $pid)' "$T/sum")
	[ "$(jq .requests <<<"$r")" -eq "$(truth .requests)" ]
	within_bucket "$(jq .p50_ns <<<"$r")" "$(truth .p50_ns)" 5
	within_bucket "$(jq .p99_ns <<<"$r")" "$(truth .p99_ns)" 5
	[ "$(jq .max_ns <<<"$r")" -le "$(truth .max_ns)" ]
	# each client by its address, with its own count and p99: a slow one
	# (24 ms on the server), not above what the client clocked plus the
	# bucket error and 5 ms. 100 requests a client: its p99 is its second
	# slowest, a single request, which a busy host's scheduling moves by
	# more than 5% either way (the client waits for a CPU; or the server is
	# preempted inside its answer's write after the client has it: the
	# request ends when that write returns)
	for i in 0 1 2; do
		a=$(truth ".clients[$i].addr")
		c=$(jq -c --arg a "$a" '.clients[] | select(.client == $a)' <<<"$r")
		[ "$(jq .requests <<<"$c")" -eq "$(truth ".clients[$i].requests")" ]
		p=$(jq .p99_ns <<<"$c")
		[ "$p" -ge $((24000000 * 9375 / 10000)) ]
		[ "$p" -le $(($(truth ".clients[$i].p99_ns") * 10625 / 10000 + 5000000)) ]
	done
	[ "$(jq '.clients | length' <<<"$r")" -eq 3 ]
	[ "$(jq '[.[].dropped.map_full] | add' -s "$T/out")" -eq 0 ]
}

@test "requests: a request held 1.5 s is listed in flight while it is open" {
	run_reqload -i 0.2 -- --clients 1 --requests 3 --cost-us 1000 --hold-ms 1500
	f=$(jq -s -c --argjson pid "$WL" '[.[].inflight_requests[] | select(.pid == $pid)]' "$T/out")
	[ "$(jq length <<<"$f")" -ge 2 ]
	[ "$(jq -r '[.[].client] | unique | join(",")' <<<"$f")" = 127.0.0.2 ]
	[ "$(jq -r '[.[].port] | unique | join(",")' <<<"$f")" = "$(truth .port)" ]
	[ "$(jq -r '[.[].laddr] | unique | join(",")' <<<"$f")" = 127.0.0.1 ]
	# a server thread, not the process's main thread
	[ "$(jq --argjson pid "$WL" '[.[].tid] | unique | all(. != $pid and . > 0)' <<<"$f")" = true ]
	# elapsed from the request's first data: at least 100 ms, at most what
	# the client clocked
	[ "$(jq 'map(.elapsed_ns) | min' <<<"$f")" -ge 100000000 ]
	[ "$(jq 'map(.elapsed_ns) | max' <<<"$f")" -le "$(truth .max_ns)" ]
	# counted on the listener's row while open, then as one request of 1.5 s
	[ "$(jq -s --argjson pid "$WL" '[.[].requests[] | select(.pid == $pid) | .inflight] | max' "$T/out")" -eq 1 ]
	l=$(listener)
	[ "$(jq .requests <<<"$l")" -eq 3 ]
	[ "$(jq .max_ns <<<"$l")" -ge 1500000000 ]
	[ "$(jq .max_ns <<<"$l")" -le "$(truth .max_ns)" ]
	# replay merges the in-flight list: each thread's longest
	"$LATSCOPE" replay "$T/rec" --summary > "$T/sum"
	[ "$(jq --argjson pid "$WL" '[.inflight_requests[] | select(.pid == $pid)] | length' "$T/sum")" -eq 1 ]
}

@test "requests: connections accepted before latscope started count from their first request" {
	run_reqload -i 0.5 -- --clients 2 --requests 30 --cost-us 1000 --early
	l=$(listener)
	[ "$(jq .requests <<<"$l")" -eq "$(truth .requests)" ]
	[ "$(jq .accepted <<<"$l")" -eq 0 ]
	[ "$(jq .closed <<<"$l")" -eq 2 ]
}

@test "requests: --probes without requests records none" {
	run_reqload -i 0.5 --probes syscalls -- --clients 1 --requests 5 --cost-us 1000
	[ "$(jq -s '[.[].requests[]] | length' "$T/out")" -eq 0 ]
	[ "$(jq -s '[.[].syscalls[]] | length' "$T/out")" -gt 0 ]
}

@test "requests: --probes requests alone records them" {
	run_reqload -i 0.5 --probes requests -- --clients 1 --requests 5 --cost-us 1000
	[ "$(jq .requests <<<"$(listener)")" -eq 5 ]
}

@test "requests: an IPv6 server: listener [::1], client ::1, counts exact" {
	run_reqload -i 0.5 -- --clients 2 --requests 20 --cost-us 1000 --v6
	l=$(listener)
	[ "$(jq .requests <<<"$l")" -eq "$(truth .requests)" ]
	[ "$(jq -r '.laddr | join(",")' <<<"$l")" = ::1 ]
	[ "$(jq .closed <<<"$l")" -eq 2 ]
	"$LATSCOPE" replay "$T/rec" --summary > "$T/sum"
	[ "$(jq -r --argjson pid "$WL" '[.requests[] | select(.pid == $pid) | .clients[].client] | unique | join(",")' "$T/sum")" = ::1 ]
}

@test "requests: thread per request (read on one thread, answered on another): counts exact, p50/p99 within 5%, not attributable" {
	run_reqload -i 0.5 -- --clients 2 --requests 100 --cost-us 5000 --per-request --down 2
	l=$(listener)
	[ "$(jq .requests <<<"$l")" -eq "$(truth .requests)" ]
	[ "$(jq .bytes_out <<<"$l")" -eq "$(truth .bytes_out)" ]
	"$LATSCOPE" replay "$T/rec" --summary > "$T/sum"
	r=$(jq -c --argjson pid "$WL" --argjson port "$(truth .port)" \
		'.requests[] | select(.pid == $pid and .port == $port)' "$T/sum")
	within_bucket "$(jq .p50_ns <<<"$r")" "$(truth .p50_ns)" 5
	within_bucket "$(jq .p99_ns <<<"$r")" "$(truth .p99_ns)" 5
	# each request answered by a thread that did not read it: none of
	# their downstream calls is put on them
	[ "$(jq .not_attributable <<<"$r")" -eq "$(truth .requests)" ]
	[ "$(jq '.roundtrips | length' <<<"$r")" -eq 0 ]
}

@test "requests: round trips per request to the downstream peer exact (p50, p99, max), its io time within 5% of the server's clock" {
	run_reqload -i 0.5 -- --clients 3 --requests 100 --cost-us 1000 --down 4 --down-us 1000
	"$LATSCOPE" replay "$T/rec" --summary > "$T/sum"
	r=$(jq -c --argjson pid "$WL" --argjson port "$(truth .port)" \
		'.requests[] | select(.pid == $pid and .port == $port)' "$T/sum")
	d=$(jq -c --arg p "tcp:127.0.0.1:$(truth .down.port)" '.roundtrips[] | select(.peer == $p)' <<<"$r")
	echo "latscope: $d; truth: $(tail -n1 "$T/truth" | jq -c .down)"
	[ "$(jq .requests <<<"$r")" -eq "$(truth .requests)" ]
	[ "$(jq .not_attributable <<<"$r")" -eq 0 ]
	[ "$(jq '.roundtrips | length' <<<"$r")" -eq 1 ]
	[ "$(jq .requests <<<"$d")" -eq "$(truth .down.requests)" ]
	[ "$(jq .roundtrips <<<"$d")" -eq "$(truth .down.roundtrips)" ]
	# 4 a request, 12 for the slow 2%: p50 and p99 exact
	[ "$(jq .p50 <<<"$d")" -eq "$(truth .down.p50)" ]
	[ "$(jq .p99 <<<"$d")" -eq "$(truth .down.p99)" ]
	[ "$(jq .max <<<"$d")" -eq "$(truth .down.max)" ]
	# the time in its calls: never more than the server clocked around
	# them, and within 5% (what lies outside the calls is user space)
	[ "$(jq .io_ns <<<"$d")" -le "$(truth .down.io_ns)" ]
	assert_within "$(jq .io_ns <<<"$d")" "$(truth .down.io_ns)" 5
	# why: each request's time split by its thread's state, the parts
	# adding up to the request's time; its cost (a sleep) and its round
	# trips (waits on the echo server) are io
	[ "$(jq .why_requests <<<"$r")" -eq "$(truth .requests)" ]
	assert_within "$(jq '.why_oncpu_ns + .why_runq_ns + .why_lock_ns + .why_io_ns' <<<"$r")" \
		"$(jq .total_ns <<<"$r")" 2
	[ "$(jq .why_io_ns <<<"$r")" -ge $(($(truth .server_ns) * 8 / 10)) ]
	[ "$(jq .why_lock_ns <<<"$r")" -le $(($(jq .total_ns <<<"$r") / 20)) ]
	# the downstream echo server's own listener: one request per round trip
	e=$(jq -c --argjson pid "$WL" --argjson port "$(truth .down.port)" \
		'.requests[] | select(.pid == $pid and .port == $port)' "$T/sum")
	[ "$(jq .requests <<<"$e")" -eq "$(truth .down.roundtrips)" ]
}

@test "requests: an event loop (one thread, every connection, epoll): counts exact, p50/p99 within 5% of the server's clock, its requests not attributable" {
	run_reqload -i 0.5 -- --clients 3 --requests 100 --cost-us 4000 --epoll
	"$LATSCOPE" replay "$T/rec" --summary > "$T/sum"
	r=$(jq -c --argjson pid "$WL" '.requests[] | select(.pid == $pid)' "$T/sum")
	echo "$(jq -c 'del(.hist, .clients)' <<<"$r")"
	[ "$(jq .requests <<<"$r")" -eq "$(truth .requests)" ]
	# against the server's own clock (first data read to answer written):
	# the clients' add the time a request waits in its socket until the
	# loop gets to it, which on a busy host is a CPU's worth of others
	within_bucket "$(jq .p50_ns <<<"$r")" "$(truth .server_p50_ns)" 5
	within_bucket "$(jq .p99_ns <<<"$r")" "$(truth .server_p99_ns)" 5
	# three clients at once on one thread: a request read while another
	# waits for its answer is not the thread's alone (most of them; one
	# that happens to run alone is, rightly, attributable)
	[ "$(jq .not_attributable <<<"$r")" -ge $(($(truth .requests) / 2)) ]
	# only the others have their time split
	[ "$(jq '.why_requests + .not_attributable' <<<"$r")" -eq "$(truth .requests)" ]
	[ "$(jq '[.clients[].requests] | add' <<<"$r")" -eq "$(truth .requests)" ]
}

@test "requests: requests that queue on the server's mutex: their lock time within 5% of the server's clock (the run queue after each wakeup apart)" {
	run_reqload -i 0.5 -- --clients 3 --requests 50 --cost-us 3000 --lock
	"$LATSCOPE" replay "$T/rec" --summary > "$T/sum"
	r=$(jq -c --argjson pid "$WL" '.requests[] | select(.pid == $pid)' "$T/sum")
	echo "$(jq -c '{requests, total_ns, why_requests, why_oncpu_ns, why_runq_ns, why_lock_ns, why_io_ns}' <<<"$r"); truth lock_ns $(truth .lock_ns)"
	[ "$(jq .why_requests <<<"$r")" -eq "$(truth .requests)" ]
	# the server's clock around pthread_mutex_lock holds the wait and the
	# run-queue time after the wakeup; latscope splits the two
	l=$(jq .why_lock_ns <<<"$r")
	[ "$l" -le $(($(truth .lock_ns) * 105 / 100)) ]
	assert_within "$(jq '.why_lock_ns + .why_runq_ns' <<<"$r")" "$(truth .lock_ns)" 5 ||
		[ "$l" -ge $(($(truth .lock_ns) * 95 / 100)) ]
}
