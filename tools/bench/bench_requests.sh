#!/usr/bin/env bash
# Cost of the requests view: a request loop over TCP loopback (client write,
# server read, server answer, client read: sock_loop tcpreq, one request on
# the accepted socket per turn) and getppid(2) (no fd: must pay nothing),
# with no tracer, the syscalls family without peers and requests
# (--probes syscalls --no-peers), with peers (--probes syscalls), and with
# peers and requests (--probes syscalls,requests). Reports ns per syscall
# and the requests view's added cost as a share of the syscalls family's
# own (issue 18's bound: at most 25% per fd call). Median of BENCH_REPEAT
# interleaved runs, each the best of R rounds, the loop pinned to one CPU.
set -u
. "$(dirname "$0")/lib.sh"
N=${BENCH_N:-50000}
R=${BENCH_ROUNDS:-9}
REPEAT=${BENCH_REPEAT:-7}
LOOP_CPU=${BENCH_CPU:-$(( $(nproc) - 1 ))}
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
	END { if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
run() {
	case $1 in
	tcpreq) taskset -c "$LOOP_CPU" "$BENCH/sock_loop" tcpreq "$N" "$R" ;;
	getppid) taskset -c "$LOOP_CPU" "$BENCH/getppid_loop" $((N * 10)) "$R" ;;
	esac
}

for kind in tcpreq getppid; do
	none=() base=() peers=() req=()
	for rep in $(seq 1 "$REPEAT"); do
		none+=("$(run "$kind")")
		if start_tracer 3 "$LATSCOPE" --probes syscalls --no-peers --json -i 1; then
			base+=("$(run "$kind")"); stop_tracer
		fi
		if start_tracer 3 "$LATSCOPE" --probes syscalls --json -i 1; then
			peers+=("$(run "$kind")"); stop_tracer
		fi
		if start_tracer 3 "$LATSCOPE" --probes syscalls,requests --json -i 1; then
			req+=("$(run "$kind")"); stop_tracer
		fi
	done
	echo "## requests: $kind, median of $REPEAT runs (each the best of $R rounds; $(nproc) CPUs, $(uname -r), load $(cut -d" " -f1 /proc/loadavg))"
	echo
	echo "runs: none ${none[*]}; --no-peers ${base[*]:-}; peers ${peers[*]:-}; peers+requests ${req[*]:-}"
	echo
	echo "| tracer                             | ns/call  | added ns |"
	echo "|------------------------------------|----------|----------|"
	awk -v n="$(median "${none[@]}")" -v b="$(median "${base[@]:-0}")" \
	    -v p="$(median "${peers[@]:-0}")" -v r="$(median "${req[@]:-0}")" 'BEGIN {
		printf "| %-34s | %8.1f | %8s |\n", "none", n, "-"
		printf "| %-34s | %8.1f | %8.1f |\n", "syscalls, --no-peers", b, b - n
		printf "| %-34s | %8.1f | %8.1f |\n", "syscalls with peers", p, p - n
		printf "| %-34s | %8.1f | %8.1f |\n", "syscalls with peers and requests", r, r - n
		if (b > n)
			printf "\nrequests adds %.1f ns per call: %.0f%% of the syscalls family'"'"'s own %.1f ns (%.0f%% of its %.1f ns with peers; bound: 25%%)\n",
				r - p, 100 * (r - p) / (b - n), b - n, 100 * (r - p) / (p - n), p - n }'
	echo
done

# The same split from the kernel's own accounting (kernel.bpf_stats_enabled:
# run_time_ns / run_cnt of sys_enter and sys_exit) during the request loop:
# steadier than the loop's clock on a busy host (TCP loopback calls of 2-5 us
# vary by more than the cost measured), but averaged over every syscall on
# the host in that time, so the figures are lower bounds of the per-fd-call
# cost on a host that runs other work.
enter_exit() {	# LOOP latscope args...: sys_enter + sys_exit ns/run on LOOP
	local kind=$1; shift
	start_tracer 3 "$LATSCOPE" --json -i 1 "$@" || return 1
	sysctl -qw kernel.bpf_stats_enabled=1
	run "$kind" > /dev/null
	prog_costs "$TRACER_PID" | awk '$1 == "sys_enter" || $1 == "sys_exit" { s += $2 } END { printf "%.1f\n", s }'
	sysctl -qw kernel.bpf_stats_enabled=0
	stop_tracer
}
for kind in tcpreq getppid; do
	command -v bpftool >/dev/null && command -v jq >/dev/null || break
	old=$(sysctl -n kernel.bpf_stats_enabled)
	pbase=() ppeers=() preq=()
	for rep in $(seq 1 "$REPEAT"); do
		t=$(enter_exit "$kind" --probes syscalls --no-peers) && pbase+=("$t")
		t=$(enter_exit "$kind" --probes syscalls) && ppeers+=("$t")
		t=$(enter_exit "$kind" --probes syscalls,requests) && preq+=("$t")
	done
	sysctl -qw kernel.bpf_stats_enabled="$old"
	echo "## per program (bpf_stats), $kind: sys_enter + sys_exit ns per syscall"
	echo
	echo "runs: --no-peers ${pbase[*]:-}; peers ${ppeers[*]:-}; peers+requests ${preq[*]:-}"
	echo
	awk -v b="$(median "${pbase[@]:-0}")" -v p="$(median "${ppeers[@]:-0}")" \
	    -v r="$(median "${preq[@]:-0}")" 'BEGIN {
		printf "| syscalls, --no-peers             | %8.1f |\n", b
		printf "| syscalls with peers              | %8.1f |\n", p
		printf "| syscalls with peers and requests | %8.1f |\n", r
		if (b > 0) printf "\nrequests adds %.1f ns of program run time per call: %.0f%% of the syscalls programs'"'"' own (%.0f%% of theirs with peers; bound: 25%%)\n", r - p, 100 * (r - p) / b, 100 * (r - p) / p }'
	echo
done
