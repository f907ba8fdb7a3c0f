#!/usr/bin/env bats
# latscope replay FILE in the TUI on a real terminal (tmux): time navigation
# with p (pause), t (jump to a time), ] and [ (next, previous snapshot); the
# header shows the time of the snapshot on screen.

load helpers
load tmux

setup() {
	T=$(mktemp -d)
	TM=(tmux -S "$T/tmux.sock" -f /dev/null)
}

teardown() {
	"${TM[@]}" kill-server 2>/dev/null || true
	rm -rf "$T"
}

# hhmmss N: the header's time of snapshot N (1-based) of the recording
hhmmss() { date -d "@$(jq -s ".[$(($1 - 1))].ts_ns / 1000000000 | floor" "$T/rec.json")" +%H:%M:%S; }
secs() { jq -s ".[$(($1 - 1))].ts_ns / 1000000000 | floor" "$T/rec.json"; }

@test "tui replay: pause, jump to a time, step to the next and previous snapshot, quit" {
	"$LATSCOPE" --probes syscalls -o "$T/rec.json" -i 1.1 -d 4 > /dev/null
	[ "$(jq -s length "$T/rec.json")" -ge 3 ]
	cat > "$T/run.sh" <<-EOF
	exec env TERM=screen '$LATSCOPE' replay '$T/rec.json' 2> '$T/stderr'
	EOF
	"${TM[@]}" new-session -d -s ls -x 120 -y 40 "bash $T/run.sh; echo EXIT=\$? > '$T/exit'; sleep 60"
	wait_screen "REPLAY"
	keys p
	wait_screen "PAUSED"
	# jump to the second snapshot's time (the one ending at or after it)
	keys t
	wait_screen "Jump to"
	keys "$(secs 2)" Enter
	wait_screen "$(hhmmss 2)"
	keys "]"
	wait_screen "$(hhmmss 3)"
	keys "["
	wait_screen "$(hhmmss 2)"
	keys "["
	wait_screen "$(hhmmss 1)"
	# a time that is no time: one message, the view stays
	keys t "yesterday" Enter
	wait_screen "not a time"
	wait_screen "$(hhmmss 1)"
	keys q
	for i in $(seq 1 50); do [ -s "$T/exit" ] && break; sleep 0.1; done
	[ "$(cat "$T/exit")" = "EXIT=0" ]
}
