#!/usr/bin/env bats
# The live TUI on a real terminal: latscope runs in a tmux pane against the
# real kernel, keys go in with send-keys, the screen comes back with
# capture-pane. The workload (tools/tui_workload) names itself with ESC and
# BEL bytes, sleeps 200 ms per nanosleep (red: p99 above 100 ms) and keeps
# one read(2) blocked (in flight).

load helpers
load tmux

setup() {
	T=$(mktemp -d)
	# the server's socket lives in the test's own directory
	TM=(tmux -S "$T/tmux.sock" -f /dev/null)
	"$TOOLS/tui_workload" > "$T/wl" &
	WL=$!
	wait_for_file "$T/wl"
}

teardown() {
	"${TM[@]}" kill-server 2>/dev/null || true
	[ -n "${WL:-}" ] && kill "$WL" 2>/dev/null
	[ -n "${WL2:-}" ] && kill "$WL2" 2>/dev/null
	rm -rf "$T"
}

# tui_start COLS ROWS [ENV=V...] -- LATSCOPE_ARGS...: latscope in a pane;
# when it exits the pane records its status and the terminal's modes.
tui_start() {
	local cols=$1 rows=$2 envs=()
	shift 2
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	cat > "$T/run.sh" <<-EOF
	cd '$T'
	bash -c 'echo \$\$ > "$T/pid"; exec env TERM=screen ${envs[*]} "$LATSCOPE" $*' 2> '$T/stderr'
	echo "EXIT=\$?" > '$T/exit'
	stty -a > '$T/stty'
	echo SHELL-READY
	sleep 600
	EOF
	"${TM[@]}" new-session -d -s ls -x "$cols" -y "$rows" "bash $T/run.sh"
}

# wait_screen_re REGEX [TRIES]: until a line of the pane matches REGEX
wait_screen_re() {
	local i
	for i in $(seq 1 "${2:-100}"); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	echo "the screen never matched '$1'; it shows:" >&2
	screen >&2
	return 1
}

# wait_exit: until latscope has exited; echoes its status
wait_exit() {
	local i
	for i in $(seq 1 100); do
		[ -s "$T/exit" ] && { sed 's/EXIT=//' "$T/exit"; return 0; }
		sleep 0.1
	done
	echo "latscope did not exit" >&2
	screen >&2
	return 1
}

# a row of the workload is shown (in Syscalls: its nanosleep)
wait_workload_row() {
	wait_screen "nanosleep" 100
}

@test "tui: header and column headings at once, before the first snapshot" {
	tui_start 100 30 -- -p "$WL" -i 30
	wait_screen "PID COMM" 30
	run screen
	[[ "${lines[0]}" == latscope* ]]
	[[ "$output" == *"[1 Overview]"* ]]
	[[ "$output" == *"waiting for the first snapshot"* ]]
	keys q
	[ "$(wait_exit)" -eq 0 ]
}

@test "tui: Syscalls shows the workload, its hostile name drawn harmlessly, red p99, in-flight read" {
	tui_start 100 30 -- -p "$WL"
	wait_screen "PID COMM"
	keys 2
	wait_screen "[2 Syscalls]"
	wait_workload_row
	# the blocked read(2) of the workload's second thread, while it blocks
	wait_screen_re "^ +$WL +[0-9]+ +\?\[31mtuiwl\?x +read +blocked [0-9.]+(ms|s)"
	run screen
	# ESC and BEL became '?': no colour change, no escape on the terminal
	[[ "$output" == *"?[31mtuiwl?x"* ]]
	[[ "$output" == *"In flight (blocked >= 100ms)"* ]]
	# the nanosleep row: ~200 ms p99, in red (colour on the terminal)
	row=$(echo "$output" | grep -E "^ +$WL .*nanosleep")
	[[ "$row" == *"ms"* ]]
	"${TM[@]}" capture-pane -p -e -t ls | grep "nanosleep" | grep -q $'\e\\[31m'
	keys 1
	wait_screen "[1 Overview]"
	screen | grep -E "^ +$WL +\?\[31mtuiwl\?x +nanosleep"
	keys q
	[ "$(wait_exit)" -eq 0 ]
}

@test "tui: NO_COLOR draws the same screen without colour" {
	tui_start 100 30 NO_COLOR=1 -- -p "$WL"
	keys 2
	wait_workload_row
	! "${TM[@]}" capture-pane -p -e -t ls | grep -q $'\e\\[3[0-7]m'
	keys q
	[ "$(wait_exit)" -eq 0 ]
}

@test "tui: number keys, Tab and Shift-Tab switch views, each titled by its word" {
	tui_start 100 30 -- -p "$WL"
	wait_screen "PID COMM"
	local v
	for v in "2 Syscalls" "3 TCP" "4 Locks" "5 Pools" "6 Peers" "7 Requests" "1 Overview"; do
		keys "${v%% *}"
		wait_screen "[$v]" 30
	done
	keys Tab
	wait_screen "[2 Syscalls]" 30
	keys BTab
	wait_screen "[1 Overview]" 30
	keys BTab
	wait_screen "[7 Requests]" 30
	screen | grep -q "PORT"
	keys BTab
	wait_screen "[6 Peers]" 30
	screen | grep -q "PEER"
	keys q
	[ "$(wait_exit)" -eq 0 ]
}

@test "tui: sort column keys move the mark, the filter keeps matching rows, \\ clears it" {
	"$TOOLS/tui_workload" --name tuiplain --sleep-ms 5 > "$T/wl2" &
	WL2=$!
	wait_for_file "$T/wl2"
	tui_start 100 30 -- -p "$WL,$WL2"
	keys 2
	wait_screen "tuiplain"
	wait_screen "tuiwl"
	# default sort: TOTAL, largest first; '>' moves to P50, '<' back twice: ERR
	screen | grep -q "TOTALv"
	keys ">"
	wait_screen "P50v" 30
	keys "<" "<"
	wait_screen "ERRv" 30
	keys s
	wait_screen "TOTALv" 30
	# filter by name
	keys / t u i p l a i n Enter
	wait_screen "filter: tuiplain" 30
	sleep 1.2
	run screen
	[[ "$output" == *tuiplain* ]]
	! echo "$output" | grep -E "^ +$WL +"
	# filter by pid
	keys '\' / $WL Enter
	wait_screen "filter: $WL" 30
	sleep 1.2
	run screen
	! echo "$output" | grep -E "^ +$WL2 +"
	echo "$output" | grep -E "^ +$WL +"
	# nothing matches
	keys '\' / z z z q q Enter
	wait_screen "no row matches the filter" 30
	keys '\'
	wait_screen "tuiplain" 30
	keys q
	[ "$(wait_exit)" -eq 0 ]
}

@test "tui: Home, End, PgUp, PgDn and arrows move the selection" {
	"$TOOLS/tui_workload" --name tuiplain --sleep-ms 150 > "$T/wl2" &
	WL2=$!
	wait_for_file "$T/wl2"
	local low=$(( WL < WL2 ? WL : WL2 )) high=$(( WL < WL2 ? WL2 : WL ))
	tui_start 100 30 -- -p "$WL,$WL2"
	keys 2
	wait_screen_re "^ +$WL2 +tuiplain +nanosleep"
	wait_screen_re "^ +$WL +.*nanosleep"
	# by PID, largest first: Home is a row of the higher pid, End of the lower
	keys '<' '<' '<' '<' '<'
	wait_screen "PIDv" 30
	keys End Enter
	wait_screen_re " by $low " 30
	keys Escape Home Enter
	wait_screen_re " by $high " 30
	keys Escape NPage Enter
	wait_screen_re " by $low " 30
	keys Escape PPage Down Up Enter
	wait_screen_re " by $high " 30
	keys q
	[ "$(wait_exit)" -eq 0 ]
}

@test "tui: Enter on a syscall draws its histogram with percentiles, Esc goes back" {
	tui_start 100 30 -- -p "$WL"
	keys 2
	wait_workload_row
	keys / n a n o s l e e p Enter
	wait_screen "filter: nanosleep" 30
	keys Enter
	wait_screen "latency histogram" 30
	run screen
	[[ "$output" == *"nanosleep by $WL ?[31mtuiwl?x"* ]]
	echo "$output" | grep -E '\|#+ *\| +[0-9]+ +[0-9.]+% .*p50'
	echo "$output" | grep -E 'p99'
	keys Escape
	wait_screen "SYSCALL" 30
	run screen
	[[ "$output" != *"latency histogram"* ]]
	# from the Overview, Enter opens that process's syscalls
	keys '\' 1
	wait_screen "[1 Overview]" 30
	wait_screen "tuiwl" 30
	keys Enter
	wait_screen "pid $WL" 30
	wait_screen "[2 Syscalls]" 30
	keys BSpace
	wait_screen "[1 Overview]" 30
	keys q
	[ "$(wait_exit)" -eq 0 ]
}

@test "tui: a resize to 80x24 redraws cleanly within the screen" {
	tui_start 120 40 -- -p "$WL"
	keys 2
	wait_workload_row
	"${TM[@]}" resize-window -t ls -x 80 -y 24
	sleep 1.5
	run screen
	[ "${#lines[@]}" -le 24 ]
	[[ "${lines[0]}" == latscope* ]]
	[[ "$output" == *"[2 Syscalls]"* ]]
	[[ "$output" == *"    PID COMM            SYSCALL"* ]]
	[[ "$output" == *"nanosleep"* ]]
	local l
	for l in "${lines[@]}"; do
		[ "${#l}" -le 80 ]
	done
	# the status line is the last line of the 24
	"${TM[@]}" capture-pane -p -t ls | sed -n 24p | grep -q "q quit"
	keys q
	[ "$(wait_exit)" -eq 0 ]
}

@test "tui: p pauses, + lengthens the interval, help opens and closes" {
	tui_start 100 30 -- -p "$WL"
	wait_screen "PID COMM"
	keys p
	wait_screen "PAUSED" 30
	keys p
	sleep 0.3
	! screen | grep -q PAUSED
	keys +
	wait_screen "every 2.0s" 30
	keys -
	keys -
	wait_screen "every 500ms" 30
	keys h
	wait_screen "latscope: keys" 30
	wait_screen "syscalls  on" 30
	keys x
	wait_screen "PID COMM" 30
	keys q
	[ "$(wait_exit)" -eq 0 ]
}

@test "tui: q exits 0 and leaves the terminal usable (modes, screen, stderr)" {
	tui_start 100 30 -- -p "$WL" --probes syscalls,tcp
	wait_screen "PID COMM"
	keys q
	[ "$(wait_exit)" -eq 0 ]
	wait_screen "SHELL-READY" 30
	# cooked mode and echo are back
	grep -qw icanon "$T/stty"
	grep -qw echo "$T/stty"
	! grep -qw -- -icanon "$T/stty"
	# the alternate screen is gone: nothing of the UI is left on the pane
	! screen | grep -q "PID COMM"
}

@test "tui: SIGTERM and SIGINT stop it cleanly and restore the terminal" {
	local sig
	for sig in TERM INT; do
		rm -f "$T/exit" "$T/stty"
		"${TM[@]}" kill-server 2>/dev/null || true
		TM=(tmux -S "$T/tmux-$sig.sock" -f /dev/null)
		tui_start 100 30 -- -p "$WL"
		wait_screen "PID COMM"
		sleep 0.5
		kill -"$sig" "$(cat "$T/pid")"
		[ "$(wait_exit)" -eq 0 ]
		grep -qw icanon "$T/stty"
		grep -qw echo "$T/stty"
	done
}

@test "tui: a crash (SIGSEGV) still restores the terminal" {
	tui_start 100 30 -- -p "$WL"
	wait_screen "PID COMM"
	kill -SEGV "$(cat "$T/pid")"
	[ "$(wait_exit)" -eq 139 ]
	grep -qw icanon "$T/stty"
	grep -qw echo "$T/stty"
	wait_screen "SHELL-READY" 30
	! screen | grep -q "PID COMM"
}

@test "tui: mouse clicks pick a view, a sort column and a row" {
	"$TOOLS/tui_workload" --name tuiplain --sleep-ms 150 > "$T/wl2" &
	WL2=$!
	wait_for_file "$T/wl2"
	tui_start 100 30 -- -p "$WL,$WL2"
	wait_screen "PID COMM"
	# X10 mouse reports (TERM=screen: kmous=\E[M), press then release;
	# bytes are 32+button, 33+column, 33+row (0-based)
	keys -l $'\e[M 7#\e[M#7#'		# row 2, column 22: "2 Syscalls"
	wait_screen "[2 Syscalls]" 30
	keys -l $'\e[M e$\e[M#e$'		# heading row 3, column 68: P99
	wait_screen "P99v" 30
	keys -l $'\e[M e$\e[M#e$'		# again: the other way round
	wait_screen "P99^" 30
	# by PID (stable order), then click the lower of the two workloads'
	# nanosleep rows (the selection starts on the top row) and open it
	keys -l $'\e[M #$\e[M##$'		# column 2: PID, largest first
	wait_screen "PIDv" 30
	wait_screen_re "^ +$WL2 +tuiplain +nanosleep"
	wait_screen_re "^ +$WL +.*nanosleep"
	local low y
	low=$(( WL < WL2 ? WL : WL2 ))	# shown last of the two
	y=$(screen | grep -nE "^ +$low .*nanosleep" | head -n1 | cut -d: -f1)
	y=$((y - 1))
	keys -l $'\e[M '"$(printf "\\x$(printf %x $((33 + 10)))\\x$(printf %x $((33 + y)))")"
	keys -l $'\e[M#'"$(printf "\\x$(printf %x $((33 + 10)))\\x$(printf %x $((33 + y)))")"
	keys Enter
	wait_screen "nanosleep by $low " 30
	keys q
	[ "$(wait_exit)" -eq 0 ]
}

@test "tui: -o records while the view runs; stdin not a terminal gives plain text" {
	tui_start 100 30 -- -p "$WL" -o "$T/rec.json"
	wait_screen "[1 Overview]"
	wait_screen "tuiwl" 30
	keys q
	[ "$(wait_exit)" -eq 0 ]
	# the recording is NDJSON with the workload in it
	n=$(jq -s --argjson p "$WL" '[.[].syscalls[] | select(.pid == $p)] | length' "$T/rec.json")
	[ "$n" -gt 0 ] || { cat "$T/rec.json" >&2; false; }

	rm -f "$T/exit"
	"${TM[@]}" kill-server 2>/dev/null || true
	TM=(tmux -S "$T/tmux-b.sock" -f /dev/null)
	tui_start 100 30 -- -p "$WL" -d 1.5 "< /dev/null"
	[ "$(wait_exit)" -eq 0 ]
	run screen
	[[ "$output" == *"PID COMM             SYSCALL"* ]]
	[[ "$output" != *"[1 Overview]"* ]]
}

@test "tui: TERM=xterm-256color: SGR mouse reports, colours, q" {
	tui_start 100 30 TERM=xterm-256color -- -p "$WL"
	wait_screen "PID COMM"
	keys -l $'\e[<0;23;3M\e[<0;23;3m'	# 1-based column 23, row 3: "2 Syscalls"
	wait_screen "[2 Syscalls]" 30
	wait_workload_row
	"${TM[@]}" capture-pane -p -e -t ls | grep "nanosleep" | grep -q $'\e\\[31m'
	keys q
	[ "$(wait_exit)" -eq 0 ]
}
