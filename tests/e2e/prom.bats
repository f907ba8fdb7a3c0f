#!/usr/bin/env bats
# --prom FILE: Prometheus text that promtool accepts, replaced atomically
# each interval, counters that add up to what the workload did.

load helpers

setup() {
	T=$(mktemp -d)
	mkfifo "$T/go"
	command -v promtool > /dev/null || skip "promtool not installed (make deps)"
}

teardown() {
	teardown_latscope
	if [ -n "${CG:-}" ] && [ -d "$CG" ]; then
		local p
		for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do
			kill "$p" 2>/dev/null
			echo "$p" > "${CG%/*}/cgroup.procs" 2>/dev/null
		done
		rmdir "$CG" 2>/dev/null || true
	fi
	[ -n "${WL:-}" ] && kill "$WL" 2>/dev/null
	[ -n "${EV:-}" ] && kill "$EV" 2>/dev/null
	exec 7>&- 2>/dev/null || true
	rm -rf "$T"
}

# value METRIC LABELMATCH: the sample of METRIC whose labels contain LABELMATCH
value() {
	grep -F "$1{" "$T/x.prom" | grep -F "$2" | head -n1 | awk '{print $NF}'
}

@test "prom: promtool accepts it; histogram and error counters match the workload" {
	start_gated sysload --sleep 100:1000:5000 --enoent 13
	start_latscope_attached "$T/out" 2 --probes syscalls -p "$WL" -i 0.2 --prom "$T/x.prom"
	echo go >&7
	wait "$WL"
	sleep 0.3
	stop_latscope
	run promtool check metrics < "$T/x.prom"
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }

	# labelled by comm and service (the workload's cgroup named, as in the
	# JSON), never by pid
	svc=$(jq -r --argjson p "$WL" '.syscalls[] | select(.pid == $p) | .service' "$T/out" | sort -u)
	[ "$(wc -l <<<"$svc")" -eq 1 ] && [ -n "$svc" ]
	sel="comm=\"sysload\",service=\"$svc\",syscall=\"nanosleep\""
	! grep -F 'latscope_syscall_duration_seconds_count{' "$T/x.prom" | grep -q 'pid=' || false
	[ "$(value latscope_syscall_duration_seconds_count "$sel")" -eq 100 ]
	[ "$(grep -F "latscope_syscall_duration_seconds_bucket{$sel,le=\"+Inf\"}" "$T/x.prom" | awk '{print $2}')" -eq 100 ]
	# cumulative buckets never go down
	grep -F "latscope_syscall_duration_seconds_bucket{$sel," "$T/x.prom" | awk '{print $2}' |
		awk 'NR > 1 && $1 < prev { exit 1 } { prev = $1 }'
	# sleeps spread evenly over 1-5 ms: 40% ask for at most 2.62144 ms
	# (2^21 + 2^18 ns: a bound at 8 per power of two), a few oversleep it
	le=$(grep -F "latscope_syscall_duration_seconds_bucket{$sel,le=\"0.00262144\"}" "$T/x.prom" | awk '{print $2}')
	[ "$le" -ge 30 ] && [ "$le" -le 42 ]
	# and the bound under the 1 ms sleeps' bucket reads 0: none are shorter
	[ "$(grep -F "latscope_syscall_duration_seconds_bucket{$sel," "$T/x.prom" | head -n 1 | awk '{print $2}')" -eq 0 ]
	# _sum is the JSON's total time, in seconds
	total=$(jq -s --argjson p "$WL" '[.[].syscalls[] | select(.pid == $p and .syscall == "nanosleep") | .total_ns] | add' "$T/out")
	assert_within "$(value latscope_syscall_duration_seconds_sum "$sel")" "$(awk -v t="$total" 'BEGIN { print t / 1e9 }')" 0.01
	[ "$(value latscope_syscall_errors_total "comm=\"sysload\",service=\"$svc\",syscall=\"openat\"")" -eq 13 ]
	[ "$(grep -c '^latscope_up{family="syscalls"} 1$' "$T/x.prom")" -eq 1 ]
	# 0640 like every output, no temporary file left behind
	[ "$(stat -c %a "$T/x.prom")" = 640 ]
	[ "$(ls "$T" | grep -c 'x.prom.tmp')" -eq 0 ]
}

@test "prom: request histogram and counter per process and port match reqload's clients" {
	start_gated reqload --clients 2 --requests 50 --cost-us 3000
	start_latscope_attached "$T/out" 2 -p "$WL" -i 0.2 --probes requests --prom "$T/x.prom"
	echo go >&7
	wait "$WL"
	sleep 0.5
	stop_latscope
	run promtool check metrics < "$T/x.prom"
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	port=$(tail -n1 "$T/truth" | jq .port)
	svc=$(grep -F 'latscope_requests_total{comm="reqload",' "$T/x.prom" | grep -F "port=\"$port\"" |
		sed -n 's/.*service="\([^"]*\)".*/\1/p' | head -n1)
	sel="comm=\"reqload\",service=\"$svc\",port=\"$port\""
	[ "$(value latscope_requests_total "$sel")" -eq 100 ]
	[ "$(value latscope_request_duration_seconds_count "$sel")" -eq 100 ]
	[ "$(grep -F "latscope_request_duration_seconds_bucket{$sel,le=\"+Inf\"}" "$T/x.prom" | awk '{print $2}')" -eq 100 ]
	grep -F "latscope_request_duration_seconds_bucket{$sel," "$T/x.prom" | awk '{print $2}' |
		awk 'NR > 1 && $1 < prev { exit 1 } { prev = $1 }'
	# every request costs at least 3 ms: no bound under 2.6 ms counts one
	grep -F "latscope_request_duration_seconds_bucket{$sel," "$T/x.prom" |
		sed 's/.*le="\([^"]*\)"} \(.*\)/\1 \2/' |
		awk '$1 != "+Inf" && $1 < 0.0026 && $2 > 0 { exit 1 }'
	# the 2 of 100 that cost 9 ms are above the 8.388608 ms bound
	[ "$(grep -F "latscope_request_duration_seconds_bucket{$sel,le=\"0.008388608\"}" "$T/x.prom" | awk '{print $2}')" -le 98 ]
}

@test "prom: a scrape never sees half a file, and hostile names stay valid" {
	# a process whose name has a quote, a backslash and an escape byte
	printf '%s\n' 'printf "ev\"il\\\\\033x" > /proc/$$/comm' \
		'while :; do echo > /dev/null; done' > "$T/evil.sh"
	bash "$T/evil.sh" 3>&- &
	EV=$!
	start_latscope "$T/out" --probes syscalls -i 0.1 --prom "$T/x.prom"
	wait_for_file "$T/x.prom"
	for i in $(seq 1 15); do
		cp "$T/x.prom" "$T/copy.prom"
		run promtool check metrics < "$T/copy.prom"
		[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
		sleep 0.03
	done
	stop_latscope
	grep -F 'comm="ev\"il\\?x"' "$T/x.prom" | grep -q latscope_syscall_duration_seconds_count
}

@test "prom: a process in a unit's cgroup is counted under service=\"UNIT\", one series for its processes" {
	V2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	[ -n "$V2" ] || skip "no cgroup v2 hierarchy mounted"
	CG=$V2/latscope-prom-a.service
	mkdir -p "$CG"
	start_latscope "$T/out" --probes syscalls -i 0.3 --prom "$T/x.prom"
	# three processes of one name in the unit, one after another; each
	# lives past two snapshots (its cgroup is read while it runs)
	for i in 1 2 3; do
		sh -c 'echo $$ > "$0/cgroup.procs" && echo go | exec "$1" --sleep 20:30000:30000 --enoent 7' \
			"$CG" "$TOOLS/sysload" > /dev/null &
		wait $!
	done
	sleep 0.8
	stop_latscope
	sel='comm="sysload",service="latscope-prom-a.service",syscall="openat"'
	[ "$(value latscope_syscall_errors_total "$sel")" -eq 21 ]
	[ "$(grep -F 'latscope_syscall_errors_total{' "$T/x.prom" | grep -cF "$sel")" -eq 1 ]
	run promtool check metrics < "$T/x.prom"
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
}

@test "prom: an unwritable --prom directory is one line naming --prom, exit 1" {
	run --separate-stderr "$LATSCOPE" --probes syscalls -d 0.2 --prom "$T/missing/dir/x.prom"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *--prom* ]]
}
