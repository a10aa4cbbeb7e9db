#!/usr/bin/env bash
# bench/check.sh: throughput of `askfirst check` on 10,000 URLs over 50
# loopback origins (internal/cli BenchmarkCheck), measured side by side in
# one run: with the per-origin site-file cache, without it, and a baseline
# that only GETs each page through the same client. Prints URLs/s and the
# ratios. Usage: bench/check.sh [benchtime, default 3x]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(go test -run '^$' -bench '^BenchmarkCheck$' -benchtime "${1:-3x}" ./internal/cli)
echo "$out" | grep -E '^(goos|goarch|cpu|Benchmark)'
echo "$out" | awk '
/^BenchmarkCheck\// {
	split($1, p, "/"); name = p[2]; sub(/-[0-9]+$/, "", name)
	for (i = 2; i <= NF; i++) { if ($i == "URLs/s") ups[name] = $(i-1); if ($i == "requests/URL") rpu[name] = $(i-1) }
}
END {
	printf "\n%-10s %10s %14s\n", "variant", "URLs/s", "requests/URL"
	for (n in ups) printf "%-10s %10.0f %14.3f\n", n, ups[n], rpu[n]
	if (ups["uncached"] > 0) printf "\ncached / uncached throughput: %.2fx\n", ups["cached"] / ups["uncached"]
	if (ups["bare-get"] > 0) printf "cached check / bare GET throughput: %.2f\n", ups["cached"] / ups["bare-get"]
}'
