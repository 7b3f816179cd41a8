"""Streaming .cwa decoding against a simple per-block reader, on a simulated week.

1. **Simulate** a 7-day, 100 Hz, +-8 g AX3 file (packed samples, about 258 MB) into a temporary
   folder, or reuse one given with ``--file``: seconds and samples/s of the writer.
2. **Decode in chunks** with ``open_recording(path).chunks()`` (vectorised over blocks, the block
   table first, then the chunks) in the calling thread and with one and two decode-ahead
   threads: seconds, samples/s; best of ``--repeat`` (the consumer here does nothing, so the
   threads can only help where two cores are free).
3. **Memory**: the same decode in a fresh child process, reporting its peak RSS (``ru_maxrss``)
   and its RSS after the imports, and in this process the peak of Python/NumPy allocations
   (``tracemalloc``) while decoding.
4. **Baseline**: a straightforward reader (one ``struct.unpack`` and a small NumPy decode per
   block, checksum per block) on a prefix of the file, extrapolated to the whole file; the
   ratio baseline/streaming is printed.

Run: ``.venv/bin/python benchmarks/bench_readers.py [--days 7] [--file F.cwa] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from backcare.wearable.readers.cwa import CwaSource
from backcare.wearable.simulator import simulate_cwa

# VmHWM (the peak RSS of this process image) rather than ru_maxrss, which Linux carries over
# from the parent across fork and exec.
_CHILD = """
import json, sys, time
from backcare.wearable.readers import open_recording

def hwm_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0

base = hwm_kb()
t = time.perf_counter()
n = 0
with open_recording(sys.argv[1]) as src:
    for chunk in src.chunks(max_samples=int(sys.argv[2])):
        n += len(chunk)
seconds = time.perf_counter() - t
print(json.dumps({"n": n, "s": seconds, "base_kb": base, "peak_kb": hwm_kb()}))
"""


def decode(path: Path, chunk: int, workers: int | None) -> tuple[int, float]:
    t = time.perf_counter()
    n = 0
    with CwaSource(path) as src:
        for part in src.chunks(max_samples=chunk, workers=workers):
            n += len(part)
    return n, time.perf_counter() - t


def baseline(path: Path, n_blocks: int) -> tuple[int, float]:
    """A per-block loop: parse each 512-byte block on its own, as a simple reader would."""
    t = time.perf_counter()
    n = 0
    out_t: list[np.ndarray] = []
    out_a: list[np.ndarray] = []
    with path.open("rb") as fh:
        fh.seek(1024)
        for _ in range(n_blocks):
            block = fh.read(512)
            if len(block) < 512:
                break
            if sum(struct.unpack("<256H", block)) & 0xFFFF:
                continue
            frac, _, _, stamp = struct.unpack_from("<HIII", block, 4)
            rate, _, offset, count = struct.unpack_from("<BBhH", block, 24)
            fs = 3200.0 / (1 << (15 - (rate & 15)))
            words = np.frombuffer(block, dtype="<u4", count=count, offset=30)
            exp = words >> 30
            xyz = (
                np.stack(
                    [
                        ((words << np.uint32(s)) & np.uint32(0xFFC00000)).view(np.int32)
                        for s in (22, 12, 2)
                    ],
                    axis=1,
                )
                >> (22 - exp.astype(np.int32))[:, None]
            )
            out_a.append(xyz.astype(np.float32) / 256)
            t0 = stamp + (frac & 0x7FFF) * 2 / 65536 - offset / fs
            out_t.append(t0 + np.arange(count) / fs)
            n += count
            if len(out_a) >= 8000:  # hand over like a chunk would
                out_a.clear()
                out_t.clear()
    return n, time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--file", type=Path, default=None, help="reuse this .cwa file")
    parser.add_argument("--chunk", type=int, default=1 << 19, help="samples per chunk")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-blocks", type=int, default=20_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.file
        if path is None:
            path = Path(tmp) / "week.cwa"
            t = time.perf_counter()
            result = simulate_cwa(path, days=args.days, rate_hz=args.rate, seed=1)
            took = time.perf_counter() - t
            print(
                f"simulate: {args.days:g} d at {args.rate:g} Hz -> {result.n_samples:,} samples, "
                f"{path.stat().st_size / 1e6:.1f} MB in {took:.2f} s "
                f"({result.n_samples / took / 1e6:.1f} M samples/s, truth included)"
            )
        size = path.stat().st_size
        n_blocks_file = (size - 1024) // 512

        best = {0: float("inf"), 1: float("inf"), 2: float("inf")}
        n = 0
        for _ in range(args.repeat):
            for workers in best:
                n, s = decode(path, args.chunk, workers)
                best[workers] = min(best[workers], s)
        for workers, s in best.items():
            how = "in the calling thread" if workers == 0 else f"{workers} decode-ahead thread(s)"
            print(
                f"decode in chunks ({how}): {n:,} samples in {s:.3f} s = "
                f"{n / s / 1e6:.1f} M samples/s ({size / s / 1e6:.0f} MB/s)"
            )

        child = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path), str(args.chunk)],
            capture_output=True,
            text=True,
            check=True,
        )
        doc = json.loads(child.stdout)
        print(
            f"child process: peak RSS {doc['peak_kb'] / 1024:.0f} MB "
            f"(after imports {doc['base_kb'] / 1024:.0f} MB; decode {doc['s']:.3f} s)"
        )
        tracemalloc.start()
        decode(path, args.chunk, None)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"tracemalloc peak while decoding: {peak / 1e6:.0f} MB (chunk {args.chunk:,})")

        prefix = min(args.baseline_blocks, n_blocks_file)
        bn, bs = baseline(path, prefix)
        full = bs * n_blocks_file / max(1, prefix)
        print(
            f"baseline per-block loop: {bn:,} samples in {bs:.3f} s "
            f"-> {full:.1f} s extrapolated to the file ({bn / bs / 1e6:.2f} M samples/s)"
        )
        fastest = min(best.values())
        print(f"ratio baseline / streaming: {full / fastest:.0f}x")
        print(f"process peak RSS (everything above): {_rss_mb():.0f} MB")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
