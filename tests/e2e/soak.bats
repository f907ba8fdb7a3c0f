#!/usr/bin/env bats
# The short soak (make soak runs the 30-minute one): latscope recording every
# family under thousands of threads coming and going stops cleanly, writes
# one valid snapshot per second, drops nothing and keeps its RSS flat.

load helpers

@test "soak (short): valid recording, no drops, flat RSS, clean stop" {
	# 40 s is short for caches (symbols of new binaries, sockets) to
	# settle: a looser bound than make soak's; a leak still breaks it
	SOAK_SECS=40 SOAK_PROCS=10 SOAK_THREADS=50 SOAK_CHURN=20 SOAK_RSS_GROWTH_PCT=30 \
		run bash "$ROOT/tools/soak.sh" "$BATS_TEST_TMPDIR/soak"
	echo "$output"
	[ "$status" -eq 0 ]
}
