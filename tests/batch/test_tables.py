"""Cohort tables from period rows: identity, valid days, per-group statistics, verdict shares."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.api import SensorFile
from backcare.batch.manifest import RecordingSpec
from backcare.batch.tables import (
    ALL_GROUPS,
    ID_COLUMNS,
    NO_GROUP,
    cohort_daily,
    cohort_summary,
    column_glossary,
)
from backcare.knowledge.batch import cohort_rules
from backcare.posture.exposure import glossary


def _rec(subject: str, group: str = "", day: str = "") -> RecordingSpec:
    return RecordingSpec(
        subject=subject,
        sensors=(SensorFile("thigh", Path(f"{subject}.cwa")),),
        day=day,
        group=group,
    )


def _periods(measured_h: list[float], bend_min: list[float], verdicts: list[str],
             period: str = "day") -> pd.DataFrame:  # fmt: skip
    n = len(measured_h)
    return pd.DataFrame(
        {
            "period": [period] * n,
            "label": [f"2024-01-{i + 1:02d}" for i in range(n)],
            "start_s": np.arange(n) * 86400.0,
            "end_s": (np.arange(n) + 1) * 86400.0,
            "day": np.arange(1, n + 1),
            "hour": [-1] * n,
            "measured_time_s": np.array(measured_h) * 3600.0,
            "trunk_fwd_ge30_time_s": np.array(bend_min) * 60.0,
            "neck_time_s": [np.nan] * n,
            "iso_trunk_verdict": verdicts,
        }
    )


def test_daily_rows_keep_the_values_and_flag_valid_days():
    recs = [_rec("a", "office"), _rec("b", "office", "2"), _rec("c", "site"), _rec("failed")]
    periods = {
        "a": _periods([12, 4], [10, 1], ["acceptable", "acceptable"]),
        "b_2": _periods([23], [20], ["not_recommended"]),
        "c": pd.concat(
            [
                _periods([15], [30], ["acceptable_within_holding_time"]),
                _periods([0.0], [0], ["not_measured"], period="window"),
                _periods([6], [25], ["acceptable"], period="window"),
            ],
            ignore_index=True,
        ),
    }
    daily = cohort_daily(recs, periods)
    assert list(daily.columns[: len(ID_COLUMNS)]) == list(ID_COLUMNS)
    assert daily["recording"].tolist() == ["a", "a", "b_2", "c", "c", "c"]
    assert daily["recording_day"].tolist() == ["", "", "2", "", "", ""]
    # default rule: a day needs 10 h of wear; a work window needs any wear
    assert cohort_rules().valid_day.min_wear_h == 10
    assert daily["valid"].tolist() == [True, False, True, True, False, True]
    assert daily["trunk_fwd_ge30_time_s"].tolist() == [600, 60, 1200, 1800, 0, 1500]
    lower = cohort_daily(recs, periods, min_wear_h=3)
    assert lower["valid"].tolist() == [True, True, True, True, False, True]


def test_summary_statistics_per_group_and_for_everyone():
    recs = [_rec("a", "office"), _rec("b", "office"), _rec("c", "site")]
    periods = {
        "a": _periods([12, 11, 3], [10, 30, 99], ["acceptable", "not_recommended", "acceptable"]),
        "b": _periods([20], [50], ["not_recommended"]),
        "c": _periods([16, 16], [5, 7], ["acceptable", "not_measured"]),
    }
    summary = cohort_summary(cohort_daily(recs, periods))
    assert set(summary["group"]) == {"office", "site", ALL_GROUPS}
    row = summary[(summary["group"] == "office") & (summary["variable"] == "trunk_fwd_ge30_time_s")]
    row = row.iloc[0]
    values = np.array([10, 30, 50]) * 60.0  # the 3 h day of 'a' is not valid
    assert (row["n_subjects"], row["n_days"], row["n"]) == (2, 3, 3)
    assert row["unit"] == "s"
    assert row["period"] == "day"
    assert row["mean"] == pytest.approx(values.mean())
    assert row["median"] == pytest.approx(np.median(values))
    assert row["p10"] == pytest.approx(np.percentile(values, 10))
    assert row["p90"] == pytest.approx(np.percentile(values, 90))
    everyone = summary[
        (summary["group"] == ALL_GROUPS) & (summary["variable"] == "measured_time_s")
    ]
    assert everyone.iloc[0]["n_days"] == 5
    assert everyone.iloc[0]["n_subjects"] == 3
    # a column without any value in the cohort is left out
    assert "neck_time_s" not in set(summary["variable"])
    # verdicts: share of the valid days that had a verdict
    shares = summary[summary["variable"].str.startswith("iso_trunk_verdict")]
    office = shares[shares["group"] == "office"].set_index("variable")["mean"]
    assert office["iso_trunk_verdict = not_recommended"] == pytest.approx(200 / 3)
    assert office["iso_trunk_verdict = acceptable"] == pytest.approx(100 / 3)
    site = shares[shares["group"] == "site"].set_index("variable")
    assert site.loc["iso_trunk_verdict = acceptable", "mean"] == 100.0
    assert site.loc["iso_trunk_verdict = acceptable", "n"] == 1  # not_measured is no verdict
    assert (shares["unit"] == "% of days").all()


def test_empty_cohort_gives_empty_tables():
    daily = cohort_daily([_rec("a")], {})
    assert daily.empty
    assert list(daily.columns[:4]) == list(ID_COLUMNS)[:4]
    assert cohort_summary(daily).empty


def test_glossary_covers_identity_and_exposure_columns():
    table = column_glossary()
    for name in (*ID_COLUMNS, *glossary()):
        assert name in table
    assert table["trunk_fwd_ge30_time_s"][0] == "s"


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["g1", "g2", ""]),
            st.lists(st.floats(0, 24), min_size=1, max_size=4),
            st.floats(0, 600),
        ),
        min_size=1,
        max_size=6,
    ),
    st.floats(0, 24),
)
def test_summary_counts_match_the_valid_rows(subjects, min_wear):
    recs, periods = [], {}
    for i, (group, hours, bend) in enumerate(subjects):
        rec = _rec(f"s{i}", group)
        recs.append(rec)
        periods[rec.key] = _periods(hours, [bend] * len(hours), ["acceptable"] * len(hours))
    daily = cohort_daily(recs, periods, min_wear_h=min_wear)
    valid = daily[daily["valid"]]
    assert len(valid) == sum(h >= min_wear for _, hours, _ in subjects for h in hours)
    summary = cohort_summary(daily)
    if valid.empty:
        assert summary.empty
        return
    every = summary[(summary["group"] == ALL_GROUPS) & (summary["variable"] == "measured_time_s")]
    assert every.iloc[0]["n_days"] == len(valid)
    assert every.iloc[0]["n_subjects"] == valid["subject"].nunique()
    assert every.iloc[0]["mean"] == pytest.approx(valid["measured_time_s"].mean())
    per_group = summary[summary["variable"] == "measured_time_s"]
    parts = per_group[per_group["group"] != ALL_GROUPS]
    # the groups (with '(no group)' when some rows have a group) partition the valid rows
    if (valid["group"] != "").any():
        assert parts["n_days"].sum() == len(valid)
        ungrouped = parts[parts["group"] == NO_GROUP]
        assert ungrouped["n_days"].sum() == (valid["group"] == "").sum()
    else:
        assert parts.empty
