"""Upload intake: streaming a multipart upload to disk against a plain copy of the same bytes.

1. A simulated AX3 ``.cwa`` recording of ``--hours`` (default 24) at ``--rate`` Hz (default 100)
   is written into a temporary folder.
2. **Baseline**: the file is copied in 64 KiB chunks into a new file while hashing it (SHA-256):
   the least work any upload has to do.
3. **Intake**: the same bytes, wrapped in a ``multipart/form-data`` body with a CSRF field, go
   through :func:`backcare.web.intake.receive_upload` on a bare ASGI app, fed in 64 KiB chunks
   as a server would: streaming multipart parsing, signature check, size limit, hashing, the
   write and the header probe of the wearable reader.
4. **Over the limit**: the same upload with a limit of half its size: how quickly it is refused
   (413) and that no file is left behind.

Printed: MiB/s of each, the intake's time relative to the baseline, the probe's share, and the
peak memory Python allocated during the intake (tracemalloc) next to the file size: memory must
stay far below the file size (nothing is held in memory beyond a chunk).

Run: ``.venv/bin/python benchmarks/bench_uploads.py [--hours 24] [--rate 100] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.requests import Request

from backcare.wearable.simulator import simulate_cwa
from backcare.web.intake import UploadError, probe, receive_upload

CHUNK = 64 * 1024
TOKEN = "benchmark-token-" + "x" * 32
BOUNDARY = "----backcarebenchmark"


def baseline(src: Path, dest: Path) -> float:
    t0 = time.perf_counter()
    digest = hashlib.sha256()
    with src.open("rb") as fin, dest.open("wb") as fout:
        while chunk := fin.read(CHUNK):
            digest.update(chunk)
            fout.write(chunk)
    return time.perf_counter() - t0


def body_chunks(src: Path) -> Iterator[bytes]:
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{TOKEN}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="thigh_file"; '
        f'filename="{src.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    with src.open("rb") as fin:
        while chunk := fin.read(CHUNK):
            yield chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


async def intake(src: Path, dest: Path, limit: int) -> tuple[float, int | None]:
    chunks = body_chunks(src)

    async def receive() -> dict[str, Any]:
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/uploads",
        "headers": [(b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())],
    }
    request = Request(scope, receive)
    limits = {"wearable": limit, "video": limit, "image": limit}
    t0 = time.perf_counter()
    try:
        await receive_upload(request, dest, limits, csrf_token=TOKEN)
    except UploadError as exc:
        return time.perf_counter() - t0, exc.status_code
    return time.perf_counter() - t0, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src = folder / "recording.cwa"
        simulate_cwa(src, days=args.hours / 24, rate_hz=args.rate, start=datetime(2024, 1, 1, 8, 0))
        size = src.stat().st_size
        mib = size / (1 << 20)
        print(f"file: simulated AX3 .cwa, {args.hours:g} h at {args.rate:g} Hz, {mib:.1f} MiB")
        base_times, intake_times, peaks = [], [], []
        for i in range(args.repeat):
            base_times.append(baseline(src, folder / f"copy{i}.cwa"))
            (folder / f"copy{i}.cwa").unlink()
            dest = folder / f"in{i}"
            tracemalloc.start()
            elapsed, status = asyncio.run(intake(src, dest, limit=2 * size))
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
            assert status is None, status
            intake_times.append(elapsed)
            for f in dest.iterdir():
                f.unlink()
        t0 = time.perf_counter()
        probe(src, "wearable", where=src.name)
        probe_s = time.perf_counter() - t0
        refused_s, status = asyncio.run(intake(src, folder / "refused", limit=size // 2))
        left = list((folder / "refused").iterdir())
        b, t = min(base_times), min(intake_times)
        print(f"baseline copy + SHA-256: {b * 1000:8.1f} ms  {mib / b:8.1f} MiB/s")
        print(
            f"streamed intake:         {t * 1000:8.1f} ms  {mib / t:8.1f} MiB/s  "
            f"({t / b:.2f} x baseline; header probe {probe_s * 1000:.1f} ms of it)"
        )
        print(
            f"peak Python memory during intake: {min(peaks) / (1 << 20):.2f} MiB "
            f"({min(peaks) / size:.2%} of the file; first run, with imports: "
            f"{peaks[0] / (1 << 20):.2f} MiB)"
        )
        print(
            f"over the limit (half the file): refused with {status} after "
            f"{refused_s * 1000:.1f} ms; files left behind: {len(left)}"
        )
        print(f"(best of {args.repeat}; load average {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
