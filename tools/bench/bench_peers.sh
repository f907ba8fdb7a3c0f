#!/usr/bin/env bash
# Cost of the peers view: write(2)+read(2) of 64 bytes over a connected
# socket pair (TCP on loopback, and a unix socketpair) with no tracer, with
# the syscalls family alone (latscope --probes syscalls --no-peers) and with
# the peers view on (--probes syscalls, peers being part of that family's
# sys_exit program). Reports ns per syscall and the peers view's added cost
# as a share of the syscalls family's own (target: at most 30%). Each is
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
		if start_tracer 3 "$LATSCOPE" --probes syscalls --no-peers --json -i 1; then
			t=$("$BENCH/sock_loop" "$kind" "$N" "$R"); stop_tracer
			best[sys]=$(min "$t" "${best[sys]:-}")
		fi
		if start_tracer 3 "$LATSCOPE" --probes syscalls --json -i 1; then
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
		printf "| %-34s | %8.1f | %8.1f |\n", "syscalls, --no-peers", s, s - n
		printf "| %-34s | %8.1f | %8.1f |\n", "syscalls with peers", p, p - n
		if (s > n)
			printf "\npeers adds %.1f ns per call: %.0f%% of the syscalls family'"'"'s own %.1f ns (target: at most 30%%)\n",
				p - s, 100 * (p - s) / (s - n), s - n }'
	echo
	unset best
done

# The same split from the kernel's own accounting (kernel.bpf_stats_enabled:
# run_time_ns / run_cnt of each program): steadier than the workload's clock
# on a busy host, but it leaves out the tracepoint's dispatch cost, which
# peers does not add to. Averages are over every syscall on the host in that
# time, so the loop runs alone on a quiet host for a clean figure.
prog_costs() {	# PID: "name ns/run" per program PID holds
	local ls=$1 f fi id name
	for f in /proc/"$ls"/fd/*; do
		[ "$(readlink "$f")" = anon_inode:bpf-prog ] || continue
		fi=/proc/$ls/fdinfo/${f##*/}
		id=$(awk '/prog_id/ { print $2 }' "$fi")
		name=$(bpftool prog show id "$id" --json 2>/dev/null | jq -r .name)
		awk -v n="$name" '/run_time_ns/ { t = $2 } /run_cnt/ { c = $2 }
			END { if (c) printf "%s %.1f\n", n, t / c }' "$fi"
	done
}
enter_exit() {	# latscope args...: sys_enter + sys_exit ns/run on the unix loop
	start_tracer 3 "$LATSCOPE" --probes syscalls --json -i 1 "$@" || return 1
	sysctl -qw kernel.bpf_stats_enabled=1
	"$BENCH/sock_loop" unix "$N" "$R" > /dev/null
	prog_costs "$TRACER_PID" | awk '$1 == "sys_enter" || $1 == "sys_exit" { s += $2 } END { printf "%.1f\n", s }'
	sysctl -qw kernel.bpf_stats_enabled=0
	stop_tracer
}
if command -v bpftool >/dev/null && command -v jq >/dev/null; then
	old=$(sysctl -n kernel.bpf_stats_enabled)
	declare -A pb=()
	for rep in $(seq 1 "$REPEAT"); do
		t=$(enter_exit --no-peers) && pb[base]=$(min "$t" "${pb[base]:-}")
		t=$(enter_exit) && pb[peers]=$(min "$t" "${pb[peers]:-}")
	done
	sysctl -qw kernel.bpf_stats_enabled="$old"
	echo "## per program (bpf_stats), unix write+read loop: sys_enter + sys_exit ns per syscall"
	echo
	awk -v b="${pb[base]:-0}" -v f="${pb[peers]:-0}" 'BEGIN {
		printf "| syscalls, --no-peers         | %8.1f |\n", b
		printf "| syscalls with peers          | %8.1f |\n", f
		if (b > 0) printf "\npeers adds %.1f ns of program run time: %.0f%% of the syscalls programs'"'"' own\n", f - b, 100 * (f - b) / b }'
fi
