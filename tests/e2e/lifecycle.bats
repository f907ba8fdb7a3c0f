#!/usr/bin/env bats
# What latscope leaves behind: after it stops, by any of its stop signals,
# none of the BPF programs it attached is still loaded and nothing is pinned.

load helpers

setup() {
	T=$(mktemp -d)
}

teardown() {
	teardown_latscope
	rm -rf "$T"
}

# prog_ids PID: ids of the BPF programs PID holds, through its link and
# program fds (fdinfo names them)
prog_ids() {
	local f
	for f in /proc/"$1"/fd/*; do
		case "$(readlink "$f" 2>/dev/null)" in
		anon_inode:bpf_link|anon_inode:bpf-prog)
			awk '/^prog_id:/ { print $2 }' "/proc/$1/fdinfo/${f##*/}" ;;
		esac
	done | sort -un
}

stops_clean() {	# SIGNAL
	start_latscope "$T/out" -i 0.2
	local ids
	ids=$(prog_ids "$LS_PID")
	[ -n "$ids" ]
	kill -"$1" "$LS_PID"
	wait "$LS_PID"
	LS_PID=
	# the kernel frees programs after an RCU grace period: give it 5 s
	local id i
	for id in $ids; do
		for i in $(seq 1 50); do
			bpftool prog show id "$id" > /dev/null 2>&1 || break
			sleep 0.1
		done
		run bpftool prog show id "$id"
		[ "$status" -ne 0 ] || { echo "program $id still loaded: $output"; return 1; }
	done
	# the last snapshot is complete JSON
	tail -n 1 "$T/out" | jq -e '.schema == "latscope/1"' > /dev/null
}

@test "lifecycle: nothing stays loaded after SIGINT" {
	stops_clean INT
}

@test "lifecycle: nothing stays loaded after SIGTERM" {
	stops_clean TERM
}

@test "lifecycle: nothing stays loaded after SIGHUP" {
	stops_clean HUP
}

@test "lifecycle: nothing is pinned in the BPF filesystem" {
	start_latscope "$T/out" -i 0.2
	stop_latscope
	if mountpoint -q /sys/fs/bpf; then
		run bash -c "find /sys/fs/bpf -iname '*latscope*' | head -1"
		[ -z "$output" ]
	fi
}
