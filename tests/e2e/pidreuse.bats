#!/usr/bin/env bats
# PID reuse: two processes that get the same pid one after the other within
# one interval stay two rows (the kernel keys them by start time too). The
# pid is forced with /proc/sys/kernel/ns_last_pid.

load helpers

setup() {
	T=$(mktemp -d)
	[ -w /proc/sys/kernel/ns_last_pid ] || skip "no writable ns_last_pid"
}

teardown() {
	teardown_latscope
	rm -rf "$T"
}

# spawn_as PID ARGS...: run sysload ARGS as pid PID (to completion); fails if
# another process took the pid first
spawn_as() {
	local want=$1; shift
	echo $((want - 1)) > /proc/sys/kernel/ns_last_pid
	"$TOOLS/sysload" "$@" <<< go > "$T/wl.$want.$#" &
	local got=$!
	wait "$got"
	[ "$got" -eq "$want" ]
}

@test "pid reuse: two processes with one pid are two rows, not merged" {
	local pid try ok=0
	for try in 1 2 3 4 5; do
		# a pid nobody uses, well above the ones being handed out
		pid=$(( $(cat /proc/sys/kernel/ns_last_pid) + 500 + RANDOM % 1000 ))
		[ "$pid" -lt "$(cat /proc/sys/kernel/pid_max)" ] || continue
		[ -e "/proc/$pid" ] && continue
		# with a process that exists ($$): a -p of only missing pids is
		# a usage error; the missing one is said and still traced
		start_latscope_attached "$T/out" 4 -p "$pid,$$" -i 60
		if spawn_as "$pid" --sleep 3:100:100 && spawn_as "$pid" --sleep 5:100:100; then
			ok=1
			break
		fi
		teardown_latscope	# the pid was taken under us: again
	done
	[ "$ok" -eq 1 ] || skip "could not get the same pid twice"
	stop_latscope
	run jq -c "[.syscalls[] | select(.pid == $pid and .syscall == \"nanosleep\") | .count] | sort" \
		<(tail -n 1 "$T/out")
	echo "$output"
	[ "$output" = "[3,5]" ]
}
