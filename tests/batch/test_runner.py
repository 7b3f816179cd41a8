"""Cohort runs on a real Dask LocalCluster with two workers: results equal the single-recording
analysis, a corrupt file becomes a failure and the run goes on, finished work is skipped."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pandas as pd
import pytest

from backcare.batch import ClusterOptions, load_cohort, run_cohort
from backcare.batch.tables import ID_COLUMNS
from backcare.cli.main import main as cli_main
from backcare.io.parquet import read_series
from tests.batch.cohort import CORRUPT, SUBJECTS, build_cohort, write_manifest

THREADS = ClusterOptions(workers=2, processes=False)


@pytest.fixture(scope="module")
def cohort_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("cohort")
    files = build_cohort(root / "data")
    manifest = write_manifest(root / "manifest.csv", files)
    return root, files, manifest


@pytest.fixture(scope="module")
def threads_run(cohort_files):
    root, _, manifest = cohort_files
    seen = []
    result = run_cohort(
        load_cohort(manifest),
        root / "out-threads",
        cluster=THREADS,
        min_wear_h=1.0,
        on_outcome=seen.append,
    )
    return result, seen


@pytest.fixture(scope="module")
def single_runs(cohort_files):
    """``backcare wearable analyze`` on each good recording, with the manifest's options."""
    root, files, _ = cohort_files
    outs = {}
    for subject in SUBJECTS:
        out = root / "single" / subject
        rc = cli_main(
            [
                "wearable", "analyze",
                "--thigh", str(files[subject]["thigh"]),
                "--trunk", str(files[subject]["back"]),
                "--work-hours", "6-8",
                "--no-html",
                "--out", str(out),
            ]
        )  # fmt: skip
        assert rc == 0
        outs[subject] = out
    return outs


def test_corrupt_file_is_a_failure_and_the_run_goes_on(threads_run, cohort_files, tmp_path):
    result, seen = threads_run
    _, files, _ = cohort_files
    assert {o.key: o.status for o in seen} == {"w01": "done", "w02": "done", "w03": "done",
                                               CORRUPT: "failed"}  # fmt: skip
    assert not result.complete
    failures = pd.read_csv(result.paths["failures.csv"], keep_default_na=False)
    assert failures["recording"].tolist() == [CORRUPT]
    assert str(files[CORRUPT]["thigh"]) in failures["message"].iloc[0]
    assert failures["error"].iloc[0] == "InputError"
    assert CORRUPT not in set(result.daily["recording"])
    status = pd.read_csv(result.paths["recordings.csv"], keep_default_na=False)
    assert dict(zip(status["recording"], status["status"], strict=True))[CORRUPT] == "failed"
    # the failed recording left no output folder behind (not even a partial one)
    rec_root = result.paths["failures.csv"].parent / "recordings"
    assert sorted(p.name for p in rec_root.iterdir()) == sorted(SUBJECTS)


def test_cohort_tables_equal_the_single_recording_analysis(threads_run, single_runs):
    result, _ = threads_run
    out = result.paths["cohort_daily.csv"].parent
    cohort = pd.read_csv(out / "cohort_daily.csv")
    for subject, single in single_runs.items():
        rec = out / "recordings" / subject
        # the per-recording files are those of the single analysis, number for number
        for name in ("daily.csv", "windows.csv", "hourly.csv", "bouts.csv"):
            assert (rec / name).read_bytes() == (single / name).read_bytes(), name
        assert read_series(rec / "seconds.parquet").equals(read_series(single / "seconds.parquet"))
        # and the cohort rows are the single analysis' day and work-window rows
        expected = pd.concat(
            [pd.read_csv(single / "daily.csv"), pd.read_csv(single / "windows.csv")],
            ignore_index=True,
        )
        got = cohort[cohort["recording"] == subject].drop(columns=list(ID_COLUMNS))
        assert len(expected) >= 2  # one day and one work window at least
        pd.testing.assert_frame_equal(
            got.reset_index(drop=True), expected, check_dtype=False, check_exact=True
        )
    assert set(cohort["group"]) == {"office", "warehouse"}


def test_bending_and_sitting_differ_as_simulated(threads_run):
    result, _ = threads_run
    day = result.daily[result.daily["period"] == "day"].set_index("recording")
    # w02 bent forward 70 deg for 10 more minutes, w03 sat 20 more minutes than w01
    extra_bend = day.loc["w02", "trunk_fwd_ge60_time_s"] - day.loc["w01", "trunk_fwd_ge60_time_s"]
    extra_sit = day.loc["w03", "sit_time_s"] - day.loc["w01", "sit_time_s"]
    assert extra_bend == pytest.approx(600, abs=30)
    assert extra_sit == pytest.approx(1200, abs=60)


def test_summary_is_computed_from_the_valid_daily_rows(threads_run):
    result, _ = threads_run
    daily, summary = result.daily, result.summary
    day = daily[(daily["period"] == "day") & daily["valid"]]
    for group, sel in [("office", day[day["group"] == "office"]), ("(all)", day)]:
        row = summary[
            (summary["group"] == group)
            & (summary["period"] == "day")
            & (summary["variable"] == "trunk_fwd_ge30_time_s")
        ].iloc[0]
        values = sel["trunk_fwd_ge30_time_s"].to_numpy(dtype=float)
        assert row["n_subjects"] == sel["subject"].nunique()
        assert row["n_days"] == len(sel)
        assert row["unit"] == "s"
        assert row["mean"] == pytest.approx(values.mean())
        assert row["median"] == pytest.approx(np.median(values))
        assert row["p10"] == pytest.approx(np.percentile(values, 10))
        assert row["p90"] == pytest.approx(np.percentile(values, 90))
    on_disk = pd.read_csv(result.paths["cohort_summary.csv"])
    assert len(on_disk) == len(summary)
    assert {"office", "warehouse", "(all)"} <= set(on_disk["group"])
    assert {"day", "window"} == set(on_disk["period"])


def test_resume_skips_finished_recordings_and_redoes_changed_ones(threads_run, cohort_files,
                                                                  tmp_path):  # fmt: skip
    first, _ = threads_run
    _root, files, manifest = cohort_files
    out = tmp_path / "out"
    shutil.copytree(first.paths["failures.csv"].parent, out)
    cohort = load_cohort(manifest)

    plans: list[tuple[int, int]] = []
    again = run_cohort(
        cohort, out, cluster=THREADS, min_wear_h=1.0, on_start=lambda n, k: plans.append((n, k))
    )
    # only the failed recording is tried again; nothing else is analysed
    assert plans == [(4, 1)]
    assert {k: o.status for k, o in again.outcomes.items()} == {
        "w01": "skipped", "w02": "skipped", "w03": "skipped", CORRUPT: "failed",
    }  # fmt: skip
    pd.testing.assert_frame_equal(again.daily, first.daily)
    pd.testing.assert_frame_equal(again.summary, first.summary)

    # a changed input file and an interrupted folder (no batch.json) are analysed again
    stamp = out / "recordings" / "w01" / "seconds.parquet"
    before = stamp.stat().st_mtime_ns
    thigh = files["w02"]["thigh"]
    st = thigh.stat()
    os.utime(thigh, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    (out / "recordings" / "w03" / "batch.json").unlink()
    third = run_cohort(cohort, out, cluster=THREADS, min_wear_h=1.0)
    assert {k: o.status for k, o in third.outcomes.items()} == {
        "w01": "skipped", "w02": "done", "w03": "done", CORRUPT: "failed",
    }  # fmt: skip
    assert stamp.stat().st_mtime_ns == before
    pd.testing.assert_frame_equal(third.daily, first.daily)
    saved = json.loads((out / "recordings" / "w03" / "batch.json").read_text())
    assert saved["recording"] == "w03"

    forced = run_cohort(cohort, out, cluster=THREADS, min_wear_h=1.0, force=True, report=False)
    assert forced.count("done") == 3
    assert stamp.stat().st_mtime_ns != before


def test_worker_processes_give_the_same_tables(threads_run, cohort_files, tmp_path):
    first, _ = threads_run
    _, _, manifest = cohort_files
    result = run_cohort(
        load_cohort(manifest),
        tmp_path / "out",
        cluster=ClusterOptions(workers=2, processes=True, memory_limit="1GiB"),
        min_wear_h=1.0,
        report=False,
    )
    assert result.count("done") == 3
    assert result.count("failed") == 1
    pd.testing.assert_frame_equal(result.daily, first.daily)
    pd.testing.assert_frame_equal(result.summary, first.summary)
    # the tasks ran in worker processes, not in this one
    workers = {o.worker for o in result.outcomes.values() if o.status == "done"}
    assert all(not w.endswith(f":{os.getpid()}") for w in workers)
    assert all(o.worker_peak_rss_mib and o.worker_peak_rss_mib > 0
               for o in result.outcomes.values() if o.status == "done")  # fmt: skip


def test_report_names_the_failure_and_holds_the_plots(threads_run):
    result, _ = threads_run
    html = result.paths["cohort_report.html"].read_text(encoding="utf-8")
    assert "Incomplete cohort" in html
    assert CORRUPT in html
    assert html.count("data:image/png;base64,") == 8  # 4 plots per day, 4 per work window
    assert "http://" not in html
    assert "https://" not in html


def test_unreachable_scheduler_is_an_input_error(cohort_files, tmp_path):
    from backcare.errors import InputError

    _, _, manifest = cohort_files
    with pytest.raises(InputError, match="scheduler"):
        run_cohort(
            load_cohort(manifest),
            tmp_path / "o",
            cluster=ClusterOptions(scheduler="tcp://127.0.0.1:9", connect_timeout_s=1.0),
            report=False,
        )


def test_result_files_hold_every_output(threads_run):
    result, _ = threads_run
    names = set(result.paths)
    assert names == {
        "cohort_daily.parquet", "cohort_daily.csv", "cohort_summary.csv", "cohort_columns.csv",
        "recordings.csv", "failures.csv", "cohort_report.html", "cohort_qc.csv",
    }  # fmt: skip
    qc = pd.read_csv(result.paths["cohort_qc.csv"])
    done = result.recordings[result.recordings["status"] != "failed"]["recording"]
    assert set(qc["recording"]) == set(done)  # one row per recording, sensor and day
    assert (qc["worn_h"] <= qc["data_h"] + 1e-9).all()
    back = pd.read_parquet(result.paths["cohort_daily.parquet"])
    pd.testing.assert_frame_equal(back, result.daily)
    columns = pd.read_csv(result.paths["cohort_columns.csv"])
    assert set(columns["column"]) >= {"subject", "group", "trunk_fwd_ge30_time_s"}
    assert (columns["unit"].notna()).all()
