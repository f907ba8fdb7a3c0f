#!/usr/bin/env bash
# Cost per syscall of the syscalls family: getppid() in a loop (about 200 ns
# untraced) with no tracer, with the floor (empty raw_tp programs on
# sys_enter/sys_exit), with latscope --probes syscalls (also with --cgroup:
# the loop's own cgroup, where it is traced, and an empty one, where its
# calls take the early exit; the service of every row is named from /proc
# once per snapshot, off this path), and with bpftrace /
# libbpf-tools syscount -L doing the same job where installed. Each tracer is
# measured BENCH_REPEAT times, interleaved, and the least disturbed (lowest)
# figure kept, so that other work on the host skews the comparison less.
# Then the frontend's own CPU and RSS at a 1 s interval.
set -u
. "$(dirname "$0")/lib.sh"
N=${BENCH_N:-2000000}
R=${BENCH_ROUNDS:-3}
REPEAT=${BENCH_REPEAT:-3}
loop() { "$BENCH/getppid_loop" "$N" "$R"; }
min() { awk -v a="$1" -v b="${2:-}" 'BEGIN { print (b != "" && b + 0 < a + 0) ? b : a }'; }

BPFTRACE_PROG='
tracepoint:raw_syscalls:sys_enter { @start[tid] = nsecs; }
tracepoint:raw_syscalls:sys_exit /@start[tid]/ {
	@lat[pid, args->id] = hist(nsecs - @start[tid]); delete(@start[tid]); }
interval:s:1 { clear(@lat); }'
# bpftrace's tracepoint: probes need tracefs (latscope itself does not)
if command -v bpftrace >/dev/null && ! [ -d /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null ||
		echo "bench: cannot mount tracefs; bpftrace skipped" >&2
fi
SYSCOUNT=
for sc in /usr/sbin/syscount syscount-bpfcc; do
	command -v "$sc" >/dev/null && { SYSCOUNT=$sc; break; }
done

# --cgroup: the cgroup this bench (and so the loop) runs in, and an empty one
V2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
OWN_CG=$(sed -n 's/^0:://p' /proc/self/cgroup)
EMPTY_CG=/latscope-bench-empty
[ -n "$V2" ] && [ -n "$OWN_CG" ] && mkdir -p "$V2$EMPTY_CG" || V2=

declare -A best
measure() {	# name min_fds cmd...
	local name=$1 fds=$2; shift 2
	local t
	if [ "$name" = none ]; then
		t=$(loop)
	else
		start_tracer "$fds" "$@" || return 0
		t=$(loop)
		stop_tracer
	fi
	best[$name]=$(min "$t" "${best[$name]:-}")
}
for rep in $(seq 1 "$REPEAT"); do
	measure none 0
	measure floor 2 "$BENCH/floor" "$BENCH/floor.bpf.o"
	measure latscope 3 "$LATSCOPE" --probes syscalls --json -i 1
	if [ -n "$V2" ]; then
		measure cg_in 3 "$LATSCOPE" --probes syscalls --json -i 1 --cgroup "$OWN_CG"
		measure cg_out 3 "$LATSCOPE" --probes syscalls --json -i 1 --cgroup "$EMPTY_CG"
	fi
	command -v bpftrace >/dev/null && measure bpftrace 2 bpftrace -e "$BPFTRACE_PROG"
	[ -n "$SYSCOUNT" ] && measure syscount 2 "$SYSCOUNT" -L -i 1
done

base=${best[none]}
floor_add=$(awk -v t="${best[floor]:-0}" -v b="$base" 'BEGIN { print t - b }')
row() {	# label key
	[ -n "${best[$2]:-}" ] || return 0
	awk -v n="$1" -v t="${best[$2]}" -v b="$base" -v f="$floor_add" -v k="$2" 'BEGIN {
		a = t - b
		r = (f > 0 && k != "floor" && k != "none") ? sprintf("%.2fx", a / f) : "-"
		printf "| %-34s | %8.1f | %8.1f | %8s |\n", n, t, a, r }'
}
echo "## syscalls family: getppid() x $N, best of $R rounds x $REPEAT runs ($(nproc) CPUs, $(uname -r))"
echo
echo "| tracer                             | ns/call  | added ns | vs floor |"
echo "|------------------------------------|----------|----------|----------|"
row "none" none
row "floor (empty raw_tp programs)" floor
row "latscope --probes syscalls" latscope
row "  --cgroup of the loop (traced)" cg_in
row "  --cgroup without it (early exit)" cg_out
row "bpftrace (hash start table, hist)" bpftrace
row "$SYSCOUNT -L" syscount
[ -n "$V2" ] && rmdir "$V2$EMPTY_CG" 2>/dev/null

echo
secs=${BENCH_IDLE_SECS:-20}
"$LATSCOPE" --probes syscalls --json -i 1 > /dev/null 2>&1 &
pid=$!
sleep 3
t0=$(cpu_ticks $pid)
sleep "$secs"
t1=$(cpu_ticks $pid)
rss=$(rss_kib $pid)
kill -INT $pid; wait $pid
awk -v d="$((t1 - t0))" -v s="$secs" -v hz="$(getconf CLK_TCK)" -v r="$rss" 'BEGIN {
	printf "frontend, -i 1, this host as it is now: %.2f%% of a core over %d s, RSS %d KiB\n",
		100 * d / hz / s, s, r }'
