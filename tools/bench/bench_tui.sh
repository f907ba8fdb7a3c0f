#!/usr/bin/env bash
# The TUI's costs (issue 6: a redraw with 10,000 rows under 10 ms; the UI's
# own CPU at 1 s refresh with 2,000 rows under 2% of a core).
#  1. tui_redraw: per-snapshot rebuild + draw with N synthetic rows, curses
#     writing an xterm screen to /dev/null (no BPF, repeatable).
#  2. live: latscope with the TUI in a tmux pane over >= 2,000 real rows
#     (tui_rowgen: 222 processes x 9 syscalls, plus the host), one snapshot
#     a second; latscope itself reports the CPU time of its UI thread
#     (LATSCOPE_TUI_STATS), so the collection's cost is not counted.
# Prints JSON lines. Needs root (BPF) for part 2; run from the repository.
#   tools/bench/bench_tui.sh [SECONDS]     (default 20 for the live run)
# tui/redraw.c links the frontend's objects and ncurses, so it is built here
# (not by tools/bench/Makefile, which builds standalone tools/bench/*.c).
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-20}
make -s latscope >/dev/null
mkdir -p build/bench
objs=$( { find build/user -name '*.o'; echo build/syscall_names.o; } | grep -v '/main\.o$')
cc -O2 -g -Iinclude -Iuser -Ibuild -D_GNU_SOURCE -o build/bench/tui_redraw \
	tools/bench/tui/redraw.c $objs $(pkg-config --libs libbpf libelf zlib ncursesw jansson libmicrohttpd) -lm
cc -O2 -o build/bench/tui_rowgen tools/bench/tui_rowgen.c

# the machine's load: wall times on a busy shared host are not the code's
printf '{"bench":"tui_host","cpus":%s,"loadavg":"%s"}\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
for spec in "10000 300 1 200 60" "10000 300 0 200 60" "10000 300 6 200 60" "2000 300 1 120 40" "2000 300 0 80 24"; do
	set -- $spec
	LINES=$5 COLUMNS=$4 build/bench/tui_redraw "$1" "$2" "$3"
done

[ "$(id -u)" -eq 0 ] || { echo '{"bench":"tui_live","skipped":"needs root"}'; exit 0; }
T=$(mktemp -d)
TM=(tmux -S "$T/tmux.sock" -f /dev/null)
build/bench/tui_rowgen 222 > "$T/gen" &
GEN=$!
cleanup() {
	"${TM[@]}" kill-server 2>/dev/null || true
	kill "$GEN" 2>/dev/null || true
	[ -n "${LS:-}" ] && kill "$LS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
sleep 1

# cpu_of PID: utime+stime in ms
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / hz }' "/proc/$1/stat"; }

# The UI's own CPU, measured inside latscope (LATSCOPE_TUI_STATS: thread
# CPU time spent rebuilding rows, drawing and handling keys), in a 120x40
# pane on the Syscalls view over ~2,000 real rows, one snapshot a second.
"${TM[@]}" new-session -d -s b -x 120 -y 40 "exec env TERM=xterm-256color LATSCOPE_TUI_STATS=1 ./latscope -i 1 --top 100000 2> $T/stats"
sleep 2
"${TM[@]}" send-keys -t b 2
sleep "$secs"
rows=$("${TM[@]}" capture-pane -p -t b | sed -n 2p)
"${TM[@]}" send-keys -t b q
for i in $(seq 1 50); do grep -q tui_cpu_ms "$T/stats" 2>/dev/null && break; sleep 0.1; done
# rows in the snapshot: what the JSON of the same host says, one interval
jrows=$(timeout 5 ./latscope --json --top 100000 -d 1.5 2>/dev/null | tail -n1 | jq '.syscalls | length')
stats=$(grep tui_cpu_ms "$T/stats")
echo "$stats" | jq -c --arg h "$rows" --argjson r "${jrows:-0}" \
	'{bench: "tui_live", snapshot_rows: $r, tui_snapshots, tui_cpu_ms, tui_max_snapshot_ms, wall_ms,
	  ui_core_pct: (100 * .tui_cpu_ms / .wall_ms), headline: $h}'
