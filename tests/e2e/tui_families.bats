#!/usr/bin/env bats
# The TCP, Locks, Pools, Peers and Requests views of the live TUI on a real terminal
# (tmux), each showing the rows of a workload that makes them: a pool of
# workers contending a mutex (tools/poolload), threads contending a pthread
# mutex inside a named function (tools/mutexload), connects refused by a
# closed port (tools/tcpload), and, with --peers, a writer and a reader on
# a fifo, and a request server (tools/reqload). Enter on a lock shows its stack.

load helpers
load tmux

setup() {
	T=$(mktemp -d)
	TM=(tmux -S "$T/tmux.sock" -f /dev/null)
	mkfifo "$T/go1" "$T/go2"
}

teardown() {
	"${TM[@]}" kill-server 2>/dev/null || true
	[ -n "${LOOP:-}" ] && kill "$LOOP" 2>/dev/null
	for p in ${WLS:-}; do kill "$p" 2>/dev/null; done
	exec 7>&- 8>&- 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$T"
}


@test "tui: the TCP, Locks and Pools views show their workloads' rows; Enter on a lock shows its stack" {
	"$TOOLS/poolload" --workers 4 --name tuipool --mode lock --rate 300 --task-us 3000 \
		--duration 60 < "$T/go1" > "$T/pool" &
	WLS="$!"; ppid=$!
	"$TOOLS/mutexload" --mutex 4:20000:2000 < "$T/go2" > "$T/mtx" &
	WLS="$WLS $!"; mpid=$!
	exec 7> "$T/go1" 8> "$T/go2"
	wait_for_file "$T/pool"
	wait_for_file "$T/mtx"
	"${TM[@]}" new-session -d -s ls -x 132 -y 40 \
		"TERM=screen '$LATSCOPE' -i 0.5 2> '$T/stderr'; echo EXIT=\$? > '$T/exit'; sleep 60"
	wait_screen "1 Overview"
	echo go >&7
	echo go >&8
	# refused connects all along: failed connects and resets received
	( while :; do "$TOOLS/tcpload" client --addr 127.0.0.1 --port 9 --conns 2 > /dev/null 2>&1
		sleep 0.1; done ) &
	LOOP=$!

	# each view filtered to the workload's rows (by pid, or by name): the
	# host's other processes (other pools, other lock waits) cannot push
	# them off the screen
	keys 5
	wait_screen "[5 Pools]"
	keys / "$ppid" Enter
	wait_screen "tuipool" 100
	keys '\'
	keys 4
	wait_screen "[4 Locks]"
	# the filter keeps the mutexload row; Enter shows its stack
	keys / "$mpid" Enter
	wait_screen "mutexload" 100
	sleep 1
	keys Enter
	wait_screen "contend_shared_mutex" 100
	keys Escape
	keys '\'
	keys 3
	wait_screen "[3 TCP]"
	keys / tcpload Enter
	wait_screen "127.0.0.1:9" 100
	keys q
	for i in $(seq 1 50); do [ -s "$T/exit" ] && break; sleep 0.1; done
	[ "$(cat "$T/exit")" = "EXIT=0" ]
}

@test "tui: with --peers the Peers view shows a pipe peer" {
	"${TM[@]}" new-session -d -s ls -x 132 -y 40 \
		"TERM=screen '$LATSCOPE' --peers --probes syscalls -i 0.5 2> '$T/stderr'; echo EXIT=\$? > '$T/exit'; sleep 60"
	wait_screen "1 Overview"
	# a writer and a reader on a fifo: both have the peer "pipe"
	( for i in $(seq 1 400); do echo ping; sleep 0.02; done > "$T/go1" ) &
	WLS="$!"
	( cat "$T/go1" > /dev/null ) &
	WLS="$WLS $!"
	keys 6
	wait_screen "[6 Peers]"
	wait_screen "pipe" 100
	keys q
	for i in $(seq 1 50); do [ -s "$T/exit" ] && break; sleep 0.1; done
	[ "$(cat "$T/exit")" = "EXIT=0" ]
}

@test "tui: the pool drill-down shows what the pool is blocked on" {
	# peerload's workers call a 1 ms and a 50 ms server over TCP: ~10 s
	"$TOOLS/peerload" --chatty 0 --pool 4:200 < "$T/go1" > "$T/peer" &
	WLS="$!"
	exec 7> "$T/go1"
	wait_for_file "$T/peer"
	"${TM[@]}" new-session -d -s ls -x 132 -y 40 \
		"TERM=screen '$LATSCOPE' --probes pools -p $WLS -i 0.5 2> '$T/stderr'; echo EXIT=\$? > '$T/exit'; sleep 60"
	wait_screen "1 Overview"
	echo go >&7
	keys 5
	wait_screen "[5 Pools]"
	wait_screen "worker" 100
	keys / worker Enter
	sleep 1
	keys Enter
	wait_screen "Blocked on" 100
	wait_screen "tcp:127.0.0.1:" 50
	keys Escape
	keys q
	for i in $(seq 1 50); do [ -s "$T/exit" ] && break; sleep 0.1; done
	[ "$(cat "$T/exit")" = "EXIT=0" ]
}

@test "tui: the Requests view shows a server's listener; Enter shows its clients" {
	"$TOOLS/reqload" --clients 2 --requests 3000 --cost-us 20000 < "$T/go1" > "$T/req" &
	WLS="$!"
	exec 7> "$T/go1"
	wait_for_file "$T/req"
	port=$(head -n1 "$T/req" | jq .port)
	"${TM[@]}" new-session -d -s ls -x 132 -y 40 \
		"TERM=screen '$LATSCOPE' --probes requests -i 0.5 -p $WLS 2> '$T/stderr'; echo EXIT=\$? > '$T/exit'; sleep 60"
	# attached (the first snapshot is in) before the clients start
	wait_screen "syscalls:on" 300
	echo go >&7
	keys 7
	wait_screen "[7 Requests]"
	wait_screen "$port" 300
	screen | grep -q "127.0.0.1"
	keys Enter
	wait_screen "Requests to 127.0.0.1:$port" 100
	wait_screen "127.0.0.3" 100
	keys q
	for i in $(seq 1 50); do [ -s "$T/exit" ] && break; sleep 0.1; done
	[ "$(cat "$T/exit")" = "EXIT=0" ]
}
