"""CSV reader: units declared or detected, time as seconds or ISO, bad rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backcare.errors import InputError
from backcare.wearable.readers import open_recording
from backcare.wearable.readers.apdm import STANDARD_GRAVITY

RATE = 50.0


def _accel(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = np.zeros((n, 3))
    a[:, 0] = -1.0
    return a + rng.normal(0, 0.05, (n, 3))


def _write(path: Path, accel: np.ndarray, time: object, **extra: object) -> Path:
    frame = pd.DataFrame({"time": time, "x": accel[:, 0], "y": accel[:, 1], "z": accel[:, 2]})
    for key, value in extra.items():
        frame[key] = value
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("factor", "units"), [(1.0, "g"), (STANDARD_GRAVITY, "m/s2")])
def test_units_detected(tmp_path: Path, factor: float, units: str) -> None:
    a = _accel(400)
    path = _write(tmp_path / "a.csv", a * factor, np.arange(400) / RATE, note="ignored")
    rec = open_recording(path).read()
    assert rec.info.extra["units"] == units
    assert rec.info.extra["units_detected"] is True
    np.testing.assert_allclose(rec.accel, a, atol=1e-5)
    assert rec.info.fs_hz == pytest.approx(RATE)
    assert rec.info.start is None


def test_ambiguous_units_must_be_declared(tmp_path: Path) -> None:
    a = _accel(400) * 4.0
    path = _write(tmp_path / "a.csv", a, np.arange(400) / RATE)
    with pytest.raises(InputError, match="units"):
        open_recording(path).read()
    rec = open_recording(path, units="m/s2").read()
    np.testing.assert_allclose(rec.accel, a / STANDARD_GRAVITY, atol=1e-5)
    with pytest.raises(InputError, match="units"):
        open_recording(path, units="furlongs")


def test_iso_times_and_unix_seconds(tmp_path: Path) -> None:
    a = _accel(300)
    tz = timezone(timedelta(hours=2))
    first = datetime(2024, 6, 1, 12, 0, 0, 250000, tzinfo=tz)
    stamps = [(first + timedelta(seconds=k / 100)).isoformat() for k in range(300)]
    rec = open_recording(_write(tmp_path / "iso.csv", a, stamps)).read()
    assert rec.info.start == first
    assert rec.info.fs_hz == pytest.approx(100.0)
    np.testing.assert_allclose(rec.time, np.arange(300) / 100, atol=1e-9)
    unix = first.astimezone(UTC).timestamp() + np.arange(300) / 100
    rec2 = open_recording(_write(tmp_path / "unix.csv", a, unix)).read()
    assert rec2.info.start == first
    np.testing.assert_allclose(rec2.time, np.arange(300) / 100, atol=1e-6)


def test_bad_rows_and_backwards_time_are_excluded(tmp_path: Path) -> None:
    a = _accel(200)
    t = np.arange(200) / RATE
    t[150] = t[10]
    frame = pd.DataFrame({"time": t, "x": a[:, 0], "y": a[:, 1], "z": a[:, 2]}).astype(object)
    frame.loc[50, "y"] = "oops"
    frame.loc[60, "z"] = None
    path = tmp_path / "a.csv"
    frame.to_csv(path, index=False)
    rec = open_recording(path).read()
    assert len(rec) == 197
    assert np.all(np.diff(rec.time) >= 0)
    problems = " ".join(i.problem for i in rec.info.issues)
    assert "2 rows with unreadable" in problems
    assert "backwards" in problems


def test_gap_reported(tmp_path: Path) -> None:
    t = np.concatenate([np.arange(100), np.arange(100) + 160]) / RATE
    rec = open_recording(_write(tmp_path / "a.csv", _accel(200), t)).read()
    gaps = [i for i in rec.info.issues if "gap" in i.problem]
    assert len(gaps) == 1
    assert gaps[0].end_s - gaps[0].start_s == pytest.approx(61 / RATE)


def test_missing_columns_and_empty_files(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("t,ax,ay,az\n0,0,0,1\n")
    with pytest.raises(InputError, match="missing column"):
        open_recording(path)
    path.write_text("time,x,y,z\n")
    with pytest.raises(InputError, match="no data rows"):
        open_recording(path).read()
    path.write_text("")
    with pytest.raises(InputError, match="empty"):
        open_recording(path)
