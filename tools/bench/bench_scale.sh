#!/usr/bin/env bash
# Scale: the frontend's CPU and RSS while tracking many processes and
# threads. tools/scaleload makes SCALE_PROCS processes of SCALE_THREADS
# threads (default 1000 x 10 = 10,000 threads), each making a few syscalls
# every SCALE_PERIOD ms; latscope runs with every family at -i 1 for
# SCALE_SECS seconds. Targets (issue 8): under 5% of a core, under 100 MiB RSS.
# SCALE_LOCK_EVERY=MS: each process's threads also contend on its mutex every
# MS ms (new user stacks in every process, unwound by CFI: issue 22);
# SCALE_LS_ARGS: more latscope options (e.g. --ustack-bytes 0).
#
#   bench_scale.sh [--probes LIST] [--perf FILE]
#
# --probes runs only those families (the per-family split); --perf records
# the frontend's profile (perf, cpu-clock, call graphs) over the window.
set -u
PROBES=
PERF_OUT=
while [ $# -gt 0 ]; do
	case $1 in
	--probes) PROBES=$2; shift 2 ;;
	--perf) PERF_OUT=$2; shift 2 ;;
	*) echo "usage: $0 [--probes LIST] [--perf FILE]" >&2; exit 2 ;;
	esac
done
. "$(dirname "$0")/lib.sh"
P=${SCALE_PROCS:-1000}
TH=${SCALE_THREADS:-10}
PERIOD=${SCALE_PERIOD:-500}
SECS=${SCALE_SECS:-30}
LOCK_EVERY=${SCALE_LOCK_EVERY:-}
out=$(mktemp)
trap 'stop_tracer; [ -n "${wl:-}" ] && kill $wl 2>/dev/null; wait 2>/dev/null; rm -f "$out"' EXIT

"$ROOT/build/tools/scaleload" --procs "$P" --threads "$TH" --period "$PERIOD" \
	${LOCK_EVERY:+--lock-every "$LOCK_EVERY"} > /dev/null &
wl=$!
# until every thread runs
for i in $(seq 1 300); do
	n=$(ps -eLo comm | grep -c '^scale-wk$')
	[ "$n" -ge $((P * TH)) ] && break
	sleep 0.2
done
echo "## scale: $P processes x $TH threads ($n threads running), syscalls every ${PERIOD} ms${LOCK_EVERY:+, a mutex every $LOCK_EVERY ms}, probes ${PROBES:-all}${SCALE_LS_ARGS:+, $SCALE_LS_ARGS}"
# -v: the locks family's unwinding costs at exit
# shellcheck disable=SC2086
"$LATSCOPE" --json -i 1 -v ${PROBES:+--probes "$PROBES"} ${SCALE_LS_ARGS:-} > "$out" 2> "$out.err" &
ls=$!
sleep 5
t0=$(cpu_ticks $ls); m0=$(date +%s.%N)
if [ -n "$PERF_OUT" ]; then
	perf record -q -e cpu-clock -g -p "$ls" -o "$PERF_OUT" -- sleep "$SECS" > /dev/null 2>&1
else
	sleep "$SECS"
fi
t1=$(cpu_ticks $ls); m1=$(date +%s.%N)
rss=$(rss_kib $ls)
hwm=$(awk '/^VmHWM/ { print $2 }' /proc/$ls/status)
kill -INT $ls; wait $ls
kill $wl; wait $wl 2>/dev/null; wl=
pids=$(tail -n 3 "$out" | head -n 1 | jq '[(.syscalls // [])[].pid, (.pools // [])[].pid] | unique | length')
drops=$(jq -s '[.[].dropped.map_full + .[].dropped.events] | add' "$out")
awk -v d="$((t1 - t0))" -v a="$m0" -v b="$m1" -v hz="$(getconf CLK_TCK)" -v r="$rss" -v h="$hwm" \
    -v p="$pids" -v dr="$drops" 'BEGIN {
	printf "frontend: %.2f%% of a core, RSS %.1f MiB (peak %.1f MiB); %d processes in a snapshot; %d drops\n",
		100 * d / hz / (b - a), r / 1024, h / 1024, p, dr }'
tail -n 3 "$out" | head -n 1 | jq -r '[(.locks.user // [])[] | .unwind] |
	"locks: \(length) user lock rows in a snapshot, \(map(select(. == "dwarf")) | length) unwound by CFI"'
grep -a '^latscope: locks: .*\(unwound\|copies\)' "$out.err"
rm -f "$out.err"
