"""AX3/AX6 .cwa reader: reference decodes, streaming, time base, bad blocks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from backcare.errors import InputError
from backcare.wearable.cwa_writer import CwaWriter
from backcare.wearable.readers import open_recording
from backcare.wearable.readers.cwa import (
    BLOCK_DTYPE,
    HEADER_SIZE,
    decode_timestamps,
    encode_timestamp,
)

SKDH = "data/wearable/skdh"
# scikit-digital-health ignores the fractional second and stretches blocks to stay contiguous;
# this reader places each block by its fraction, so the two differ by about one to three samples.
TIME_TOLERANCE_S = 0.025


def _epoch(rec) -> np.ndarray:
    return rec.info.start.replace(tzinfo=UTC).timestamp() + rec.time


@pytest.mark.parametrize(("name", "npz"), [("ax3_sample.cwa", "ax3"), ("ax6_sample.cwa", "ax6")])
def test_matches_reference_decode(shared_dir: Path, name: str, npz: str) -> None:
    ref = np.load(shared_dir / SKDH / f"{npz}_data.npz")
    rec = open_recording(shared_dir / SKDH / name).read()
    assert len(rec) == ref["time"].size
    assert rec.info.fs_hz == pytest.approx(float(ref["fs"][0]))
    np.testing.assert_allclose(rec.accel, ref["accel"], atol=1e-6)
    np.testing.assert_allclose(rec.temperature, ref["temperature"], atol=1e-4)
    diff = _epoch(rec) - ref["time"]
    assert np.abs(diff).max() < TIME_TOLERANCE_S
    assert np.all(np.diff(rec.time) > 0)
    assert rec.info.issues == ()
    if "gyro" in ref.files:
        assert rec.gyro is not None
        np.testing.assert_allclose(rec.gyro, ref["gyro"], atol=1e-3)
        assert rec.info.device == "AX6"
    else:
        assert rec.gyro is None
        assert rec.info.device == "AX3"


def test_legacy_whole_second_time_matches_reference_start(shared_dir: Path) -> None:
    """The whole-second timestamp minus offset/rate is what the reference uses for block 0."""
    ref = np.load(shared_dir / SKDH / "ax3_data.npz")
    raw = (shared_dir / SKDH / "ax3_sample.cwa").read_bytes()
    block = np.frombuffer(raw, dtype=BLOCK_DTYPE, count=1, offset=HEADER_SIZE)
    secs, ok = decode_timestamps(block["timestamp"])
    assert ok.all()
    legacy = secs[0] - block["offset"][0] / 200.0
    assert legacy == pytest.approx(ref["time"][0], abs=1e-6)


def test_chunks_equal_whole_read(shared_dir: Path) -> None:
    src = open_recording(shared_dir / SKDH / "ax3_sample.cwa")
    whole = src.read()
    parts = list(src.chunks(max_samples=1000))
    assert all(len(p) <= 1000 for p in parts)
    assert len(parts) > 10
    np.testing.assert_array_equal(np.concatenate([p.time for p in parts]), whole.time)
    np.testing.assert_array_equal(np.concatenate([p.accel for p in parts]), whole.accel)


def test_timestamp_codec_roundtrip() -> None:
    when = datetime(2031, 12, 31, 23, 59, 58)
    secs, ok = decode_timestamps(np.array([encode_timestamp(when)], np.uint32))
    assert ok.all()
    assert int(secs[0]) == int(when.replace(tzinfo=UTC).timestamp())
    _, bad = decode_timestamps(np.array([encode_timestamp(when) | (13 << 22)], np.uint32))
    assert not bad.any()


def _write(path: Path, n: int, *, packed: bool = True, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    accel = rng.uniform(-7.9, 7.9, size=(n, 3))
    with CwaWriter(
        path, rate_hz=100, range_g=8, start=datetime(2024, 5, 6, 7, 8, 9), packed=packed
    ) as w:
        w.write(accel[: n // 3])
        w.write(accel[n // 3 :])
    return accel


@pytest.mark.parametrize("packed", [True, False])
def test_writer_roundtrip_within_quantisation(tmp_path: Path, packed: bool) -> None:
    path = tmp_path / "x.cwa"
    accel = _write(path, 1000, packed=packed)
    rec = open_recording(path).read()
    assert len(rec) == 1000
    step = np.where(np.abs(accel).max(axis=1) * 256 > 1023, 8, 4) / 256 if packed else 1 / 256
    err = np.abs(rec.accel - accel).max(axis=1)
    assert np.all(err <= np.broadcast_to(step, err.shape) / 2 + 1e-6)
    np.testing.assert_allclose(rec.time, np.arange(1000) / 100.0, atol=1e-4)
    assert rec.info.start == datetime(2024, 5, 6, 7, 8, 9)


def test_bad_checksum_block_is_skipped_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.cwa"
    _write(path, 1200)
    data = bytearray(path.read_bytes())
    data[HEADER_SIZE + 3 * 512 + 100] ^= 0xFF  # corrupt block 3's samples
    path.write_bytes(bytes(data))
    rec = open_recording(path).read()
    assert len(rec) == 1200 - 120
    assert len(rec.info.issues) == 1
    issue = rec.info.issues[0]
    assert "block 3" in issue.where
    assert "checksum" in issue.problem
    assert issue.start_s == pytest.approx(3 * 1.2, abs=1e-3)


def test_not_a_cwa_file(tmp_path: Path) -> None:
    path = tmp_path / "x.cwa"
    path.write_bytes(b"hello" * 400)
    with pytest.raises(InputError, match="not an Axivity CWA"):
        open_recording(path)
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        open_recording(path)


def _blocks(path: Path) -> tuple[bytearray, int]:
    data = bytearray(path.read_bytes())
    return data, (len(data) - HEADER_SIZE) // 512


def _set_block(data: bytearray, k: int, **fields: int) -> None:
    """Change fields of block ``k`` and fix its checksum (a block that is valid but odd)."""
    off = HEADER_SIZE + k * 512
    raw = bytearray(data[off : off + 512])
    block = np.frombuffer(raw, dtype=BLOCK_DTYPE)  # a writable view on the bytes
    for name, value in fields.items():
        block[name] = value
    words = np.frombuffer(bytes(raw), dtype="<u2")
    total = int(words[:255].astype(np.uint32).sum()) & 0xFFFF
    raw[510:512] = ((0x10000 - total) & 0xFFFF).to_bytes(2, "little")
    data[off : off + 512] = raw


def test_time_going_backwards_excludes_the_block(tmp_path: Path) -> None:
    path = tmp_path / "x.cwa"
    _write(path, 1200)
    data, _ = _blocks(path)
    block2 = np.frombuffer(bytes(data[HEADER_SIZE + 2 * 512 :][:512]), dtype=BLOCK_DTYPE)
    _set_block(data, 5, timestamp=int(block2["timestamp"][0]))  # block 5 claims block 2's time
    path.write_bytes(bytes(data))
    rec = open_recording(path).read()
    assert np.all(np.diff(rec.time) >= 0)
    assert len(rec) == 1200 - 120
    assert any("backwards" in i.problem and "block 5" in i.where for i in rec.info.issues)


def test_gap_is_reported_and_not_filled(tmp_path: Path) -> None:
    path = tmp_path / "x.cwa"
    _write(path, 1200)
    data, n = _blocks(path)
    for k in range(5, n):  # everything from block 5 on happens 60 s later
        block = np.frombuffer(bytes(data[HEADER_SIZE + k * 512 :][:512]), dtype=BLOCK_DTYPE)
        secs, _ = decode_timestamps(block["timestamp"])
        later = datetime.fromtimestamp(int(secs[0]) + 60, UTC).replace(tzinfo=None)
        _set_block(data, k, timestamp=encode_timestamp(later))
    path.write_bytes(bytes(data))
    rec = open_recording(path).read()
    assert len(rec) == 1200
    gap = [i for i in rec.info.issues if "gap" in i.problem]
    assert len(gap) == 1
    assert gap[0].end_s - gap[0].start_s == pytest.approx(60.0, abs=0.01)
    assert rec.time[600] - rec.time[599] == pytest.approx(60.01, abs=0.01)


def test_values_beyond_range_exclude_the_block(tmp_path: Path) -> None:
    path = tmp_path / "x.cwa"
    _write(path, 1200)
    data, _ = _blocks(path)
    off = HEADER_SIZE + 4 * 512 + 30
    data[off : off + 4] = ((3 << 30) | 511).to_bytes(4, "little")  # x = 511 * 8 / 256 = 15.97 g
    _set_block(data, 4)  # fix the checksum: a valid block holding an impossible value
    path.write_bytes(bytes(data))
    rec = open_recording(path).read()
    assert len(rec) == 1200 - 120
    assert np.abs(rec.accel).max() <= 8.0
    assert any("beyond the recorded range" in i.problem for i in rec.info.issues)


def test_truncated_file_and_erased_blocks(tmp_path: Path) -> None:
    path = tmp_path / "x.cwa"
    _write(path, 1440)
    data, _ = _blocks(path)
    data[HEADER_SIZE + 9 * 512 : HEADER_SIZE + 10 * 512] = b"\xff" * 512
    path.write_bytes(bytes(data[:-200]))  # block 9 erased; the file ends inside block 11
    rec = open_recording(path).read()
    assert len(rec) == 1440 - 120 - 120
    problems = " | ".join(i.problem for i in rec.info.issues)
    assert "ends inside a block" in problems
    assert "erased" in problems


def test_no_valid_block_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.cwa"
    _write(path, 240)
    data, _ = _blocks(path)
    for k in (0, 1):
        data[HEADER_SIZE + k * 512 + 40] ^= 0x55
    path.write_bytes(bytes(data))
    src = open_recording(path)
    with pytest.raises(InputError, match=r"x\.cwa.*no valid data block"):
        src.read()


def test_header_only_info_does_not_decode(tmp_path: Path) -> None:
    path = tmp_path / "x.cwa"
    _write(path, 1200)
    info = open_recording(path).info
    assert info.device == "AX3"
    assert info.fs_hz == 100.0
    assert info.range_g == 8.0
    assert info.extra["packing"] == "packed"
    assert info.extra["n_samples_max"] == 1200


def test_threaded_and_single_decoding_agree(tmp_path: Path) -> None:
    path = tmp_path / "x.cwa"
    _write(path, 5000)
    src = open_recording(path)
    one = np.concatenate([c.accel for c in src.chunks(max_samples=600, workers=0)])
    two = np.concatenate([c.accel for c in src.chunks(max_samples=600, workers=2)])
    np.testing.assert_array_equal(one, two)
