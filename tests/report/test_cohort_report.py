"""The cohort HTML page: plots per group from the valid rows, failures shown, self-contained."""

from __future__ import annotations

import base64
import re

import numpy as np
import pandas as pd

from backcare.report.cohort import COHORT_PLOTS, distribution_png, render_cohort_report


def _daily(groups: list[str], valid: list[bool], period: str = "day") -> pd.DataFrame:
    n = len(groups)
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "recording": [f"s{i}" for i in range(n)],
            "subject": [f"s{i}" for i in range(n)],
            "recording_day": [""] * n,
            "group": groups,
            "valid": valid,
            "period": [period] * n,
            "trunk_fwd_ge30_time_s": rng.uniform(0, 3600, n),
            "trunk_fwd_ge60_time_s": rng.uniform(0, 600, n),
            "sit_time_s": rng.uniform(0, 8 * 3600, n),
            "measured_time_s": rng.uniform(10 * 3600, 24 * 3600, n),
        }
    )


def _tables(failed: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    recordings = pd.DataFrame(
        {
            "recording": ["s0", "s1", "bad"],
            "group": ["a", "b", "a"],
            "status": ["done", "skipped", "failed" if failed else "done"],
            "seconds": [86400, 86400, 0],
            "elapsed_s": [1.0, 0.0, 0.1],
            "files": ["thigh=s0.cwa", "thigh=s1.cwa", "thigh=bad.cwa"],
        }
    )
    failures = pd.DataFrame(
        {"recording": ["bad"], "error": ["InputError"], "message": ["bad.cwa: no valid block"]}
    )
    return recordings, failures if failed else failures.iloc[:0]


def _pngs(html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r"base64,([A-Za-z0-9+/=]+)", html)]


def test_page_with_groups_and_a_failure():
    daily = pd.concat(
        [_daily(["a", "a", "b", ""], [True, True, True, False]), _daily(["a"], [True], "window")],
        ignore_index=True,
    )
    summary = pd.DataFrame(
        [
            {"group": "a", "period": "day", "variable": "sit_time_s", "unit": "s",
             "n_subjects": 2, "n_days": 2, "n": 2, "mean": 3.0, "median": 3.0,
             "p10": 1.0, "p90": 5.0},
        ]
    )  # fmt: skip
    recordings, failures = _tables(failed=True)
    html = render_cohort_report(
        daily, summary, recordings, failures, source="cohort.csv", min_wear_h=10
    )
    assert "Incomplete cohort" in html
    assert "bad.cwa: no valid block" in html
    assert "3 of 4 calendar day(s) had at least 10.0 h of wear" in html
    pngs = _pngs(html)
    assert len(pngs) == 2 * len(COHORT_PLOTS)
    assert all(p.startswith(b"\x89PNG") for p in pngs)
    assert "Per work window" in html
    assert "sit_time_s" in html
    assert "<script" not in html


def test_complete_cohort_has_no_warning_and_invalid_rows_are_not_plotted():
    daily = _daily(["a", "b"], [False, False])
    recordings, failures = _tables(failed=False)
    html = render_cohort_report(
        daily, pd.DataFrame(columns=["variable"]), recordings, failures, source="x", min_wear_h=10
    )
    assert "Incomplete cohort" not in html
    assert _pngs(html) == []


def test_distribution_skips_missing_columns_and_empty_groups():
    rows = _daily(["a", "b"], [True, True])
    assert distribution_png(rows.drop(columns=["sit_time_s"]), COHORT_PLOTS[2], "day") is None
    rows.loc[rows["group"] == "b", "sit_time_s"] = np.nan
    png = distribution_png(rows, COHORT_PLOTS[2], "day")
    assert png is not None
    assert base64.b64decode(png).startswith(b"\x89PNG")
