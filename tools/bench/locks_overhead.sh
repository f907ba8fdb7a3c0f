#!/usr/bin/env bash
# What the locks family costs the traced host, each measured without any
# tracer and with `latscope --probes locks` running (median of REPS runs):
#   - a syscall that is not futex (getppid): the raw_syscalls programs
#     return after comparing the syscall number
#   - a futex wait that returns at once (EAGAIN: not a wait, skipped
#     before the stack walk)
#   - a contended pthread mutex (4 threads on the machine's cores, most of
#     the time inside the critical section): acquisitions per second
#   - with BPF_STATS=1 (make bench sets it) also the kernel's own run time
#     of each program per futex call (kernel.bpf_stats_enabled is switched
#     on for a few seconds: it is global, every BPF program on the host pays
#     ~20 ns while it is on), and latscope's own count (-v) of the user
#     stack copies (once per new stack, in the kernel) and of the unwinding
#     by CFI of each (in the frontend)
#   - --uprobe-locks on an uncontended lock/unlock loop: the uprobe and
#     uretprobe cost per pthread_mutex_lock call
# LS_ARGS: more latscope options (LS_ARGS="--ustack-bytes 0": without the
# user stack copies for unwinding by CFI).
# Runs are paired (without, then with the tracer, REPS times) and the
# medians of both and of the paired differences are printed, so that a
# host whose load drifts skews both sides alike. On a shared host the
# kernel's own count of the programs' run time (BPF_STATS=1) is the
# number to trust; the wall-clock ones are sanity checks.
set -u
cd "$(dirname "$0")/../.."
B=build/bench/lockbench
LS=./latscope
REPS=${REPS:-5}
T=$(mktemp -d)
LS_PID=
cleanup() {
	[ -n "$LS_PID" ] && kill -INT "$LS_PID" 2>/dev/null && wait "$LS_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

links() {
	local n=0 f
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = "anon_inode:bpf_link" ] && n=$((n + 1))
	done
	echo $n
}

# start_tracer LINKS ARGS...: latscope in the background, attached
start_tracer() {
	local want=$1; shift
	# shellcheck disable=SC2086 # LS_ARGS: more options, split
	$LS --json --probes locks -i 1 ${LS_ARGS:-} "$@" > "$T/out" 2> "$T/err" &
	LS_PID=$!
	for _ in $(seq 1 200); do
		[ "$(links "$LS_PID")" -ge "$want" ] && return 0
		sleep 0.05
	done
	echo "latscope did not attach:" >&2; cat "$T/err" >&2
	exit 1
}

stop_tracer() {
	kill -INT "$LS_PID"; wait "$LS_PID"; LS_PID=
}

# ---- per-call costs, paired ----
: > "$T/pairs"
for _ in $(seq 1 "$REPS"); do
	bs=$($B syscall 300000 | tail -n1)
	bf=$($B futex 300000 | tail -n1)
	bm=$($B mutex 4 1000 5000 1000 | tail -n1)
	start_tracer 4
	os=$($B syscall 300000 | tail -n1)
	of=$($B futex 300000 | tail -n1)
	om=$($B mutex 4 1000 5000 1000 | tail -n1)
	stop_tracer
	echo "$bs $os $bf $of $bm $om" >> "$T/pairs"
done
col() { awk -v c="$1" '{print $c}' "$T/pairs" | median; }
dif() { awk -v a="$1" -v b="$2" '{print $b - $a}' "$T/pairs" | median; }
pct() { awk -v a="$1" -v b="$2" '{print ($b - $a) * 100 / $a}' "$T/pairs" | median; }
base_sys=$(col 1); on_sys=$(col 2); d_sys=$(dif 1 2)
base_fx=$(col 3); on_fx=$(col 4); d_fx=$(dif 3 4)
base_mx=$(col 5); on_mx=$(col 6); p_mx=$(pct 5 6)

# futex waits per second in the mutex benchmark, as latscope saw them
start_tracer 4
$B mutex 4 1000 5000 1000 > /dev/null &
bp=$!
wait $bp
sleep 1.2
stop_tracer
fx_rate=$(jq -s --argjson p "$bp" '[.[].locks.user[] | select(.pid == $p) | .count] | add // 0' "$T/out")

# ---- uprobes: an uncontended lock/unlock loop of one process ----
uprobe_run() {	# uprobe_run yes|no: ns per lock/unlock pair
	mkfifo "$T/go"
	$B lock 200000 --wait < "$T/go" > "$T/lb" &
	local bp=$!
	exec 8> "$T/go"
	while [ ! -s "$T/lb" ]; do sleep 0.02; done
	[ "$1" = yes ] && start_tracer 6 -p "$(head -n1 "$T/lb")" --uprobe-locks "$(head -n1 "$T/lb")"
	echo go >&8
	wait $bp
	exec 8>&-
	[ "$1" = yes ] && stop_tracer
	tail -n1 "$T/lb"
	rm -f "$T/go" "$T/lb"
}
for _ in $(seq 1 "$REPS"); do
	echo "$(uprobe_run no) $(uprobe_run yes)"
done > "$T/pairs"
base_lk=$(col 1); on_lk=$(col 2); d_lk=$(dif 1 2)

printf "locks: getppid (not futex)        %9.1f ns -> %9.1f ns per call, paired diff %+8.1f ns\n" "$base_sys" "$on_sys" "$d_sys"
printf "locks: futex wait (EAGAIN)        %9.1f ns -> %9.1f ns per call, paired diff %+8.1f ns\n" "$base_fx" "$on_fx" "$d_fx"
printf "locks: contended mutex, 4 threads %9.0f/s -> %9.0f/s acquisitions, paired diff %+5.1f%% (%s futex waits/s traced)\n" "$base_mx" "$on_mx" "$p_mx" "$fx_rate"
printf "locks: --uprobe-locks lock+unlock %9.1f ns -> %9.1f ns per call, paired diff %+8.1f ns\n" "$base_lk" "$on_lk" "$d_lk"

# ---- the programs' own run time (opt-in: a global switch) ----
prog_ns() {	# prog_ns NAME: "run_time_ns run_cnt" of latscope's program NAME
	local ids
	ids=$(grep -h '^prog_id:' /proc/"$LS_PID"/fdinfo/* 2>/dev/null | awk '{print $2}' | jq -s -c .)
	bpftool -j prog list 2>/dev/null | jq -r --arg n "$1" --argjson ids "$ids" \
		'.[] | select(.name == $n and (.id as $i | $ids | index($i))) |
		 "\(.run_time_ns // 0) \(.run_cnt // 0)"' | head -n1
}
if [ "${BPF_STATS:-0}" = 1 ]; then
	old=$(sysctl -n kernel.bpf_stats_enabled)
	start_tracer 4 -v
	sysctl -q kernel.bpf_stats_enabled=1
	# Every syscall of the host runs the two programs. First the cost of a
	# run that returns at the syscall number (getppid phase: nearly all
	# runs), then the futex path: the futex phase's time less its other
	# runs at that cost, per futex call of the benchmark.
	delta() {	# delta "t0 c0" "t1 c1": "dt dc"
		awk -v a="$1" -v b="$2" 'BEGIN { split(a, x); split(b, y); print y[1] - x[1], y[2] - x[2] }'
	}
	e0=$(prog_ns futex_enter); x0=$(prog_ns futex_exit)
	$B syscall 200000 > /dev/null
	e1=$(prog_ns futex_enter); x1=$(prog_ns futex_exit)
	se=$(delta "$e0" "$e1"); sx=$(delta "$x0" "$x1")
	n=20000
	$B futex-sleep $n > /dev/null
	e2=$(prog_ns futex_enter); x2=$(prog_ns futex_exit)
	fe=$(delta "$e1" "$e2"); fx=$(delta "$x1" "$x2")
	awk -v se="$se" -v sx="$sx" -v fe="$fe" -v fx="$fx" -v n=$n 'BEGIN {
		split(se, a); split(sx, b); split(fe, c); split(fx, d)
		ea = a[1] / a[2]; xa = b[1] / b[2]
		printf "locks: bpf run time, not futex: sys_enter %5.1f ns, sys_exit %5.1f ns per syscall\n", ea, xa
		printf "locks: bpf run time, futex wait: sys_enter %5.1f ns, sys_exit %5.1f ns per call\n",
			(c[1] - (c[2] - n) * ea) / n, (d[1] - (d[2] - n) * xa) / n }'
	sysctl -q kernel.bpf_stats_enabled="$old"
	stop_tracer
	# the once-per-new-stack costs, as latscope counted them (-v)
	grep -a '^latscope: locks: .*\(unwound\|copies\)' "$T/err" | sed 's/^latscope: //'
fi
