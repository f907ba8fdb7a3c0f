#!/usr/bin/env bats
# tools/latscope.bash-completion: every option --help names, family names
# for --probes (comma lists), recordings after replay; make install.

load helpers

setup() {
	T=$(mktemp -d)
	shopt -s extglob
	. "$ROOT/tools/latscope.bash-completion"
}

teardown() { rm -rf "$T"; }

# complete WORD...: the completions of the last word of "latscope WORD..."
complete_words() {
	COMP_WORDS=(latscope "$@")
	COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
	COMPREPLY=()
	_latscope
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

@test "completion: every long option of --help completes, and nothing else" {
	"$LATSCOPE" --help | grep -oE -- '--[a-z][a-z-]+' | grep -vE -- '^--(summary|from|to)$' |
		sort -u > "$T/help"
	# replay's own options are offered after `replay`
	complete_words -- | sort -u > "$T/got"
	diff "$T/help" "$T/got"
}

@test "completion: --probes completes family names in a comma list, each once" {
	[ "$(complete_words --probes lo)" = locks ]
	[ "$(complete_words --probes syscalls,t)" = syscalls,tcp ]
	[ "$(complete_words --probes syscalls, | tr '\n' ' ')" = "syscalls,locks syscalls,pools syscalls,requests syscalls,tcp " ]
	[ "$(complete_words --probes tcp,r)" = tcp,requests ]
	[ -z "$(complete_words --probes syscalls,sys)" ]
}

@test "completion: replay offers recordings and directories, not other files" {
	cd "$T"
	touch a.json b.json.gz c.txt
	mkdir d
	[ "$(complete_words replay "" | tr '\n' ' ')" = "a.json b.json.gz d " ]
	complete_words replay --s | grep -qx -- --summary
	complete_words r | grep -qx replay
}

@test "install: make install puts binary, completion, units and docs under DESTDIR, uninstall takes them" {
	make -s -C "$ROOT" install DESTDIR="$T/root" PREFIX=/usr > "$T/log" 2>&1 || { cat "$T/log"; false; }
	[ "$(stat -c %a "$T/root/usr/bin/latscope")" = 755 ]
	"$T/root/usr/bin/latscope" --version | grep -q '^latscope '
	[ -f "$T/root/usr/share/bash-completion/completions/latscope" ]
	[ -f "$T/root/usr/share/doc/latscope/README.md" ]
	for u in latscope-record.service latscope-exporter.service; do
		[ "$(stat -c %a "$T/root/usr/lib/systemd/system/$u")" = 644 ]
		grep -q '^ExecStart=/usr/bin/latscope ' "$T/root/usr/lib/systemd/system/$u"
	done
	make -s -C "$ROOT" uninstall DESTDIR="$T/root" PREFIX=/usr > "$T/log" 2>&1
	[ -z "$(find "$T/root" -type f)" ]
}
