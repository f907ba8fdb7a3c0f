#!/usr/bin/env bats
# JIT-compiled code in user lock stacks: tools/jitload maps executable
# memory, runs a "compiled" function there that calls into a contended
# pthread mutex, and names it in /tmp/perf-PID.map as JITs do.

load helpers

setup() { setup_gated; }

teardown() { teardown_gated; }

truth() { tail -n1 "$T/truth" | jq -r "$1"; }

@test "locks jit: a frame in JIT code is named from the process's perf map" {
	[ "$(uname -m)" = x86_64 ] || skip "jitload writes x86-64 code"
	start_gated jitload 3:40:1000
	[ -s "/tmp/perf-$WL.map" ]
	start_latscope_attached "$T/out" 4 --probes locks -p "$WL" -i 60
	echo go >&7
	wait "$WL"
	stop_latscope
	r=$(jq -c --arg a "$(truth .mutex.addr)" '[.locks.user[] | select(.uaddr == $a)]' "$T/out")
	jq -c '.[] | del(.hist)' <<<"$r"
	[ "$(jq 'map(.count) | add' <<<"$r")" -ge 40 ]
	[ "$(jq -c 'map(.kind) | unique' <<<"$r")" = '["mutex"]' ]
	# the JIT frame by its perf map name, between its callee and caller
	jq -e 'all(.stack | index(["jit_compiled_contend+0x6"]) as $j |
		$j != null and (.[$j - 1] | startswith("lock_from_jit+0x")))' <<<"$r"
	# the workload removed its map at the end: the names were read while it ran
	[ ! -e "/tmp/perf-$WL.map" ]
}
