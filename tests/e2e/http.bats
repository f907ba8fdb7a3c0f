#!/usr/bin/env bats
# --listen: /metrics (Prometheus text, OpenMetrics on request), /snapshot and
# / over HTTP, served from the last snapshot; slow clients do not stall the
# snapshots; a real Prometheus server scrapes it.

load helpers

setup() {
	T=$(mktemp -d)
	mkfifo "$T/go"
	command -v curl > /dev/null || skip "curl not installed (make deps)"
}

teardown() {
	teardown_latscope
	[ -n "${WL:-}" ] && kill "$WL" 2>/dev/null
	[ -n "${PROM:-}" ] && kill "$PROM" 2>/dev/null && wait "$PROM" 2>/dev/null
	for p in ${SLOW:-}; do kill "$p" 2>/dev/null; done
	exec 7>&- 2>/dev/null || true
	rm -rf "$T"
}

# until_metrics PATTERN [TRIES]: until /metrics holds a line matching
# PATTERN (TRIES tenths of a second and more, default 200)
until_metrics() {
	local i
	for i in $(seq 1 "${2:-200}"); do
		curl -s -m 5 "http://127.0.0.1:$P/metrics" | grep -qE "$1" && return 0
		sleep 0.1
	done
	echo "no line matching '$1' in /metrics" >&2
	return 1
}

@test "http: /metrics, OpenMetrics on request, /snapshot and /, 404 and 405" {
	P=$(free_port)
	start_latscope "$T/out" --probes syscalls -i 0.5 --listen "127.0.0.1:$P"
	until_metrics '^latscope_syscall_duration_seconds_bucket\{'
	curl -s -D "$T/h" "http://127.0.0.1:$P/metrics" > "$T/m"
	grep -qi '^content-type: text/plain; version=0.0.4' "$T/h"
	grep -q '^latscope_up{family="syscalls"} 1$' "$T/m"
	grep -q '^latscope_build_info{version="' "$T/m"
	grep -q '^latscope_scrape_duration_seconds ' "$T/m"
	if command -v promtool > /dev/null; then promtool check metrics < "$T/m"; fi
	# OpenMetrics: its content type, counter families without _total, # EOF last
	curl -s -D "$T/h" -H 'Accept: application/openmetrics-text; version=1.0.0,text/plain;q=0.5' \
		"http://127.0.0.1:$P/metrics" > "$T/om"
	grep -qi '^content-type: application/openmetrics-text; version=1.0.0' "$T/h"
	[ "$(tail -n1 "$T/om")" = "# EOF" ]
	grep -q '^# TYPE latscope_dropped_events counter$' "$T/om"
	grep -q '^latscope_dropped_events_total ' "$T/om"
	[ "$(grep -c '^# TYPE [a-z_]*_total ' "$T/om")" -eq 0 ]
	# the snapshot, as JSON
	curl -s "http://127.0.0.1:$P/snapshot" | jq -e '.schema == "latscope/1" and (.syscalls | length > 0)'
	curl -s "http://127.0.0.1:$P/" | grep -q '/metrics'
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P/nope")" = 404 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' -d x=1 "http://127.0.0.1:$P/metrics")" = 405 ]
}

@test "http: a port in use is one line and exit 1; a bad address one line and exit 2" {
	P=$(free_port)
	start_latscope "$T/out" --probes syscalls -i 0.5 --listen "127.0.0.1:$P"
	run "$LATSCOPE" --probes syscalls --listen "127.0.0.1:$P" -d 1
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == *"--listen"*"127.0.0.1:$P"*"in use"* ]]
	for bad in 9977 localhost:9977 127.0.0.1:0 127.0.0.1:70000 '[::1]'; do
		run "$LATSCOPE" --listen "$bad" -d 1
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "${lines[0]}" == *"--listen"* ]]
	done
}

@test "http: clients that connect and never send stall neither the snapshots nor /metrics" {
	P=$(free_port)
	start_latscope "$T/out" --probes syscalls -i 0.5 --listen "127.0.0.1:$P"
	# 20 connections that send nothing (more than the daemon takes at once)
	SLOW=
	for i in $(seq 1 20); do
		bash -c "exec 3<>/dev/tcp/127.0.0.1/$P; sleep 30" 2>/dev/null &
		SLOW="$SLOW $!"
	done
	n0=$(wc -l < "$T/out")
	sleep 3
	# snapshots went on: about 6 in 3 s, at least 2 on any host
	[ $(( $(wc -l < "$T/out") - n0 )) -ge 2 ]
	# and once the idle ones time out (10 s), a scrape is served again
	until_metrics '^latscope_up\{family="syscalls"\} 1$'
	kill -0 "$LS_PID"
}

# metric_value FILE NAME: the value of NAME's unlabelled sample in FILE
metric_value() {
	awk -v n="$2" '$1 == n { print $2 }' "$1"
}

@test "http: a stuck collector, 100 concurrent scrapes, half requests and garbage: scrapes served, snapshots on time, RSS bounded" {
	P=$(free_port)
	start_latscope "$T/out" --probes syscalls -i 0.5 --listen "127.0.0.1:$P"
	until_metrics '^latscope_up\{family="syscalls"\} 1$'

	# the collecting thread held stopped for 4 s (ptrace, the others run):
	# a scrape is served at once, from the last finished snapshot
	"$TOOLS/threadstop" "$LS_PID" 4000 > "$T/stop" &
	TS=$!
	for i in $(seq 1 100); do [ -s "$T/stop" ] && break; sleep 0.05; done
	[ "$(cat "$T/stop")" = stopped ]
	curl -s -m 2 "http://127.0.0.1:$P/metrics" > "$T/m1"
	sleep 1.5
	curl -s -m 2 "http://127.0.0.1:$P/metrics" > "$T/m2"
	t1=$(metric_value "$T/m1" latscope_snapshot_timestamp_seconds)
	t2=$(metric_value "$T/m2" latscope_snapshot_timestamp_seconds)
	[ -n "$t1" ] && [ "$t1" = "$t2" ]	# no snapshot while it is stuck
	wait "$TS"
	# and it goes on once let go
	for i in $(seq 1 100); do
		curl -s -m 2 "http://127.0.0.1:$P/metrics" > "$T/m3"
		[ "$(metric_value "$T/m3" latscope_snapshot_timestamp_seconds)" != "$t1" ] && break
		sleep 0.1
	done
	[ "$(metric_value "$T/m3" latscope_snapshot_timestamp_seconds)" != "$t1" ]

	# the heap before the connections below (RssAnon: not the mapped BPF
	# tables, whose pages are touched as the host's processes come and go)
	rss0=$(awk '/^RssAnon:/ { print $2 }' "/proc/$LS_PID/status")
	# half a request that stalls, and garbage, 10 connections each, held
	SLOW=
	for i in $(seq 1 10); do
		bash -c "exec 3<>/dev/tcp/127.0.0.1/$P; printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n' >&3; sleep 30" 2>/dev/null &
		SLOW="$SLOW $!"
		bash -c "exec 3<>/dev/tcp/127.0.0.1/$P; head -c 8192 /dev/urandom >&3; sleep 30" 2>/dev/null &
		SLOW="$SLOW $!"
	done
	# 100 scrapes at once: those over the connection limits (16, 8 per
	# address, taken here by the stalled ones) are turned away whole, the
	# others served whole; none half
	n0=$(wc -l < "$T/out")
	CURLS=
	for i in $(seq 1 100); do
		curl -s -m 30 "http://127.0.0.1:$P/metrics" > "$T/c.$i" &
		CURLS="$CURLS $!"
	done
	for c in $CURLS; do wait "$c" || true; done
	served=0
	for i in $(seq 1 100); do
		[ -s "$T/c.$i" ] || continue
		grep -q '^latscope_up{family="syscalls"} 1$' "$T/c.$i" || { echo "scrape $i cut short" >&2; false; }
		served=$((served + 1))
	done
	echo "# $served of 100 concurrent scrapes served beside 10 stalled and 10 garbage connections" >&3
	# the snapshots kept coming meanwhile (every 0.5 s; at least 2 on any host)
	sleep 1
	[ $(( $(wc -l < "$T/out") - n0 )) -ge 2 ]
	kill -0 "$LS_PID"
	# once the stalled ones time out (10 s), scrapes are served again
	until_metrics '^latscope_up\{family="syscalls"\} 1$'
	rss1=$(awk '/^RssAnon:/ { print $2 }' "/proc/$LS_PID/status")
	echo "# RssAnon ${rss0} kB before, ${rss1} kB after" >&3
	# (under AddressSanitizer, freed memory waits in its quarantine, up
	# to 256 MiB by default, before it is reused)
	limit=32768
	[ -z "${ASAN_OPTIONS:-}" ] || limit=$((256 * 1024 + 32768))
	[ $(( rss1 - rss0 )) -lt "$limit" ]
}

@test "http: a real Prometheus scrapes it; histogram_quantile within 10% of latscope's p99" {
	command -v prometheus > /dev/null || skip "prometheus not installed (make deps)"
	P=$(free_port)
	start_gated sysload --sleep 400:1000:9000 --enoent 20
	start_latscope_attached "$T/out" 2 --probes syscalls -p "$WL" -i 0.5 --listen "127.0.0.1:$P"
	start_prometheus "127.0.0.1:$P"
	for i in $(seq 1 300); do
		[ "$(q 'latscope_up{family="syscalls"}' | jq -r '.data.result[0].value[1] // empty' 2>/dev/null)" = 1 ] && break
		kill -0 "$PROM" 2>/dev/null || { cat "$T/prom.log" >&2; false; }
		sleep 0.1
	done
	[ "$(q 'latscope_up{family="syscalls"}' | jq -r '.data.result[0].value[1]')" = 1 ]
	echo go >&7
	wait "$WL"	# 400 sleeps of 1-9 ms: 2 s and more
	sleep 3		# two more scrapes after the last call
	stop_latscope
	sel='comm="sysload",syscall="nanosleep"'
	# over the buckets' last values (cumulative since latscope started:
	# every call). Not increase(): it counts a series from its first
	# sample, and the buckets' series first appear at different scrapes
	# on a slow host, which skews their increases against each other.
	got=$(q "histogram_quantile(0.99, sum by (le) (max_over_time(latscope_syscall_duration_seconds_bucket{$sel}[5m])))" |
		jq -r '.data.result[0].value[1]')
	# latscope's own p99 over the whole run: its snapshots merged
	"$LATSCOPE" replay "$T/out" --summary > "$T/summary"
	p99=$(jq --argjson p "$WL" '.syscalls[] | select(.pid == $p and .syscall == "nanosleep") | .p99_ns' "$T/summary")
	# and the workload's own, from its clock around each call
	own=$(sed -n 2p "$T/truth" | jq .sleep.p99_ns)
	echo "# histogram_quantile $got s, latscope p99 $p99 ns, sysload's own p99 $own ns" >&3
	within() { awk -v g="$1" -v p="$2" -v r="$3" 'BEGIN { d = g * 1e9 - p; if (d < 0) d = -d; exit !(p > 0 && d <= r * p) }'; }
	within "$got" "$p99" 0.10
	# against the workload's clock, latscope's own error adds to the
	# bucket's: linear interpolation inside a bucket of 1/8 of its lower
	# bound (8 per power of two) is off by at most that, 12.5%
	within "$got" "$own" 0.125
	# every sleep counted
	[ "$(q "sum(latscope_syscall_duration_seconds_count{$sel})" | jq -r '.data.result[0].value[1]')" -eq 400 ]
	# increase() over the run is the JSON's count, but for the calls before
	# the series' first scrape (Prometheus counts from its first sample)
	inc=$(q "sum(increase(latscope_syscall_duration_seconds_count{$sel}[5m]))" | jq -r '.data.result[0].value[1]')
	first=$(q "sum(min_over_time(latscope_syscall_duration_seconds_count{$sel}[5m]))" | jq -r '.data.result[0].value[1]')
	echo "# increase() $inc, first sample $first, JSON 400" >&3
	awk -v i="$inc" -v f="$first" 'BEGIN { exit !(i >= 400 - f - 1 && i <= 400 * 1.1) }'
	json_err=$(jq -s --argjson p "$WL" '[.[].syscalls[] | select(.pid == $p) | .errors] | add' "$T/out")
	[ "$json_err" -ge 20 ]
	[ "$(q "sum(latscope_syscall_errors_total{comm=\"sysload\"})" | jq -r '.data.result[0].value[1] // 0')" -eq "$json_err" ]
}

@test "http: the exporter's systemd unit verifies, is hardened, and its command serves /metrics" {
	P=$(free_port)
	sed -e "s|/usr/local/bin/latscope|$LATSCOPE|" -e "s|127.0.0.1:9977|127.0.0.1:$P|" \
	    "$ROOT/tools/latscope-exporter.service" > "$T/latscope-exporter.service"
	if command -v systemd-analyze > /dev/null; then
		run systemd-analyze verify "$T/latscope-exporter.service"
		[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
		# systemd's own exposure score (0 best, 10 worst): "OK" is below 5
		score=$(systemd-analyze security --offline=yes "$T/latscope-exporter.service" 2>&1 |
			sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
		echo "exposure $score"
		awk -v s="$score" 'BEGIN { exit !(s != "" && s + 0 < 5) }'
	fi
	# ExecStart= as systemd runs it (shorter): headless, serving /metrics
	cmd=$(sed -n 's/^ExecStart=//p' "$T/latscope-exporter.service")
	$cmd --probes syscalls -d 30 > "$T/stdout" 2> "$T/stderr" &
	LS_PID=$!
	# (its first snapshot comes after one 15 s interval)
	until_metrics '^latscope_up\{family="syscalls"\} 1$' 600
	stop_latscope
	[ ! -s "$T/stdout" ]
}
