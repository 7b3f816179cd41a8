"""Damaged files: random byte flips and truncations of real and simulated files.

Every reader must either raise InputError (naming the file) or return a Recording whose time is
finite and non-decreasing and whose values are finite; for .cwa files a flip inside a data block
must show up as an issue (the block checksum catches it). Example counts are kept small.
"""

from __future__ import annotations

import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backcare.errors import InputError
from backcare.wearable.cwa_writer import CwaWriter
from backcare.wearable.readers import open_recording
from backcare.wearable.readers.cwa import HEADER_SIZE
from backcare.wearable.recording import Recording

SKDH = "data/wearable/skdh"
FUZZ = settings(
    max_examples=25,
    deadline=timedelta(seconds=20),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

flips = st.lists(
    st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), min_size=1, max_size=6
)
cuts = st.one_of(st.none(), st.floats(0, 1))


def _mutate(data: bytes, changes: list[tuple[float, int]], cut: float | None) -> bytes:
    out = bytearray(data)
    for where, xor in changes:
        out[int(where * len(out))] ^= xor
    if cut is not None:
        out = out[: int(cut * len(out))]
    return bytes(out)


def _hit_data_block(original: bytes, mutated: bytes) -> bool:
    """Whether a byte of a complete data block changed (the checksum must catch it)."""
    full_end = HEADER_SIZE + max(0, len(mutated) - HEADER_SIZE) // 512 * 512
    a = np.frombuffer(original[:full_end], np.uint8)
    b = np.frombuffer(mutated[:full_end], np.uint8)
    changed = np.flatnonzero(a != b)
    return bool((changed >= HEADER_SIZE).any())


def _read(path: Path, **kw: str) -> Recording | InputError:
    try:
        return open_recording(path, **kw).read()
    except InputError as exc:
        return exc


def _check(rec: Recording | InputError, range_g: float | None = None) -> None:
    if isinstance(rec, InputError):  # the message names the file or the option
        assert rec.where is not None
        return

    assert len(rec.time) == len(rec.accel) > 0
    assert np.isfinite(rec.time).all()
    assert np.all(np.diff(rec.time) >= 0)
    assert np.isfinite(rec.accel).all()
    if range_g is not None:
        assert np.abs(rec.accel).max() <= range_g + 0.04


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("sim") / "s.cwa"
    rng = np.random.default_rng(1)
    with CwaWriter(path, rate_hz=50, range_g=4, start=datetime(2024, 1, 2, 3, 4, 5)) as w:
        w.write(rng.uniform(-3.9, 3.9, size=(3000, 3)))
    return path.read_bytes()


@pytest.mark.parametrize("name", ["ax3_sample.cwa", "ax6_sample.cwa"])
@FUZZ
@given(changes=flips, cut=cuts)
def test_fuzz_real_cwa(
    shared_dir: Path, tmp_path: Path, name: str, changes: list[tuple[float, int]], cut: float | None
) -> None:
    data = (shared_dir / SKDH / name).read_bytes()
    path = tmp_path / name
    mutated = _mutate(data, changes, cut)
    path.write_bytes(mutated)
    rec = _read(path)
    _check(rec, range_g=16.0)
    if isinstance(rec, Recording) and _hit_data_block(data, mutated):
        assert rec.info.issues


@FUZZ
@given(changes=flips, cut=cuts)
def test_fuzz_simulated_cwa(
    simulated: bytes, tmp_path: Path, changes: list[tuple[float, int]], cut: float | None
) -> None:
    path = tmp_path / "s.cwa"
    mutated = _mutate(simulated, changes, cut)
    path.write_bytes(mutated)
    rec = _read(path)
    _check(rec, range_g=4.0)
    if isinstance(rec, Recording) and _hit_data_block(simulated, mutated):
        assert rec.info.issues


@FUZZ
@given(changes=flips, cut=cuts)
def test_fuzz_geneactiv(
    shared_dir: Path, tmp_path: Path, changes: list[tuple[float, int]], cut: float | None
) -> None:
    path = tmp_path / "g.bin"
    path.write_bytes(_mutate((shared_dir / SKDH / "gnactv_sample.bin").read_bytes(), changes, cut))
    _check(_read(path))


@settings(FUZZ, max_examples=8)
@given(changes=flips, cut=cuts)
def test_fuzz_apdm(
    shared_dir: Path, tmp_path: Path, changes: list[tuple[float, int]], cut: float | None
) -> None:
    path = tmp_path / "a.h5"
    path.write_bytes(_mutate((shared_dir / SKDH / "apdm_sample.h5").read_bytes(), changes, cut))
    _check(_read(path, sensor="Lumbar"))


def _gt3x_bytes(tmp: Path) -> bytes:
    events = b""
    for k in range(20):
        payload = np.tile([k, -k, 256], (30, 1)).astype("<i2").tobytes()
        header = bytes([0x1E, 26]) + (1_700_000_000 + k).to_bytes(4, "little")
        header += len(payload).to_bytes(2, "little")
        check = 0
        for b in header[:6] + len(payload).to_bytes(4, "little") + payload:
            check ^= b
        events += header + payload + bytes([(~check) & 0xFF])
    info = (
        "Serial Number: X1\nSample Rate: 30\nStart Date: 638356032000000000\n"
        "Acceleration Scale: 256.0\nAcceleration Max: 8.0\n"
    )
    path = tmp / "g.gt3x"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("info.txt", info)
        z.writestr("log.bin", events)
    return path.read_bytes()


@FUZZ
@given(changes=flips, cut=cuts)
def test_fuzz_gt3x(tmp_path: Path, changes: list[tuple[float, int]], cut: float | None) -> None:
    data = _gt3x_bytes(tmp_path)
    path = tmp_path / "f.gt3x"
    path.write_bytes(_mutate(data, changes, cut))
    _check(_read(path))


@FUZZ
@given(changes=flips, cut=cuts)
def test_fuzz_csv(tmp_path: Path, changes: list[tuple[float, int]], cut: float | None) -> None:
    t = np.arange(300) / 25
    rows = "\n".join(f"{x:.3f},{0.01 * (k % 7):.3f},0.02,1.0" for k, x in enumerate(t))
    data = ("time,x,y,z\n" + rows + "\n").encode()
    path = tmp_path / "f.csv"
    path.write_bytes(_mutate(data, changes, cut))
    _check(_read(path))
