#!/usr/bin/env bash
# Every family together, side by side: what each costs per syscall
# (getppid loop) and per context switch (a pipe ping-pong pinned to one CPU,
# one switch per hop), against no tracer, the floor (empty programs on
# sys_enter/sys_exit/sched_switch/sched_wakeup*) and libbpf-tools syscount -L
# / runqlat where installed; then the frontend's CPU and RSS with every family
# on at -i 1. Each figure is the lowest of BENCH_REPEAT interleaved runs.
# (The fd counts after each tracer are the BPF program and link fds it
# holds once attached on this kernel: start_tracer waits for them.)
set -u
. "$(dirname "$0")/lib.sh"
N=${BENCH_N:-1000000}
PP_ROUNDS=${BENCH_PP_ROUNDS:-100000}
REPEAT=${BENCH_REPEAT:-3}
min() { awk -v a="$1" -v b="${2:-}" 'BEGIN { print (b != "" && b + 0 < a + 0) ? b : a }'; }
sys_ns() { "$BENCH/getppid_loop" "$N" 3; }
switch_ns() { taskset -c 0 "$ROOT/build/tools/pingpong" "$PP_ROUNDS" | jq .ns_per_switch; }

declare -A S W
names=()
measure() {	# name min_fds cmd...
	local name=$1 fds=$2; shift 2
	local s w
	[[ " ${names[*]} " == *" $name "* ]] || names+=("$name")
	if [ "$name" != none ]; then start_tracer "$fds" "$@" || return 0; fi
	s=$(sys_ns); w=$(switch_ns)
	[ "$name" != none ] && stop_tracer
	S[$name]=$(min "$s" "${S[$name]:-}")
	W[$name]=$(min "$w" "${W[$name]:-}")
}
L="$LATSCOPE --json -i 1"
for rep in $(seq 1 "$REPEAT"); do
	measure none 0
	measure floor 10 "$BENCH/floor" "$BENCH/floor_sched.bpf.o"
	measure "syscalls --no-peers" 6 $L --probes syscalls --no-peers
	measure "syscalls" 6 $L --probes syscalls
	measure "tcp" 16 $L --probes tcp
	measure "locks" 8 $L --probes locks
	measure "pools" 13 $L --probes pools
	measure "all, --no-peers" 43 $L --no-peers
	measure "all families" 43 $L
	[ -x /usr/sbin/syscount ] && measure "syscount -L" 2 /usr/sbin/syscount -L -i 1
	[ -x /usr/sbin/runqlat ] && measure "runqlat" 2 /usr/sbin/runqlat 1
done
echo "## all families: getppid x $N (per syscall), pipe ping-pong x $PP_ROUNDS on one CPU (per switch)"
echo "## $(nproc) CPUs, $(uname -r); lowest of $REPEAT interleaved runs"
echo
echo "| tracer | ns/syscall | added | ns/switch | added |"
echo "|---|---|---|---|---|"
for n in "${names[@]}"; do
	[ -n "${S[$n]:-}" ] || continue
	awk -v n="$n" -v s="${S[$n]}" -v w="${W[$n]}" -v s0="${S[none]}" -v w0="${W[none]}" 'BEGIN {
		printf "| %s | %.1f | %+.1f | %.1f | %+.1f |\n", n, s, s - s0, w, w - w0 }'
done
echo
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
