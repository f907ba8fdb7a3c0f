# Shared by the bats suites: run the real latscope against the real kernel.
bats_require_minimum_version 1.5.0
# load helpers   (in a .bats file)

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
LATSCOPE=${LATSCOPE:-$ROOT/latscope}
TOOLS=$ROOT/build/tools

# The suites whose workload waits on a fifo ($T/go) before it starts, so
# latscope is attached first: setup_gated/teardown_gated make and clean up
# $T, the fifo, the workload ($WL) and latscope.
setup_gated() {
	T=$(mktemp -d)
	mkfifo "$T/go"
}

teardown_gated() {
	teardown_latscope
	[ -n "${WL:-}" ] && kill "$WL" 2>/dev/null
	exec 7>&- 2>/dev/null || true
	rm -rf "$T"
}

# start_gated TOOL [ARGS...]: tools/TOOL waiting on the fifo (held open as
# fd 7: `echo go >&7` starts it), its truth line in $T/truth, its pid in WL.
start_gated() {
	local tool=$1; shift
	"$TOOLS/$tool" "$@" < "$T/go" > "$T/truth" 3>&- &
	WL=$!
	exec 7> "$T/go"
	wait_for_file "$T/truth"
}

# start_latscope OUT [ARGS...]: latscope --json ARGS > OUT in the background;
# returns once the first snapshot is out (the programs are attached then).
start_latscope() {
	local out=$1; shift
	"$LATSCOPE" --json "$@" > "$out" 2> "$out.err" &
	LS_PID=$!
	local i
	for i in $(seq 1 100); do
		[ -s "$out" ] && return 0
		kill -0 "$LS_PID" 2>/dev/null || { cat "$out.err" >&2; return 1; }
		sleep 0.1
	done
	echo "latscope wrote no snapshot within 10 s" >&2
	cat "$out.err" >&2
	return 1
}

# stop_latscope: SIGINT, then its exit status must be 0.
stop_latscope() {
	[ -n "${LS_PID:-}" ] || return 0
	kill -INT "$LS_PID" 2>/dev/null
	local rc=0
	wait "$LS_PID" || rc=$?
	LS_PID=
	return $rc
}

# wait_for_file FILE [TRIES]: until FILE exists and is not empty.
wait_for_file() {
	local i
	for i in $(seq 1 "${2:-100}"); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# Everything of the recorded snapshots, as one jq array: jqs OUT FILTER
jqs() {
	jq -s "$2" "$1"
}

# assert_within ACTUAL EXPECTED PCT: |ACTUAL-EXPECTED| <= PCT% of EXPECTED
assert_within() {
	awk -v a="$1" -v e="$2" -v p="$3" 'BEGIN {
		d = a - e; if (d < 0) d = -d
		if (d <= e * p / 100) exit 0
		printf "%s is not within %s%% of %s\n", a, p, e > "/dev/stderr"; exit 1 }'
}

# hook_slots PID: the filled slots of the shared hooks' program array
# (include/hook_slots.h) of latscope PID, as a sorted JSON list, read from
# the kernel; "none" when it holds no such array (no syscalls family).
hook_slots() {
	local fd id
	for fd in /proc/"$1"/fdinfo/*; do
		grep -qE '^map_type:\s*3$' "$fd" 2>/dev/null || continue
		id=$(awk '/^map_id:/ { print $2 }' "$fd")
		bpftool -j map dump id "$id" | jq -c '[.[].formatted.key] | sort'
		return 0
	done
	echo none
}

# wait_hook_slots PID LIST: until hook_slots PID prints LIST (10 s)
wait_hook_slots() {
	local i
	for i in $(seq 1 100); do
		[ "$(hook_slots "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "hook slots $(hook_slots "$1"), not $2" >&2
	return 1
}

teardown_latscope() {
	if [ -n "${LS_PID:-}" ]; then
		kill -KILL "$LS_PID" 2>/dev/null
		wait "$LS_PID" 2>/dev/null
		LS_PID=
	fi
}

# kernel_has_raw_tp NAME: the kernel has the tracepoint NAME, looked up
# where latscope looks (the btf_trace_NAME type in the kernel's BTF), not
# in tracefs, which a fresh host does not mount.
kernel_has_raw_tp() {
	bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -q "TYPEDEF 'btf_trace_$1'"
}

# bpf_links PID: how many BPF links (attached programs) of the probe
# families PID holds. The two exits programs (bpf/exits.bpf.c, on
# sched_process_exit and cgroup_attach_task, attached before any family)
# are left out once the one on cgroup_attach_task is there.
bpf_links() {
	local n=0 f exits=0
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = "anon_inode:bpf_link" ] || continue
		n=$((n + 1))
		grep -qx "tp_name:[[:space:]]*cgroup_attach_task" "/proc/$1/fdinfo/${f##*/}" 2>/dev/null &&
			exits=1
	done
	echo $((n - 2 * exits))
}

# start_latscope_attached OUT LINKS [ARGS...]: like start_latscope, but
# returns as soon as latscope holds LINKS attached programs, before any
# snapshot: for tests that want everything in one (final) snapshot.
start_latscope_attached() {
	local out=$1 links=$2; shift 2
	"$LATSCOPE" --json "$@" > "$out" 2> "$out.err" &
	LS_PID=$!
	local i
	for i in $(seq 1 200); do
		[ "$(bpf_links "$LS_PID")" -ge "$links" ] && return 0
		kill -0 "$LS_PID" 2>/dev/null || { cat "$out.err" >&2; return 1; }
		sleep 0.05
	done
	echo "latscope attached fewer than $links programs within 10 s" >&2
	return 1
}

# free_port: a TCP port nobody listens on, other than $P (one handed out)
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		[ "$p" != "${P:-}" ] && [ -z "$(ss -Hltn "sport = :$p")" ] && { echo "$p"; return; }
	done
}

# start_prometheus TARGET: Debian's prometheus scraping TARGET (host:port)
# every second, its storage and log under $T, its API on a free port:
# sets PP (that port) and PROM (its pid; the caller's teardown kills it)
start_prometheus() {
	cat > "$T/prometheus.yml" <<-YML
	global:
	  scrape_interval: 1s
	  evaluation_interval: 1s
	scrape_configs:
	  - job_name: latscope
	    static_configs:
	      - targets: ['$1']
	YML
	PP=$(free_port)
	prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
		--web.listen-address="127.0.0.1:$PP" > "$T/prom.log" 2>&1 3>&- &
	PROM=$!
}

# q EXPR: the started Prometheus's answer to the instant query EXPR
q() { curl -s -m 10 "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1"; }

# pg_start OPTIONS: Debian's PostgreSQL, private to the test: initdb'd in
# $T/pg/data (trust), on port P (free_port) with its unix socket in $T/pg,
# its log in $T/pg/log, started with the server options OPTIONS (e.g.
# "-c listen_addresses="). Sets PGBIN; skips the test when not installed.
# pg_stop (in teardown) stops it.
pg_start() {
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
	[ -x "$PGBIN/postgres" ] && [ -x "$PGBIN/pgbench" ] && id postgres >/dev/null 2>&1 ||
		skip "PostgreSQL is not installed (apt-get install postgresql)"
	chmod 755 "$T"
	mkdir "$T/pg"
	chown postgres "$T/pg"
	P=$(free_port)
	pg "$PGBIN/initdb -D $T/pg/data -A trust > $T/pg/initdb.log 2>&1"
	pg "$PGBIN/pg_ctl -D $T/pg/data -l $T/pg/log -w -o '-p $P -k $T/pg $1' start > /dev/null"
}

pg_stop() {
	[ -n "${T:-}" ] && [ -f "$T/pg/data/postmaster.pid" ] &&
		pg "$PGBIN/pg_ctl -D $T/pg/data -m immediate stop > /dev/null 2>&1"
	return 0
}

# pg COMMAND: COMMAND as the postgres user
pg() { su postgres -s /bin/sh -c "$1"; }
