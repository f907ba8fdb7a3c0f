#!/usr/bin/env bash
# Runs latscope's tests: the cmocka unit tests given as arguments, then the
# end-to-end bats suites in tests/e2e (real BPF programs, real kernel; they
# need root). Both speak TAP; this counts the results and ends with
# "N passed, N failed[, N skipped]". Exit status 1 if anything failed.
#   tests/run.sh [--unit-only] UNIT_BIN...      E2E=pattern to pick suites
set -u
cd "$(dirname "$0")/.."

unit_only=0
if [ "${1:-}" = "--unit-only" ]; then unit_only=1; shift; fi

pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() {	# count TAP lines of $log, echo them, remember failures
	local line
	while IFS= read -r line; do
		case "$line" in
		# cmocka's TAP marks a skipped test "not ok N # SKIP"
		"not ok "*"# SKIP"*|"not ok "*"# skip"*) skip=$((skip + 1)); echo "$line" ;;
		"not ok "*) fail=$((fail + 1)); echo "$line" ;;
		"ok "*"# skip"*|"ok "*"# SKIP"*) skip=$((skip + 1)); echo "$line" ;;
		"ok "*) pass=$((pass + 1)); echo "$line" ;;
		"#"*|"1.."*) echo "$line" ;;
		*) echo "    $line" ;;
		esac
	done < "$log"
}

for bin in "$@"; do
	echo "# unit: $bin"
	CMOCKA_MESSAGE_OUTPUT=TAP "$bin" > "$log" 2>&1
	rc=$?
	count
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$log"; then
		echo "not ok - $bin exited $rc"
		fail=$((fail + 1))
	fi
done

# A short run of the replay reader's fuzz target (make fuzz runs it for
# minutes); E2E=fuzz picks it alone.
fuzz_secs=${FUZZ_SMOKE:-20}
# a target that did not build is a failure, not a quiet skip (it hid a
# broken link of the replay fuzzer once)
for fb in "${FUZZ_BIN:-}" "${FUZZ_CLI_BIN:-}"; do
	[ $unit_only -eq 0 ] && [ -n "$fb" ] && [ ! -x "$fb" ] || continue
	case fuzz in *${E2E:-}*)
		echo "not ok - fuzz: $fb was not built (make fuzz-build says why)"
		fail=$((fail + 1))
		;;
	esac
done
if [ $unit_only -eq 0 ] && [ -n "${FUZZ_BIN:-}" ] && [ -x "$FUZZ_BIN" ]; then
	case fuzz in *${E2E:-}*)
		echo "# fuzz: $FUZZ_BIN for $fuzz_secs s"
		fdir=$(mktemp -d)
		if "$FUZZ_BIN" -max_total_time="$fuzz_secs" -max_len=65536 -timeout=10 -artifact_prefix=build/fuzz/ \
			"$fdir" tests/fuzz/corpus > "$log" 2>&1; then
			echo "ok - fuzz: the replay reader took $fuzz_secs s of fuzzing without a fault"
			pass=$((pass + 1))
		else
			tail -n 40 "$log" | sed 's/^/    /'
			echo "not ok - fuzz: the replay reader failed under libFuzzer (reproducer: build/fuzz/crash-*)"
			fail=$((fail + 1))
		fi
		rm -rf "$fdir"
		;;
	esac
fi
if [ $unit_only -eq 0 ] && [ -n "${FUZZ_CLI_BIN:-}" ] && [ -x "$FUZZ_CLI_BIN" ]; then
	case fuzz in *${E2E:-}*)
		echo "# fuzz: $FUZZ_CLI_BIN for 10 s"
		fdir=$(mktemp -d)
		if "$FUZZ_CLI_BIN" -max_total_time=10 -max_len=4096 -close_fd_mask=3 -timeout=10 -artifact_prefix=build/fuzz/ \
			"$fdir" tests/fuzz/cli_corpus > "$log" 2>&1; then
			echo "ok - fuzz: the command line took 10 s of fuzzing without a fault"
			pass=$((pass + 1))
		else
			tail -n 40 "$log" | sed 's/^/    /'
			echo "not ok - fuzz: the command line failed under libFuzzer (reproducer: build/fuzz/crash-*)"
			fail=$((fail + 1))
		fi
		rm -rf "$fdir"
		;;
	esac
fi

if [ $unit_only -eq 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "# e2e: skipped, they need root to load BPF programs"
		skip=$((skip + 1))
	else
		for suite in tests/e2e/*.bats; do
			[ -e "$suite" ] || continue
			case "$suite" in *${E2E:-}*) ;; *) continue ;; esac
			echo "# e2e: $suite"
			bats --tap "$suite" > "$log" 2>&1
			count
		done
	fi
fi

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
