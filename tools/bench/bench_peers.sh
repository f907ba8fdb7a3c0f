#!/usr/bin/env bash
# Cost of the peers view: write(2)+read(2) of 64 bytes over a connected
# socket pair (TCP on loopback, and a unix socketpair) with no tracer, with
# latscope --probes syscalls (the syscalls family alone) and with
# latscope --probes syscalls --peers. Reports ns per syscall and the
# peers view's added cost as a share of the syscalls family's own. Each is
# measured BENCH_REPEAT times, interleaved; the lowest figure is kept.
set -u
. "$(dirname "$0")/lib.sh"
N=${BENCH_N:-300000}
R=${BENCH_ROUNDS:-3}
REPEAT=${BENCH_REPEAT:-3}
min() { awk -v a="$1" -v b="${2:-}" 'BEGIN { print (b != "" && b + 0 < a + 0) ? b : a }'; }

for kind in tcp unix; do
	declare -A best=()
	for rep in $(seq 1 "$REPEAT"); do
		t=$("$BENCH/sock_loop" "$kind" "$N" "$R"); best[none]=$(min "$t" "${best[none]:-}")
		if start_tracer 3 "$LATSCOPE" --probes syscalls --json -i 1; then
			t=$("$BENCH/sock_loop" "$kind" "$N" "$R"); stop_tracer
			best[sys]=$(min "$t" "${best[sys]:-}")
		fi
		if start_tracer 5 "$LATSCOPE" --probes syscalls --peers --json -i 1; then
			t=$("$BENCH/sock_loop" "$kind" "$N" "$R"); stop_tracer
			best[peers]=$(min "$t" "${best[peers]:-}")
		fi
	done
	echo "## peers: $kind write+read of 64 B x $N, best of $R rounds x $REPEAT runs ($(nproc) CPUs, $(uname -r))"
	echo
	echo "| tracer                             | ns/call  | added ns |"
	echo "|------------------------------------|----------|----------|"
	awk -v n="${best[none]}" -v s="${best[sys]:-0}" -v p="${best[peers]:-0}" 'BEGIN {
		printf "| %-34s | %8.1f | %8s |\n", "none", n, "-"
		printf "| %-34s | %8.1f | %8.1f |\n", "syscalls alone", s, s - n
		printf "| %-34s | %8.1f | %8.1f |\n", "syscalls + peers", p, p - n
		if (s > n)
			printf "\npeers adds %.1f ns per call: %.0f%% of the syscalls family'"'"'s own %.1f ns (target: at most 30%%)\n",
				p - s, 100 * (p - s) / (s - n), s - n }'
	echo
	unset best
done

# The same split, per BPF program, from the kernel's own accounting
# (kernel.bpf_stats_enabled: run_time_ns / run_cnt in each program's fdinfo):
# steadier than the workload's clock on a busy host. Averages are over every
# syscall on the host in that time (non-fd calls leave peers_* at once).
prog_costs() {
	local ls=$1 f fi id name
	for f in /proc/"$ls"/fd/*; do
		[ "$(readlink "$f")" = anon_inode:bpf-prog ] || continue
		fi=/proc/$ls/fdinfo/${f##*/}
		id=$(awk '/prog_id/ { print $2 }' "$fi")
		name=$(bpftool prog show id "$id" --json 2>/dev/null | jq -r .name)
		awk -v n="$name" '/run_time_ns/ { t = $2 } /run_cnt/ { c = $2 }
			END { if (c) printf "| %-16s | %10d | %8.1f |\n", n, c, t / c }' "$fi"
	done
}
if command -v bpftool >/dev/null && command -v jq >/dev/null &&
   start_tracer 5 "$LATSCOPE" --probes syscalls --peers --json -i 1; then
	old=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -qw kernel.bpf_stats_enabled=1
	"$BENCH/sock_loop" unix "$N" "$R" > /dev/null
	echo "## per program, unix write+read loop, kernel.bpf_stats_enabled"
	echo
	echo "| program          | runs       | ns/run   |"
	echo "|------------------|------------|----------|"
	prog_costs "$TRACER_PID" | sort
	sysctl -qw kernel.bpf_stats_enabled="$old"
	stop_tracer
fi

# The other design the STYLE asks to measure: the same peers work folded into
# the syscalls family's two programs (tools/bench/fold.bpf.c: one task
# storage lookup and one clock read serve both) against those programs
# without it (fold_base.bpf.c). Per program, from bpf_stats, same loop.
fold_cost() {	# object: summed ns/run of its programs
	start_tracer 2 "$BENCH/floor" "$BENCH/$1" || return 1
	sysctl -qw kernel.bpf_stats_enabled=1
	"$BENCH/sock_loop" unix "$N" "$R" > /dev/null
	prog_costs "$TRACER_PID" | awk -F'|' '{ s += $4 } END { printf "%.1f\n", s }'
	sysctl -qw kernel.bpf_stats_enabled=0
	stop_tracer
}
if command -v bpftool >/dev/null && command -v jq >/dev/null; then
	declare -A fb=()
	for rep in $(seq 1 "$REPEAT"); do
		t=$(fold_cost fold_base.bpf.o) && fb[base]=$(min "$t" "${fb[base]:-}")
		t=$(fold_cost fold.bpf.o) && fb[fold]=$(min "$t" "${fb[fold]:-}")
	done
	echo
	echo "## folded design (bench only), unix write+read loop, ns per syscall (enter+exit programs)"
	echo
	awk -v b="${fb[base]:-0}" -v f="${fb[fold]:-0}" 'BEGIN {
		printf "| syscalls work alone          | %8.1f |\n", b
		printf "| syscalls + peers, folded     | %8.1f |\n", f
		if (b > 0) printf "\nfolded peers adds %.1f ns: %.0f%% of the syscalls work (bpf_stats: program run time only)\n", f - b, 100 * (f - b) / b }'
fi
