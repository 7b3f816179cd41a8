"""Resources bounded by the bytes a file really holds.

Each test reproduces a hostile input (built here, small): an archive member that expands a
thousand times, a CSV header hundreds of kilobytes wide, time stamps that jump by weeks, a
dataset that declares more samples than the file stores. Each must be refused quickly with an
InputError naming the problem, while ordinary gaps stay readable.
"""

from __future__ import annotations

import resource
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import h5py
import numpy as np
import pytest

from backcare.errors import InputError
from backcare.wearable.cwa_writer import CwaWriter
from backcare.wearable.readers import open_recording
from backcare.wearable.readers.csv import MAX_COLUMNS
from backcare.wearable.readers.cwa import (
    BLOCK_DTYPE,
    HEADER_SIZE,
    decode_timestamps,
    encode_timestamp,
)
from tests.wearable.readers.test_cwa import _set_block
from tests.wearable.readers.test_gt3x import RATE, TS0, _event, _second

MIB = 1 << 20


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _log(seconds: int = 5) -> bytes:
    return b"".join(_event(26, TS0 + k, _second(k).astype("<i2").tobytes()) for k in range(seconds))


def _gt3x(path: Path, members: dict[str, bytes | tuple[int, bytes]]) -> Path:
    """An archive with ``members``; ``(n, fill)`` streams ``n`` bytes of ``fill`` compressed."""
    ticks = 621_355_968_000_000_000 + TS0 * 10_000_000
    info = (
        f"Serial Number: MOS2E1\nDevice Type: wGT3XBT\nSample Rate: {RATE}\n"
        f"Start Date: {ticks}\nAcceleration Scale: 256.0\n"
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, content in {"info.txt": info, "log.bin": _log(), **members}.items():
            if isinstance(content, bytes):
                z.writestr(name, content)
                continue
            n, fill = content
            block = fill * (MIB // len(fill))
            with z.open(name, "w", force_zip64=True) as fh:
                for _ in range(n // MIB):
                    fh.write(block)
    return path


@pytest.mark.parametrize("member", ["info.txt", "calibration.json"])
def test_gt3x_text_member_bomb_is_refused_unread(tmp_path: Path, member: str) -> None:
    # 48 MiB of spaces compress to about 50 KB; the reader used to read (and parse) them whole
    path = _gt3x(tmp_path / "bomb.gt3x", {member: (48 * MIB, b" ")})
    assert path.stat().st_size < 200_000
    before = _rss_mib()
    with pytest.raises(InputError, match=f"{member} claims 50,331,648 bytes"):
        open_recording(path)
    assert _rss_mib() - before < 20


def test_gt3x_log_of_zeros_is_refused_by_its_ratio(tmp_path: Path) -> None:
    # log.bin of zeros: millions of empty events the decoder used to walk one at a time
    path = _gt3x(tmp_path / "zeros.gt3x", {"log.bin": (64 * MIB, b"\0")})
    with pytest.raises(InputError, match=r"log\.bin expands [\d,]+ times"):
        open_recording(path)


def test_gt3x_ordinary_archive_still_reads(tmp_path: Path) -> None:
    rec = open_recording(_gt3x(tmp_path / "ok.gt3x", {"calibration.json": b"{}"})).read()
    assert len(rec) == 5 * RATE


def test_csv_wide_header_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    header = "time,x,y,z," + ",".join(f"c{i}" for i in range(200_000))
    path.write_text(header + "\n0,0,0,1\n")
    with pytest.raises(InputError, match="header"):
        open_recording(path)
    narrow = ",".join(f"c{i}" for i in range(MAX_COLUMNS + 1)).replace("c0,c1,c2,c3", "time,x,y,z")
    path.write_text(narrow + "\n0,0,0,1\n")
    with pytest.raises(InputError, match=f"{MAX_COLUMNS + 1} columns"):
        open_recording(path)


def _csv(path: Path, jump_s: float, n: int = 4000, at: int = 2000) -> Path:
    rng = np.random.default_rng(0)
    t = 1_700_000_000 + np.arange(n) / 50.0
    t[at:] += jump_s
    a = rng.normal(0, 0.02, (n, 3))
    a[:, 2] += 1
    rows = "\n".join(
        f"{ti:.2f},{x:.3f},{y:.3f},{z:.3f}" for ti, (x, y, z) in zip(t, a, strict=True)
    )
    path.write_text("time,x,y,z\n" + rows + "\n")
    return path


@pytest.mark.parametrize("days", [11.6, 116.0])
def test_csv_time_jump_is_an_error_naming_jump_and_place(tmp_path: Path, days: float) -> None:
    path = _csv(tmp_path / "jump.csv", days * 86_400)
    with pytest.raises(InputError, match=rf"jump by {days:.1f} days at sample 2,001") as err:
        open_recording(path).read()
    assert err.value.where == str(path)


def test_csv_ordinary_gap_stays_a_reported_gap(tmp_path: Path) -> None:
    rec = open_recording(_csv(tmp_path / "lunch.csv", 3600.0)).read()
    assert len(rec) == 4000
    assert any("gap of 3600" in i.problem for i in rec.info.issues)


def _cwa_with_last_block_moved(path: Path, seconds: int) -> Path:
    rng = np.random.default_rng(0)
    accel = rng.normal(0, 0.05, (100 * 120, 3))
    accel[:, 0] += 1
    with CwaWriter(path, rate_hz=100, range_g=8, start=datetime(2024, 5, 6, 7, 8, 9)) as w:
        w.write(accel)
    data = bytearray(path.read_bytes())
    k = (len(data) - HEADER_SIZE) // 512 - 1
    block = np.frombuffer(bytes(data[HEADER_SIZE + k * 512 :][:512]), dtype=BLOCK_DTYPE)
    secs, _ = decode_timestamps(block["timestamp"])
    later = datetime.fromtimestamp(int(secs[0]) + seconds, UTC).replace(tzinfo=None)
    _set_block(data, k, timestamp=encode_timestamp(later))
    path.write_bytes(bytes(data))
    return path


def test_cwa_last_block_moved_a_month_is_an_error(tmp_path: Path) -> None:
    path = _cwa_with_last_block_moved(tmp_path / "moved.cwa", 30 * 86_400)
    with pytest.raises(InputError, match=r"jump by 30\.0 days at sample 11,881"):
        open_recording(path).read()
    # an overnight break is a gap, not an error
    rec = open_recording(_cwa_with_last_block_moved(tmp_path / "night.cwa", 12 * 3600)).read()
    assert rec.time[-1] > 12 * 3600


def test_geneactiv_page_moved_a_month_is_an_error(shared_dir: Path, tmp_path: Path) -> None:
    lines = (shared_dir / "data/wearable/skdh/gnactv_sample.bin").read_bytes().split(b"\n")
    page_times = [i for i, line in enumerate(lines) if line.startswith(b"Page Time:")]
    last = page_times[-1]
    stamp = lines[last].split(b":", 1)[1].strip().decode()
    moved = datetime.strptime(stamp[:19], "%Y-%m-%d %H:%M:%S").replace(year=2031)
    lines[last] = b"Page Time:" + moved.strftime("%Y-%m-%d %H:%M:%S").encode() + stamp[19:].encode()
    path = tmp_path / "moved.bin"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError, match="jump by"):
        open_recording(path).read()


def test_apdm_dataset_declaring_more_than_stored_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.h5"
    with h5py.File(path, "w") as f:
        group = f.create_group("Sensors").create_group("1234")
        group.create_dataset("Time", shape=(10**9,), dtype="<u8", chunks=(4096,))
        group.create_dataset("Accelerometer", shape=(10**9, 3), dtype="<f8", chunks=(4096, 3))
        conf = group.create_group("Configuration")
        conf.attrs["Label 0"] = b"Lumbar"
        conf.attrs["Sample Rate"] = 128
    assert path.stat().st_size < MIB
    with pytest.raises(InputError, match=r"declares 1,000,000,000 samples"):
        open_recording(path)


def test_apdm_values_beyond_float32_are_excluded_not_infinite(tmp_path: Path) -> None:
    # found by the fuzzer: one flipped exponent bit made a value of 1e300 m/s^2, stored as inf
    path = tmp_path / "big.h5"
    n = 256
    accel = np.zeros((n, 3))
    accel[:, 2] = 9.81
    accel[100, 0] = 1e300
    with h5py.File(path, "w") as f:
        group = f.create_group("Sensors").create_group("1234")
        group.create_dataset("Time", data=1_700_000_000_000_000 + np.arange(n, dtype="<u8") * 7812)
        group.create_dataset("Accelerometer", data=accel)
        conf = group.create_group("Configuration")
        conf.attrs["Label 0"] = b"Lumbar"
        conf.attrs["Sample Rate"] = 128
    rec = open_recording(path).read()
    assert len(rec) == n - 1
    assert np.isfinite(rec.accel).all()
    assert any("not finite" in i.problem for i in rec.info.issues)
