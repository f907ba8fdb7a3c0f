# latscope: make | make test | make bench | make deps | make run | make clean
#
# BPF objects are built with clang (clang-19 when installed: better BPF code
# than clang 14) against bpf/vmlinux.h, a hand-written header of the kernel
# types used (CO-RE): no kernel headers of the build host are needed.

OUT       := build
CLANG     ?= $(shell command -v clang-19 || command -v clang)
BPFTOOL   ?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
CC        ?= cc
PKG_CONFIG ?= pkg-config
PKGS      := libbpf libelf zlib ncursesw
ARCH      := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

CFLAGS    ?= -g -O2
CFLAGS    += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	     -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -I$(OUT) \
	     $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDLIBS    += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ibpf -Iinclude \
	      -Wall -Wno-unused-function

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))
USER_SRCS := $(wildcard user/*.c)
USER_OBJS := $(patsubst user/%.c,$(OUT)/user/%.o,$(USER_SRCS)) $(OUT)/syscall_names.o
# everything but main(), for the unit tests
LIB_OBJS  := $(filter-out $(OUT)/user/main.o,$(USER_OBJS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))
TOOL_SRCS := $(wildcard tools/*.c)
TOOL_BINS := $(patsubst tools/%.c,$(OUT)/tools/%,$(TOOL_SRCS))

.PHONY: all test unit e2e bench bench-tcp deps run clean check-asan
.DELETE_ON_ERROR:

all: latscope

latscope: $(USER_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(OUT)/%.bpf.o: bpf/%.bpf.c bpf/vmlinux.h $(wildcard include/*.h bpf/*.h) | $(OUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

$(OUT)/user/%.o: user/%.c $(wildcard include/*.h user/*.h) $(SKELS) | $(OUT)/user
	$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/syscall_names.c: tools/gen_syscall_names.sh | $(OUT)
	sh $< $@

$(OUT)/syscall_names.o: $(OUT)/syscall_names.c
	$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(OUT)/tests
	$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS) $(shell $(PKG_CONFIG) --libs cmocka jansson)

$(OUT)/tools/%: tools/%.c | $(OUT)/tools
	$(CC) $(CFLAGS) -pthread -o $@ $< $(LDLIBS)

$(OUT) $(OUT)/user $(OUT)/tests $(OUT)/tools:
	mkdir -p $@

tools: $(TOOL_BINS)

# The README's test command. Ends with "N passed, N failed".
test: latscope $(UNIT_BINS) $(TOOL_BINS)
	@bash tests/run.sh $(UNIT_BINS)

unit: $(UNIT_BINS)
	@bash tests/run.sh --unit-only $(UNIT_BINS)

bench: latscope $(TOOL_BINS)
	@$(MAKE) -s -C tools/bench
	@bash tools/bench/run.sh

# tcp family: 100k connections on loopback, socket map bounded, BPF cost
bench-tcp: latscope $(TOOL_BINS)
	@bash tools/bench/tcp_churn.sh

deps:
	@sh tools/deps.sh

run: latscope
	./latscope

clean:
	rm -rf $(OUT) latscope
	@$(MAKE) -s -C tools/bench clean
