"""The pipeline with the scripted backend: real files and codecs, synthetic skeletons."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backcare.camera.backend import FakeBackend
from backcare.camera.outputs import write_outputs
from backcare.camera.pipeline import CameraOptions, analyze_image, analyze_video
from backcare.errors import InputError
from backcare.io.parquet import read_series

from .media import write_clip
from .skeleton import pose_result


def _grey(i: int) -> np.ndarray:
    return np.full((240, 320, 3), 100 + i % 50, dtype=np.uint8)


def _bending(n: int) -> list:
    """Side view: the trunk bends from 0 to 60 deg and back; arms forward 30 deg."""
    trunk = 60 * np.sin(np.linspace(0, np.pi, n))
    return [pose_result(heading_deg=90.0, trunk=float(t), arm=30.0, elbow=80.0) for t in trunk]


def test_video_through_the_pipeline_and_outputs(tmp_path: Path):
    n = 60
    clip = write_clip(tmp_path / "bend.mp4", _grey, n, fps=20)
    options = CameraOptions(mass_kg=75, height_cm=178, load_kg=5)
    a = analyze_video(clip, FakeBackend(_bending(n)), options)
    assert len(a.series) == n
    assert a.view.view == "side"
    trunk = a.series["trunk_flexion"]
    assert np.nanmax(trunk) == pytest.approx(60, abs=3)  # smoothing barely touches it
    assert a.scores.reba is not None
    assert a.scores.rula is not None
    reba = a.scores.reba.score
    # REBA rises with the bend: upright frames score lower than the deepest ones
    assert reba[np.argmax(trunk)] > reba[0]
    assert a.scores.l5s1_compression_n is not None
    l5 = a.scores.l5s1_compression_n
    assert l5[np.argmax(trunk)] > 2 * l5[0]
    assert a.scores.disc_pressure is not None
    assert np.nanmax(a.scores.disc_pressure) > 1.5  # bent forward with a load vs standing

    files = write_outputs(a, tmp_path / "out")
    out = tmp_path / "out"
    series = read_series(out / files["parquet"])
    assert series.equals(a.series)
    table = pd.read_csv(out / files["csv"])
    assert len(table) == n
    assert {"time", "frame", "trunk_flexion", "reba", "reba_level", "l5s1_compression_n"} <= set(
        table.columns
    )
    summary = json.loads((out / files["summary"]).read_text())
    assert summary["view"]["view"] == "side"
    assert summary["reba"]["max"] == float(np.nanmax(reba))
    assert summary["frames"] == {"decoded": n, "analysed": n, "with_person": n}
    iso = summary["exposure"]["summary"]["iso"]
    assert set(iso) == {"trunk", "neck", "upper_arm"}
    # 60 deg bend at the peak: time at or above 20 deg forward is part of the 3 s clip
    assert 0 < summary["exposure"]["summary"]["trunk_fwd_time_s"]["20"] < 3.0
    assert isinstance(summary["alerts"], list)
    html = (out / files["html"]).read_text()
    assert "data:image/png;base64," in html
    assert "http" not in html.split("<body>")[1]
    assert files["annotated"].endswith((".mp4", ".webm"))
    assert (out / files["annotated"]).stat().st_size > 0


def test_sampling_and_real_timestamps_reach_the_series(tmp_path: Path):
    times = [0.0, 0.04, 0.1, 0.5, 0.55, 1.2, 1.25, 1.3]
    clip = write_clip(tmp_path / "vfr.mp4", _grey, len(times), times=times)
    poses = _bending(len(times))
    a = analyze_video(clip, FakeBackend(poses), CameraOptions())
    assert a.series.time == pytest.approx(times, abs=1e-3)
    b = analyze_video(clip, FakeBackend(poses), CameraOptions(every=2))
    assert b.series.time == pytest.approx(times[::2], abs=1e-3)


def test_truncated_video_is_analysed_up_to_the_break(tmp_path: Path):
    clip = write_clip(tmp_path / "full.mp4", _grey, 80, options={"movflags": "+faststart"})
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clip.read_bytes()[: int(clip.stat().st_size * 0.5)])
    a = analyze_video(cut, FakeBackend(_bending(80)), CameraOptions())
    assert 0 < len(a.series) < 80
    assert any("truncated" in issue for issue in a.issues)
    assert any("truncated" in note for note in a.series.meta.notes)


def test_nobody_in_the_video_names_the_file(tmp_path: Path):
    clip = write_clip(tmp_path / "empty.mp4", _grey, 10)
    with pytest.raises(InputError, match=r"empty\.mp4.*no person found"):
        analyze_video(clip, FakeBackend([None]), CameraOptions())


def test_nobody_in_a_photo_and_tiny_photos(tmp_path: Path):
    from PIL import Image

    photo = tmp_path / "wall.png"
    Image.new("RGB", (320, 240), (10, 10, 10)).save(photo)
    with pytest.raises(InputError, match=r"wall\.png: no person found"):
        analyze_image(photo, FakeBackend([None]))
    tiny = tmp_path / "tiny.png"
    Image.new("RGB", (40, 30), (10, 10, 10)).save(tiny)
    with pytest.raises(InputError, match=r"tiny\.png.*too small"):
        analyze_image(tiny, FakeBackend([pose_result()]))
    low = tmp_path / "low.png"
    Image.new("RGB", (160, 120), (10, 10, 10)).save(low)
    a = analyze_image(low, FakeBackend([pose_result()]), find_people=False)
    assert any("low resolution" in issue for issue in a.issues)
