#!/bin/sh
# Runs the match benchmark and FAISS binary indexes on the same data, one run.
#
#   bench/match/run.sh            # N = 10^7, batches of 10^6 (about 40 minutes on 2 cores)
#   bench/match/run.sh -n 1000000 # quick run
#
# Flags are passed to the Go program (go run ./bench/match -h lists them).
# The Go program is built with GOAMD64=v3 (POPCNT, AVX2, BMI2).
# FAISS comes from Debian's python3-faiss, run with /usr/bin/python3.
set -eu
cd "$(dirname "$0")/../.."
dir=$(mktemp -d "${TMPDIR:-/tmp}/matchbench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
GOAMD64=v3 go build -o "$dir/matchbench" ./bench/match
echo "# built with GOAMD64=v3, $(go version)"
"$dir/matchbench" -dir "$dir" "$@"
for s in "64 8" "256 31"; do
	set -- $s
	if [ -f "$dir/codes$1.bin" ]; then
		/usr/bin/python3 bench/match/faiss_bench.py "$dir" "$1" "$2"
	fi
done
