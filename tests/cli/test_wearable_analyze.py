from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from backcare.api import parse_reference, parse_work_hours
from backcare.errors import InputError
from backcare.posture.angles import SensorAxes
from backcare.wearable.cwa_writer import CwaWriter
from backcare.wearable.synthetic import SimulatedSensor, simulate
from tests.wearable.sim import BACK, DAY


@pytest.fixture(scope="module")
def cwa_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cwa")
    upside_down_thigh = SimulatedSensor("thigh", axes=SensorAxes("-x", "-z"))
    sources, truth = simulate(DAY, [upside_down_thigh, BACK], fs_hz=25, seed=21)
    paths = {}
    for placement, src in sources.items():
        path = folder / f"{placement}.cwa"
        with CwaWriter(path, rate_hz=25, start=src.info.start) as w:
            for chunk in src.chunks(100_000):
                w.write(chunk.accel)
        paths[placement] = path
    return paths, truth


def test_analyze_end_to_end(cli, cwa_files, tmp_path):
    paths, truth = cwa_files
    out = tmp_path / "out"
    rc, stdout, err = cli(
        "wearable", "analyze",
        "--thigh", str(paths["thigh"]),
        "--trunk", str(paths["trunk_back"]),
        "--work-hours", "8-16",
        "--out", str(out),
    )  # fmt: skip
    assert rc == 0, err
    for name in ("seconds.parquet", "daily.csv", "hourly.csv", "windows.csv", "report.html"):
        assert (out / name).is_file(), name
    assert "Time per activity" in stdout
    # no --thigh-axes: the default axes are checked and corrected (explicit axes are kept)
    assert "axes corrected" in stdout  # the thigh sensor was mounted upside down
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sensors"]["thigh"]["mounting"]["upside_down"] is True
    walk = next(r for r in summary["activities"] if r["activity"] == "walk")
    true_walk_s = int(np.sum(truth.activity == 6))
    assert abs(walk["hours"] * 3600 - true_walk_s) < 0.05 * true_walk_s


def test_classify_writes_per_second_labels(cli, cwa_files, tmp_path):
    paths, truth = cwa_files
    out = tmp_path / "labels.csv"
    rc, _, err = cli(
        "wearable", "classify", str(paths["thigh"]), "--placement", "thigh",
        "--axes", "down=-x,forward=-z", "--out", str(out),
    )  # fmt: skip
    assert rc == 0, err
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == truth.activity.size
    assert rows[0]["time"].startswith("2026-03-02T06:00:00")
    labels = np.array([r["activity"] for r in rows])
    assert np.mean(labels[truth.activity == 3] == "sit") > 0.95


def test_reference_window_by_time_of_day(cli, cwa_files, tmp_path):
    paths, _ = cwa_files
    rc, _, err = cli(
        "wearable", "analyze", "--thigh", str(paths["thigh"]), "--trunk",
        str(paths["trunk_back"]), "--reference", "06:00:10..06:01:30", "--no-html",
        "--out", str(tmp_path / "o"),
    )  # fmt: skip
    assert rc == 0, err
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["sensors"]["trunk_back"]["reference"]["method"] == "window"
    assert not (tmp_path / "o" / "report.html").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--thigh-axes", "down=+x,forward=+x"], "--thigh-axes"),
        (["--work-hours", "16"], "--work-hours"),
        (["--reference", "50..10"], "--reference"),
        (["--trunk-placement", "neck"], "--trunk-placement"),
    ],
)
def test_bad_options_are_reported_without_traceback(cli, cwa_files, tmp_path, args, message):
    paths, _ = cwa_files
    rc, _, err = cli(
        "wearable", "analyze", "--thigh", str(paths["thigh"]), "--out", str(tmp_path), *args
    )
    assert rc == 2
    assert message in err
    assert "Traceback" not in err


def test_missing_file_and_no_sensor(cli, tmp_path):
    rc, _, err = cli("wearable", "analyze", "--thigh", str(tmp_path / "no.cwa"), "--out", "x")
    assert rc == 2
    assert "no such file" in err
    rc, _, err = cli("wearable", "analyze", "--out", str(tmp_path))
    assert rc == 2
    assert "at least one sensor" in err


def test_parsers():
    assert parse_work_hours("7.5-15.5") == (7.5, 15.5)
    assert parse_reference("10..20", None) == (10.0, 20.0)
    with pytest.raises(InputError):
        parse_reference("08:00..09:00", None)


def test_a_diary_splits_the_tables_and_a_bad_row_is_named(cli, cwa_files, tmp_path):
    paths, _ = cwa_files
    diary = tmp_path / "diary.csv"
    diary.write_text(
        "start,end,context\n"
        "2026-03-02 06:00,2026-03-02 06:30,work\n"
        "2026-03-02 06:30,2026-03-02 07:00,leisure\n"
    )
    out = tmp_path / "out"
    rc, _, err = cli(
        "wearable", "analyze", "--thigh", str(paths["thigh"]), "--diary", str(diary),
        "--no-html", "--out", str(out),
    )  # fmt: skip
    assert rc == 0, err
    with (out / "windows.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [r["context"] for r in rows] == ["work", "leisure"]
    assert float(rows[0]["measured_time_s"]) == 1800  # 06:00-06:30, all recorded
    assert float(rows[1]["upright_time_s"]) > 0
    bad = tmp_path / "bad.csv"
    bad.write_text("start,end,context\n2026-03-02 06:00,2026-03-02 06:30,gardening\n")
    rc, _, err = cli(
        "wearable", "analyze", "--thigh", str(paths["thigh"]), "--diary", str(bad),
        "--out", str(tmp_path / "bad_out"),
    )  # fmt: skip
    assert rc != 0
    assert "row 1" in err
    assert "gardening" in err
