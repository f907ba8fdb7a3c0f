#!/usr/bin/env bash
# What the pools family costs per context switch, against libbpf-tools'
# runqlat (the reference the issue sets) and no tracer at all.
#
# A two-thread pipe ping-pong (tools/pingpong, pinned to one CPU: one
# switch per hop) runs REPEAT times under each setup, interleaved, and
#  1. wall clock: the median ns per switch; the added cost is the difference
#     to the untraced median (noisy on a shared 2-core machine);
#  2. BPF run time: with kernel.bpf_stats_enabled, the run time of the
#     tracer's own programs (new program ids, matched by name) during the
#     run, divided by the host's context switches in that time (/proc/stat
#     ctxt): the in-kernel cost per switch, far less noisy.
# Setups: none, runqlat (libbpf-tools, when installed), pools (latscope
# --probes pools, host-wide), pools+sys (the same while a process on the
# host has a thread asleep in accept(2), so the family's sys_exit hook, which
# tells acceptors from workers, is attached too).
# Needs root. Usage: tools/bench/bench_pools.sh [ROUNDS] [REPEAT]
set -u
cd "$(dirname "$0")/../.."
ROUNDS=${1:-100000}
REPEAT=${2:-5}
PP=build/tools/pingpong
PL=build/tools/poolload
HOLDER=
LAT=./latscope
RUNQLAT=$(command -v runqlat || true)
[ -x "$PP" ] && [ -x "$LAT" ] || { echo "bench_pools: run make tools latscope first" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench_pools: needs root" >&2; exit 1; }
CPU=${CPU:-1}
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
TMP=$(mktemp -d)
mkfifo "$TMP/never"
exec 9<> "$TMP/never"	# keeps the fifo open: the holder waits forever
TRACER=
cleanup() {
	[ -n "$TRACER" ] && kill -INT "$TRACER" 2>/dev/null && wait "$TRACER" 2>/dev/null
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null && wait "$HOLDER" 2>/dev/null
	sysctl -qw kernel.bpf_stats_enabled="$old_stats"
	rm -rf "$TMP"
}
trap cleanup EXIT

prog_ids() { bpftool prog show -j | jq -r '.[].id' | sort; }
# prog_time IDS...: summed run_time_ns and run_cnt of those programs
prog_time() {
	bpftool prog show -j | jq -r --argjson ids "[$(echo "$@" | tr ' ' ',')]" '
		[.[] | select(.id as $i | $ids | index($i))] |
		"\(map(.run_time_ns // 0) | add // 0) \(map(.run_cnt // 0) | add // 0)"'
}
ctxt() { awk '/^ctxt/ {print $2}' /proc/stat; }

start_tracer() {	# start_tracer SETUP: sets TRACER and NEWIDS
	local before; before=$(prog_ids)
	case $1 in
	none) TRACER=; NEWIDS=; return 0 ;;
	runqlat) "$RUNQLAT" 3600 1 > /dev/null 2>&1 & TRACER=$! ;;
	pools) "$LAT" --json --probes pools -i 3600 > /dev/null 2>&1 & TRACER=$! ;;
	pools+sys)
		# a process with a thread waiting in accept(2) on the host: the
		# family then also hooks every syscall's exit
		"$PL" --acceptor --workers 2 < "$TMP/never" > /dev/null 2>&1 & HOLDER=$!
		sleep 0.3
		"$LAT" --json --probes pools -i 3600 > /dev/null 2>&1 & TRACER=$! ;;
	esac
	for _ in $(seq 1 100); do
		NEWIDS=$(comm -13 <(echo "$before") <(prog_ids) | tr '\n' ' ')
		[ -n "$NEWIDS" ] && [ "$(echo $NEWIDS | wc -w)" -ge 3 ] && break
		sleep 0.1
	done
	sleep 0.5
}

stop_tracer() {
	[ -n "$TRACER" ] && { kill -INT "$TRACER" 2>/dev/null; wait "$TRACER" 2>/dev/null; }
	[ -n "$HOLDER" ] && { kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null; }
	TRACER= HOLDER=
}

setups="none pools pools+sys"
[ -n "$RUNQLAT" ] && setups="none runqlat pools pools+sys"
[ -z "$RUNQLAT" ] && echo "# runqlat not installed (apt-get install libbpf-tools): skipped"
for r in $(seq 1 "$REPEAT"); do
	for s in $setups; do
		start_tracer "$s"
		[ -n "$NEWIDS" ] && read -r bt0 bc0 <<<"$(prog_time $NEWIDS)"
		c0=$(ctxt)
		out=$(taskset -c "$CPU" "$PP" "$ROUNDS")
		c1=$(ctxt)
		if [ -n "$NEWIDS" ]; then
			read -r bt1 bc1 <<<"$(prog_time $NEWIDS)"
			echo "$s $(jq .ns_per_switch <<<"$out") $(( (bt1 - bt0) )) $(( c1 - c0 )) $(( bc1 - bc0 ))"
		else
			echo "$s $(jq .ns_per_switch <<<"$out") 0 $(( c1 - c0 )) 0"
		fi >> "$TMP/raw"
		stop_tracer
	done
done

median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
base=$(awk '$1 == "none" {print $2}' "$TMP/raw" | median)
printf "%-10s %14s %12s %16s %12s\n" setup "ns/switch" "added" "bpf ns/switch" "bpf runs/sw"
for s in $setups; do
	m=$(awk -v s="$s" '$1 == s {print $2}' "$TMP/raw" | median)
	b=$(awk -v s="$s" '$1 == s && $4 > 0 {print $3 / $4}' "$TMP/raw" | median)
	n=$(awk -v s="$s" '$1 == s && $4 > 0 {print $5 / $4}' "$TMP/raw" | median)
	printf "%-10s %14.1f %12.1f %16.1f %12.2f\n" "$s" "$m" "$(awk -v a="$m" -v b="$base" 'BEGIN{print a-b}')" "$b" "$n"
done
echo "# $REPEAT runs of $ROUNDS round trips each, pinned to CPU $CPU; medians"
