"""Camera cohorts on a real Dask LocalCluster (worker processes, the real MediaPipe model): each
file's outputs equal ``backcare camera analyze`` of that file, a broken file becomes a failure and
the run goes on, finished files are skipped, and the cohort tables hold one row per file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from backcare.batch import ClusterOptions
from backcare.batch.camera_cohort import run_camera_cohort
from backcare.batch.camera_manifest import load_media_cohort
from backcare.batch.camera_task import CameraBatchOptions
from backcare.errors import InputError
from tests.camera.media import BACKGROUND, grace_hopper, write_clip

PROCESSES = ClusterOptions(workers=2)


def _worker_and_helper(astro: Image.Image, hopper: Image.Image, i: int) -> np.ndarray:
    canvas = Image.new("RGB", (640, 360), BACKGROUND)
    turned = astro.rotate(
        20 * np.sin(i / 4), resample=Image.Resampling.BILINEAR, fillcolor=BACKGROUND
    )
    canvas.paste(turned.resize((200, 200)), (25, 160))
    canvas.paste(hopper.resize((265, 350)), (265, 10))
    return np.asarray(canvas)


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("camera-cohort") / "site"
    (root / "packing").mkdir(parents=True)
    (root / "office").mkdir()
    hopper = Image.open(grace_hopper()).convert("RGB")
    astro = hopper.transpose(Image.Transpose.FLIP_LEFT_RIGHT)  # a second, mirrored person
    astro.save(root / "office" / "desk.png")
    hopper.save(root / "office" / "portrait.jpg")
    write_clip(
        root / "packing" / "station.mp4",
        lambda i: _worker_and_helper(astro, hopper, i),
        24,
        fps=12,
    )
    (root / "packing" / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(2000))
    return root


@pytest.fixture(scope="module")
def first_run(media: Path, tmp_path_factory):
    out = tmp_path_factory.mktemp("camera-out")
    seen = []
    result = run_camera_cohort(
        load_media_cohort(media), out, cluster=PROCESSES, on_outcome=seen.append
    )
    return out, result, seen


def test_folder_cohort_isolates_the_broken_file(media: Path, first_run):
    out, result, seen = first_run
    statuses = {o.key: o.status for o in seen}
    assert statuses == {
        "office_desk.png": "done",
        "office_portrait.jpg": "done",
        "packing_broken.mp4": "failed",
        "packing_station.mp4": "done",
    }
    assert not result.complete
    failures = pd.read_csv(out / "failures.csv")
    assert list(failures["file"]) == ["packing_broken.mp4"]
    assert "broken.mp4" in failures["message"].iloc[0]
    # no half-written folder of the broken file is left behind
    assert sorted(p.name for p in (out / "files").iterdir()) == [
        "office_desk.png",
        "office_portrait.jpg",
        "packing_station.mp4",
    ]


def test_cohort_rows_summarise_each_file(media: Path, first_run):
    out, _, _ = first_run
    rows = pd.read_csv(out / "camera_cohort.csv").set_index("file")
    assert set(rows.index) == {"office_desk.png", "office_portrait.jpg", "packing_station.mp4"}
    assert rows.loc["office_desk.png", "group"] == "office"
    assert rows.loc["packing_station.mp4", "group"] == "packing"
    station = rows.loc["packing_station.mp4"]
    assert station["input"] == "video"
    assert station["frames"] == 24
    assert station["people_found"] == 2
    assert station["person_analysed"] in (1, 2)
    # portraits: the hips are out of the picture, so trunk angles and REBA are withheld
    desk = rows.loc["office_desk.png"]
    assert desk["trunk_flexion_seen_fraction"] == 0
    assert np.isnan(desk["trunk_flexion_median_deg"])
    assert pd.isna(desk["reba_max"])  # refused, not guessed
    assert desk["reba_not_computable_frames"] == 1
    # each row equals what the file's own summary says
    summary = json.loads(
        (out / "files" / "packing_station.mp4" / "station_mp4.summary.json").read_text()
    )
    assert station["duration_s"] == summary["duration_s"]
    if summary.get("reba"):
        assert station["reba_scored_fraction"] == summary["reba"]["scored_fraction"]
        # a range's top end stands beside its lowest (a partial score is not shown as whole)
        top = summary["reba"].get("score_max")
        if top is None:  # no frame scored: no range either
            assert pd.isna(station["reba_max_possible"])
        else:
            assert station["reba_max_possible"] == top
            assert station["reba_max_possible"] >= station["reba_max"]
    summ = pd.read_csv(out / "camera_summary.csv")
    assert set(summ["group"]) == {"(all)", "office", "packing"}
    found = summ[(summ["group"] == "(all)") & (summ["variable"] == "person_found_fraction")]
    assert int(found["n"].iloc[0]) == 3
    assert found["median"].iloc[0] == 1.0
    report = (out / "cohort_report.html").read_text()
    assert "3 of 4 files were analysed" in report
    assert "packing_broken.mp4" in report
    assert "NaN" not in report
    assert "reba_max" not in report  # plain labels, not column names
    assert "REBA, highest" in report
    assert "REBA, highest possible with the parts not seen" in report
    assert ">nan<" not in report


def test_second_run_skips_finished_files_and_retries_the_broken_one(media: Path, first_run):
    out, _, _ = first_run
    stamp = (out / "files" / "office_desk.png" / "batch.json").stat().st_mtime_ns
    seen = []
    result = run_camera_cohort(
        load_media_cohort(media), out, cluster=ClusterOptions(workers=1), on_outcome=seen.append
    )
    statuses = {o.key: o.status for o in seen}
    assert statuses["office_desk.png"] == "skipped"
    assert statuses["packing_station.mp4"] == "skipped"
    assert statuses["packing_broken.mp4"] == "failed"
    assert (out / "files" / "office_desk.png" / "batch.json").stat().st_mtime_ns == stamp
    assert len(result.rows) == 3


def test_manifest_with_options_per_file(media: Path, tmp_path: Path, cli):
    manifest = tmp_path / "tasks.csv"
    manifest.write_text(
        "file,id,group,person,load_kg\n"
        f"{media / 'packing' / 'station.mp4'},helper,packing,2,5\n"
        f"{media / 'office' / 'desk.png'},desk,office,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    rc, stdout, stderr = cli("batch", "camera", str(manifest), "--out", str(out), "--workers", "1")
    assert rc == 0, stdout + stderr
    assert "camera_cohort.csv" in stdout
    rows = pd.read_csv(out / "camera_cohort.csv").set_index("file")
    assert rows.loc["helper", "person_analysed"] == 2
    people = json.loads((out / "files" / "helper" / "station_mp4.people.json").read_text())
    assert [p["analysed"] for p in people["people"]] == [False, True]


def test_bad_manifest_names_row_and_column(tmp_path: Path, media: Path):
    manifest = tmp_path / "bad.csv"
    manifest.write_text(
        "file,person,colour\n"
        f"{media / 'office' / 'desk.png'},0,red\n"
        "missing.mp4,,\n"
        f"{media / 'office' / 'desk.png'},,\n"
        f"{media / 'office' / 'desk.png'},2,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_media_cohort(manifest)
    text = str(err.value)
    assert "header, column 'colour': unknown column" in text
    assert "row 1, column 'person'" in text
    assert "row 2, column 'file': no such file" in text
    assert "names two files" in text


def test_people_command_lists_and_draws_the_people(cli, media: Path, tmp_path: Path):
    rc, stdout, stderr = cli(
        "camera", "people", str(media / "packing" / "station.mp4"), "--out", str(tmp_path)
    )
    assert rc == 0, stdout + stderr
    assert "2 people found" in stdout
    assert "1: on the left" in stdout
    assert "(analysed)" in stdout
    assert "--person N" in stdout
    assert (tmp_path / "station.people.png").is_file()
    rc, _, stderr = cli("camera", "people", str(media / "packing" / "station.mp4"), "--person", "5")
    assert rc == 2
    assert "no person 5: 2 people were found" in stderr


def test_options_that_cannot_work_are_refused(media: Path, tmp_path: Path):
    with pytest.raises(InputError, match="threads"):
        run_camera_cohort(
            load_media_cohort(media),
            tmp_path,
            cluster=ClusterOptions(workers=1, processes=False),
            options=CameraBatchOptions(),
        )


def test_the_lead_counts_files_whose_score_range_may_reach_high(tmp_path: Path):
    from backcare.batch.camera_cohort import CameraCohortResult, render_camera_cohort
    from backcare.batch.camera_manifest import MediaCohort, MediaSpec

    items = tuple(MediaSpec(key=k, path=tmp_path / f"{k}.png") for k in ("a", "b", "c"))
    rows = pd.DataFrame(
        {
            "file": ["a.png", "b.png", "c.png"],
            "group": ["", "", ""],
            "reba_max": [9.0, 5.0, 2.0],
            "reba_max_possible": [9.0, 9.0, 3.0],
            "reba_peak_level": ["high", "medium", "low"],
            "reba_peak_level_possible": ["high", "high", "low"],
        }
    )
    empty = pd.DataFrame()
    result = CameraCohortResult(
        cohort=MediaCohort(items=items, source=tmp_path),
        outcomes={},
        rows=rows,
        summary=pd.DataFrame(columns=["group", "variable"]),
        failures=empty,
        files=empty,
    )
    html = render_camera_cohort(result)
    assert "in 1 of the 3 with a REBA score the posture reached a high" in html
    assert "In 1 more it may have: parts the score needs" in html
