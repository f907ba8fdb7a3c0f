# Shared by the bench_*.sh scripts: start a tracer, wait until its programs are
# attached, measure, stop it. Sourced, not run.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LATSCOPE=${LATSCOPE:-$ROOT/latscope}
BENCH=$ROOT/build/bench
TRACER_PID=

# bpf_links PID: attached BPF links PID holds
bpf_links() {
	local n=0 f
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = "anon_inode:bpf_link" ] && n=$((n + 1))
	done
	echo $n
}

# bpf_progs_attached PID: BPF programs PID holds (bpftrace attaches through perf
# events, not links)
bpf_progs() {
	local n=0 f
	for f in /proc/"$1"/fd/*; do
		case "$(readlink "$f" 2>/dev/null)" in
		anon_inode:bpf-prog|anon_inode:bpf_link) n=$((n + 1)) ;;
		esac
	done
	echo $n
}

# wait_tracer TRIES TEST WHAT: every 0.1 s until TEST (a command) succeeds;
# 1 when the tracer TRACER_PID exited first or TRIES ran out (it is stopped)
wait_tracer() {
	local tries=$1 test=$2 what=$3 i
	for i in $(seq 1 "$tries"); do
		if ! kill -0 "$TRACER_PID" 2>/dev/null; then
			echo "bench: tracer exited: $what" >&2
			tail -n 3 /tmp/latscope-bench-tracer.out >&2
			TRACER_PID=
			return 1
		fi
		$test && return 0
		sleep 0.1
	done
	echo "bench: tracer not ready in $((tries / 10)) s: $what" >&2
	stop_tracer
	return 1
}

# start_tracer MIN_FDS CMD...: run CMD in the background, return when it holds
# MIN_FDS BPF program/link fds (and a second more, to settle)
start_tracer() {
	local want=$1; shift
	"$@" > /tmp/latscope-bench-tracer.out 2>&1 &
	TRACER_PID=$!
	has_progs() { [ "$(bpf_progs "$TRACER_PID")" -ge "$want" ]; }
	wait_tracer 300 has_progs "$*" || return 1
	sleep 1
}

# start_latscope ARGS...: latscope ARGS --json -i 1 in the background, back
# once its first snapshot is out (every family loaded and attached by then,
# whatever number of programs that takes)
start_latscope() {
	: > /tmp/latscope-bench-snap.json
	"$LATSCOPE" "$@" --json -i 1 -o /tmp/latscope-bench-snap.json \
		> /tmp/latscope-bench-tracer.out 2>&1 &
	TRACER_PID=$!
	has_snapshot() { [ -s /tmp/latscope-bench-snap.json ]; }
	wait_tracer 600 has_snapshot "latscope $*"
}

# prog_ids PID: the ids of the BPF programs PID holds (its program fds and
# its links' programs), one per line
prog_ids() {
	local f
	for f in /proc/"$1"/fd/*; do
		case "$(readlink "$f" 2>/dev/null)" in
		anon_inode:bpf-prog|anon_inode:bpf_link)
			awk '$1 == "prog_id:" { print $2 }' "/proc/$1/fdinfo/${f##*/}" 2>/dev/null ;;
		esac
	done | sort -un
}

# prog_stats IDS...: "name run_time_ns run_cnt" of each program
# (bpf_stats_enabled counts them; a program run as a tail call is counted in
# its caller's)
prog_stats() {
	local id
	for id in "$@"; do
		bpftool -j prog show id "$id" 2>/dev/null |
			jq -r '"\(.name) \(.run_time_ns // 0) \(.run_cnt // 0)"'
	done
}

stop_tracer() {
	[ -n "$TRACER_PID" ] || return 0
	kill -INT "$TRACER_PID" 2>/dev/null
	wait "$TRACER_PID" 2>/dev/null
	TRACER_PID=
}
trap stop_tracer EXIT

# cpu_ticks PID: utime+stime of PID in clock ticks
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

rss_kib() {
	awk '/^VmRSS/ { print $2 }' "/proc/$1/status"
}

# prog_costs PID: "name ns/run" for each BPF program PID holds, from its
# fdinfo (run_time_ns / run_cnt: needs kernel.bpf_stats_enabled=1)
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
