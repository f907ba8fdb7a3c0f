#!/usr/bin/env bash
# The hot path, side by side in one run: what each tracer adds per syscall
# (a getppid() loop) and per context switch (a pipe ping-pong pinned to one
# CPU, one switch per hop), against no tracer and the floor (empty programs on
# sys_enter/sys_exit/sched_switch/sched_wakeup*), with latscope's default
# (every family), each family alone, --no-peers, and where installed
# libbpf-tools' syscount -L and runqlat and bpftrace. The "x floor" columns
# divide what a tracer adds by what the floor adds.
#
# The measuring loops run SCHED_FIFO on one CPU (chrt, taskset) so that other
# work on the host preempts them less; each figure is the lowest of
# BENCH_REPEAT interleaved runs (the least disturbed). Then the frontend's CPU
# and RSS with every family on at -i 1. BENCH_BASELINE=PATH: another
# latscope binary (say, main's) measured in the same interleaved runs.
set -u
. "$(dirname "$0")/lib.sh"
N=${BENCH_N:-1000000}
PP_ROUNDS=${BENCH_PP_ROUNDS:-100000}
REPEAT=${BENCH_REPEAT:-3}
CPU=${BENCH_CPU:-1}
min() { awk -v a="$1" -v b="${2:-}" 'BEGIN { print (b != "" && b + 0 < a + 0) ? b : a }'; }
fifo() { taskset -c "$CPU" chrt -f 50 "$@"; }
sys_ns() { fifo "$BENCH/getppid_loop" "$N" 3; }
switch_ns() { fifo "$ROOT/build/tools/pingpong" "$PP_ROUNDS" | jq .ns_per_switch; }

BPFTRACE_PROG='
tracepoint:raw_syscalls:sys_enter { @start[tid] = nsecs; }
tracepoint:raw_syscalls:sys_exit /@start[tid]/ {
	@lat[pid, args->id] = hist(nsecs - @start[tid]); delete(@start[tid]); }
interval:s:1 { clear(@lat); }'
BPFTRACE=$(command -v bpftrace || true)
# bpftrace's tracepoint: probes need tracefs (latscope itself does not)
if [ -n "$BPFTRACE" ] && ! [ -d /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || {
		echo "bench: cannot mount tracefs; bpftrace skipped" >&2; BPFTRACE=; }
fi
SYSCOUNT=$(command -v syscount /usr/sbin/syscount 2>/dev/null | head -n 1)
RUNQLAT=$(command -v runqlat /usr/sbin/runqlat 2>/dev/null | head -n 1)

declare -A S W
names=()
measure() {	# name how cmd...   (how: latscope, or the fds the tracer holds once attached)
	local name=$1 how=$2; shift 2
	local s w
	[[ " ${names[*]} " == *" $name "* ]] || names+=("$name")
	case $how in
	none) ;;
	latscope) start_latscope "$@" || return 0 ;;
	*) start_tracer "$how" "$@" || return 0 ;;
	esac
	s=$(sys_ns); w=$(switch_ns)
	stop_tracer
	S[$name]=$(min "$s" "${S[$name]:-}")
	W[$name]=$(min "$w" "${W[$name]:-}")
}
for rep in $(seq 1 "$REPEAT"); do
	measure none none
	measure floor 10 "$BENCH/floor" "$BENCH/floor_sched.bpf.o"
	measure "latscope (default: every family)" latscope
	measure "latscope --no-peers" latscope --no-peers
	measure "latscope --probes syscalls" latscope --probes syscalls
	measure "latscope --probes syscalls --no-peers" latscope --probes syscalls --no-peers
	measure "latscope --probes tcp" latscope --probes tcp
	measure "latscope --probes locks" latscope --probes locks
	measure "latscope --probes pools" latscope --probes pools
	measure "latscope --probes syscalls,locks,pools" latscope --probes syscalls,locks,pools
	if [ -n "${BENCH_BASELINE:-}" ]; then	# another build, side by side
		LATSCOPE=$BENCH_BASELINE measure "baseline (default: every family)" latscope
		LATSCOPE=$BENCH_BASELINE measure "baseline --probes syscalls" latscope --probes syscalls
		LATSCOPE=$BENCH_BASELINE measure "baseline --probes syscalls,locks,pools" latscope \
			--probes syscalls,locks,pools
	fi
	[ -n "$SYSCOUNT" ] && measure "libbpf-tools syscount -L" 2 "$SYSCOUNT" -L -i 1
	[ -n "$RUNQLAT" ] && measure "libbpf-tools runqlat" 2 "$RUNQLAT" 1
	[ -n "$BPFTRACE" ] && measure "bpftrace (start hash, hist per pid+syscall)" 2 "$BPFTRACE" -e "$BPFTRACE_PROG"
done
echo "## the hot path: getppid x $N (per syscall), pipe ping-pong x $PP_ROUNDS on one CPU (per switch)"
echo "## $(nproc) CPUs, $(uname -r), clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null); lowest of $REPEAT interleaved runs"
echo
echo "| tracer | ns/syscall | added | x floor | ns/switch | added | x floor |"
echo "|---|---|---|---|---|---|---|"
for n in "${names[@]}"; do
	[ -n "${S[$n]:-}" ] || continue
	awk -v n="$n" -v s="${S[$n]}" -v w="${W[$n]}" -v s0="${S[none]}" -v w0="${W[none]}" \
	    -v sf="${S[floor]:-0}" -v wf="${W[floor]:-0}" 'BEGIN {
		fs = sf - s0; fw = wf - w0
		rs = (n != "none" && n != "floor" && fs > 0) ? sprintf("%.2f", (s - s0) / fs) : "-"
		rw = (n != "none" && n != "floor" && fw > 0) ? sprintf("%.2f", (w - w0) / fw) : "-"
		printf "| %s | %.1f | %+.1f | %s | %.1f | %+.1f | %s |\n", n, s, s - s0, rs, w, w - w0, rw }'
done
echo

# Where a tracer's ns per switch go: the kernel's own count of its programs'
# run time (kernel.bpf_stats_enabled) during one ping-pong, as the mean ns
# per run of each program times the runs one switch of the loop makes: two
# syscalls (a write that wakes the peer, a read that sleeps: two runs on
# sys_enter and two on sys_exit, which a scheduler-only tracer such as
# runqlat does not trace), one wakeup and one switch. Means, not totals:
# other work on the host runs the same programs and would be counted too.
progs_split() {	# -> "syscalls_ns scheduler_ns" per switch
	local ids before after
	mapfile -t ids < <(prog_ids "$TRACER_PID")
	before=$(prog_stats "${ids[@]}")
	fifo "$ROOT/build/tools/pingpong" "$PP_ROUNDS" > /dev/null
	after=$(prog_stats "${ids[@]}")
	awk 'NR == FNR { t[FNR] = $2; c[FNR] = $3; next }
		{ n = $3 - c[FNR]; if (n <= 0) next
		  m = ($2 - t[FNR]) / n
		  if ($1 ~ /sys_(enter|exit)$/) s += 2 * m
		  else if ($1 ~ /switch$/ || $1 ~ /wakeup$/) o += m }
		END { printf "%.1f %.1f\n", s, o }' <(echo "$before") <(echo "$after")
}
declare -A PS PO
split_names=()
split_measure() {	# name how cmd...   (as measure)
	local name=$1 how=$2 r; shift 2
	[[ " ${split_names[*]} " == *" $name "* ]] || split_names+=("$name")
	case $how in
	latscope) start_latscope "$@" || return 0 ;;
	*) start_tracer "$how" "$@" || return 0 ;;
	esac
	r=$(progs_split); stop_tracer
	read -r s o <<<"$r"
	PS[$name]=$(min "$s" "${PS[$name]:-}")
	PO[$name]=$(min "$o" "${PO[$name]:-}")
}
if [ "${BENCH_BPF_STATS:-1}" = 1 ] && command -v bpftool > /dev/null; then
	old_stats=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -qw kernel.bpf_stats_enabled=1
	for rep in $(seq 1 "$REPEAT"); do
		split_measure "latscope (default: every family)" latscope
		split_measure "latscope --probes pools" latscope --probes pools
		[ -n "$RUNQLAT" ] && split_measure "libbpf-tools runqlat" 2 "$RUNQLAT" 1
	done
	sysctl -qw kernel.bpf_stats_enabled="$old_stats"
	echo "## the programs' own run time per switch of the ping-pong (kernel.bpf_stats_enabled: mean ns per run x runs per switch)"
	echo
	echo "| tracer | on raw_syscalls | on the scheduler's tracepoints | total |"
	echo "|---|---|---|---|"
	for n in "${split_names[@]}"; do
		[ -n "${PS[$n]:-}" ] || continue
		awk -v n="$n" -v s="${PS[$n]}" -v o="${PO[$n]}" \
			'BEGIN { printf "| %s | %.1f | %.1f | %.1f |\n", n, s, o, s + o }'
	done
	echo
fi
secs=${BENCH_IDLE_SECS:-20}
"$LATSCOPE" --json -i 1 > /dev/null 2>&1 &
pid=$!
sleep 3
t0=$(cpu_ticks $pid)
sleep "$secs"
t1=$(cpu_ticks $pid)
rss=$(rss_kib $pid)
kill -INT $pid; wait $pid
awk -v d="$((t1 - t0))" -v s="$secs" -v hz="$(getconf CLK_TCK)" -v r="$rss" 'BEGIN {
	printf "frontend, every family, -i 1, this host as it is now: %.2f%% of a core over %d s, RSS %.1f MiB\n",
		100 * d / hz / s, s, r / 1024 }'
