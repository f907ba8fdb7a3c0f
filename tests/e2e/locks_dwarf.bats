#!/usr/bin/env bats
# User stacks unwound by CFI (--ustack-bytes): tools/mutexload, built with
# frame pointers (mutexload) and without (mutexload-nofp, -O2
# -fomit-frame-pointer), contends on a pthread mutex, a semaphore and a
# rwlock, each from a known function, against Debian's glibc (no frame
# pointers); with its debug file (libc6-dbg) and, through
# LATSCOPE_DEBUGINFO_DIR pointing at an empty directory, as it ships.

load helpers

setup() { setup_gated; }

teardown() { teardown_gated; }

truth() { tail -n1 "$T/truth" | jq -r "$1"; }

# run_phases TOOL [LATSCOPE ARGS...]: the three phases under latscope, to
# their end (one final snapshot)
run_phases() {
	local tool=$1; shift
	start_gated "$tool" --mutex 3:40:1000 --sem 3:40:1000 --rwlock 3:40:1000
	start_latscope_attached "$T/out" 4 --probes locks -p "$WL" -i 60 -v "$@"
	echo go >&7
	wait "$WL"
	stop_latscope
	[ "$(jq -s length "$T/out")" -eq 1 ]
}

# rows_of LOCK: the workload's user rows whose futex word lies inside that
# lock's object (truth .LOCK.addr, .LOCK.size), as one JSON array
rows_of() {
	jq -s --arg a "$(truth ".$1.addr")" --argjson n "$(truth ".$1.size")" \
		--argjson pid "$WL" '
		def num: ltrimstr("0x") | explode | reduce .[] as $c (0;
			. * 16 + (if $c >= 97 then $c - 87 else $c - 48 end));
		($a | num) as $base |
		[.[].locks.user[] | select(.pid == $pid and (.uaddr | num) as $u |
			$u >= $base and $u < $base + $n)]' "$T/out"
}

# check_lock LOCK KIND FUNCTION: every wait on LOCK is of KIND, unwound by
# CFI, with FUNCTION in its stack; the waits match the workload's own count
check_lock() {
	local r
	r=$(rows_of "$1")
	jq -c '.[] | del(.hist)' <<<"$r"
	[ "$(jq -c 'map(.kind) | unique' <<<"$r")" = "[\"$2\"]" ]
	[ "$(jq -c 'map(.unwind) | unique' <<<"$r")" = '["dwarf"]' ]
	jq -e --arg f "$3+0x" 'all(.stack | any(startswith($f)))' <<<"$r"
	[ "$(jq 'map(.count) | add' <<<"$r")" -ge $(( $(truth ".$1.contended") * 6 / 10 )) ]
	[ "$(jq 'map(.count) | add' <<<"$r")" -le "$(truth ".$1.acquired")" ]
}

check_all() {
	check_lock mutex mutex contend_shared_mutex
	check_lock sem semaphore contend_shared_sem
	check_lock rwlock rwlock contend_shared_rwlock
}

# The copies are made once per new stack: a few, for hundreds of waits
check_copies_bounded() {
	local n waits
	n=$(sed -n 's/.*locks: \([0-9]*\) user stacks unwound by CFI.*/\1/p' "$T/out.err")
	waits=$(jq -s '[.[].locks.user[].count] | add' "$T/out")
	echo "unwound $n stacks for $waits waits"
	[ "$n" -ge 3 ] && [ "$n" -le 20 ] && [ "$waits" -ge 100 ]
}

libc_debug_file() {
	local id
	id=$(readelf -n "$(ldd "$TOOLS/mutexload" | awk '/libc.so/ { print $3 }')" |
		awk '/Build ID/ { print $3 }')
	[ -n "$id" ] && [ -f "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" ]
}

@test "locks dwarf: without frame pointers, glibc as shipped: each lock's kind and its caller" {
	mkdir "$T/nodebug"
	LATSCOPE_DEBUGINFO_DIR="$T/nodebug" run_phases mutexload-nofp
	check_all
	check_copies_bounded
	# the main thread's last wait (pthread_join, as the workload ends) is
	# unwound too: the final snapshot waits for the copies sent before it
	jq -e --argjson pid "$WL" '[.locks.user[] | select(.pid == $pid and .kind == "condvar")] |
		length > 0 and all(.unwind == "dwarf" and (.stack | any(startswith("main+0x"))))' "$T/out"
	# no debug file: libc's own internal functions have no name, sem_wait
	# (which tail-calls one) is known from its caller's call instruction
	! jq -e '[.locks.user[].stack[]] | any(startswith("__new_sem_wait_slow64"))' "$T/out"
}

@test "locks dwarf: with frame pointers, glibc as shipped: the unwound stacks win" {
	mkdir "$T/nodebug"
	LATSCOPE_DEBUGINFO_DIR="$T/nodebug" run_phases mutexload
	check_all
}

@test "locks dwarf: with libc6-dbg, libc's internal functions are named" {
	libc_debug_file || skip "libc6-dbg is not installed (no debug file for this libc under /usr/lib/debug/.build-id)"
	run_phases mutexload-nofp
	check_all
	rows_of sem | jq -e 'all(.stack | any(startswith("__new_sem_wait_slow64")))'
	rows_of mutex | jq -e 'all(.stack[0] | startswith("__lll_lock_wait+0x"))'
}

@test "locks dwarf: --ustack-bytes 0 walks frame pointers only" {
	run_phases mutexload --ustack-bytes 0
	jq -e '[.locks.user[] | select(.stack | length > 0) | .unwind] | unique == ["fp"]' "$T/out"
	# the walk still finds the function of a frame-pointer build's mutex
	rows_of mutex | jq -e 'all(.stack | any(startswith("contend_shared_mutex+0x")))'
	# ...but skips libc's frames: sem_wait's waits are told by their op alone
	rows_of sem | jq -e 'all(.stack | all(startswith("take_sem_and_time") | not))'
	! grep -q "unwound by CFI" "$T/out.err"
}

@test "locks dwarf: --ustack-bytes bad values are usage errors" {
	for v in -1 16385 abc ""; do
		run -2 "$LATSCOPE" --json --ustack-bytes "$v"
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == *"--ustack-bytes '$v'"* ]]
	done
}

@test "locks dwarf: a binary of another mount namespace is unwound and named through /proc/PID/root" {
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	mkdir "$T/ns"
	# the binary exists only in the workload's own mount namespace: a
	# tmpfs over $T/ns there, the empty directory here
	unshare -m --propagation private sh -c \
		"mount -t tmpfs tmpfs '$T/ns' && cp '$TOOLS/mutexload-nofp' '$T/ns/' &&
		 exec '$T/ns/mutexload-nofp' --mutex 3:40:1000" < "$T/go" > "$T/truth" 3>&- &
	WL=$!
	exec 7> "$T/go"
	wait_for_file "$T/truth"
	WL=$(head -n1 "$T/truth" | jq .pid)
	[ ! -e "$T/ns/mutexload-nofp" ]
	start_latscope_attached "$T/out" 4 --probes locks -p "$WL" -i 60
	echo go >&7
	while kill -0 "$WL" 2>/dev/null; do sleep 0.1; done
	stop_latscope
	r=$(rows_of mutex)
	jq -c '.[] | del(.hist)' <<<"$r"
	[ "$(jq -c 'map(.unwind) | unique' <<<"$r")" = '["dwarf"]' ]
	jq -e 'all(.stack | any(startswith("contend_shared_mutex+0x")))' <<<"$r"
}

@test "locks dwarf: a frame-pointer walk gone astray in code without them is one stack, copied once" {
	# scaleload (-O2, no frame pointers): rbp holds data at its waits, and
	# the kernel's walk read something new at each one; all of a process's
	# waits on its mutex come through one call path
	# ~5 waits a tick, 10 ticks a second on a quiet host; traced until 30
	# waits are in the snapshots, however slow the host (60 s at most)
	"$TOOLS/scaleload" --procs 1 --threads 6 --period 20 --lock-every 100 --seconds 120 \
		> "$T/truth" &
	WL=$!
	wait_for_file "$T/truth"
	local kid="" i w=0
	for i in $(seq 1 50); do
		kid=$(pgrep -P "$WL" -x scaleload) && break
		sleep 0.1
	done
	[ -n "$kid" ]
	start_latscope_attached "$T/out" 4 --probes locks -p "$kid" -i 1 -v
	local sel='[.[].locks.user[] | select(.pid == $p and .kind == "mutex")]'
	for i in $(seq 1 120); do
		w=$(jq -s --argjson p "$kid" "$sel | map(.count) | add // 0" "$T/out" 2>/dev/null || echo 0)
		[ "$w" -ge 30 ] && break
		sleep 0.5
	done
	kill "$WL"
	wait "$WL" || true
	stop_latscope
	r=$(jq -s --argjson p "$kid" "$sel" "$T/out")
	jq -c '.[] | del(.hist)' <<<"$r"
	n=$(sed -n 's/.*locks: \([0-9]*\) user stacks unwound by CFI.*/\1/p' "$T/out.err")
	echo "unwound $n stacks; $(jq 'map(.stack) | unique | length' <<<"$r") stacks in $(jq 'length' <<<"$r") rows, $(jq 'map(.count) | add' <<<"$r") waits"
	[ "$(jq 'map(.count) | add' <<<"$r")" -ge 30 ]
	# one call path: one stack (a few at most), however many snapshots
	[ "$(jq 'map(.stack) | unique | length' <<<"$r")" -le 3 ]
	[ "$n" -le 10 ]
	jq -e 'all(.stack | any(startswith("scale_contend+0x")))' <<<"$r"
}
