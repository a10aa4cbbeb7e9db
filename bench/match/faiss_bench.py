#!/usr/bin/python3
"""FAISS binary indexes on the data bench/match wrote, for side-by-side figures.

Usage: faiss_bench.py DIR BITS RADIUS

Reads DIR/codes<BITS>.bin, DIR/queries<BITS>.bin (raw little-endian words as
bytes) and DIR/truth<BITS>.bin (exhaustive results of the first queries from
the Go run), then measures IndexBinaryFlat and IndexBinaryMultiHash range
search: build time, memory per code, time per query with 1 and 2 threads,
and recall against the exhaustive results.
"""
import os
import struct
import sys
import time

import faiss
import numpy as np


def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def timed(f):
    w0, c0 = time.perf_counter(), time.process_time()
    out = f()
    return out, time.perf_counter() - w0, time.process_time() - c0


def load_truth(path):
    truth = []
    with open(path, "rb") as f:
        data = f.read()
    off = 0
    while off < len(data):
        (n,) = struct.unpack_from("<I", data, off)
        off += 4
        truth.append(set(np.frombuffer(data, dtype="<u8", count=n, offset=off).tolist()))
        off += 8 * n
    return truth


def recall(lims, ids, truth):
    found = want = extra = 0
    for i, t in enumerate(truth):
        got = set(ids[lims[i]:lims[i + 1]].tolist())
        want += len(t)
        found += len(t & got)
        extra += len(got - t)
    return (found / want if want else 1.0), found, want, extra


def main():
    d, bits, r = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    nbytes = bits // 8
    codes = np.fromfile(os.path.join(d, f"codes{bits}.bin"), dtype=np.uint8).reshape(-1, nbytes)
    queries = np.fromfile(os.path.join(d, f"queries{bits}.bin"), dtype=np.uint8).reshape(-1, nbytes)
    truth = load_truth(os.path.join(d, f"truth{bits}.bin"))
    n, nq, nt = len(codes), len(queries), len(truth)
    print(f"\n## FAISS {faiss.__version__}, {bits}-bit codes, N={n}, r={r}")
    # FAISS binary range_search returns distances strictly below the radius.
    radius = r + 1

    faiss.omp_set_num_threads(2)
    m0 = rss()
    flat, wall, cpu = timed(lambda: (lambda ix: (ix.add(codes), ix)[1])(faiss.IndexBinaryFlat(bits)))
    print(f"IndexBinaryFlat build: {wall:.2f}s wall ({cpu:.2f}s CPU), bytes/code beyond the codes: {(rss() - m0 - codes.nbytes) / n:.1f} (RSS growth)")
    for t in (1, 2):
        faiss.omp_set_num_threads(t)
        (lims, _, ids), wall, cpu = timed(lambda: flat.range_search(queries[:nt], radius))
        rec, found, want, extra = recall(lims, ids, truth)
        print(f"threads={t}: IndexBinaryFlat range_search of {nt} queries: {1e6 * wall / nt:.1f} µs/query wall ({1e6 * cpu / nt:.1f} CPU), recall {rec:.4f} ({found} of {want}), extra {extra}")
    del flat

    # Multi-index hashing: nhash tables of b bits, each probed with up to
    # nflip flipped bits. Exact when nhash * (nflip + 1) > r (pigeonhole) and
    # nhash * b <= bits. The fastest exact settings we found at N = 3e5:
    # for 64 bits (3, 21, 2) beat (4, 16, 2) 25x; for 256 bits (12, 21, 2)
    # beat (16, 16, 1) 2x and used less memory (see bench/README.md).
    settings = {64: [(3, 21, 2)], 256: [(12, 21, 2)]}[bits]
    for nhash, b, nflip in settings:
        assert nhash * (nflip + 1) > r and nhash * b <= bits
        faiss.omp_set_num_threads(2)
        m0 = rss()

        def build():
            ix = faiss.IndexBinaryMultiHash(bits, nhash, b)
            ix.add(codes)
            return ix

        mh, wall, cpu = timed(build)
        mh.nflip = nflip
        print(f"IndexBinaryMultiHash(nhash={nhash}, b={b}, nflip={nflip}) build: {wall:.2f}s wall ({cpu:.2f}s CPU), bytes/code beyond the codes: {(rss() - m0 - codes.nbytes) / n:.1f} (RSS growth)")
        for t in (1, 2):
            faiss.omp_set_num_threads(t)
            (lims, _, ids), wall, cpu = timed(lambda: mh.range_search(queries[:nt], radius))
            rec, found, want, extra = recall(lims, ids, truth)
            print(f"threads={t}: IndexBinaryMultiHash range_search of {nt} queries in one call: {1e6 * wall / nt:.1f} µs/query wall ({1e6 * cpu / nt:.1f} CPU), recall {rec:.4f} ({found} of {want}), extra {extra}")
        faiss.omp_set_num_threads(1)
        k = min(200, nq)

        def singles():
            for i in range(k):
                mh.range_search(queries[i:i + 1], radius)

        _, wall, cpu = timed(singles)
        print(f"threads=1: IndexBinaryMultiHash {k} single-query calls: {1e6 * wall / k:.1f} µs/query wall ({1e6 * cpu / k:.1f} CPU)")
        del mh


if __name__ == "__main__":
    main()
