#!/usr/bin/env bats
# latscope replay: damaged and foreign files, --summary against the
# workload's own truth, windows, several files.

load helpers

setup() { setup_gated; }

teardown() { teardown_gated; }

record() {
	local out=$1; shift
	"$LATSCOPE" --probes syscalls -o "$out" "$@" > /dev/null
}

@test "replay: a recording cut mid-snapshot replays the complete ones, one warning, exit 1" {
	record "$T/rec.json" -i 0.2 -d 0.9
	n=$(jq -s length "$T/rec.json")
	size=$(stat -c %s "$T/rec.json")
	head -c $((size - 50)) "$T/rec.json" > "$T/cut.json"
	run --separate-stderr "$LATSCOPE" replay "$T/cut.json" --json
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *"middle of a snapshot"* ]]
	[ "$(printf '%s\n' "$output" | jq -s length)" -eq $((n - 1)) ]

	# the same for gzip cut inside its last snapshot (the first snapshot
	# may be most of the file on a busy host: cut near the end)
	gzip -c "$T/rec.json" > "$T/rec.json.gz"
	size=$(stat -c %s "$T/rec.json.gz")
	head -c $((size - 40)) "$T/rec.json.gz" > "$T/cut.json.gz"
	run --separate-stderr "$LATSCOPE" replay "$T/cut.json.gz" --json
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	got=$(printf '%s\n' "$output" | jq -s length)
	[ "$got" -ge 1 ] && [ "$got" -lt "$n" ]
}

@test "replay: files that are not recordings: nothing on stdout, one line, exit 1" {
	printf 'hello\nworld\n' > "$T/text"
	printf '{"a":1}\n' > "$T/other.json"
	printf '{"schema":"latscope/9","ts_ns":1}\n' > "$T/future.json"
	: > "$T/empty"
	head -c 100000 /dev/urandom > "$T/random"
	head -c 20000 /dev/urandom | gzip -c > "$T/random.gz"
	printf '\037\213garbage-after-gzip-magic' > "$T/badgz.gz"
	mkdir "$T/dir"
	for f in text other.json future.json empty random random.gz badgz.gz dir missing \
		 "$LATSCOPE"; do
		[[ "$f" == /* ]] || f="$T/$f"
		run --separate-stderr timeout 10 "$LATSCOPE" replay "$f" --json
		[ "$status" -eq 1 ] || { echo "$f: status $status" >&2; false; }
		[ -z "$output" ] || { echo "$f: printed $output" >&2; false; }
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || { echo "$f: $stderr" >&2; false; }
		[[ "$stderr" == latscope:* ]]
	done
	# and the same without --json (text) and with --summary
	for mode in "" --summary; do
		run --separate-stderr "$LATSCOPE" replay "$T/random" $mode
		[ "$status" -eq 1 ] && [ -z "$output" ]
	done
}

@test "replay: a corrupt line in the middle is skipped with a warning, the rest replays" {
	record "$T/rec.json" -i 0.2 -d 0.7
	n=$(jq -s length "$T/rec.json")
	{ head -n1 "$T/rec.json"; echo '{"schema":"latscope/1", garbage'; tail -n +2 "$T/rec.json"; } > "$T/bad.json"
	run --separate-stderr "$LATSCOPE" replay "$T/bad.json" --json
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *"line 2"* ]]
	[ "$(printf '%s\n' "$output" | jq -s length)" -eq "$n" ]
}

@test "replay --summary: counts add up, percentiles from the merged histogram match the workload's truth" {
	start_gated sysload --sleep 240:1000:20000
	"$LATSCOPE" --probes syscalls -p "$WL" -i 0.25 -o "$T/rec.json" > /dev/null 2>&1 &
	LS_PID=$!
	for i in $(seq 1 100); do [ "$(bpf_links "$LS_PID")" -ge 2 ] && break; sleep 0.05; done
	echo go >&7
	wait "$WL"
	sleep 0.3
	stop_latscope
	# spread over several snapshots, so the summary really merges
	rows=$(jq -s --argjson p "$WL" '[.[].syscalls[] | select(.pid == $p and .syscall == "nanosleep")] | length' "$T/rec.json")
	[ "$rows" -ge 3 ]
	run --separate-stderr "$LATSCOPE" replay "$T/rec.json" --summary
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
	r=$(printf '%s\n' "$output" | jq -c --argjson p "$WL" '.syscalls[] | select(.pid == $p and .syscall == "nanosleep")')
	[ "$(jq .count <<<"$r")" -eq 240 ]
	[ "$(jq '[.hist[][1]] | add' <<<"$r")" -eq 240 ]
	truth() { tail -n1 "$T/truth" | jq "$1"; }
	for p in p50_ns p90_ns p99_ns; do
		assert_within "$(jq .$p <<<"$r")" "$(truth .sleep.$p)" 5
	done
	# sums and max against the snapshots themselves
	want=$(jq -s --argjson p "$WL" '[.[].syscalls[] | select(.pid == $p and .syscall == "nanosleep")] |
		{t: (map(.total_ns) | add), m: (map(.max_ns) | max)}' "$T/rec.json")
	[ "$(jq .total_ns <<<"$r")" -eq "$(jq .t <<<"$want")" ]
	[ "$(jq .max_ns <<<"$r")" -eq "$(jq .m <<<"$want")" ]
	# the window is the whole recording (exact integers: jq's are doubles)
	num() { grep -o "\"$1\":[0-9]*" | head -n1 | cut -d: -f2; }
	first=$(( $(head -n1 "$T/rec.json" | num ts_ns) - $(head -n1 "$T/rec.json" | num interval_ns) ))
	last=$(tail -n1 "$T/rec.json" | num ts_ns)
	[ "$(printf '%s\n' "$output" | num ts_ns)" -eq "$last" ]
	[ "$(printf '%s\n' "$output" | num interval_ns)" -eq $((last - first)) ]
}

@test "replay --from/--to: only the snapshots ending in the window" {
	record "$T/rec.json" -i 0.2 -d 1.1
	n=$(jq -s length "$T/rec.json")
	[ "$n" -ge 5 ]
	# halfway between snapshots 1|2 and 3|4, in seconds since the epoch
	from=$(jq -s -r '((.[0].ts_ns + .[1].ts_ns) / 2 / 1e9) | tostring' "$T/rec.json")
	to=$(jq -s -r '((.[2].ts_ns + .[3].ts_ns) / 2 / 1e9) | tostring' "$T/rec.json")
	run --separate-stderr "$LATSCOPE" replay "$T/rec.json" --json --from "$from" --to "$to"
	[ "$status" -eq 0 ]
	diff <(printf '%s\n' "$output" | jq -c .ts_ns) <(jq -c .ts_ns "$T/rec.json" | sed -n 2,3p)
	# an ISO time far before and after keeps everything; a window in the
	# past keeps nothing (and --summary says so)
	run "$LATSCOPE" replay "$T/rec.json" --json --from 2000-01-01T00:00:00Z --to 2999-01-01T00:00
	[ "$(printf '%s\n' "$output" | wc -l)" -eq "$n" ]
	run --separate-stderr "$LATSCOPE" replay "$T/rec.json" --summary --to 2000-01-01T00:00:00
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *window* ]]
}

@test "replay: several files merge in time order, and into one summary" {
	record "$T/a.json" -i 0.2 -d 0.5
	record "$T/b.json.gz" -i 0.2 -d 0.5
	# pretend b comes from another host
	zcat "$T/b.json.gz" | jq -c '.host = "other-host"' | gzip -c > "$T/b2.json.gz"
	na=$(jq -s length "$T/a.json")
	nb=$(zcat "$T/b2.json.gz" | jq -s length)
	run --separate-stderr "$LATSCOPE" replay "$T/b2.json.gz" "$T/a.json" --json
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | jq -s -e --argjson n $((na + nb)) \
		'length == $n and ([.[].ts_ns] == ([.[].ts_ns] | sort))'
	run --separate-stderr "$LATSCOPE" replay "$T/a.json" "$T/b2.json.gz" --summary
	[ "$status" -eq 0 ]
	host=$(hostname)
	[ "$(printf '%s\n' "$output" | jq -r .host)" = "${host},other-host" ] ||
		[ "$(printf '%s\n' "$output" | jq -r .host)" = "$(head -n1 "$T/a.json" | jq -r .host),other-host" ]
	# every count of both files is in the summary
	want=$( { cat "$T/a.json"; zcat "$T/b2.json.gz"; } | jq -s '[.[].syscalls[].count] | add')
	got=$(printf '%s\n' "$output" | jq '[.syscalls[].count] | add + 0')
	trunc=$(printf '%s\n' "$output" | jq .truncated.syscalls)
	[ "$trunc" -gt 0 ] || [ "$got" -eq "$want" ]
	# one bad file among good ones: nothing printed
	printf 'nope\n' > "$T/bad"
	run --separate-stderr "$LATSCOPE" replay "$T/a.json" "$T/bad" --json
	[ "$status" -eq 1 ] && [ -z "$output" ]
}

@test "replay: without --json on a pipe, a text table per snapshot" {
	record "$T/rec.json" -i 0.2 -d 0.5
	n=$(jq -s length "$T/rec.json")
	run --separate-stderr "$LATSCOPE" replay "$T/rec.json"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c '^--- ')" -eq "$n" ]
}

@test "replay: a hand-made snapshot with every section comes back unchanged" {
	f="$ROOT/tests/fuzz/corpus/full_snapshot.json"
	run --separate-stderr "$LATSCOPE" replay "$f" --json
	[ "$status" -eq 0 ]
	diff <(printf '%s\n' "$output" | jq -S -c .) <(jq -S -c . "$f")
	# and fields a newer latscope adds are skipped, the rest intact; a
	# recording older than the cgroup and unwind fields reads them as "",
	# one older than the requests sections reads them as empty
	run --separate-stderr "$LATSCOPE" replay "$ROOT/tests/fuzz/corpus/unknown_fields.json" --json
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | jq -c '[.requests, .inflight_requests, .truncated.requests, .listeners, .listen]')" = '[[],[],0,[],{"overflows":0,"drops":0}]' ]
	diff <(printf '%s\n' "$output" | jq -S -c 'del(.. | .cgroup?, .service?, .unwind?) |
			del(.requests, .inflight_requests, .truncated.requests, .listeners, .listen)') \
	     <(jq -S -c 'del(.future) | del(.syscalls[0].new)' "$ROOT/tests/fuzz/corpus/unknown_fields.json")
	[ "$(printf '%s\n' "$output" | jq -r '.syscalls[0] | "[\(.cgroup)][\(.service)]"')" = "[][]" ]
	[ "$(printf '%s\n' "$output" | jq -r '.locks.user[0].unwind')" = "" ]
}
