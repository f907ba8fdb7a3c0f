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
