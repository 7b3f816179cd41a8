"""The analyses jobs run: real wearable files and real images/clips, outputs and progress."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backcare.api import wearable_options
from backcare.errors import InputError
from backcare.io.parquet import read_series
from backcare.web.analysis import (
    CameraJobOptions,
    Profile,
    SensorFile,
    WearableJobOptions,
    describe_error,
    input_paths,
    json_ready,
    run_analysis,
    run_camera,
    run_wearable,
    session_summary,
)
from tests.camera.media import grace_hopper, placed, write_clip


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    def __call__(self, fraction: float, message: str) -> None:
        self.calls.append((fraction, message))

    def check(self) -> None:
        values = [f for f, _ in self.calls]
        assert values, "no progress reported"
        assert all(0.0 <= v <= 1.0 for v in values)
        assert values == sorted(values), "progress went back"
        assert values[-1] == 1.0


def test_wearable_geneactiv_sample(shared_dir: Path, tmp_path: Path) -> None:
    path = shared_dir / "data/wearable/skdh/gnactv_sample.bin"
    progress = Recorder()
    out = run_wearable(
        WearableJobOptions((SensorFile("thigh", path),)), tmp_path / "out", Profile(), progress
    )
    progress.check()
    assert any("thigh sensor" in m for _, m in progress.calls)
    for role in ("series", "summary", "report", "daily", "session"):
        assert (tmp_path / "out" / out.files[role]).is_file(), role
    series = read_series(tmp_path / "out" / out.files["series"])
    assert out.duration_s == len(series) > 0
    assert out.started_at is not None
    assert out.started_at.year == 2019
    assert out.summary is not None
    assert out.summary["source"] == "wearable"
    assert out.summary["measured_time_s"] == pytest.approx(len(series), abs=1)
    assert set(out.summary["trunk_fwd_time_s"]) >= {"20", "60"}
    json.dumps(out.summary, allow_nan=False)  # NaN became null
    assert "l5s1_compression_n" not in out.summary  # no trunk sensor


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from backcare.wearable.simulator import simulate_cwa

    start = datetime(2024, 1, 1, 10, 0)  # a working morning of the scripted day
    folder = tmp_path_factory.mktemp("sim")
    return {
        placement: simulate_cwa(
            folder / f"{placement}.cwa",
            days=0.01,
            rate_hz=25,
            placement=placement,
            seed=3,
            start=start,
        ).path
        for placement in ("thigh", "trunk_back")
    }


def test_wearable_thigh_and_trunk_with_profile(simulated: dict[str, Path], tmp_path: Path) -> None:
    options = WearableJobOptions(
        (SensorFile("thigh", simulated["thigh"]), SensorFile("trunk_back", simulated["trunk_back"]))
    )
    out = run_wearable(options, tmp_path, Profile(mass_kg=80.0, height_cm=180.0, sex="female"))
    series = read_series(tmp_path / out.files["series"])
    assert "trunk_flexion" in series
    assert out.summary is not None
    load = out.summary["l5s1_compression_n"]
    assert load["mass_kg"] == 80.0
    assert load["sex"] == "female"
    assert 0 < load["p50"] <= load["p90"] <= load["max"]
    assert out.summary["activities"]
    assert any(name.startswith("plot_") for name in out.files)
    # the options survive the JSON round trip the jobs table makes
    again = WearableJobOptions.from_json(json.loads(json.dumps(options.to_json())))
    assert again == options
    assert input_paths("wearable", options.to_json()) == [
        simulated["thigh"],
        simulated["trunk_back"],
    ]


def test_wearable_profile_without_body_size_notes_the_missing_load(
    simulated: dict[str, Path], tmp_path: Path
) -> None:
    options = WearableJobOptions((SensorFile("trunk_back", simulated["trunk_back"]),))
    out = run_wearable(options, tmp_path, Profile())
    assert out.summary is not None
    assert "l5s1_compression_n" not in out.summary
    assert any("body mass and height" in n for n in out.notes)


def test_wearable_bad_file_and_bad_axes(tmp_path: Path, simulated: dict[str, Path]) -> None:
    bad = tmp_path / "bad.cwa"
    bad.write_bytes(b"MD" + b"\x00" * 100)
    with pytest.raises(InputError, match=r"thigh file \S*bad\.cwa"):
        run_wearable(WearableJobOptions((SensorFile("thigh", bad),)), tmp_path / "o", Profile())
    with pytest.raises(InputError, match="thigh_axes"):
        wearable_options(thigh=simulated["thigh"], thigh_axes="down=+q")
    with pytest.raises(InputError, match="placement"):
        SensorFile("elbow", bad)


def test_camera_image(tmp_path: Path) -> None:
    progress = Recorder()
    out = run_camera(
        CameraJobOptions(grace_hopper(), load_kg=2.0),
        tmp_path,
        Profile(mass_kg=60, height_cm=165, sex="female"),
        progress,
    )
    progress.check()
    assert out.files["annotated"].endswith(".png")
    assert (tmp_path / out.files["annotated"]).stat().st_size > 0
    assert out.summary is None  # a photo has no duration: no exposure, no session row
    summary = json.loads((tmp_path / out.files["summary"]).read_text())
    assert summary["body"] == {"mass_kg": 60, "height_cm": 165, "hand_load_kg": 2.0}
    assert out.notes


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from PIL import Image

    src = Image.open(grace_hopper())
    frame = placed(src, scale=0.9)
    return write_clip(tmp_path_factory.mktemp("clip") / "still.mp4", lambda i: frame, 12, fps=6)


def test_camera_video_writes_annotated_video_plots_and_session(clip: Path, tmp_path: Path) -> None:
    progress = Recorder()
    out = run_camera(CameraJobOptions(clip, camera_pitch_deg=5.0), tmp_path, Profile(), progress)
    progress.check()
    assert any("frame" in m for _, m in progress.calls)
    annotated = tmp_path / out.files["annotated"]
    assert annotated.suffix in (".mp4", ".webm")
    assert annotated.stat().st_size > 0
    assert out.duration_s > 0
    assert out.summary is not None
    assert out.summary["source"] == "camera"
    assert "iso" in out.summary
    assert "measured_time_s" in out.summary
    table = pd.read_csv(tmp_path / out.files["csv"])
    assert len(table) == 12
    assert (tmp_path / out.files["session"]).is_file()


def test_camera_without_a_person_is_an_input_error(tmp_path: Path) -> None:
    blank = write_clip(
        tmp_path / "blank.mp4", lambda i: np.full((240, 320, 3), 90, np.uint8), 4, fps=4
    )
    with pytest.raises(InputError):
        run_camera(CameraJobOptions(blank), tmp_path / "out", Profile())


def test_run_analysis_dispatch_and_unknown_kind(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown job kind"):
        run_analysis("sonar", {}, tmp_path, Profile())
    opts = CameraJobOptions(grace_hopper(), load_kg=1.5, camera_pitch_deg=None)
    assert CameraJobOptions.from_json(opts.to_json()) == opts
    assert input_paths("camera", opts.to_json()) == [grace_hopper()]


def test_json_ready_and_session_summary() -> None:
    value = json_ready({20.0: math.nan, "a": [np.float64(1.5), np.int64(2), math.inf]})
    assert value == {"20": None, "a": [1.5, 2, None]}
    assert session_summary("live", {"x": 1.0})["source"] == "live"


def test_describe_error() -> None:
    assert describe_error(InputError("bad", where="f.cwa")) == "f.cwa: bad"
    assert describe_error(RuntimeError("boom\nmore")) == "internal error (RuntimeError: boom)"
    assert describe_error(KeyError()) == "internal error (KeyError)"


def test_profile_from_values() -> None:
    assert Profile.from_values(70.0, 175.0, "other") == Profile(70.0, 175.0, None)
    assert Profile.from_values(None, None, "male").sex == "male"
