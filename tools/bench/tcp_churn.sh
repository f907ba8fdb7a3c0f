#!/usr/bin/env bash
# tcp family benchmark: N connections opened and closed on loopback (in a
# network namespace of its own), with and without latscope --probes tcp.
# Shows that the socket -> owner map stays bounded (sampled every 0.1 s),
# what the BPF programs cost per connection and per send/recv (the
# kernel's own run_time_ns, kernel.bpf_stats_enabled), and the workload's
# wall time both ways.                   tools/bench/tcp_churn.sh [N] [K]
#   N connections (default 100000), K ping-pong round trips (default 200000)
# Needs root; run from `make bench-tcp`.
set -eu
cd "$(dirname "$0")/../.."
N=${1:-100000}
K=${2:-200000}
TOOLS=build/tools
NS=tcp_bench_$$
T=$(mktemp -d)
LS=
stats_was=$(sysctl -n kernel.bpf_stats_enabled)

cleanup() {
	[ -n "$LS" ] && kill -INT "$LS" 2>/dev/null && wait "$LS" 2>/dev/null
	[ -n "${SAMPLER:-}" ] && kill "$SAMPLER" 2>/dev/null
	sysctl -q -w kernel.bpf_stats_enabled="$stats_was"
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

ip netns add "$NS"
ip -n "$NS" link set lo up

now_ns() { date +%s%N; }

# churn: N connect/close pairs; prints the wall time in ns
churn() {
	rm -f "$T/srv"
	ip netns exec "$NS" "$TOOLS/tcpload" server --addr 127.0.0.1 --port 5000 --conns "$N" \
		--close-first --send 1 > "$T/srv" &
	local srv=$! t0
	while [ ! -s "$T/srv" ]; do sleep 0.05; done
	t0=$(now_ns)
	ip netns exec "$NS" "$TOOLS/tcpload" client --addr 127.0.0.1 --port 5000 --conns "$N" \
		--no-shutdown --quiet > "$T/cli"
	echo $(( $(now_ns) - t0 ))
	wait "$srv"
	[ "$(jq .failed "$T/cli")" -eq 0 ] || { echo "churn: connects failed" >&2; exit 1; }
}

# pingpong: K one-byte round trips on one connection; prints ns per trip
pingpong() {
	rm -f "$T/srv2"
	ip netns exec "$NS" "$TOOLS/tcpload" server --addr 127.0.0.1 --port 5001 --conns 1 --echo \
		--send 0 > "$T/srv2" &
	local srv=$!
	while [ ! -s "$T/srv2" ]; do sleep 0.05; done
	ip netns exec "$NS" "$TOOLS/tcpload" client --addr 127.0.0.1 --port 5001 --pingpong "$K" \
		> "$T/pp"
	wait "$srv"
	jq .pingpong_ns "$T/pp"
}

map_id() {	# map_id NAME: the id of latscope's map NAME
	local f id
	for f in /proc/"$LS"/fdinfo/*; do
		id=$(awk '/^map_id:/ { print $2 }' "$f" 2>/dev/null)
		[ -n "$id" ] || continue
		[ "$(bpftool map show id "$id" -j | jq -r .name)" = "$1" ] && { echo "$id"; return; }
	done
}

prog_stats() {	# name run_cnt run_time_ns of latscope's programs
	local f id
	for f in /proc/"$LS"/fdinfo/*; do
		id=$(awk '/^link_id:/ { l = 1 } /^prog_id:/ { p = $2 } END { if (l) print p }' "$f" 2>/dev/null)
		[ -n "$id" ] || continue
		bpftool prog show id "$id" -j | jq -r '"\(.name) \(.run_cnt // 0) \(.run_time_ns // 0)"'
	done | sort
}

echo "# tcp churn: $N connections on loopback, $K ping-pong round trips"
base_wall=$(churn)
base_pp=$(pingpong)

sysctl -q -w kernel.bpf_stats_enabled=1
./latscope --json --probes tcp -i 1 > "$T/out" 2> "$T/err" &
LS=$!
for i in $(seq 1 200); do
	[ "$(ls -l /proc/$LS/fd 2>/dev/null | grep -c bpf_link)" -ge 8 ] && break
	sleep 0.05
done
OWN=$(map_id sock_owners)
cap=$(bpftool map show id "$OWN" -j | jq .max_entries)
entries() { bpftool map dump id "$OWN" -j | jq length; }
before=$(entries)
( while :; do entries; sleep 0.1; done ) > "$T/samples" 2>/dev/null &
SAMPLER=$!

prog_stats > "$T/p0"
wall=$(churn)
prog_stats > "$T/p1"
sleep 1.2	# a last interval, and sockets destroyed after their last FIN
kill "$SAMPLER"; SAMPLER=
after=$(entries)
maxe=$(sort -n "$T/samples" | tail -n1)
nsamples=$(wc -l < "$T/samples")
pp=$(pingpong)
prog_stats > "$T/p2"
kill -INT "$LS"; wait "$LS"; LS=

connects=$(jq -s '[.[].tcp.connect[] | select(.daddr == "127.0.0.1" and .dport == 5000) | .count] | add // 0' "$T/out")
drops=$(jq -s '[.[].dropped.map_full] | add' "$T/out")

# BPF time per connection: the connection-lifetime programs (state
# changes, destroy) during the churn / N, plus the churn's 3 send/recv
# calls per connection at their mean cost. Counting every program's time
# instead would add other processes' sends and receives on a busy host.
read -r per_conn runs <<<"$(join "$T/p0" "$T/p1" | awk -v n="$N" '
	$1 ~ /_len$/ { it += $5 - $3; ir += $4 - $2; next }
	{ t += $5 - $3; r += $4 - $2 }
	END { printf "%.0f %d", t / n + (ir ? 3 * it / ir : 0), r }')"
# per send/recv: the two sock_*_length programs during the ping-pong
perio=$(join "$T/p1" "$T/p2" | awk '$1 ~ /_len$/ { t += $5 - $3; r += $4 - $2 }
	END { if (r) printf "%.0f", t / r; else print "n/a" }')
nio=$(join "$T/p1" "$T/p2" | awk '$1 ~ /_len$/ { r += $4 - $2 } END { print r + 0 }')

cat <<REPORT
socket->owner map (cap $cap): $before entries before, max $maxe during ($nsamples samples), $after after
connects seen by latscope: $connects of $N; dropped.map_full total: $drops
churn wall time: ${base_wall} ns without latscope, ${wall} ns with ($(awk -v a="$base_wall" -v b="$wall" 'BEGIN { printf "%+.1f%%", (b - a) * 100 / a }'))
BPF time per connection (state changes and destroy: $runs runs; + 3 send/recv): ${per_conn} ns
BPF time per send/recv (sock_send/recv_length, $nio calls): ${perio} ns
ping-pong round trip: ${base_pp} ns without latscope, ${pp} ns with
per-program (run_cnt run_time_ns) over the churn:
$(join "$T/p0" "$T/p1" | awk '{ r = $4 - $2; t = $5 - $3; printf "  %-20s %9d runs %7.0f ns/run\n", $1, r, r ? t / r : 0 }')
REPORT
[ "$connects" -eq "$N" ]
[ "$after" -le $((before + 16)) ]
