#!/usr/bin/env bats
# Recording with -o: what was recorded replays unchanged (plain and gzip),
# every complete snapshot survives kill -9, and rotation never leaves a
# half file under any name a reader looks at.

load helpers

setup() { T=$(mktemp -d); }
teardown() {
	teardown_latscope
	[ -n "${WL:-}" ] && kill "$WL" 2>/dev/null
	rm -rf "$T"
}

# record OUT ARGS...: a short recording of the syscalls family
record() {
	local out=$1; shift
	"$LATSCOPE" --probes syscalls -o "$out" "$@" > /dev/null
}

@test "record: -o FILE replays back as the same NDJSON, every section" {
	record "$T/rec.json" -i 0.2 -d 0.9
	n=$(jq -s length "$T/rec.json")
	[ "$n" -ge 4 ]
	run --separate-stderr "$LATSCOPE" replay "$T/rec.json" --json
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	diff <(jq -S -c . "$T/rec.json") <(printf '%s\n' "$output" | jq -S -c .)
	# the recording has rows to compare, with histograms
	jq -s -e '[.[].syscalls[]] | length > 10 and all(.hist | length > 0)' "$T/rec.json"
}

@test "record: -o FILE.json.gz replays back the same, and gzip -t accepts it" {
	record "$T/rec.json.gz" -i 0.2 -d 0.9
	gzip -t "$T/rec.json.gz"
	run --separate-stderr "$LATSCOPE" replay "$T/rec.json.gz" --json
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	diff <(zcat "$T/rec.json.gz" | jq -S -c .) <(printf '%s\n' "$output" | jq -S -c .)
}

# kill -9 after at least 3 snapshots: every snapshot flushed before the
# kill replays; a snapshot cut in the middle (if the kill hit one) is one
# warning and exit 1, never a crash.
kill9_and_replay() {
	local f=$1 count=$2 i
	"$LATSCOPE" --probes syscalls -o "$f" -i 0.1 > /dev/null 2>&1 &
	LS_PID=$!
	for i in $(seq 1 100); do
		[ "$($count)" -ge 3 ] && break
		sleep 0.1
	done
	kill -KILL "$LS_PID"
	wait "$LS_PID" || true
	LS_PID=
	before=$($count)
	[ "$before" -ge 3 ]
	run --separate-stderr "$LATSCOPE" replay "$f" --json
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	if [ "$status" -eq 1 ]; then
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
		[[ "$stderr" == *"middle of a snapshot"* ]]
	else
		[ -z "$stderr" ]
	fi
	got=$(printf '%s\n' "$output" | jq -s 'map(select(.schema == "latscope/1")) | length')
	[ "$got" -ge "$before" ]
}

@test "record: kill -9 mid-recording, plain: every complete snapshot replays" {
	count() { grep -c '}$' "$T/rec.json" 2>/dev/null || echo 0; }
	kill9_and_replay "$T/rec.json" count
}

@test "record: kill -9 mid-recording, gzip: flushed per snapshot, all replay" {
	count() { (zcat "$T/rec.json.gz" 2>/dev/null || true) | grep -c '}$' || true; }
	kill9_and_replay "$T/rec.json.gz" count
	# and zlib itself sees the data up to the kill (no trailer: gzip -t fails)
	[ "$( (zcat "$T/rec.json.gz" 2>/dev/null || true) | grep -c '}$')" -ge 3 ]
}

@test "record: SIGTERM finishes the gzip stream" {
	"$LATSCOPE" --probes syscalls -o "$T/rec.json.gz" -i 0.1 > /dev/null 2>&1 &
	LS_PID=$!
	sleep 0.6
	kill -TERM "$LS_PID"
	wait "$LS_PID"
	LS_PID=
	gzip -t "$T/rec.json.gz"
}

@test "record: --rotate/--keep rotate through rename, keep N whole files" {
	"$LATSCOPE" --probes syscalls -o "$T/rec.json.gz" --rotate 4K --keep 2 -i 0.05 > /dev/null 2>"$T/err" &
	LS_PID=$!
	# while it rotates, whatever a reader finds under a rotated name is a
	# whole gzip file, and the live name always exists once created
	local checks=0 i
	for i in $(seq 1 100); do [ -e "$T/rec.json.gz" ] && break; sleep 0.05; done
	for i in $(seq 1 60); do
		if [ -e "$T/rec.json.1.gz" ]; then
			cp "$T/rec.json.1.gz" "$T/snap.gz" 2>/dev/null && gzip -t "$T/snap.gz"
			checks=$((checks + 1))
		fi
		[ -e "$T/rec.json.gz" ]
		[ -e "$T/rec.json.2.gz" ] && [ $checks -ge 5 ] && break
		sleep 0.1
	done
	stop_latscope
	[ -e "$T/rec.json.1.gz" ]
	[ -e "$T/rec.json.2.gz" ]
	[ ! -e "$T/rec.json.3.gz" ]
	[ "$checks" -ge 1 ]
	# no temporary file left, every file 0640 and complete, all in order
	[ "$(ls "$T" | grep -c tmp)" -eq 0 ]
	for f in rec.json.2.gz rec.json.1.gz rec.json.gz; do
		[ "$(stat -c %a "$T/$f")" = 640 ]
		gzip -t "$T/$f"
		"$LATSCOPE" replay "$T/$f" --json > /dev/null
	done
	# rotated at about the size asked (one snapshot past it at most)
	[ "$(stat -c %s "$T/rec.json.1.gz")" -ge 4096 ]
	"$LATSCOPE" replay "$T/rec.json.2.gz" "$T/rec.json.1.gz" "$T/rec.json.gz" --json |
		jq -s -e '[.[].ts_ns] as $t | ($t | length) >= 3 and $t == ($t | sort)'
	[ ! -s "$T/err" ]
}

@test "record: --rotate and --keep misuse is a usage error naming the option" {
	while IFS='|' read -r args opt; do
		run --separate-stderr "$LATSCOPE" $args
		[ "$status" -eq 2 ] || { echo "$args: $status" >&2; false; }
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
		[[ "$stderr" == *"$opt"* ]] || { echo "$args: $stderr" >&2; false; }
	done <<-EOF
	--rotate 10M|--rotate
	-o x --rotate 12Q|--rotate
	-o x --rotate 1|--rotate
	-o x --rotate 1M --keep 0|--keep
	-o x --keep 3|--keep
	--summary|--summary
	--from 5|--from
	replay x --from yesterday|--from
	replay x --from 20 --to 10|--to
	replay x --json --summary|--summary
	replay x -o y|--output
	replay x --prom y|--prom
	EOF
}

@test "record: the systemd unit verifies, its command records, a restart rotates" {
	sed -e "s|/usr/local/bin/latscope|$LATSCOPE|" -e "s|/var/log/latscope|$T/log|g" \
	    -e "s|/var/lib/prometheus/node-exporter|$T|g" "$ROOT/tools/latscope-record.service" \
	    > "$T/latscope-record.service"
	if command -v systemd-analyze > /dev/null; then
		run systemd-analyze verify "$T/latscope-record.service"
		[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	fi
	# ExecStart= as systemd joins it, run twice as a restart would (shorter)
	cmd=$(sed -n '/^ExecStart=/,/[^\\]$/p' "$T/latscope-record.service" |
		sed -e 's/^ExecStart=//' -e 's/\\$//' | tr -d '\n\t')
	mkdir -m 0750 "$T/log"
	$cmd --probes syscalls -i 0.2 -d 0.5 > /dev/null
	$cmd --probes syscalls -i 0.2 -d 0.5 > /dev/null
	gzip -t "$T/log/latscope.json.gz"
	gzip -t "$T/log/latscope.json.1.gz"
	[ ! -e "$T/log/latscope.json.2.gz" ]
	"$LATSCOPE" replay "$T/log/latscope.json.1.gz" "$T/log/latscope.json.gz" --json |
		jq -s -e 'length >= 4'
	[ "$(stat -c %a "$T/latscope.prom")" = 640 ]
	if command -v promtool > /dev/null; then
		promtool check metrics < "$T/latscope.prom"
	fi
}
