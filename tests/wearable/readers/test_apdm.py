"""APDM Opal .h5 reader: sensors by label, unit conversion, chunking."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

from backcare.errors import InputError
from backcare.wearable.readers import open_recording
from backcare.wearable.readers.apdm import STANDARD_GRAVITY, list_sensors

SAMPLE = "data/wearable/skdh/apdm_sample.h5"


def _raw(path: Path, label: str) -> dict[str, np.ndarray]:
    with h5py.File(path, "r") as f:
        for sid in f["Sensors"]:
            group = f["Sensors"][sid]
            if group["Configuration"].attrs["Label 0"].decode() == label:
                return {k: group[k][:] for k in ("Time", "Accelerometer", "Gyroscope")}
    raise AssertionError(label)


@pytest.mark.parametrize("label", ["Lumbar", "Sternum"])
def test_trunk_sensors_in_g_and_deg_per_s(shared_dir: Path, label: str) -> None:
    path = shared_dir / SAMPLE
    raw = _raw(path, label)
    rec = open_recording(path, sensor=label.lower()).read()
    assert rec.info.sensor_label == label
    assert rec.info.device == "APDM Opal"
    assert rec.info.fs_hz == 128.0
    assert len(rec) == raw["Time"].size
    np.testing.assert_allclose(rec.accel, raw["Accelerometer"] / STANDARD_GRAVITY, rtol=1e-6)
    np.testing.assert_allclose(rec.gyro, np.degrees(raw["Gyroscope"]), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(rec.time, (raw["Time"] - raw["Time"][0]) / 1e6)
    assert rec.info.start.timestamp() == pytest.approx(raw["Time"][0] / 1e6)
    # a worn trunk sensor at rest reads about 1 g
    assert np.median(np.linalg.norm(rec.accel, axis=1)) == pytest.approx(1.0, abs=0.05)


def test_multi_sensor_file_needs_a_choice(shared_dir: Path) -> None:
    path = shared_dir / SAMPLE
    labels = [label for _, label in list_sensors(path)]
    assert {"Lumbar", "Sternum"} <= set(labels)
    with pytest.raises(InputError, match="6 sensors"):
        open_recording(path)
    with pytest.raises(InputError, match="no sensor 'Neck'"):
        open_recording(path, sensor="Neck")


def test_chunks_are_bounded_and_continuous(shared_dir: Path) -> None:
    src = open_recording(shared_dir / SAMPLE, sensor="Lumbar")
    parts = list(src.chunks(max_samples=5000))
    assert max(len(p) for p in parts) <= 5000
    time = np.concatenate([p.time for p in parts])
    np.testing.assert_array_equal(time, src.read().time)


def test_backwards_and_nan_samples_are_excluded(tmp_path: Path) -> None:
    path = tmp_path / "x.h5"
    n = 1000
    t = (1_600_000_000_000_000 + np.arange(n) * 7812.5).astype(np.uint64)
    t[500] = t[100]
    acc = np.tile([0.0, 0.0, STANDARD_GRAVITY], (n, 1))
    acc[700] = np.nan
    with h5py.File(path, "w") as f:
        g = f.create_group("Sensors/XI-1")
        g.create_dataset("Time", data=t)
        g.create_dataset("Accelerometer", data=acc)
        conf = g.create_group("Configuration")
        conf.attrs["Label 0"] = b"Lumbar"
        conf.attrs["Sample Rate"] = np.uint32(128)
    rec = open_recording(path).read()
    assert len(rec) == n - 2
    assert np.all(np.diff(rec.time) >= 0)
    problems = " ".join(i.problem for i in rec.info.issues)
    assert "backwards" in problems
    assert "not finite" in problems


def test_not_hdf5(tmp_path: Path) -> None:
    path = tmp_path / "x.h5"
    path.write_bytes(b"not an hdf5 file at all" * 10)
    with pytest.raises(InputError, match="HDF5"):
        open_recording(path)
