"""GENEActiv .bin reader: reference decode, calibration, damaged pages."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

import numpy as np
import pytest

from backcare.errors import InputError
from backcare.wearable.readers import open_recording
from backcare.wearable.readers.geneactiv import decode_hex_samples

SAMPLE = "data/wearable/skdh/gnactv_sample.bin"


def test_matches_reference_decode(shared_dir: Path) -> None:
    ref = np.load(shared_dir / "data/wearable/skdh/gnactv_data.npz")
    rec = open_recording(shared_dir / SAMPLE).read()
    assert rec.info.device == "GENEActiv"
    assert rec.info.placement == "back"
    assert rec.info.fs_hz == 50.0
    assert rec.info.start is not None
    assert rec.info.start.utcoffset() == timedelta(hours=-4)
    # the reference counts the page wall-clock time as if it were UTC
    wall = rec.info.start.replace(tzinfo=UTC).timestamp() + rec.time
    np.testing.assert_allclose(wall, ref["time"], atol=1e-6)
    np.testing.assert_allclose(rec.accel, ref["accel"], atol=1e-4)  # reference rounds to 1e-4 g
    np.testing.assert_allclose(rec.temperature, ref["temperature"], atol=1e-5)
    # page 1 starts 0.5 s after page 0's samples end: reported, not filled
    assert [i.problem for i in rec.info.issues] == ["gap of 0.500 s before this page"]


def test_hex_decoding_signs() -> None:
    raw, ok = decode_hex_samples(b"7FF800001000" + b"80000012G000")
    assert ok.tolist() == [True, False]
    assert raw[0].tolist() == [2047, -2048, 1]


def test_damaged_page_is_skipped_and_reported(shared_dir: Path, tmp_path: Path) -> None:
    text = (shared_dir / SAMPLE).read_bytes()
    lines = text.split(b"\n")
    data_lines = [i for i, line in enumerate(lines) if len(line) == 3600]
    broken = bytearray(lines[data_lines[1]])
    broken[100:104] = b"zzzz"
    lines[data_lines[1]] = bytes(broken)
    path = tmp_path / "x.bin"
    path.write_bytes(b"\n".join(lines))
    rec = open_recording(path).read()
    assert len(rec) == 600
    assert any("page 1" in i.where and "not hex" in i.problem for i in rec.info.issues)
    assert np.all(np.diff(rec.time) > 0)


def test_missing_calibration_is_an_error(shared_dir: Path, tmp_path: Path) -> None:
    text = (shared_dir / SAMPLE).read_bytes().replace(b"x gain:", b"x gane:")
    path = tmp_path / "x.bin"
    path.write_bytes(text)
    with pytest.raises(InputError, match="x gain"):
        open_recording(path)


def test_not_geneactiv(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"\x00\x01binary junk" * 50)
    with pytest.raises(InputError, match="unknown sensor file type|not a GENEActiv"):
        open_recording(path)
    with pytest.raises(InputError, match="not a GENEActiv"):
        open_recording(path, fmt="geneactiv")
