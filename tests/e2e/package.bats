#!/usr/bin/env bats
# Installed like a system tool: latscope(8) from docs/latscope.8.scd (every
# option of --help, with its argument and default; renders without a
# warning), make install/uninstall of the page, and the Debian package:
# built with dpkg-buildpackage in a copy of the tree, checked by lintian,
# installed with dpkg -i and removed again.

load helpers

setup() {
	T=$(mktemp -d)
	# one package build for the file: the tests after the build use it
	PKG=$BATS_FILE_TMPDIR/pkg
}

teardown() {
	# the package installed by the test goes, whatever check failed
	if [ -e "$T/installed" ]; then
		dpkg --purge latscope > /dev/null 2>&1 || true
	fi
	rm -rf "$T"
}

need() {
	command -v "$1" > /dev/null || skip "$1 is not installed ($2; make deps installs it)"
}

# the page as a reader sees it, one line per paragraph start (wide: no
# hyphenation splits an option's name)
render() {
	MANWIDTH=200 MAN_KEEP_FORMATTING= man -l "$1" 2> /dev/null | col -bx
}

# option ARG pairs of option heading lines: "--interval SECS", "--json"
# (a heading starts with the option, not with a wrapped "--btf).")
opt_pairs() {
	grep -E '^ {2,7}(-[a-zA-Z], )?--[a-z][a-z-]+( [A-Z[]|  |,|$)' | grep -oE -- '--[a-z][a-z-]+( \[?[A-Z]+)?' | tr -d '[' | sort -u
}

# option=default of each option whose text gives a number as its default
opt_defaults() {
	awk 'match($0, /^ +(-[a-zA-Z], )?--[a-z][-a-z]+/) {
		o = substr($0, RSTART, RLENGTH); sub(/^ +(-[a-zA-Z], )?/, "", o) }
	o != "" && match($0, /[Dd]efault:? -?[0-9]+/) {
		d = substr($0, RSTART, RLENGTH); sub(/^[Dd]efault:? /, "", d)
		print o "=" d; o = "" }' | sort -u
}

build_man() {
	need scdoc "scdoc"
	make -s -C "$ROOT" man OUT="$T/out" > "$T/make.log" 2>&1 || { cat "$T/make.log"; false; }
	[ -s "$T/out/latscope.8" ]
}

@test "man: latscope(8) documents every option of --help, with its argument and default" {
	build_man
	render "$T/out/latscope.8" > "$T/page"
	"$LATSCOPE" --help | opt_pairs > "$T/help"
	opt_pairs < "$T/page" > "$T/documented"
	# nothing of --help missing, and no option the program does not know
	diff "$T/help" "$T/documented"
	# the short forms too
	for s in $("$LATSCOPE" --help | grep -oE '^ +-[a-zA-Z],' | tr -d ' ,'); do
		grep -qE -- "^ +$s, --" "$T/page" || { echo "$s is not in the page"; false; }
	done
	"$LATSCOPE" --help | opt_defaults > "$T/help.defaults"
	opt_defaults < "$T/page" > "$T/page.defaults"
	cat "$T/help.defaults"
	[ "$(wc -l < "$T/help.defaults")" -ge 4 ]
	comm -23 "$T/help.defaults" "$T/page.defaults" > "$T/missing"
	[ ! -s "$T/missing" ] || { echo "defaults not in the page:"; cat "$T/missing"; false; }
}

@test "man: the sections a reader looks for, the probe families, replay and the endpoints of --listen" {
	build_man
	render "$T/out/latscope.8" > "$T/page"
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS REPLAY "PROBE FAMILIES" "HTTP ENDPOINTS" \
		 SIGNALS "EXIT STATUS" FILES EXAMPLES "SEE ALSO"; do
		grep -qx "$s" "$T/page" || { echo "no section $s"; false; }
	done
	# NAME as whatis and apropos read it
	[ "$(sed -n '/^NAME$/{n;p}' "$T/page" | sed 's/^ *//')" = \
	  "latscope - kernel-level latency profiler (eBPF): syscalls, TCP, locks, thread pools" ]
	if command -v lexgrog > /dev/null; then
		lexgrog "$T/out/latscope.8" | grep -q '"latscope - kernel-level latency profiler'
	fi
	head -n 1 "$T/page" | grep -q '^latscope(8) '
	for f in syscalls tcp locks pools /metrics /snapshot / SIGINT, 0 1 2; do
		grep -qE -- "^ {7}$f( |$)" "$T/page" || { echo "no entry $f"; false; }
	done
	grep -q 'latscope replay FILE\.\.\.' "$T/page"
	grep -qE 'SIGTERM.*SIGHUP' "$T/page"
	# the paths it names are the install's: /usr/local by default
	grep -qx ' */usr/local/lib/systemd/system/latscope-record.service' "$T/page"
}

@test "man: the page renders without a warning from man or groff" {
	build_man
	need man "man-db"
	run -0 --separate-stderr env MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$T/out/latscope.8"
	[ -z "$stderr" ] || { echo "$stderr"; false; }
	[ "$(echo "$output" | wc -l)" -gt 150 ]
	if command -v groff > /dev/null; then
		run -0 --separate-stderr groff -man -ww -z "$T/out/latscope.8"
		[ -z "$stderr" ] || { echo "$stderr"; false; }
	fi
}

@test "man: make install puts latscope(8) in PREFIX/share/man/man8 with the installed paths, uninstall takes it" {
	need scdoc "scdoc"
	make -s -C "$ROOT" install DESTDIR="$T/root" PREFIX=/usr UNITDIR=/lib/systemd/system \
		> "$T/log" 2>&1 || { cat "$T/log"; false; }
	page=$T/root/usr/share/man/man8/latscope.8.gz
	[ "$(stat -c %a "$page")" = 644 ]
	gzip -t "$page"
	render "$page" > "$T/page"
	grep -q '^ *latscope - kernel-level latency profiler' "$T/page"
	grep -qx ' */lib/systemd/system/latscope-record.service' "$T/page"
	grep -qx ' */usr/share/bash-completion/completions/latscope' "$T/page"
	# the units are where the page says
	[ -f "$T/root/lib/systemd/system/latscope-record.service" ]
	make -s -C "$ROOT" uninstall DESTDIR="$T/root" PREFIX=/usr UNITDIR=/lib/systemd/system \
		> "$T/log" 2>&1 || { cat "$T/log"; false; }
	[ ! -e "$page" ]
	[ -z "$(find "$T/root" -type f)" ]
}

@test "package: dpkg-buildpackage -us -uc -b builds it in a copy of the tree and leaves the copy clean" {
	need dpkg-buildpackage "dpkg-dev"
	need dh "debhelper"
	need scdoc "scdoc"
	rm -rf "$PKG"
	mkdir -p "$PKG/latscope"
	# the tree as it is (tracked and new files, nothing ignored), in a git
	# repository of its own to see what the build leaves behind
	git -C "$ROOT" ls-files -co --exclude-standard -z | (cd "$ROOT" && tar -c --null -T - -f -) |
		tar -x -C "$PKG/latscope" -f -
	cd "$PKG/latscope"
	git init -q && git add -A && git -c user.name=t -c user.email=t@localhost commit -qm tree
	SECONDS=0
	DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -us -uc -b > "$PKG/build.log" 2>&1 ||
		{ tail -n 40 "$PKG/build.log"; false; }
	echo "built in $SECONDS s"
	ls "$PKG"
	[ -f "$PKG/latscope_$(dpkg-parsechangelog -S Version)_$(dpkg-architecture -qDEB_HOST_ARCH).deb" ]
	# build artefacts are all ignored
	run -0 git status --porcelain
	[ -z "$output" ] || { echo "$output"; false; }
	# built with Debian's flags (fortify, relro)
	grep -q -- '-D_FORTIFY_SOURCE=2' "$PKG/build.log"
	grep -qE -- '-Wl,-z,relro' "$PKG/build.log"
}

# the .deb the build test made
deb() {
	local d
	d=$(ls "$PKG"/latscope_*.deb 2> /dev/null | grep -v dbgsym | head -n 1)
	[ -n "$d" ] || { echo "no package: the build test failed or was skipped" >&2; return 1; }
	echo "$d"
}

@test "package: lintian finds no error" {
	need lintian "lintian"
	d=$(deb)
	run --separate-stderr lintian --pedantic --display-info "$d"
	echo "$output"
	# 0: clean, 1: tags at or above the fail level (error) were found
	[ "$status" -eq 0 ]
	! echo "$output" | grep -q '^E:'
}

@test "package: it holds the binary, the page, the completion, the units and the docs; its version is latscope's" {
	d=$(deb)
	dpkg -c "$d" | awk '{ print $6 }' > "$T/list"
	for f in ./usr/bin/latscope ./usr/share/man/man8/latscope.8.gz \
		 ./usr/share/bash-completion/completions/latscope \
		 ./lib/systemd/system/latscope-record.service ./lib/systemd/system/latscope-exporter.service \
		 ./usr/share/doc/latscope/README.md ./usr/share/doc/latscope/copyright; do
		grep -qx -- "$f" "$T/list" || { echo "$f is not in the package"; false; }
	done
	# nothing of the build tree or /usr/local
	! grep -E '/usr/local|/build/|\.o$|\.skel\.h$' "$T/list"
	[ "$(dpkg-deb -f "$d" Version)" = "$("$LATSCOPE" --version | awk '{ print $2 }')" ]
	dpkg-deb --fsys-tarfile "$d" | tar -xO ./lib/systemd/system/latscope-exporter.service |
		grep -q '^ExecStart=/usr/bin/latscope '
	dpkg-deb -f "$d" Depends | grep -q libbpf
}

@test "package: dpkg -i installs a working latscope and its page, units not enabled; dpkg --purge removes them" {
	need dpkg "dpkg"
	d=$(deb)
	if dpkg-query -W -f='${Status}' latscope 2> /dev/null | grep -q 'ok installed'; then
		skip "a latscope package is installed on this host already: not replaced by a test"
	fi
	touch "$T/installed"
	dpkg -i "$d" > "$T/log" 2>&1 || { cat "$T/log"; false; }
	[ "$(/usr/bin/latscope --version)" = "latscope $(dpkg-deb -f "$d" Version)" ]
	/usr/bin/latscope --help | grep -q -- '--listen'
	run -2 /usr/bin/latscope --bogus
	man -aw latscope | grep -qx /usr/share/man/man8/latscope.8.gz
	man -aw 8 latscope > /dev/null
	[ -f /lib/systemd/system/latscope-record.service ]
	# the installed completion offers the family names after --probes
	got=$(bash -c 'shopt -s extglob; . /usr/share/bash-completion/completions/latscope
		COMP_WORDS=(latscope --probes sys); COMP_CWORD=2; _latscope; echo "${COMPREPLY[*]}"')
	[ "$got" = syscalls ]
	# the installed units verify, with the installed binary in ExecStart
	if command -v systemd-analyze > /dev/null; then
		for u in latscope-record.service latscope-exporter.service; do
			grep -q '^ExecStart=/usr/bin/latscope ' "/lib/systemd/system/$u"
			systemd-analyze verify "/lib/systemd/system/$u" 2>&1 | { ! grep .; }
		done
	fi
	# installed, neither enabled nor started
	[ -z "$(find /etc/systemd/system -name 'latscope-*' 2> /dev/null)" ]
	dpkg --purge latscope > "$T/log" 2>&1 || { cat "$T/log"; false; }
	rm -f "$T/installed"
	[ ! -e /usr/bin/latscope ]
	[ ! -e /usr/share/man/man8/latscope.8.gz ]
	[ ! -e /lib/systemd/system/latscope-record.service ]
	[ ! -e /usr/share/bash-completion/completions/latscope ]
	! man -aw latscope 2> /dev/null | grep -q '^/usr/share/man/'
}
