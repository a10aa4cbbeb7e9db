#!/usr/bin/env bash
# bench/iscc.sh: ISCC generator throughput, side by side in one run.
#
#   Instance-Code (BLAKE3) against b3sum --num-threads 1 on the same file
#   Data-Code, Text-Code per core (GOMAXPROCS=1)
#   askfirst id on a folder of small JPEGs, both cores against one job
#
# Usage: bench/iscc.sh            (1 GiB file, 32 MiB of text, 10,000 JPEGs)
# Environment: BENCH_DIR (default /tmp/askfirst-bench), SIZE_MB, TEXT_MB,
# NJPEG, RUNS (repetitions; the best is kept).
#
# Each figure is given twice: per wall-clock second and per CPU second
# (user + system) of the process. On a quiet machine they agree; on a
# shared one the CPU figure is the per-core throughput and the ratios are
# computed from it. Needs b3sum (Debian package b3sum).
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${BENCH_DIR:-/tmp/askfirst-bench}
SIZE_MB=${SIZE_MB:-1024}
TEXT_MB=${TEXT_MB:-32}
NJPEG=${NJPEG:-10000}
RUNS=${RUNS:-3}
mkdir -p "$DIR"
command -v b3sum >/dev/null || { echo "bench: b3sum not found (apt-get install b3sum)" >&2; exit 1; }

go build -o "$DIR/isccbench" ./bench/iscc
go build -o "$DIR/askfirst" ./cmd/askfirst

data="$DIR/random-${SIZE_MB}M.bin"
[ -f "$data" ] || head -c "${SIZE_MB}M" /dev/urandom > "$data"
text="$DIR/text-${TEXT_MB}M.txt"
[ -f "$text" ] || "$DIR/isccbench" gentext "$text" "$TEXT_MB"
jpegs="$DIR/jpegs-$NJPEG"
[ -d "$jpegs" ] || "$DIR/isccbench" genjpegs "$jpegs" "$NJPEG"
cat "$data" "$text" > /dev/null # page cache
cat "$jpegs"/* > /dev/null

# best WALL CPU: run "$@" RUNS times; print the smallest wall and CPU seconds.
best() {
	local bw="" bc="" t w u s c
	for _ in $(seq "$RUNS"); do
		t=$( { TIMEFORMAT='%R %U %S'; time "$@" > /dev/null 2>&1; } 2>&1 )
		read -r w u s <<< "$t"
		c=$(echo "$u + $s" | bc -l)
		if [ -z "$bw" ] || [ "$(echo "$w < $bw" | bc -l)" = 1 ]; then bw=$w; fi
		if [ -z "$bc" ] || [ "$(echo "$c < $bc" | bc -l)" = 1 ]; then bc=$c; fi
	done
	echo "$bw $bc"
}
mbs() { echo "scale=1; $1 / $2 / 1000000" | bc -l; }

bytes=$(stat -c %s "$data")
tbytes=$(stat -c %s "$text")
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(go env GOVERSION) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

read -r bw bc <<< "$(best b3sum --num-threads 1 "$data")"
read -r iw ic <<< "$(best env GOMAXPROCS=1 "$DIR/isccbench" instance "$data")"
read -r dw dc <<< "$(best env GOMAXPROCS=1 "$DIR/isccbench" data "$data")"
read -r tw tc <<< "$(best env GOMAXPROCS=1 "$DIR/isccbench" text "$text")"
read -r a2w a2c <<< "$(best "$DIR/askfirst" id --json "$jpegs")"
read -r a1w a1c <<< "$(best "$DIR/askfirst" id --json --jobs 1 "$jpegs")"

printf '%-34s %12s %12s  %s\n' "measure" "per wall s" "per CPU s" "note"
printf '%-34s %9s MB/s %7s MB/s  %s\n' "b3sum --num-threads 1 ($SIZE_MB MiB)" "$(mbs "$bytes" "$bw")" "$(mbs "$bytes" "$bc")" "reference"
printf '%-34s %9s MB/s %7s MB/s  %s\n' "Instance-Code, 1 core" "$(mbs "$bytes" "$iw")" "$(mbs "$bytes" "$ic")" \
	"ratio to b3sum $(echo "scale=2; $bc / $ic" | bc -l)x (target >= 0.8)"
printf '%-34s %9s MB/s %7s MB/s  %s\n' "Data-Code, 1 core" "$(mbs "$bytes" "$dw")" "$(mbs "$bytes" "$dc")" "target >= 1000 MB/s"
printf '%-34s %9s MB/s %7s MB/s  %s\n' "Text-Code, 1 core ($TEXT_MB MiB text)" "$(mbs "$tbytes" "$tw")" "$(mbs "$tbytes" "$tc")" "target >= 20 MB/s"
printf '%-34s %6s files/s %4s files/CPU-s  %s\n' "askfirst id, $NJPEG JPEGs, 2 jobs" "$(echo "scale=0; $NJPEG / $a2w" | bc -l)" "$(echo "scale=0; $NJPEG / $a2c" | bc -l)" \
	"speed-up over --jobs 1: $(echo "scale=2; $a1w / $a2w" | bc -l)x wall"
printf '%-34s %6s files/s %4s files/CPU-s\n' "askfirst id, $NJPEG JPEGs, 1 job" "$(echo "scale=0; $NJPEG / $a1w" | bc -l)" "$(echo "scale=0; $NJPEG / $a1c" | bc -l)"
