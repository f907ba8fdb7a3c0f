# latscope: make | make test | make bench | make deps | make run | make clean
#
# `make run` and `make test` install what is missing (make deps), build as
# the user who runs make, and run what needs root as root: directly when
# make runs as root (containers, CI, fresh cloud images have no sudo), else
# through sudo, as perf and bpftrace users are used to.
#
# BPF objects are built with clang (clang-19 when installed: better BPF code
# than clang 14) against bpf/vmlinux.h, a hand-written header of the kernel
# types used (CO-RE): no kernel headers of the build host are needed.

OUT       ?= build
BIN       ?= latscope
CLANG     ?= $(shell command -v clang-19 || command -v clang)
BPFTOOL   ?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
CC        ?= cc
PKG_CONFIG ?= pkg-config
PKGS      := libbpf libelf libdw liblzma zlib ncursesw jansson libmicrohttpd
SUDO      ?= $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
ARCH      := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

CFLAGS    ?= -g -O2
override CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	     -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -I$(OUT) \
	     $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDLIBS    += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ibpf -Iinclude \
	      -Wall -Wno-unused-function

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
# Families whose programs call kfuncs are also built without (F_nokf, for
# kernels that have no BTF of their own: --btf).
NOKF      := syscalls locks pools
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS)) $(NOKF:%=$(OUT)/%_nokf.bpf.o)
SKELS     := $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS)) $(NOKF:%=$(OUT)/%_nokf.skel.h)
# user/: main.c and cli.c, then one folder per role (README "Layout")
USER_SRCS := $(sort $(shell find user -name '*.c'))
USER_HDRS := $(shell find user include -name '*.h')
USER_OBJS := $(patsubst user/%.c,$(OUT)/user/%.o,$(USER_SRCS)) $(OUT)/syscall_names.o
# everything but main(), for the unit tests
LIB_OBJS  := $(filter-out $(OUT)/user/main.o,$(USER_OBJS))

# tests/unit mirrors user/; the test binaries go flat into $(OUT)/tests
UNIT_SRCS := $(sort $(shell find tests/unit -name 'test_*.c'))
UNIT_BINS := $(addprefix $(OUT)/tests/,$(basename $(notdir $(UNIT_SRCS))))
vpath test_%.c $(sort $(dir $(UNIT_SRCS)))
TOOL_SRCS := $(wildcard tools/*.c)
# mutexload once more as most distribution binaries are built: without
# frame pointers (the user stacks' CFI unwinding is tested on it)
TOOL_BINS := $(patsubst tools/%.c,$(OUT)/tools/%,$(TOOL_SRCS)) $(OUT)/tools/mutexload-nofp

.PHONY: all test test-run unit e2e bench bench-tcp deps run clean check-asan soak fuzz fuzz-build install uninstall man FORCE
.DELETE_ON_ERROR:
# Kept after the build: unit tests that load a family's BPF include its
# skeleton, and a rebuild need not recompile the BPF objects.
.SECONDARY: $(BPF_OBJS) $(SKELS)

all: $(BIN)

# CPPFLAGS and LDFLAGS: a distribution's build flags (dpkg-buildflags'
# fortify and relro) reach the frontend too
$(BIN): $(USER_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The syscalls table, the peers view and the pools' thread slots hand out
# array elements with an atomic fetch-and-add (BPF ISA v3, kernel 5.12+).
$(OUT)/syscalls.bpf.o $(OUT)/syscalls_nokf.bpf.o $(OUT)/pools.bpf.o $(OUT)/pools_nokf.bpf.o: BPF_CFLAGS += -mcpu=v3

$(OUT)/%_nokf.bpf.o: bpf/%.bpf.c bpf/vmlinux.h $(wildcard include/*.h bpf/*.h) | $(OUT)
	$(CLANG) $(BPF_CFLAGS) -DLS_NO_KFUNC -c $< -o $@

$(OUT)/%.bpf.o: bpf/%.bpf.c bpf/vmlinux.h $(wildcard include/*.h bpf/*.h) | $(OUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

$(OUT)/user/%.o: user/%.c $(USER_HDRS) $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUT)/syscall_names.c: tools/gen_syscall_names.sh | $(OUT)
	sh $< $@

$(OUT)/syscall_names.o: $(OUT)/syscall_names.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUT)/tests/test_%: test_%.c $(LIB_OBJS) $(SKELS) $(wildcard tests/unit/*.h tests/unit/*/*.h tests/unit/*/*/*.h) | $(OUT)/tests
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJS) $(LDLIBS) $(shell $(PKG_CONFIG) --libs cmocka jansson)

$(OUT)/tools/%: tools/%.c | $(OUT)/tools
	$(CC) $(CFLAGS) -pthread -o $@ $< $(LDLIBS)

$(OUT)/tools/mutexload-nofp: tools/mutexload.c | $(OUT)/tools
	$(CC) -g -O2 -fomit-frame-pointer -DMUTEXLOAD_NOFP -Wall -pthread -o $@ $<

$(OUT) $(OUT)/user $(OUT)/tests $(OUT)/tools:
	mkdir -p $@

tools: $(TOOL_BINS)

# The replay reader under libFuzzer (clang's, with ASan and UBSan): the
# files it reads come from anywhere. Needs libclang-rt-19-dev (make deps).
FUZZ_CC   ?= $(CLANG)
FUZZ_BIN  := $(OUT)/fuzz/fuzz_snapshot_read
FUZZ_SRCS := tests/fuzz/fuzz_snapshot_read.c $(wildcard user/snapshot/*.c) \
	     user/replay/recording.c user/lib/json_writer.c user/lib/hashmap.c user/lib/utf8.c
FUZZ_TIME ?= 300

$(FUZZ_BIN): $(FUZZ_SRCS) $(USER_HDRS)
	@mkdir -p $(OUT)/fuzz
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -o $@ $(FUZZ_SRCS) \
		$(shell $(PKG_CONFIG) --cflags --libs jansson zlib)

FUZZ_CLI_BIN := $(OUT)/fuzz/fuzz_cli
FUZZ_CLI_SRCS := tests/fuzz/fuzz_cli.c user/cli.c user/lib/netaddr.c user/snapshot/snapshot.c user/snapshot/fields.c \
		 user/snapshot/pool_blocked.c
$(FUZZ_CLI_BIN): $(FUZZ_CLI_SRCS) $(USER_HDRS)
	@mkdir -p $(OUT)/fuzz
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -o $@ $(FUZZ_CLI_SRCS) -lm

fuzz-build: $(FUZZ_BIN) $(FUZZ_CLI_BIN)

# New inputs go to build/fuzz/corpus; tests/fuzz/corpus is the kept seed.
fuzz: $(FUZZ_BIN) $(FUZZ_CLI_BIN)
	@mkdir -p $(OUT)/fuzz/corpus
	@mkdir -p $(OUT)/fuzz/cli_corpus
	$(FUZZ_CLI_BIN) -max_total_time=$(FUZZ_TIME) -max_len=4096 -close_fd_mask=3 -timeout=10 -artifact_prefix=$(OUT)/fuzz/ \
		-print_final_stats=1 $(OUT)/fuzz/cli_corpus tests/fuzz/cli_corpus
	$(FUZZ_BIN) -max_total_time=$(FUZZ_TIME) -max_len=65536 -timeout=10 -artifact_prefix=$(OUT)/fuzz/ \
		-print_final_stats=1 $(OUT)/fuzz/corpus tests/fuzz/corpus

# The README's test command. Ends with "N passed, N failed".
test:
	@sh tools/deps.sh
	@$(MAKE) --no-print-directory test-run

test-run: $(BIN) $(UNIT_BINS) $(TOOL_BINS)
	@$(MAKE) -s fuzz-build >/dev/null 2>&1 || echo "# fuzz: a target did not build (make fuzz-build; make deps installs libclang-rt-19-dev)"
	@$(SUDO) env LATSCOPE=$(CURDIR)/$(BIN) FUZZ_BIN=$(FUZZ_BIN) FUZZ_CLI_BIN=$(FUZZ_CLI_BIN) \
		E2E="$(E2E)" bash tests/run.sh $(UNIT_BINS)

# The whole suite again with the frontend and the unit tests built with
# AddressSanitizer and UndefinedBehaviorSanitizer (any report fails the test).
ASAN_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	      -fno-sanitize-recover=undefined
check-asan: tools
	@$(MAKE) -s OUT=build-asan BIN=build-asan/latscope CFLAGS="$(ASAN_FLAGS)" \
		build-asan/latscope
	@$(MAKE) -s OUT=build-asan BIN=build-asan/latscope CFLAGS="$(ASAN_FLAGS)" \
		$(patsubst $(OUT)/%,build-asan/%,$(UNIT_BINS))
	@$(SUDO) env ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 LATSCOPE=$(CURDIR)/build-asan/latscope E2E="$(E2E)" \
		bash tests/run.sh $(patsubst $(OUT)/%,build-asan/%,$(UNIT_BINS))

unit: $(UNIT_BINS)
	@bash tests/run.sh --unit-only $(UNIT_BINS)

bench: latscope $(TOOL_BINS)
	@$(MAKE) -s -C tools/bench
	@bash tools/bench/run.sh

# 30 minutes under mixed load (SOAK_SECS to change); figures on stdout.
soak: $(BIN) $(TOOL_BINS)
	@bash tools/soak.sh

# tcp family: 100k connections on loopback, socket map bounded, BPF cost
bench-tcp: latscope $(TOOL_BINS)
	@bash tools/bench/tcp_churn.sh

deps:
	@sh tools/deps.sh

# ARGS: latscope's options (make run ARGS="--json -d 5")
run:
	@sh tools/deps.sh
	@$(MAKE) --no-print-directory $(BIN)
	$(SUDO) ./$(BIN) $(ARGS)

# make install [PREFIX=/usr/local] [DESTDIR=] [UNITDIR=]: the binary, the
# manual page, bash completion, the systemd units (their ExecStart pointed at
# the installed binary), docs and the Grafana dashboard
PREFIX ?= /usr/local
UNITDIR ?= $(PREFIX)/lib/systemd/system
INST := $(DESTDIR)$(PREFIX)
UNITS := latscope-record.service latscope-exporter.service
SCDOC ?= scdoc
MAN := $(OUT)/latscope.8

# latscope(8) from its scdoc source. Only install needs it: `make` builds
# without scdoc.
man: $(MAN)

# The page names the installed paths (FILES): remade when PREFIX or UNITDIR
# differ from the last build's.
$(OUT)/install-paths: FORCE | $(OUT)
	@echo '$(PREFIX) $(UNITDIR)' | cmp -s - $@ || echo '$(PREFIX) $(UNITDIR)' > $@

$(MAN): docs/latscope.8.scd $(OUT)/install-paths
	@command -v $(SCDOC) > /dev/null || { \
		echo "make: $(SCDOC) is missing, needed for the manual page (make deps, or apt-get install scdoc)" >&2; exit 1; }
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@UNITDIR@|$(UNITDIR)|g' $< | $(SCDOC) > $@

install: $(BIN) $(MAN)
	install -D -m 0755 $(BIN) $(INST)/bin/latscope
	install -d -m 0755 $(INST)/share/man/man8
	gzip -9n < $(MAN) > $(INST)/share/man/man8/latscope.8.gz
	chmod 0644 $(INST)/share/man/man8/latscope.8.gz
	install -D -m 0644 tools/latscope.bash-completion $(INST)/share/bash-completion/completions/latscope
	install -d -m 0755 $(DESTDIR)$(UNITDIR) $(INST)/share/doc/latscope
	for u in $(UNITS); do \
		sed -e 's|/usr/local/bin/latscope|$(PREFIX)/bin/latscope|' \
		    -e 's|/usr/local/share/doc/latscope|$(PREFIX)/share/doc/latscope|' \
			tools/$$u > $(DESTDIR)$(UNITDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	install -m 0644 README.md docs/json.md docs/adding-a-family.md tools/grafana/latscope.json $(INST)/share/doc/latscope/

uninstall:
	rm -f $(INST)/bin/latscope $(INST)/share/bash-completion/completions/latscope
	rm -f $(INST)/share/man/man8/latscope.8 $(INST)/share/man/man8/latscope.8.gz
	for u in $(UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$$u; done
	rm -rf $(INST)/share/doc/latscope

clean:
	rm -rf $(OUT) build-asan latscope
	@$(MAKE) -s -C tools/bench clean
