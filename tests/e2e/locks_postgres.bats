#!/usr/bin/env bats
# Real software: PostgreSQL (Debian's package, built without frame pointers)
# under pgbench. Its LWLocks wait on semaphores (sem_wait, futex op 265):
# with user stacks unwound by CFI they are `semaphore` waits with
# LWLockAcquire in the stack; walked by frame pointers they were `condvar`
# waits without a caller (issue 22).

load helpers

setup() {
	T=$(mktemp -d)
	pg_start "-c listen_addresses= -c max_connections=40"
	pg "$PGBIN/pgbench -h $T/pg -p $P -i -s 1 postgres > $T/pg/init.log 2>&1"
}

teardown() {
	teardown_latscope
	pg_stop
	[ -n "${T:-}" ] && rm -rf "$T"
}

# the backends of our postmaster, as a JSON list (another PostgreSQL on
# the host is not ours)
pg_backends() {
	pgrep -P "$(head -n1 "$T/pg/data/postmaster.pid")" | jq -s -c .
}

@test "locks postgres: LWLock waits under pgbench are semaphores with LWLockAcquire in the stack" {
	start_latscope_attached "$T/out" 4 --probes locks -i 60 -v
	# 16 clients on one branch row (scale 1): its buffer's content lock
	# and the lock manager's LWLocks are fought over
	pg "$PGBIN/pgbench -h $T/pg -p $P -c 16 -j 2 -T 6 -n postgres > $T/pg/bench.log 2>&1" &
	local bench=$! pids i
	for i in $(seq 1 50); do
		pids=$(pg_backends)
		[ "$(jq length <<<"$pids")" -ge 16 ] && break
		sleep 0.1
	done
	wait "$bench"
	stop_latscope
	grep -E '^tps' "$T/pg/bench.log"
	rows=$(jq -c --argjson p "$pids" '[.locks.user[] | select(.pid as $x | $p | index($x))]' "$T/out")
	jq -c 'group_by(.kind) | map({kind: .[0].kind, rows: length, count: (map(.count) | add)})' <<<"$rows"
	lw=$(jq -c 'map(select(.stack | any(startswith("LWLockAcquire"))))' <<<"$rows")
	# waits through LWLockAcquire were seen, and every one is a semaphore
	# wait, unwound by CFI (the frame pointers of postgres and libc lose it)
	[ "$(jq 'map(.count) | add // 0' <<<"$lw")" -ge 100 ]
	[ "$(jq -c 'map(.kind) | unique' <<<"$lw")" = '["semaphore"]' ]
	[ "$(jq -c 'map(.unwind) | unique' <<<"$lw")" = '["dwarf"]' ]
	# and the semaphore's frames: PGSemaphoreLock calls sem_wait
	jq -e 'all(.stack | any(startswith("PGSemaphoreLock+0x")))' <<<"$lw"
}
