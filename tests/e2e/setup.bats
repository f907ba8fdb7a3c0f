#!/usr/bin/env bats
# What a new user meets first: the README's two commands, as root without
# sudo and as a user with it; make deps; the tree as the design card has it;
# tests that look for kernel features where latscope looks.

load helpers

setup() { T=$(mktemp -d); }
teardown() { rm -rf "$T"; }

# A PATH on which `id -u` says 1000 (a user), and sudo records its command.
as_user_path() {
	mkdir -p "$T/bin"
	printf '#!/bin/sh\n[ "$1" = -u ] && { echo 1000; exit 0; }\nexec /usr/bin/id "$@"\n' > "$T/bin/id"
	printf '#!/bin/sh\necho "sudo $*" >> %s/sudo.log\n' "$T" > "$T/bin/sudo"
	chmod +x "$T/bin/id" "$T/bin/sudo"
	echo "$T/bin:$PATH"
}

@test "setup: the README starts with the two commands, and both are make targets" {
	cmds=$(awk '/^```/ { n++; next } n == 1' "$ROOT/README.md" | sed 's/ *#.*//')
	[ "$(echo "$cmds" | wc -l)" -eq 2 ]
	[ "$(echo "$cmds" | head -n 1)" = "make run" ]
	[ "$(echo "$cmds" | tail -n 1)" = "make test" ]
	# no sudo in them: a root shell without sudo (containers, CI) runs them as written
	! echo "$cmds" | grep -q sudo
}

@test "setup: make run works as root on a host without sudo; a user goes through sudo" {
	[ "$(id -u)" -eq 0 ]
	# as root nothing goes through sudo (which this kind of host lacks)
	run make -n -C "$ROOT" run
	[ "$status" -eq 0 ]
	[[ "$output" != *sudo* ]]
	run make -s -C "$ROOT" run ARGS=--version
	[ "$status" -eq 0 ]
	[[ "$output" == *latscope* ]]
	# as a user, what needs root goes through sudo (make -n: shown, not run)
	run env PATH="$(as_user_path)" make -n -C "$ROOT" run
	[ "$status" -eq 0 ]
	[[ "$output" == *"sudo ./latscope"* ]]
	run env PATH="$(as_user_path)" make -n -C "$ROOT" test-run
	[ "$status" -eq 0 ]
	[[ "$output" == *"sudo env LATSCOPE="* ]]
	# and as root, not
	run make -n -C "$ROOT" test-run
	[[ "$output" != *"sudo "* ]]
}

@test "setup: make deps logs apt's output to a private file, never through a planted link" {
	# every package missing (dpkg-query says so), apt-get failing: the
	# error path, which writes and names the log
	mkdir -p "$T/bin"
	printf '#!/bin/sh\nexit 1\n' > "$T/bin/dpkg-query"
	printf '#!/bin/sh\necho "E: fake apt"\nexit 100\n' > "$T/bin/apt-get"
	chmod +x "$T/bin/dpkg-query" "$T/bin/apt-get"
	echo precious > "$T/victim"
	planted=/tmp/latscope-deps.log
	rm -f "$planted"
	ln -s "$T/victim" "$planted"
	run --separate-stderr env PATH="$T/bin:$PATH" TMPDIR=/tmp sh "$ROOT/tools/deps.sh"
	rm -f "$planted"
	[ "$status" -eq 1 ]
	[ "$(cat "$T/victim")" = precious ]
	log=$(printf '%s\n' "$stderr" | sed -n 's/.*see \(\/[^ ]*\).*/\1/p')
	[ -n "$log" ] && [ "$log" != "$planted" ]
	[ "$(stat -c '%a %u' "$log")" = "600 0" ]
	grep -q "fake apt" "$log"
	rm -f "$log"
}

@test "setup: the top level holds what the design card names, no stray files" {
	extra=$(git -C "$ROOT" ls-files | cut -d/ -f1 | sort -u |
		grep -vxE 'bpf|user|include|tools|tests|docs|debian|Makefile|README.md|\.ci|\.gitignore' || true)
	[ -z "$extra" ] || { echo "stray at the top level: $extra" >&2; false; }
}

@test "setup: no test looks for a tracepoint in tracefs (latscope looks in the BTF)" {
	# tracefs is not mounted on a fresh host; a test that looks there skips
	# what latscope can do
	hits=$(grep -rlE '(tracing|debug/tracing)/(events|available_events)' "$ROOT/tests" |
		grep -v 'setup.bats$' || true)
	[ -z "$hits" ] || { echo "looks in tracefs: $hits" >&2; false; }
	kernel_has_raw_tp sys_enter
	! kernel_has_raw_tp no_such_tracepoint_here
}
