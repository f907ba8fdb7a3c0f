#!/usr/bin/env bash
# Cost per syscall of the syscalls family: getppid() in a loop (about 200 ns
# untraced) with no tracer, with the floor (empty raw_tp programs on
# sys_enter/sys_exit), with latscope --probes syscalls, and with bpftrace doing
# the same per-(pid, syscall) latency histogram where bpftrace is installed.
# Then the frontend's own CPU and RSS at a 1 s interval.
set -u
. "$(dirname "$0")/lib.sh"
N=${BENCH_N:-2000000}
R=${BENCH_ROUNDS:-5}
loop() { "$BENCH/getppid_loop" "$N" "$R"; }
# min of two numbers (the least disturbed measurement)
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b != "" && b < a) ? b : a }'; }

base=$(loop)
row() {	# name ns
	awk -v n="$1" -v t="$2" -v b="$base" -v f="${floor_add:-0}" 'BEGIN {
		a = t - b
		r = (f > 0 && n != "floor (empty programs)") ? sprintf("%.2fx", a / f) : "-"
		printf "| %-32s | %8.1f | %8.1f | %6s |\n", n, t, a, r }'
}
echo "## syscalls family: getppid() x $N, best of $R rounds ($(nproc) CPUs, $(uname -r))"
echo
echo "| tracer                           | ns/call  | added ns | vs floor |"
echo "|----------------------------------|----------|----------|----------|"
row "none" "$base"

if start_tracer 2 "$BENCH/floor" "$BENCH/floor.bpf.o"; then
	t=$(loop); stop_tracer
	floor_add=$(awk -v t="$t" -v b="$base" 'BEGIN { print t - b }')
	row "floor (empty programs)" "$t"
fi
if start_tracer 3 "$LATSCOPE" --probes syscalls --json -i 1; then
	t=$(loop); stop_tracer
	row "latscope --probes syscalls" "$t"
fi
if command -v bpftrace >/dev/null; then
	if start_tracer 2 bpftrace -e '
tracepoint:raw_syscalls:sys_enter { @start[tid] = nsecs; }
tracepoint:raw_syscalls:sys_exit /@start[tid]/ {
	@lat[pid, args->id] = hist(nsecs - @start[tid]); delete(@start[tid]); }
interval:s:1 { clear(@lat); }'; then
		t=$(loop); stop_tracer
		row "bpftrace (hash start, hist)" "$t"
	fi
fi
for sc in syscount-bpfcc /usr/sbin/syscount; do
	command -v "$sc" >/dev/null || continue
	if start_tracer 2 "$sc" -L -i 1; then
		t=$(loop); stop_tracer
		row "$sc -L" "$t"
	fi
	break
done

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
	printf "frontend at -i 1 on this host: %.2f%% of a core over %d s, RSS %d KiB\n",
		100 * d / hz / s, s, r }'
