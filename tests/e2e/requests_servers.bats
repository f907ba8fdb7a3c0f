#!/usr/bin/env bats
# The requests view against real servers nobody here wrote (Debian's
# packages), each checked against its own timing of the requests:
# PostgreSQL's log of every statement's duration (log_min_duration_statement
# = 0) and Redis's own statistics (INFO commandstats and latencystats).
# Each runs privately: its own data dir under $T, its own port on 127.0.0.1,
# started and stopped here.
#
# The load: 150 requests a connection, 135 of 10 ms and 15 of 40 ms (the
# server sleeps: pg_sleep, DEBUG SLEEP), one 40 ms every tenth. p50 and
# p99 then fall inside a plateau of requests of one cost, not on an edge,
# and a request or two more or less on latscope's side (a protocol turn
# that is no statement) moves neither. Counts are exact; p50/p99 within
# 10% of the server's: the server clocks the statement or command alone,
# latscope from the read of the request to the return of the answer's last
# send (parsing and the answer's own write in addition: tens of us), and
# its percentile is the midpoint of a histogram bucket (at most 3.2% off,
# docs/json.md): 10% covers both. Timings on a busy host move both
# measures alike (the server's clock runs around the sleep's wakeup too).

load helpers

setup() {
	T=$(mktemp -d)
	RS=
}

teardown() {
	teardown_latscope
	[ -n "${RS:-}" ] && kill "$RS" 2>/dev/null && wait "$RS" 2>/dev/null
	pg_stop
	rm -rf "$T"
}

# workload FORMAT: the 150 requests of a connection, FORMAT (printf) given each
# one's cost in seconds
workload() {
	local i
	for i in $(seq 1 150); do
		# shellcheck disable=SC2059
		printf "$1\n" "$([ $((i % 10)) -eq 0 ] && echo 0.04 || echo 0.01)"
	done
}

# pct P: the nearest-rank P-th quantile (0..1) of the numbers on stdin
pct() {
	sort -n | awk -v p="$1" '{ a[NR] = $1 } END { i = int(p * NR); if (i < p * NR) i++; print a[i] }'
}

# the rows of latscope's merged recording ($T/rec) on port P with requests
rows() {
	"$LATSCOPE" replay "$T/rec" --summary |
		jq -c --argjson port "$P" '[.requests[] | select(.port == $port and .requests > 0)]'
}

# say WHAT LATSCOPE SERVER: the figures compared, in the test's output
say() { echo "# $1: latscope $2, server $3" >&3; }

@test "requests servers: PostgreSQL backends: statements + startup exact, p50/p99 within 10% of its logged durations" {
	pg_start "-c listen_addresses=127.0.0.1 -c log_min_duration_statement=0"
	workload 'SELECT pg_sleep(%s);' > "$T/q.sql"
	chmod 644 "$T/q.sql"
	# every pid: the backends are forked by the postmaster once connected
	start_latscope "$T/out" --probes requests -i 0.5 -o "$T/rec"
	local c clients=()
	for c in 1 2; do
		pg "psql 'host=127.0.0.1 port=$P sslmode=disable gssencmode=disable dbname=postgres' -X -q -v ON_ERROR_STOP=1 -f $T/q.sql > /dev/null" &
		clients+=($!)
	done
	for c in "${clients[@]}"; do wait "$c"; done
	# a connection's last answer ends at its next read (the Terminate)
	sleep 0.5
	stop_latscope
	r=$(rows)
	# one row a backend (the postmaster accepted; its row has none)
	[ "$(jq length <<<"$r")" -eq 2 ]
	local pid n
	for pid in $(jq '.[].pid' <<<"$r"); do
		# the backend's statements, by its pid in the log's line prefix
		grep -E "^[^[]*\[$pid\] LOG:  duration: " "$T/pg/log" |
			sed -E 's/.* duration: ([0-9.]+) ms .*/\1/' > "$T/d.$pid"
		n=$(wc -l < "$T/d.$pid")
		[ "$n" -eq 150 ]
		row=$(jq -c --argjson pid "$pid" '.[] | select(.pid == $pid)' <<<"$r")
		say "backend $pid requests" "$(jq .requests <<<"$row")" "$n statements + 1"
		# a turn more than its statements: the startup packet answered
		# (authentication, parameters, ReadyForQuery); the Terminate's turn
		# never ends, the backend exits without close(2)
		[ "$(jq .requests <<<"$row")" -eq $((n + 1)) ]
		for q in 50 99; do
			s=$(pct "0.$q" < "$T/d.$pid" | awk '{ printf "%d", $1 * 1000000 }')
			say "backend $pid p$q (ns)" "$(jq ".p${q}_ns" <<<"$row")" "$s"
			assert_within "$(jq ".p${q}_ns" <<<"$row")" "$s" 10
		done
	done
}

@test "requests servers: Redis: commands exact, p50/p99 within 10% of its latencystats" {
	command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
		skip "redis-server is not installed (apt-get install redis-server; make deps)"
	P=$(free_port)
	mkdir "$T/redis"
	redis-server --port "$P" --bind 127.0.0.1 --dir "$T/redis" --save '' --appendonly no \
		--enable-debug-command local --logfile "$T/redis/log" --daemonize no 3>&- &
	RS=$!
	local i
	for i in $(seq 1 100); do
		[ "$(redis-cli -p "$P" ping 2>/dev/null)" = PONG ] && break
		sleep 0.1
	done
	[ "$(redis-cli -p "$P" config resetstat)" = OK ]
	workload 'debug sleep %s' > "$T/cmds"
	start_latscope "$T/out" -p "$RS" --probes requests -i 0.5 -o "$T/rec"
	# two connections, one after the other: one event loop serves both, and
	# while it sleeps in one's command the other's waits, read but not
	# answered (answers are written once the loop has run every command
	# read): latscope would count that wait in, Redis not
	for i in 1 2; do
		redis-cli -p "$P" < "$T/cmds" > "$T/replies.$i"
		[ "$(grep -c OK "$T/replies.$i")" -eq 150 ]
	done
	sleep 0.5
	stop_latscope
	redis-cli -p "$P" info commandstats | tr -d '\r' > "$T/cmdstats"
	redis-cli -p "$P" info latencystats | tr -d '\r' > "$T/latency"
	r=$(rows)
	[ "$(jq length <<<"$r")" -eq 1 ]
	# every command of the connections (redis-cli adds its own, like
	# COMMAND DOCS), not the CONFIG RESETSTAT before latscope nor the INFO
	n=$(awk -F'[:=,]' '/^cmdstat_/ && $1 != "cmdstat_info" && $1 != "cmdstat_config|resetstat" { n += $3 }
		END { print n }' "$T/cmdstats")
	say "requests" "$(jq '.[0].requests' <<<"$r")" "$n commands"
	grep -q '^cmdstat_debug:calls=300,' "$T/cmdstats"
	[ "$(jq '.[0].requests' <<<"$r")" -eq "$n" ]
	for q in 50 99; do
		s=$(sed -nE "s/^latency_percentiles_usec_debug:.*p$q=([0-9.]+).*/\1/p" "$T/latency" |
			awk '{ printf "%d", $1 * 1000 }')
		say "p$q (ns)" "$(jq ".[0].p${q}_ns" <<<"$r")" "$s"
		assert_within "$(jq ".[0].p${q}_ns" <<<"$r")" "$s" 10
	done
}
