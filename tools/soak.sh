#!/usr/bin/env bash
# soak: latscope recording (every family, -i 1, gzip) under a mixed load for
# SOAK_SECS seconds (default 1800): syscalls and context switches from
# thousands of threads coming and going (tools/scaleload), connection churn
# on loopback (tools/tcpload), contended mutexes and kernel locks
# (tools/mutexload) and a busy thread pool (tools/poolload). Then checks
# what an operator relies on:
#   - latscope ran to the end and stopped cleanly (exit 0 on SIGINT);
#   - every line of the recording is a valid latscope/1 snapshot, one per s;
#   - its RSS after warm-up stays flat: it grows by less than
#     SOAK_RSS_GROWTH_PCT (10%) or 4 MiB, whichever is larger (buffers
#     settle in steps of a few MiB as the number of rows moves);
#   - nothing was dropped (maps are sized for the load).
# Prints the figures; exit 1 if any check fails.
#   tools/soak.sh [DIR]     (DIR keeps the recording, rss.csv and mem.csv)
#   SOAK_SECS, SOAK_PROCS, SOAK_THREADS, SOAK_CHURN, SOAK_PERIOD (ms between
#   a load thread's rounds of syscalls, default 100), SOAK_RSS_GROWTH_PCT,
#   SOAK_PROBES (e.g. pools: only that family), SOAK_EXTRA (more latscope
#   options, e.g. --no-peers or --realtime 1) tune it.
# On a 2-vCPU host the default load keeps the CPUs about 35% busy without
# latscope and 75% with every family on. At SOAK_PERIOD=50 they are 85% busy
# without it: with it they saturate, thousands of threads wait to run, and
# only a real-time frontend (SOAK_EXTRA=--realtime 1) keeps up.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECS=${SOAK_SECS:-1800}
PROCS=${SOAK_PROCS:-50}
PERIOD=${SOAK_PERIOD:-100}
THREADS=${SOAK_THREADS:-100}
CHURN=${SOAK_CHURN:-10}
GROWTH=${SOAK_RSS_GROWTH_PCT:-10}
DIR=${1:-$(mktemp -d /tmp/latscope-soak.XXXXXX)}
mkdir -p "$DIR"
T=$ROOT/build/tools
pids=()
# spawn CMD...: CMD in its own process group, stopped as a whole at the end
spawn() { setsid "$@" & pids+=($!); }
stop_load() {
	for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null; done
	wait "${pids[@]}" 2>/dev/null
	pids=()
}
cleanup() {
	stop_load
	[ -n "${LS:-}" ] && kill -INT "$LS" 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT

spawn "$T/scaleload" --procs "$PROCS" --threads "$THREADS" --churn "$CHURN" --period "$PERIOD" > /dev/null
# contended pthread mutexes and kernel locks, again and again
spawn bash -c "while :; do '$T/mutexload' --no-wait --mutex 4:2000:200 --kernel 2:500; done" > /dev/null 2>&1
# a thread pool kept busy on a slow downstream
spawn bash -c "while :; do echo go | '$T/poolload' --workers 8 --name soakpool --mode io \
	--rate 400 --task-us 5000 --duration 30; done" > /dev/null 2>&1
# connection churn on loopback
PORT=$(( 20000 + RANDOM % 20000 ))
spawn "$T/tcpload" server --addr 127.0.0.1 --port "$PORT" --close-first > /dev/null 2>&1
spawn bash -c "sleep 0.5; while :; do '$T/tcpload' client --addr 127.0.0.1 --port $PORT \
	--conns 200 --quiet; sleep 0.2; done" > /dev/null 2>&1

# SOAK_PROBES: a subset of families (latscope --probes), to find which one
# holds memory; mem.csv: latscope's own per-snapshot view of its memory
# (RSS; heap in use/free; resident heap, other anonymous, BPF, files)
LATSCOPE_MEMLOG="$DIR/mem.csv" "$ROOT/latscope" ${SOAK_EXTRA:-} ${SOAK_PROBES:+--probes "$SOAK_PROBES"} \
	-o "$DIR/soak.json.gz" -i 1 2> "$DIR/latscope.err" &
LS=$!
echo "t_s,rss_kib" > "$DIR/rss.csv"
start=$(date +%s)
step=$(( SECS >= 300 ? 10 : 1 ))
while :; do
	now=$(( $(date +%s) - start ))
	kill -0 "$LS" 2>/dev/null || { echo "soak: latscope died after ${now}s" >&2; break; }
	echo "$now,$(awk '/^VmRSS/ { print $2 }' /proc/$LS/status)" >> "$DIR/rss.csv"
	[ "$now" -ge "$SECS" ] && break
	sleep "$step"
done
# the load first (nothing may outlive the soak), then latscope, which must
# stop within 30 s of SIGINT: one that does not is a failure, not a hang
stop_load
kill -INT "$LS" 2>/dev/null
for i in $(seq 1 300); do kill -0 "$LS" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$LS" 2>/dev/null; then
	echo "soak: FAIL: latscope still running 30 s after SIGINT; killed" >&2
	kill -KILL "$LS" 2>/dev/null
	wait "$LS" 2>/dev/null
	rc=137
else
	rc=0
	wait "$LS" || rc=$?
fi
LS=

fail=0
lines=$(zcat "$DIR/soak.json.gz" | wc -l)
valid=$(zcat "$DIR/soak.json.gz" | jq -c 'select(.schema == "latscope/1") | 1' 2>/dev/null | wc -l)
drops=$(zcat "$DIR/soak.json.gz" | jq -n 'reduce inputs as $s (0; . + $s.dropped.events + $s.dropped.map_full)' 2>/dev/null)
# RSS: after warm-up (the first fifth; the first half of a short run, whose
# buffers are still settling) against the end
WARM=$(( SECS >= 300 ? SECS / 5 : SECS / 2 ))
read -r warm last < <(awk -F, -v s="$WARM" 'NR > 1 && $1 >= s && !w { w = $2 } NR > 1 { l = $2 } END { print w + 0, l + 0 }' "$DIR/rss.csv")
growth=$(awk -v w="$warm" -v l="$last" 'BEGIN { printf "%.1f", w ? 100 * (l - w) / w : 0 }')
# least-squares slope of RSS after warm-up, KiB per minute
slope=$(awk -F, -v s="$WARM" 'NR > 1 && $1 >= s { n++; x += $1; y += $2; xx += $1 * $1; xy += $1 * $2 }
	END { d = n * xx - x * x; printf "%.1f", (n > 1 && d) ? 60 * (n * xy - x * y) / d : 0 }' "$DIR/rss.csv")
echo "soak: ${SECS}s, $PROCS processes x $THREADS threads, $CHURN thread replacements/s per process"
echo "soak: latscope exit $rc; $lines snapshots, $valid valid; drops $drops"
echo "soak: RSS after warm-up $warm KiB, at the end $last KiB ($growth%), slope $slope KiB/min"
[ "$rc" -eq 0 ] || { echo "soak: FAIL: latscope exit status $rc" >&2; fail=1; }
[ "$lines" -ge $((SECS * 8 / 10)) ] || { echo "soak: FAIL: $lines snapshots in ${SECS}s" >&2; fail=1; }
[ "$valid" -eq "$lines" ] || { echo "soak: FAIL: invalid snapshots" >&2; fail=1; }
[ "${drops:-1}" -eq 0 ] || { echo "soak: FAIL: $drops drops" >&2; fail=1; }
awk -v w="$warm" -v l="$last" -v m="$GROWTH" 'BEGIN { exit !(l - w <= w * m / 100 || l - w <= 4096) }' ||
	{ echo "soak: FAIL: RSS grew $growth% after warm-up" >&2; fail=1; }
echo "soak: recording and rss.csv in $DIR"
exit $fail
