#!/bin/sh
# Load benchmark of the askfirst registry (askfirst serve) on SQLite and
# PostgreSQL, side by side in one run. See bench/README.md, "registry".
#
# Prerequisites: Go, wrk (Debian: apt-get install wrk), and for PostgreSQL
# a server URL in ASKFIRST_BENCH_POSTGRES whose user may CREATE DATABASE
# (a fresh database is created and dropped); without it PostgreSQL is
# skipped with a message.
#
#   bench/registry/run.sh                         # 100,000 works, 30 s wrk runs
#   bench/registry/run.sh -n 20000 -d 10s -c 8    # quick
#   bench/registry/run.sh -profile /tmp/prof      # CPU profile of each phase
#
# Every flag is passed to the program: bench/registry/run.sh -h lists them.
set -eu
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null 2>&1 || { echo "run.sh: wrk not found: apt-get install wrk" >&2; exit 1; }
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/registry-bench" ./bench/registry
echo "# $(go env GOVERSION), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin/registry-bench" -script bench/registry/replay.lua "$@"
