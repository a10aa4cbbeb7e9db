#!/usr/bin/env bash
# bench/nearcopy.sh: recall of confirmed matches per edit, and false-match
# rates, on real photos and wallpapers shipped by Debian packages (see
# bench/nearcopy/main.go and bench/README.md, "near copies").
#
# Usage: bench/nearcopy.sh [-v]   (-v names every pair that matched and every copy not confirmed)
# Environment: BENCH_DIR (default /tmp/askfirst-bench), MAX (long side of
# the originals, default 1600), JOBS (default 2).
#
# The packages are downloaded with apt-get download and unpacked into
# BENCH_DIR (nothing is installed, nothing is committed): run
# `apt-get update` once first.
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${BENCH_DIR:-/tmp/askfirst-bench}/nearcopy
PACKAGES="mate-backgrounds plasma-workspace-wallpapers ukui-wallpapers python3-skimage"
mkdir -p "$DIR/debs" "$DIR/root"
(
	cd "$DIR/debs"
	for p in $PACKAGES; do
		ls "$p"_*.deb >/dev/null 2>&1 || apt-get download "$p"
	done
	for d in *.deb; do dpkg-deb -x "$d" "$DIR/root"; done
)
go build -o "$DIR/nearcopy" ./bench/nearcopy
"$DIR/nearcopy" -dir "$DIR/root" -max "${MAX:-1600}" -jobs "${JOBS:-2}" "$@"
