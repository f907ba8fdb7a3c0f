#!/usr/bin/env bats
# The peers view against tools/peerload, which knows its own peers, bytes
# and request/response turns: names per the SPEC, round trips and bytes
# exactly, the slow downstream carrying the blocked time.

load helpers

setup() { setup_gated; }

teardown() { teardown_gated; }

start_workload() {
	start_gated peerload "$@"
}

truth() { tail -n1 "$T/truth" | jq -r "$1"; }

# the merged row of (pid, peer) over every snapshot
peer() {
	jq -s --argjson pid "$WL" --arg p "$1" '
		[.[].peers[] | select(.pid == $pid and .peer == $p)] |
		{calls: (map(.calls) | add // 0), bytes_in: (map(.bytes_in) | add // 0),
		 bytes_out: (map(.bytes_out) | add // 0),
		 roundtrips: (map(.roundtrips) | add // 0),
		 wait_ns: (map(.wait_ns) | add // 0), max_ns: (map(.max_ns) | max // 0),
		 p99_ns: (map(.p99_ns) | max // 0), rows: length}' "$T/out"
}

run_peerload() {
	start_workload "$@"
	start_latscope_attached "$T/out" 4 -p "$WL" -i 60 --probes syscalls
	echo go >&7
	wait "$WL"
	stop_latscope
}

@test "peers: chatty client: round trips equal its exchanges, bytes equal what it sent and got" {
	run_peerload --chatty 150 --pool 2:2
	p=$(peer "tcp:127.0.0.1:$(truth .echo_port)")
	[ "$(jq .rows <<<"$p")" -ge 1 ]
	[ "$(jq .roundtrips <<<"$p")" -eq "$(truth .chatty.exchanges)" ]
	[ "$(jq .bytes_out <<<"$p")" -eq "$(truth .chatty.bytes_sent)" ]
	[ "$(jq .bytes_in <<<"$p")" -eq "$(truth .chatty.bytes_received)" ]
	# one write and at least one read per exchange, plus the connect
	[ "$(jq .calls <<<"$p")" -ge $((2 * 150 + 1)) ]
	[ "$(jq .max_ns <<<"$p")" -ge "$(jq .p99_ns <<<"$p")" ]
	# IPv6 in brackets
	if [ "$(truth .echo6_port)" -ne 0 ]; then
		p6=$(peer "tcp:[::1]:$(truth .echo6_port)")
		[ "$(jq .roundtrips <<<"$p6")" -eq "$(truth .chatty6.exchanges)" ]
		[ "$(jq .bytes_out <<<"$p6")" -eq "$(truth .chatty6.bytes_sent)" ]
	fi
	# a connected UDP socket names its remote
	u=$(peer "udp:127.0.0.1:$(truth .udp_port)")
	[ "$(jq .roundtrips <<<"$u")" -eq "$(truth .udp.exchanges)" ]
	[ "$(jq .bytes_out <<<"$u")" -eq "$(truth .udp.bytes_sent)" ]
	[ "$(jq .bytes_in <<<"$u")" -eq "$(truth .udp.bytes_received)" ]
	# connect + 3 x (write, poll on the one fd, read)
	[ "$(jq .calls <<<"$u")" -eq 10 ]
	[ "$(jq '.dropped.peers_unresolved' "$T/out")" -eq 0 ]
}

@test "peers: the slow downstream carries at least 90% of the two's blocked time" {
	run_peerload --chatty 0 --pool 4:5
	f=$(peer "tcp:127.0.0.1:$(truth .fast_port)")
	s=$(peer "tcp:127.0.0.1:$(truth .slow_port)")
	[ "$(jq .roundtrips <<<"$s")" -eq "$(truth .slow.exchanges)" ]
	[ "$(jq .roundtrips <<<"$f")" -eq "$(truth .fast.exchanges)" ]
	[ "$(jq .bytes_in <<<"$s")" -eq "$(truth .slow.bytes_received)" ]
	fw=$(jq .wait_ns <<<"$f"); sw=$(jq .wait_ns <<<"$s")
	[ $((sw * 100)) -ge $((90 * (sw + fw))) ]
	# 20 answers each held 50 ms by the server: at least that long blocked
	[ "$sw" -ge $((20 * 50000000)) ]
	# p99 of the slow peer's calls is one 50 ms wait (sanity bound)
	p99=$(jq .p99_ns <<<"$s")
	[ "$p99" -ge 45000000 ] && [ "$p99" -le 1000000000 ]
}

@test "peers: unix sockets, pipes and files are named per the SPEC" {
	run_peerload --chatty 3 --pool 2:1
	p=$(peer "unix:$(truth .unix_path)")
	# client and server ends of a named socket both talk to the path
	[ "$(jq .bytes_out <<<"$p")" -eq $(( $(truth .unix_path_x.bytes_sent) + $(truth .unix_path_x.bytes_received) )) ]
	a=$(peer "unix:@$(truth .abstract)")
	[ "$(jq .bytes_out <<<"$a")" -eq $(( $(truth .unix_abstract_x.bytes_sent) + $(truth .unix_abstract_x.bytes_received) )) ]
	# an unnamed pair: each end by its own inode
	[ "$(jq .bytes_out <<<"$(peer "unix:ino:$(truth .ino_a)")")" -eq 100 ]
	[ "$(jq .bytes_in <<<"$(peer "unix:ino:$(truth .ino_b)")")" -eq 100 ]
	pp=$(peer pipe)
	[ "$(jq .bytes_out <<<"$pp")" -ge "$(truth .pipe_bytes)" ]
	[ "$(jq .bytes_in <<<"$pp")" -ge "$(truth .pipe_bytes)" ]
	fl=$(peer "file:$(truth .file)")
	[ "$(jq .bytes_out <<<"$fl")" -eq "$(truth .file_bytes)" ]
	[ "$(jq .calls <<<"$fl")" -ge 1 ]
	# every name has one of the SPEC's shapes
	jq -s -e '[.[].peers[].peer] | all(test("^(tcp|udp):([0-9.]+|\\[[0-9a-f:.]+\\]):[0-9]+$|^unix:(/|@|ino:[0-9]+$)|^pipe$|^file:[^/]+$"))' "$T/out"
}

@test "peers: with --no-peers the syscalls family runs alone, without peers rows" {
	start_workload --chatty 5 --pool 2:1
	start_latscope_attached "$T/out" 4 -p "$WL" -i 60 --probes syscalls --no-peers
	sleep 0.3
	# the syscalls family's four programs: peers is part of them
	[ "$(bpf_links "$LS_PID")" -eq 4 ]
	echo go >&7
	wait "$WL"
	stop_latscope
	[ "$(jq -s '[.[].peers[]] | length' "$T/out")" -eq 0 ]
	[ "$(jq -s --argjson pid "$WL" '[.[].syscalls[] | select(.pid == $pid)] | length' "$T/out")" -gt 0 ]
}

@test "peers: --top keeps the peers of most blocked time and counts the rest as truncated" {
	start_workload --chatty 3 --pool 2:1
	start_latscope_attached "$T/out" 4 -p "$WL" -i 60 --probes syscalls --top 2
	echo go >&7
	wait "$WL"
	stop_latscope
	# TCP and UDP peers, unix path, abstract and unnamed sockets, a pipe, a file
	[ "$(jq -s '[.[].peers | length] | max' "$T/out")" -eq 2 ]
	[ "$(jq -s '[.[].truncated.peers] | add' "$T/out")" -ge 4 ]
	jq -s -e 'all(.[]; (.peers | length) < 2 or .peers[0].wait_ns >= .peers[1].wait_ns)' "$T/out"
}
