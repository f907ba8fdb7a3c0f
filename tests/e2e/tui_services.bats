#!/usr/bin/env bats
# The TUI's services on a real terminal (tmux) against the real kernel:
# workloads put into cgroups this test makes in the v2 hierarchy, one named
# like a systemd unit and one like a Docker container's scope (other names
# than cgroups.bats', so both can run at once). The Overview shows each
# process's service, g groups it by service, Enter lists a service's
# processes, Esc goes back, / matches services; a Docker container is named
# from a config.v2.json this test writes where Docker keeps it (when the
# host has no such container: there is no Docker here). About 30 s.

load helpers
load tmux

ID64=fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210

setup() {
	V2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	[ -n "$V2" ] || skip "no cgroup v2 hierarchy mounted"
	A=/latscope-tui-a.service
	B=/docker-$ID64.scope
	mkdir -p "$V2$A" "$V2$B"
	T=$(mktemp -d)
	TM=(tmux -S "$T/tmux.sock" -f /dev/null)
	PIDS=()
}

teardown() {
	"${TM[@]}" kill-server 2>/dev/null || true
	local p cg
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null || true
	for cg in "$V2$A" "$V2$B"; do
		[ -d "$cg" ] || continue
		for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do
			echo "$p" > "$V2/cgroup.procs" 2>/dev/null || true
		done
		rmdir "$cg" 2>/dev/null || true
	done
	[ -n "${DOCKER_MADE:-}" ] && rm -rf "$DOCKER_MADE"
	rm -rf "$T"
}

# workload CG NAME SLEEP_MS: tools/tui_workload named NAME in cgroup CG;
# its pid in LAST
workload() {
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$V2$1" \
		"$TOOLS/tui_workload" --name "$2" --sleep-ms "$3" > "$T/$2" &
	LAST=$!
	PIDS+=("$LAST")
	wait_for_file "$T/$2"
	grep -qx "0::$1" /proc/"$LAST"/cgroup
}

# tui_start COLS ROWS LATSCOPE_ARGS...: latscope in a pane; its status
# goes to $T/exit when it ends
tui_start() {
	local cols=$1 rows=$2
	shift 2
	cat > "$T/run.sh" <<-EOF
	cd '$T'
	TERM=screen "$LATSCOPE" $* 2> '$T/stderr'
	echo "EXIT=\$?" > '$T/exit'
	sleep 600
	EOF
	"${TM[@]}" new-session -d -s ls -x "$cols" -y "$rows" "bash $T/run.sh"
}

wait_screen_re() {
	local i
	for i in $(seq 1 "${2:-150}"); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	echo "the screen never matched '$1'; it shows:" >&2
	screen >&2
	return 1
}

# screen_lacks TEXT: the pane does not show TEXT (a plain `! cmd` would
# not fail a bats test)
screen_lacks() {
	! screen | grep -qF -- "$1"
}

wait_exit() {
	local i
	for i in $(seq 1 100); do
		[ -s "$T/exit" ] && { sed 's/EXIT=//' "$T/exit"; return 0; }
		sleep 0.1
	done
	echo "latscope did not exit" >&2
	return 1
}

# docker_meta NAME: /var/lib/docker/containers/ID64/config.v2.json naming
# B's container NAME, as Docker writes it; what did not exist before is
# removed in teardown
docker_meta() {
	local d=/var/lib/docker/containers/$ID64 top
	[ ! -e "$d" ] || skip "$d exists on this host"
	for top in /var/lib/docker /var/lib/docker/containers "$d"; do
		[ -e "$top" ] || break
	done
	DOCKER_MADE=$top
	mkdir -p "$d"
	printf '{"ID":"%s","Name":"/%s","Config":{"Labels":{}}}\n' "$ID64" "$1" > "$d/config.v2.json"
}

start_three() {
	workload "$A" tuisvc-a1 200; a1=$LAST
	workload "$A" tuisvc-a2 5; a2=$LAST
	workload "$B" tuisvc-b 5; b=$LAST
	tui_start 140 30 -p "$a1,$a2,$b" -i 0.5
}

@test "tui services: the Overview names each process's service; g groups; Enter lists a service's processes; Esc goes back" {
	start_three
	wait_screen "PID COMM"
	wait_screen_re "^ +$a1 +tuisvc-a1 +nanosleep .* latscope-tui-a\.service *$"
	wait_screen_re "^ +$b +tuisvc-b +nanosleep .* docker:fedcba987654 *$"
	keys g
	wait_screen_re "^SERVICE.* +PROCS +WORST +P99"
	# one row per service: A's two processes, its worst p99 the 200 ms
	# nanosleeps (red), B's one
	wait_screen_re "^latscope-tui-a\.service +2 +nanosleep +[0-9]{3}ms "
	wait_screen_re "^docker:fedcba987654 +1 +nanosleep "
	run screen
	[[ "$output" == *"by service"* ]]
	# no process rows (the in-flight panel under the table still lists
	# the workloads' blocked calls: "nanosleep  blocked 150ms")
	! echo "$output" | grep -qE "tuisvc-[ab12]+ +nanosleep +[0-9]" || false
	"${TM[@]}" capture-pane -p -e -t ls | grep "latscope-tui-a.service" | grep -q $'\e\\[31m'
	# the worst p99 first: A is selected; Enter lists its processes alone
	keys Enter
	wait_screen "service latscope-tui-a.service"
	wait_screen_re "^ +$a1 +tuisvc-a1 "
	wait_screen_re "^ +$a2 +tuisvc-a2 "
	screen_lacks tuisvc-b
	# back to the services, then B's processes
	keys Escape
	wait_screen_re "^docker:fedcba987654 +1 "
	keys Down Enter
	wait_screen "service docker:fedcba987654"
	wait_screen_re "^ +$b +tuisvc-b "
	screen_lacks tuisvc-a
	# the service's filter holds in the other views: B's syscalls alone
	keys 2
	wait_screen_re "^ +$b +tuisvc-b +nanosleep"
	screen_lacks tuisvc-a
	# g again from there: the services; g once more: every process
	keys g
	wait_screen_re "^SERVICE"
	keys Escape Escape 1
	sleep 0.3
	keys g
	wait_screen_re "^ +$a1 +tuisvc-a1 "
	wait_screen_re "^ +$b +tuisvc-b "
	keys q
	[ "$(wait_exit)" -eq 0 ]
}

@test "tui services: / matches the service, in the Overview and the Syscalls view; help lists g" {
	start_three
	wait_screen "PID COMM"
	wait_screen_re "^ +$a2 +tuisvc-a2 "
	keys / docker Enter
	wait_screen "filter: docker"
	wait_screen_re "^ +$b +tuisvc-b "
	screen_lacks tuisvc-a
	keys 2
	wait_screen_re "^ +$b +tuisvc-b +nanosleep"
	screen_lacks tuisvc-a
	keys '\'
	wait_screen_re "^ +$a1 +tuisvc-a1 +nanosleep"
	keys / tui-a Enter
	wait_screen_re "^ +$a1 +tuisvc-a1 +nanosleep"
	screen_lacks tuisvc-b
	keys h
	wait_screen "Overview by service / by process"
	keys Escape q
	[ "$(wait_exit)" -eq 0 ]
}

@test "tui services: a Docker container named by its config.v2.json, in the JSON and the grouped Overview" {
	docker_meta tui-web
	workload "$B" tuisvc-b 5; b=$LAST
	"$LATSCOPE" --json -p "$b" -d 1.5 > "$T/out" 2> "$T/err"
	# every row of the container's process: its name, and the id in the path
	[ "$(jq -r '[.syscalls[], .inflight[]] | .[] | "\(.cgroup) \(.service)"' "$T/out" | sort -u)" = "$B docker:tui-web" ]
	tui_start 140 30 -p "$b" -i 0.5
	wait_screen "PID COMM"
	keys g
	wait_screen_re "^docker:tui-web +1 +nanosleep "
	keys q
	[ "$(wait_exit)" -eq 0 ]
}

@test "tui services: the grouped Overview gives a service's requests and their p99 (its slow plateau), none for a service without; the Overview a process's req/s and p99" {
	# a request server in A: 20 ms a request, 2% of them 60 ms (its p99
	# plateau); B serves none
	mkfifo "$T/go"
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$V2$A" \
		"$TOOLS/reqload" --clients 2 --requests 3000 --cost-us 20000 < "$T/go" > "$T/req" &
	PIDS+=("$!")
	req=$!
	exec 7> "$T/go"
	wait_for_file "$T/req"
	workload "$B" tuisvc-b 5; b=$LAST
	tui_start 160 30 --probes syscalls,requests -p "$req,$b" -i 1
	# attached (the first snapshot is in) before the clients start
	wait_screen "syscalls:on" 300
	echo go >&7
	keys g
	wait_screen_re "^SERVICE.* +SATPOOLS +REQS +REQP99"
	# A's requests counted, their p99 the 60 ms plateau (not the 20 ms
	# median: percentiles of a merged histogram), B none
	wait_screen_re "^latscope-tui-a\.service +1 .* [1-9][0-9]* +[0-9]+ms *$" 300
	p99=$(screen | awk '/^latscope-tui-a\.service/ { print $NF }')
	[[ "$p99" =~ ^([0-9]+)ms$ ]]
	[ "${BASH_REMATCH[1]}" -ge 50 ] && [ "${BASH_REMATCH[1]}" -lt 1000 ]
	screen | grep -qE "^docker:fedcba987654 +1 .* 0 +- *$"
	# back by process: the server's row gives its requests per second
	# (REQ/S) and their p99 (RQP99), B's none
	keys g
	wait_screen_re "^ *$req +.* [0-9.]+[kM]? +[0-9]+ms +latscope-tui-a\.service *$" 300
	# the row read from one capture (the next snapshot may redraw it)
	for i in $(seq 1 100); do
		row=$(screen | grep -E "^ *$req +.* [0-9.]+[kM]? +[0-9]+ms +latscope-tui-a\.service *$") && break
		sleep 0.1
	done
	echo "the server's row: $row"
	rate=$(awk '{ print $(NF - 2) }' <<< "$row")
	p99=$(awk '{ print $(NF - 1) }' <<< "$row")
	[ "$rate" != "0.0" ]
	[[ "$p99" =~ ^([0-9]+)ms$ ]]
	[ "${BASH_REMATCH[1]}" -ge 10 ] && [ "${BASH_REMATCH[1]}" -lt 1000 ]
	screen | grep -qE "^ *$b +.* - +- +docker:fedcba987654 *$"
	exec 7>&-
	keys q
	[ "$(wait_exit)" -eq 0 ]
}
