"""``backcare batch wearable`` end to end (local cluster with two thread workers)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.batch.cohort import CORRUPT, SUBJECTS, build_cohort, write_manifest


@pytest.fixture(scope="module")
def cohort_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch-cli") / "data"
    files = build_cohort(folder)
    return folder, files


def test_folder_with_a_corrupt_file(cli, cohort_dir, tmp_path):
    folder, files = cohort_dir
    out = tmp_path / "out"
    rc, stdout, err = cli(
        "batch", "wearable", str(folder), "--out", str(out),
        "--workers", "2", "--threads", "--min-wear-hours", "1",
    )  # fmt: skip
    assert rc == 1, err
    assert f"failed: {CORRUPT}" in err
    assert str(files[CORRUPT]["thigh"]) in err
    assert "incomplete: 1 of 4 recording(s) failed" in err
    assert "4 recording(s)" in stdout
    for name in ("cohort_daily.csv", "cohort_summary.csv", "failures.csv", "cohort_report.html"):
        assert (out / name).is_file(), name
        assert f"{name}: " in stdout
    daily = pd.read_csv(out / "cohort_daily.csv", keep_default_na=False)
    assert sorted(set(daily["recording"])) == sorted(SUBJECTS)
    # a second run finds the finished recordings and only retries the failed one
    rc, stdout, _ = cli(
        "batch", "wearable", str(folder), "--out", str(out), "--workers", "2", "--threads",
        "--min-wear-hours", "1", "--no-report",
    )  # fmt: skip
    assert rc == 1
    assert "3 recording(s) already analysed with these inputs" in stdout
    assert "analysing 1 recording(s)" in stdout


def test_manifest_without_failures_exits_zero(cli, cohort_dir, tmp_path):
    _, files = cohort_dir
    good = {k: v for k, v in files.items() if k != CORRUPT}
    manifest = write_manifest(cohort_dir[0].parent / "good.csv", good)
    out = tmp_path / "out"
    rc, stdout, err = cli(
        "batch", "wearable", str(manifest), "--out", str(out), "--workers", "2", "--threads",
        "--recording-reports", "--no-report",
    )  # fmt: skip
    assert rc == 0, err
    assert "in 2 group(s): office, warehouse" in stdout
    assert (out / "recordings" / "w01" / "report.html").is_file()
    assert not (out / "cohort_report.html").exists()
    failures = pd.read_csv(out / "failures.csv")
    assert failures.empty


def test_bad_manifest_names_row_and_column(cli, tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("subject,thigh\nA,nothing-here.cwa\n", encoding="utf-8")
    rc, _, err = cli("batch", "wearable", str(manifest), "--out", str(tmp_path / "o"))
    assert rc == 2
    assert "row 1, column 'thigh': file not found" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_conflicting_options(cli, cohort_dir, tmp_path):
    folder, _ = cohort_dir
    rc, _, err = cli(
        "batch", "wearable", str(folder), "--out", str(tmp_path / "o"),
        "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786",
    )  # fmt: skip
    assert rc == 2
    assert "--workers" in err
    rc, _, err = cli(
        "batch", "wearable", str(folder), "--out", str(tmp_path / "o"), "--memory-limit", "lots"
    )
    assert rc == 2
    assert "--memory-limit" in err
