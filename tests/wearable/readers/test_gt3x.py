"""ActiGraph .gt3x reader.

No real .gt3x recording is available, so these tests build small archives following the
documented layout (info.txt plus a log.bin event stream: separator 0x1E, type, uint32 timestamp,
uint16 size, payload, one-byte checksum) with ACTIVITY2 (int16 triplets) and ACTIVITY3 (12-bit
packed) payloads, and check the decoding, gaps, damaged events and archive errors.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from backcare.errors import InputError
from backcare.wearable.readers import open_recording

TS0 = 1_700_000_000
RATE = 30


def _event(etype: int, ts: int, payload: bytes, *, corrupt: bool = False) -> bytes:
    header = struct.pack("<BBLH", 0x1E, etype, ts, len(payload))
    check = 0x1E ^ etype
    for b in struct.pack("<L", ts) + struct.pack("<L", len(payload)) + payload:
        check ^= b
    check = (~check) & 0xFF
    return header + payload + bytes([check ^ (0xFF if corrupt else 0)])


def _pack12(counts: np.ndarray) -> bytes:
    """Pack int12 values (x, y, z per sample) two at a time into three bytes."""
    values = (counts.reshape(-1).astype(np.int64) & 0xFFF).tolist()
    if len(values) % 2:
        values.append(0)
    out = bytearray()
    for a, b in zip(values[0::2], values[1::2], strict=True):
        out += bytes([a >> 4, ((a & 0xF) << 4) | (b >> 8), b & 0xFF])
    return bytes(out)


def _archive(path: Path, events: bytes, *, scale: str = "256.0", info: bool = True) -> Path:
    ticks = 621_355_968_000_000_000 + TS0 * 10_000_000
    text = (
        f"Serial Number: MOS2E12345678\nDevice Type: wGT3XBT\nFirmware: 1.9.2\n"
        f"Sample Rate: {RATE}\nStart Date: {ticks}\nStop Date: 0\nLast Sample Time: 0\n"
        f"Acceleration Scale: {scale}\nAcceleration Min: -8.0\nAcceleration Max: 8.0\n"
        "TimeZone: -05:00:00\n"
    )
    with zipfile.ZipFile(path, "w") as z:
        if info:
            z.writestr("info.txt", text)
        z.writestr("log.bin", events)
    return path


def _second(k: int) -> np.ndarray:
    base = np.zeros((RATE, 3), np.int64)
    base[:, 0] = np.arange(RATE) - 15
    base[:, 1] = k
    base[:, 2] = 256
    return base


def test_activity2_and_activity3_seconds(tmp_path: Path) -> None:
    events = b"".join(
        _event(26, TS0 + k, _second(k).astype("<i2").tobytes()) for k in range(3)
    ) + _event(27, TS0 + 3, _pack12(_second(3)))
    rec = open_recording(_archive(tmp_path / "a.gt3x", events)).read()
    assert len(rec) == 4 * RATE
    expected = np.concatenate([_second(k) for k in range(4)]) / 256.0
    np.testing.assert_allclose(rec.accel, expected, atol=1e-6)
    np.testing.assert_allclose(rec.time, np.arange(4 * RATE) / RATE)
    assert rec.info.device == "ActiGraph"
    assert rec.info.serial == "MOS2E12345678"
    assert rec.info.start.utcoffset().total_seconds() == -5 * 3600
    assert rec.info.issues == ()


def test_gaps_bad_checksums_and_backwards_seconds_are_reported(tmp_path: Path) -> None:
    events = (
        _event(26, TS0, _second(0).astype("<i2").tobytes())
        + _event(26, TS0 + 1, _second(1).astype("<i2").tobytes(), corrupt=True)
        + _event(26, TS0 + 5, _second(5).astype("<i2").tobytes())
        + _event(26, TS0 + 2, _second(2).astype("<i2").tobytes())
        + _event(26, TS0 + 6, _second(6).astype("<i2").tobytes())
    )
    rec = open_recording(_archive(tmp_path / "b.gt3x", events)).read()
    assert len(rec) == 3 * RATE
    assert np.all(np.diff(rec.time) > 0)
    problems = [i.problem for i in rec.info.issues]
    assert any("checksum" in p for p in problems)
    assert any("backwards" in p for p in problems)
    assert any(p.startswith("gap of 4 s") for p in problems)


def test_missing_scale_is_assumed_and_reported(tmp_path: Path) -> None:
    events = _event(26, TS0, _second(0).astype("<i2").tobytes())
    rec = open_recording(_archive(tmp_path / "c.gt3x", events, scale="0")).read()
    assert rec.accel[0, 2] == pytest.approx(256 / 341)
    assert "341" in rec.info.issues[0].problem


def test_archive_errors(tmp_path: Path) -> None:
    bad = tmp_path / "d.gt3x"
    bad.write_bytes(b"PK\x03\x04 but not really a zip")
    with pytest.raises(InputError, match="not a .gt3x"):
        open_recording(bad)
    no_info = _archive(tmp_path / "e.gt3x", b"", info=False)
    with pytest.raises(InputError, match=r"no info\.txt"):
        open_recording(no_info)
    truncated = _archive(
        tmp_path / "f.gt3x", _event(26, TS0, _second(0).astype("<i2").tobytes())[:-9]
    )
    rec_or_error: object
    try:
        rec_or_error = open_recording(truncated).read()
    except InputError as exc:
        rec_or_error = exc
    assert isinstance(rec_or_error, InputError)
