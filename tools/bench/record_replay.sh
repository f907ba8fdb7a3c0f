#!/usr/bin/env bash
# Recording and replay costs, measured (needs root for the live part):
#  1. bytes per snapshot: plain NDJSON, gzip with a sync flush per snapshot
#     (what -o FILE.gz writes), and gzip -6 of the whole file (no flushes)
#  2. replay --json and --summary throughput over a synthetic recording of
#     N copies of a real whole-system snapshot (--top 1000)
#  3. --prom: size of the text file and the time to write it
#   tools/bench/record_replay.sh [N]
set -eu
cd "$(dirname "$0")/../.."
N=${1:-1000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
L=./latscope

echo "# 1. recording size (2 s at -i 0.1, whole system, syscalls)"
$L --probes syscalls -i 0.1 -d 2 -o "$T/p.json" > /dev/null &
$L --probes syscalls -i 0.1 -d 2 -o "$T/g.json.gz" > /dev/null
wait
np=$(wc -l < "$T/p.json"); ng=$(zcat "$T/g.json.gz" | wc -l)
gzip -6 -c "$T/p.json" > "$T/p6.gz"
awk -v a="$(stat -c %s "$T/p.json")" -v n="$np" -v b="$(stat -c %s "$T/g.json.gz")" -v m="$ng" \
    -v c="$(stat -c %s "$T/p6.gz")" 'BEGIN {
	printf "plain:            %8.0f bytes/snapshot\n", a / n
	printf "gzip, sync flush: %8.0f bytes/snapshot (%.1fx smaller)\n", b / m, (a / n) / (b / m)
	printf "gzip -6, one go:  %8.0f bytes/snapshot (%.1fx smaller)\n", c / n, a / c }'

echo "# 2. replay throughput ($N snapshots)"
$L --probes syscalls -i 0.5 -d 0.5 --json > "$T/one.json"
line=$(head -n1 "$T/one.json")
echo "snapshot: $(printf '%s' "$line" | wc -c) bytes, $(printf '%s' "$line" | jq '.syscalls | length') syscall rows"
# N copies, ts_ns one second apart (exact integers: rewrite the digits)
ts=$(printf '%s' "$line" | grep -o '"ts_ns":[0-9]*' | cut -d: -f2)
head -n1 "$T/one.json" | awk -v n="$N" -v ts="$ts" '{
	i0 = index($0, "\"ts_ns\":" ts); pre = substr($0, 1, i0 + 7); post = substr($0, i0 + 8 + length(ts))
	for (i = 0; i < n; i++) printf "%s%d%09d%s\n", pre, 1700000000 + i, 0, post }' > "$T/big.json"
gzip -c "$T/big.json" > "$T/big.json.gz"
for f in big.json big.json.gz; do
	for mode in --json --summary; do
		s=$(date +%s.%N)
		$L replay "$T/$f" $mode > /dev/null
		e=$(date +%s.%N)
		awk -v s="$s" -v e="$e" -v n="$N" -v f="$f" -v m="$mode" -v b="$(stat -c %s "$T/big.json")" \
			'BEGIN { printf "replay %-12s %-9s %6.2f s  %7.0f snapshots/s  %6.1f MB/s of JSON\n",
			f, m, e - s, n / (e - s), b / (e - s) / 1e6 }'
	done
done
/usr/bin/time -f "replay --summary peak RSS: %M KiB" $L replay "$T/big.json.gz" --summary > /dev/null

echo "# 3. --prom (whole system, 3 s at -i 0.5)"
$L --probes syscalls -i 0.5 -d 3 --prom "$T/x.prom" > /dev/null
echo "prom file: $(stat -c %s "$T/x.prom") bytes, $(grep -vc '^#' "$T/x.prom") samples"
if command -v promtool > /dev/null; then
	s=$(date +%s.%N); promtool check metrics < "$T/x.prom" > /dev/null; e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" 'BEGIN { printf "promtool check: %.2f s\n", e - s }'
fi
