"""The fuzz corpus: small seed files of every sensor format, built the same way every time.

Seeds are written by this project's own writers (the .cwa writer, small CSV, .gt3x and APDM
builders) plus the hostile inputs of the hardening work (a time jump, a wide header, an archive
member that expands a thousand times, a block moved by a month). Where ``../shared`` is present,
the first pages of the real GENEActiv file and the real AX3/APDM files join as seeds.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import h5py
import numpy as np

from backcare.wearable.cwa_writer import CwaWriter
from tests.wearable.readers.test_gt3x import RATE, TS0, _event, _second

__all__ = ["FORMATS", "seeds"]

FORMATS = ("cwa", "csv", "gt3x", "apdm", "geneactiv")
SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "wearable" / "skdh"


def _cwa(tmp: Path, n: int = 600, moved_s: int = 0) -> bytes:
    rng = np.random.default_rng(n)
    accel = rng.normal(0, 0.1, (n, 3))
    accel[:, 0] += 1
    path = tmp / f"seed-{n}-{moved_s}.cwa"
    with CwaWriter(path, rate_hz=100, range_g=8, start=datetime(2024, 5, 6, 7, 8, 9)) as w:
        w.write(accel)
    data = path.read_bytes()
    if moved_s:
        from tests.wearable.readers.test_bounds import _cwa_with_last_block_moved

        data = _cwa_with_last_block_moved(tmp / "moved.cwa", moved_s).read_bytes()
    return data


def _csv(rows: int = 200, jump_s: float = 0.0) -> bytes:
    t = 1_700_000_000 + np.arange(rows) / 50.0
    t[rows // 2 :] += jump_s
    lines = [f"{ti:.2f},{0.01 * (i % 7):.2f},0.02,0.99" for i, ti in enumerate(t)]
    return ("time,x,y,z\n" + "\n".join(lines) + "\n").encode()


def _gt3x(extra: dict[str, bytes] | None = None) -> bytes:
    ticks = 621_355_968_000_000_000 + TS0 * 10_000_000
    info = (
        f"Serial Number: MOS2E1\nDevice Type: wGT3XBT\nSample Rate: {RATE}\n"
        f"Start Date: {ticks}\nAcceleration Scale: 256.0\n"
    ).encode()
    log = b"".join(_event(26, TS0 + k, _second(k).astype("<i2").tobytes()) for k in range(4))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("info.txt", info)
        z.writestr("log.bin", log)
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return buf.getvalue()


def _apdm(tmp: Path) -> bytes:
    path = tmp / "seed.h5"
    n = 256
    with h5py.File(path, "w") as f:
        group = f.create_group("Sensors").create_group("1234")
        group.create_dataset("Time", data=1_700_000_000_000_000 + np.arange(n, dtype="<u8") * 7812)
        accel = np.zeros((n, 3))
        accel[:, 2] = 9.81
        group.create_dataset("Accelerometer", data=accel)
        conf = group.create_group("Configuration")
        conf.attrs["Label 0"] = b"Lumbar"
        conf.attrs["Sample Rate"] = 128
    return path.read_bytes()


def _geneactiv_pages(pages: int = 3) -> bytes | None:
    real = SHARED / "gnactv_sample.bin"
    if not real.is_file():
        return None
    lines = real.read_bytes().split(b"\n")
    starts = [i for i, line in enumerate(lines) if line.startswith(b"Recorded Data")]
    if len(starts) <= pages:
        return real.read_bytes()
    return b"\n".join(lines[: starts[pages]]) + b"\n"


def seeds(fmt: str, tmp: Path) -> dict[str, bytes]:
    """Seed files of ``fmt`` by name (the suffix selects the reader)."""
    if fmt == "cwa":
        out = {"small.cwa": _cwa(tmp), "moved.cwa": _cwa(tmp, 1200, 30 * 86_400)}
        if (SHARED / "ax3_sample.cwa").is_file():
            out["ax3_head.cwa"] = (SHARED / "ax3_sample.cwa").read_bytes()[: 1024 + 40 * 512]
        return out
    if fmt == "csv":
        wide = ("time,x,y,z," + ",".join(f"c{i}" for i in range(3000)) + "\n1,0,0,1\n").encode()
        return {"small.csv": _csv(), "jump.csv": _csv(jump_s=11.6 * 86_400), "wide.csv": wide}
    if fmt == "gt3x":
        bomb = _gt3x({"calibration.json": b" " * (4 << 20)})
        return {"small.gt3x": _gt3x(), "bomb.gt3x": bomb}
    if fmt == "apdm":
        return {"small.h5": _apdm(tmp)}
    if fmt == "geneactiv":
        pages = _geneactiv_pages()
        return {"pages.bin": pages} if pages is not None else {}
    raise ValueError(fmt)
