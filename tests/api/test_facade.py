"""The public facade: pinned names, and each function on real files."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import backcare
import backcare.api
from backcare.errors import InputError
from backcare.posture.exposure import ExposureSummary
from tests.camera.media import grace_hopper, placed, write_clip

SRC = Path(backcare.__file__).parent


def test_the_public_names_are_pinned() -> None:
    assert backcare.__all__ == [
        "MediaResult",
        "WearableOptions",
        "WearableResult",
        "__version__",
        "analyze_media",
        "analyze_wearable",
        "assess",
        "read_wearable",
        "wearable_options",
    ]
    assert backcare.api.__all__ == [
        "CHUNK_SAMPLES",
        "MediaProgress",
        "MediaResult",
        "ReadProgress",
        "SensorFile",
        "WearableOptions",
        "WearableResult",
        "analyze_media",
        "analyze_wearable",
        "assess",
        "camera_options",
        "json_ready",
        "parse_reference",
        "parse_work_hours",
        "read_wearable",
        "wearable_options",
    ]
    for name in backcare.__all__:
        assert getattr(backcare, name) is not None
    for name in backcare.api.__all__:
        assert getattr(backcare.api, name) is not None
    assert backcare.analyze_wearable is backcare.api.analyze_wearable
    with pytest.raises(AttributeError):
        _ = backcare.no_such_name  # type: ignore[attr-defined]


def test_importing_backcare_and_its_facade_stays_cheap() -> None:
    code = (
        "import sys, backcare, backcare.api\n"
        "print(','.join(m for m in ('numpy', 'pandas', 'scipy', 'matplotlib') "
        "if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""


@pytest.fixture(scope="module")
def worn(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Thigh, back and right-arm AX3 files written by the packaged simulator (2.4 h from 07:00)."""
    from backcare.wearable.simulator import simulate_cwa

    folder = tmp_path_factory.mktemp("worn")
    start = datetime(2024, 1, 1, 7, 0)
    return {
        p: simulate_cwa(
            folder / f"{p}.cwa", days=0.1, rate_hz=25, placement=p, seed=4, start=start
        ).path
        for p in ("thigh", "trunk_back", "upper_arm")
    }


def test_read_wearable_gives_a_time_indexed_frame_and_info(worn: dict[str, Path]) -> None:
    data, info = backcare.read_wearable(worn["thigh"])
    assert isinstance(data.index, pd.DatetimeIndex)
    assert data.index[0] == pd.Timestamp("2024-01-01 07:00")
    assert list(data.columns[:3]) == ["x", "y", "z"]
    assert info["device"] == "AX3"
    assert info["fs_hz"] == 25.0
    assert info["samples"] == len(data) == int(0.1 * 86400 * 25)
    # sample spacing is the rate; acceleration is in g (a still device reads about 1 g)
    step = np.median(np.diff(data.index.asi8)) / 1e9
    assert step == pytest.approx(1 / 25, rel=1e-3)
    assert np.median(np.linalg.norm(data[["x", "y", "z"]].to_numpy(), axis=1)) == pytest.approx(
        1.0, abs=0.1
    )


def test_read_wearable_matches_the_reference_values_of_a_real_recording(shared_dir: Path) -> None:
    ref = np.load(shared_dir / "data/wearable/skdh/ax3_data.npz")
    data, info = backcare.read_wearable(shared_dir / "data/wearable/skdh/ax3_sample.cwa")
    assert len(data) == len(ref["accel"])
    np.testing.assert_allclose(data[["x", "y", "z"]].to_numpy(), ref["accel"], atol=1e-6)
    assert info["fs_hz"] == pytest.approx(float(ref["fs"][0]), rel=0.01)


def test_read_wearable_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        backcare.read_wearable(tmp_path / "none.cwa")


def test_analyze_wearable_in_one_call(worn: dict[str, Path], tmp_path: Path) -> None:
    result = backcare.analyze_wearable(
        thigh=worn["thigh"],
        trunk=worn["trunk_back"],
        arm=worn["upper_arm"],
        arm_side="right",
        work_hours="8-9",
        reference="07:00:05..07:00:15",
    )
    frame = result.to_frame()
    assert isinstance(frame.index, pd.DatetimeIndex)
    assert len(frame) == len(result.series) == 8640
    assert {"trunk_flexion", "activity", "seconds"} <= set(frame.columns)
    assert frame.index[1] - frame.index[0] == pd.Timedelta(seconds=1)
    summary = result.summary()
    assert isinstance(summary, ExposureSummary)
    assert summary.measured_time_s == pytest.approx(8640, abs=60)
    assert result.exposure.per_window["label"].tolist() == ["2024-01-01 8-9h"]
    assert result.analysis.sensors["trunk_back"].reference.as_dict()["method"] == "window"
    files = result.save(tmp_path / "out", html=False)
    assert {"seconds", "daily", "hourly", "windows", "bouts", "qc", "summary"} <= set(files)
    saved = json.loads(files["summary"].read_text())
    assert saved["seconds"] == len(result.series)
    # the facade gives what the command line writes
    options = backcare.wearable_options(
        thigh=worn["thigh"], work_hours=(8, 9), reference=(5.0, 15.0)
    )
    again = backcare.analyze_wearable(options=options)
    assert again.exposure.per_window["label"].tolist() == ["2024-01-01 8-9h"]


def test_analyze_wearable_errors_name_the_parameter(worn: dict[str, Path]) -> None:
    cases = [
        ({"work_hours": "16"}, "work_hours"),
        ({"arm_side": "middle"}, "arm_side"),
        ({"thigh_axes": "down=+x,forward=+x"}, "thigh_axes"),
        ({"trunk_placement": "neck"}, "trunk_placement"),
        ({"reference": "10"}, "reference"),
    ]
    for kwargs, where in cases:
        with pytest.raises(InputError) as info:
            backcare.analyze_wearable(thigh=worn["thigh"], **kwargs)
        assert info.value.where == where, kwargs
    with pytest.raises(InputError) as info:
        backcare.analyze_wearable()
    assert info.value.where == "sensors"


def test_options_survive_json_and_old_jobs_still_load(worn: dict[str, Path]) -> None:
    options = backcare.wearable_options(
        thigh=worn["thigh"], arm=worn["upper_arm"], arm_side="left", work_hours="7.5-16",
        thigh_axes="down=+x,forward=-z", reference="07:00:05..07:00:15",
    )  # fmt: skip
    again = backcare.WearableOptions.from_json(json.loads(json.dumps(options.to_json())))
    assert again == options
    old = {"sensors": [{"placement": "thigh", "path": str(worn["thigh"]), "axes": None}]}
    loaded = backcare.WearableOptions.from_json(old)
    assert loaded.arm_side == "right"
    assert loaded.work_hours is None
    assert loaded.sensors[0].path == worn["thigh"]


def test_one_summary_shape_and_old_rows(worn: dict[str, Path]) -> None:
    summary = backcare.analyze_wearable(thigh=worn["thigh"], trunk=worn["trunk_back"]).summary()
    data = summary.to_dict()
    assert set(data["trunk_fwd_pct"]) == {"20", "30", "60", "90"}
    assert set(data["iso"]) == {"trunk", "neck", "upper_arm"}
    text = json.dumps(data, allow_nan=False)  # plain JSON: no NaN
    assert ExposureSummary.from_dict(json.loads(text)).to_dict() == data
    # a camera row stored before the one shape named the ISO verdicts "iso11226"
    old = {k: v for k, v in data.items() if k != "iso"} | {"iso11226": data["iso"]}
    assert ExposureSummary.from_dict(old).iso == ExposureSummary.from_dict(data).iso
    assert ExposureSummary.from_dict({}).iso == {}


def test_analyze_media_on_a_photo(tmp_path: Path) -> None:
    result = backcare.analyze_media(grace_hopper(), mass_kg=70.0, height_cm=175.0)
    assert isinstance(result, backcare.MediaResult)
    assert result.exposure is None
    assert result.summary() is None
    frame = result.to_frame()
    assert len(frame) == 1
    assert "trunk_flexion" in frame.columns
    files = result.save(tmp_path / "media", annotate=False)
    assert files["summary"].is_file()
    many = backcare.analyze_media([grace_hopper()])
    assert isinstance(many, list)
    assert len(many) == 1
    with pytest.raises(InputError) as info:
        backcare.analyze_media(grace_hopper(), mass_kg=5.0)
    assert info.value.where == "mass_kg"


def test_analyze_media_on_a_video(tmp_path: Path) -> None:
    from PIL import Image

    frame = placed(Image.open(grace_hopper()), scale=0.9)
    clip = write_clip(tmp_path / "at work.mp4", lambda i: frame, 18, fps=6)
    seen: list[int] = []
    result = backcare.analyze_media(clip, progress=lambda stage, done, total: seen.append(done))
    assert seen
    assert len(result.series) == 18
    frame_table = result.to_frame()
    span = frame_table.index[-1] - frame_table.index[0]
    assert span.total_seconds() == pytest.approx(17 / 6, abs=1e-3)
    summary = result.summary()
    assert isinstance(summary, ExposureSummary)
    assert set(summary.to_dict()["iso"]) == {"trunk", "neck", "upper_arm"}
    files = result.save(tmp_path / "video", annotate=False)
    saved = json.loads(files["summary"].read_text())
    # the camera's summary file holds the one JSON form of the exposure summary
    assert set(saved["exposure"]["summary"]) == set(summary.to_dict())
    assert all("rule_id" in a for a in saved["alerts"])


def test_read_wearable_geneactiv_matches_its_reference(shared_dir: Path) -> None:
    ref = np.load(shared_dir / "data/wearable/skdh/gnactv_data.npz")
    data, info = backcare.read_wearable(shared_dir / "data/wearable/skdh/gnactv_sample.bin")
    assert info["device"] == "GENEActiv"
    np.testing.assert_allclose(data[["x", "y", "z"]].to_numpy(), ref["accel"], atol=1e-3)
    np.testing.assert_allclose(data["temperature"].to_numpy(), ref["temperature"], atol=0.1)


def test_assess() -> None:
    from backcare.web.demo import sample_answers

    result = backcare.assess(sample_answers())
    assert result.triage is not None
    assert result.plan is not None
    with pytest.raises(InputError):
        backcare.assess({"no.such.item": 1})


def test_library_errors_name_parameters_and_the_cli_shows_flags() -> None:
    from backcare.cli.flags import error_text

    flagged = [
        f"{p.relative_to(SRC)}:{m.group(0)}"
        for p in SRC.rglob("*.py")
        if "cli" not in p.relative_to(SRC).parts
        for m in re.finditer(r'where=f?"--[^"]*"', p.read_text(encoding="utf-8"))
    ]
    assert flagged == []
    assert error_text(InputError("20-300 kg", where="mass_kg")) == "--mass: 20-300 kg"
    assert error_text(InputError("x", where="every/fps")) == "--every/--fps: x"
    assert error_text(InputError("x", where="work_hours")) == "--work-hours: x"
    assert error_text(InputError("x", where="odi.3")) == "odi.3: x"
    assert error_text(InputError("bad", where="thigh file a.cwa")) == "--thigh file a.cwa: bad"


def test_json_ready_is_plain_json() -> None:
    from backcare.jsonable import json_ready

    value = json_ready(
        {20.0: math.nan, 2.5: np.float32(1.5), "a": (np.int64(2), math.inf), "p": Path("x/y")}
    )
    assert value == {"20": None, "2.5": 1.5, "a": [2, None], "p": "x/y"}
    assert json_ready(1.23456, digits=2) == 1.23
