#!/usr/bin/env bats
# What a user can get wrong on the command line: one line on stderr naming
# the option and the value, and the right exit status; output files made
# safely.

load helpers

setup() { T=$(mktemp -d); }
teardown() { teardown_latscope; rm -rf "$T"; }

@test "cli: every bad value is one stderr line naming the long option, exit 2" {
	while IFS='|' read -r args opt; do
		run --separate-stderr "$LATSCOPE" $args
		[ "$status" -eq 2 ] || { echo "$args: status $status" >&2; false; }
		[ -z "$output" ]
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
		[[ "$stderr" == *"$opt"* ]] || { echo "$args: $stderr" >&2; false; }
	done <<-EOF
	--interval=0|--interval
	-i -3|--interval
	-i abc|'abc'
	--duration=0|--duration
	-p notapid|--pid
	--pid=1,,2|--pid
	--probes=disk|--probes
	--top=0|--top
	--bogus|--bogus
	-i|--interval
	replay|replay
	--btf /nonexistent/vmlinux|--btf
	--btf=|--btf
	--nice=-21|--nice
	--nice x|--nice
	--realtime=0|--realtime
	--realtime=100|--realtime
	EOF
}

@test "cli: the frontend runs at nice -10; --nice and --realtime set its priority" {
	sched() {	# latscope args...: "nice policy rt_priority" of the running frontend
		"$LATSCOPE" --probes syscalls --json -d 2 "$@" > /dev/null &
		local pid=$!
		sleep 0.5
		awk '{ print $19, $41, $40 }' /proc/$pid/stat
		wait $pid
	}
	# fields of /proc/PID/stat: 19 nice, 40 rt_priority, 41 policy (1: SCHED_FIFO)
	[ "$(sched)" = "-10 0 0" ]
	[ "$(sched --nice 5)" = "5 0 0" ]
	[ "$(sched --realtime 3)" = "-10 1 3" ]
	# without the right to, --realtime is one line and exit 1
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon "$LATSCOPE" --realtime 1 --json -d 1
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *--realtime* ]]
}

@test "cli: snapshots late interval after interval: one stderr line points to --realtime" {
	# a 1 ms interval: every snapshot takes longer than that
	run --separate-stderr "$LATSCOPE" --json -i 0.001 -d 1
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$stderr" | grep -c 'running late')" -eq 1 ]
	[[ "$stderr" == *"--realtime 1"* ]]
	# on time: nothing said
	run --separate-stderr "$LATSCOPE" --probes syscalls --json -i 0.5 -d 1.2
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "cli: --help and --version exit 0 on stdout" {
	run "$LATSCOPE" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--interval"* ]]
	run "$LATSCOPE" -V
	[ "$status" -eq 0 ]
	[[ "$output" == "latscope "* ]]
}

@test "cli: without privileges, one line saying what is needed, exit 1" {
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$LATSCOPE" --json -d 1
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *CAP_BPF* ]]
}

@test "cli: -o never follows a planted symlink and makes 0640 files" {
	echo precious > "$T/target"
	ln -s "$T/target" "$T/link"
	run --separate-stderr "$LATSCOPE" --probes syscalls -o "$T/link" -d 0.2
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *--output* ]]
	[ "$(cat "$T/target")" = precious ]

	"$LATSCOPE" --probes syscalls -o "$T/rec.json" -i 0.2 -d 0.5 > /dev/null
	[ "$(stat -c %a "$T/rec.json")" = 640 ]
	jq -s -e 'length >= 2 and all(.[]; .schema == "latscope/1")' "$T/rec.json"
}

# refused OPT PATH [ENV...]: latscope with OPT PATH is one line naming OPT,
# exit 1, and does not hang (a FIFO open would block without O_NONBLOCK)
refused() {
	local opt=$1 path=$2
	run --separate-stderr timeout 20 "$LATSCOPE" --probes syscalls "$opt" "$path" -d 0.3
	[ "$status" -eq 1 ] || { echo "$opt $path: status $status: $stderr" >&2; return 1; }
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *"$opt"* ]] || { echo "$stderr" >&2; return 1; }
}

@test "cli: files another user planted are refused, not written: FIFO, their file, hard link, open directory" {
	# a sticky world-writable directory like /tmp, where user nobody
	# plants things at the names root will write
	chmod 0755 "$T"
	mkdir -m 1777 "$T/tmp"
	setpriv --reuid=65534 --regid=65534 --clear-groups mkfifo "$T/tmp/fifo.json"
	refused --output "$T/tmp/fifo.json"
	setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "echo theirs > $T/tmp/theirs.json"
	refused --output "$T/tmp/theirs.json"
	[[ "$stderr" == *"belongs to uid 65534"* ]]
	[ "$(cat "$T/tmp/theirs.json")" = theirs ]
	# a hard link to a file elsewhere (made by root here: protected_hardlinks
	# would stop nobody, but not every host sets it)
	echo precious > "$T/victim"
	ln "$T/victim" "$T/tmp/link.json"
	refused --output "$T/tmp/link.json"
	[[ "$stderr" == *"hard links"* ]]
	[ "$(cat "$T/victim")" = precious ]
	# restarting with --rotate does not rotate a hard link or their file away
	refused --output "$T/tmp/link.json" --rotate 1M
	[ "$(cat "$T/victim")" = precious ]
	[ ! -e "$T/tmp/link.1.json" ] && [ ! -e "$T/tmp/link.json.1" ]
	# a directory anyone can rename entries in (no sticky bit), for -o and --prom
	mkdir -m 0777 "$T/open"
	refused --output "$T/open/rec.json"
	[[ "$stderr" == *"writable by other users"* ]]
	refused --prom "$T/open/latscope.prom"
	[ -z "$(ls -A "$T/open")" ]
	# a directory owned by another user
	mkdir "$T/theirdir" && chown 65534 "$T/theirdir"
	refused --output "$T/theirdir/rec.json"
	# a file of ours there already is reused, truncated, and stays 0640
	yes junk | head -n 1000 > "$T/tmp/ours.json"
	chmod 0666 "$T/tmp/ours.json"
	"$LATSCOPE" --probes syscalls -o "$T/tmp/ours.json" -i 0.2 -d 0.5 > /dev/null
	[ "$(stat -c %a "$T/tmp/ours.json")" = 640 ]
	jq -s -e 'length >= 2 and all(.[]; .schema == "latscope/1")' "$T/tmp/ours.json"
	# the memory log (LATSCOPE_MEMLOG) is made the same way
	ln -s "$T/victim" "$T/tmp/mem.csv"
	LATSCOPE_MEMLOG="$T/tmp/mem.csv" "$LATSCOPE" --probes syscalls --json -d 0.3 > /dev/null
	[ "$(cat "$T/victim")" = precious ]
}

@test "cli: -o FILE.gz writes gzip, one snapshot per line" {
	"$LATSCOPE" --probes syscalls -o "$T/rec.json.gz" -i 0.2 -d 0.7 > /dev/null
	gzip -t "$T/rec.json.gz"
	n=$(zcat "$T/rec.json.gz" | jq -s length)
	[ "$n" -ge 3 ]
}

@test "cli: a family that is not built is reported unavailable, the others run" {
	run --separate-stderr "$LATSCOPE" --json -d 0.3 -i 0.3
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | head -n1 | jq -e '.probes.syscalls == "on" and
		(.probes | to_entries | all(.value == "on" or (.value | startswith("unavailable: "))))'
}

@test "cli: --btf FILE relocates against that BTF; a file that is not BTF switches the families off" {
	run --separate-stderr "$LATSCOPE" --btf /sys/kernel/btf/vmlinux --probes syscalls --json -d 0.3 -i 0.3
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | head -n1 | jq -e '.probes.syscalls == "on"'
	echo "not BTF" > "$T/bogus.btf"
	run --separate-stderr "$LATSCOPE" --btf "$T/bogus.btf" --probes syscalls --json -d 0.3
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"syscalls unavailable: "* ]]
	[[ "$stderr" == *"no probe family could start"* ]]
}

@test "cli: no BTF at /sys/kernel/btf/vmlinux: one line saying to use --btf; --btf works" {
	command -v unshare > /dev/null || skip "no unshare"
	cp /sys/kernel/btf/vmlinux "$T/vmlinux.btf"
	# a private mount namespace where the kernel's BTF file is hidden
	run --separate-stderr unshare -m sh -c \
		"mount -t tmpfs none /sys/kernel/btf && exec '$LATSCOPE' --json -d 0.3"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *"--btf"* ]]
	run --separate-stderr unshare -m sh -c \
		"mount -t tmpfs none /sys/kernel/btf && exec '$LATSCOPE' --btf '$T/vmlinux.btf' --probes syscalls,locks,pools --json -d 0.3 -i 0.3"
	[ "$status" -eq 0 ]
	# their builds without kfuncs (which need the kernel's own BTF) load
	printf '%s\n' "$output" | head -n1 |
		jq -e '.probes.syscalls == "on" and .probes.locks == "on" and .probes.pools == "on"'
}

@test "cli: -p of a process that does not exist: a line naming it; none left is exit 2" {
	# a pid that is free now: a child that has been reaped
	sleep 0 & gone=$!; wait $gone
	run --separate-stderr "$LATSCOPE" --json -d 0.5 -p "$gone"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == *"--pid $gone: no such process"* ]]
	[[ "$stderr" == *"none of the processes"* ]]
	# one of two missing: said once, and the other is traced
	sleep 30 & alive=$!
	run --separate-stderr "$LATSCOPE" --json -d 1 --probes syscalls -p "$gone,$alive"
	kill $alive
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *"--pid $gone: no such process"* ]]
	[ "$(printf '%s\n' "$output" | wc -l)" -ge 1 ]
	# a thread id is not a process id
	"$TOOLS/scaleload" --procs 1 --threads 2 --period 100 > /dev/null &
	ls=$!
	for i in $(seq 1 100); do wl=$(pgrep -P $ls) && break; sleep 0.05; done
	for i in $(seq 1 100); do [ "$(ls /proc/$wl/task | wc -l)" -ge 2 ] && break; sleep 0.05; done
	tid=$(ls /proc/$wl/task | grep -vx "$wl" | head -n 1)
	run --separate-stderr "$LATSCOPE" --json -d 0.5 -p "$tid"
	kill $ls 2>/dev/null || true
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--pid $tid is a thread of process $wl"* ]]
}
