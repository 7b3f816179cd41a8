"""Cohort tables from the per-recording exposure summaries (collection and aggregation only).

* :func:`cohort_daily` -- one row per subject-day (``period == "day"``) and, for recordings with
  work hours, one per subject work window (``period == "window"``): the exposure summary's rows
  unchanged, with the recording's identity in front and a ``valid`` flag;
* :func:`cohort_summary` -- per group and period: number of subjects and days, and the mean,
  median and percentiles of every variable over the valid rows (verdicts as shares of days);
* :func:`column_glossary` -- unit and meaning of every column.

Which days are valid and which percentiles are reported are knowledge data
(``knowledge/data/batch/cohort.yaml``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from backcare.batch.manifest import RecordingSpec
from backcare.knowledge.batch import cohort_rules
from backcare.posture.exposure import glossary

__all__ = [
    "ALL_GROUPS",
    "ID_COLUMNS",
    "NO_GROUP",
    "cohort_daily",
    "cohort_summary",
    "column_glossary",
]

#: Identity columns put in front of the exposure summary's columns.
ID_COLUMNS: dict[str, tuple[str, str]] = {
    "recording": ("-", "recording id: <subject> or <subject>_<day> (its output folder)"),
    "subject": ("-", "subject id from the manifest or the file name"),
    "recording_day": ("-", "the manifest's day label of the recording ('' when not given)"),
    "group": ("-", "group from the manifest or the sub-folder ('' when not given)"),
    "valid": (
        "-",
        "the row enters cohort_summary: a day with at least the minimum wear time "
        "(cohort.yaml or min_wear_hours), a work window with any worn time",
    ),
}
#: Group label of the whole cohort in the summary.
ALL_GROUPS = "(all)"
#: Group label, in the summary, of the recordings without a group when others have one.
NO_GROUP = "(no group)"
_NOT_VARIABLES = frozenset({"start_s", "end_s", "day", "hour"})


def _verdict_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith("iso_") and c.endswith("_verdict")]


def cohort_daily(
    recordings: Sequence[RecordingSpec],
    periods: Mapping[str, pd.DataFrame],
    *,
    min_wear_h: float | None = None,
) -> pd.DataFrame:
    """Stack the period rows of every analysed recording (manifest order, then time).

    Parameters
    ----------
    recordings
        The cohort's recordings, in manifest order.
    periods
        The period rows (``day`` and ``window``) of each analysed recording, by recording key;
        recordings without an entry (failed) are left out.
    min_wear_h
        Minimum worn time [h] of a valid day (default: ``valid_day.min_wear_h`` of the cohort
        rules).
    """
    if min_wear_h is None:
        min_wear_h = cohort_rules().valid_day.min_wear_h
    frames = []
    for rec in recordings:
        table = periods.get(rec.key)
        if table is None or table.empty:
            continue
        ident = pd.DataFrame(
            {
                "recording": rec.key,
                "subject": rec.subject,
                "recording_day": rec.day,
                "group": rec.group,
            },
            index=table.index,
        )
        frames.append(pd.concat([ident, table], axis=1))
    if not frames:
        columns = [*ID_COLUMNS, "period", "label", "measured_time_s"]
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    daily = pd.concat(frames, ignore_index=True)
    measured = daily["measured_time_s"].astype(float).fillna(0.0)
    is_day = daily["period"] == "day"
    valid = np.where(is_day, measured >= min_wear_h * 3600.0, measured > 0.0)
    daily.insert(len(ID_COLUMNS) - 1, "valid", valid.astype(bool))
    return daily


def _stats(values: pd.Series, percentiles: Sequence[int]) -> dict[str, float]:
    x = values.to_numpy(dtype=np.float64)
    x = x[~np.isnan(x)]
    out = {"n": float(x.size), "mean": float("nan"), "median": float("nan")}
    for p in percentiles:
        if p != 50:
            out[f"p{p}"] = float("nan")
    if x.size:
        out["mean"] = float(x.mean())
        out["median"] = float(np.percentile(x, 50))
        for p in percentiles:
            if p != 50:
                out[f"p{p}"] = float(np.percentile(x, p))
    return out


def cohort_summary(daily: pd.DataFrame) -> pd.DataFrame:
    """Per group (recordings without one form ``(no group)`` when others have one; the whole
    cohort is ``(all)``) and period kind: ``n_subjects``,
    ``n_days`` and, per variable, ``n`` (rows with a value), ``mean``, ``median`` and the
    percentiles of the cohort rules, over the valid rows.

    Variables are the numeric columns of the exposure summary that have a value somewhere in the
    cohort; an ISO 11226 verdict column becomes one row per verdict (``iso_trunk_verdict =
    not_recommended``, unit ``% of days``) whose ``mean`` is the share of rows with that verdict.
    """
    percentiles = cohort_rules().summary.percentiles
    units = column_glossary()
    stat_cols = ["n", "mean", "median", *[f"p{p}" for p in percentiles if p != 50]]
    header = ["group", "period", "variable", "unit", "n_subjects", "n_days", *stat_cols]
    if daily.empty or "valid" not in daily.columns:
        return pd.DataFrame(columns=header)
    rows = daily[daily["valid"]]
    verdicts = _verdict_columns(daily)
    skip = set(ID_COLUMNS) | _NOT_VARIABLES | set(verdicts)
    numeric = [
        c
        for c in daily.columns
        if c not in skip
        and pd.api.types.is_numeric_dtype(daily[c])
        and not pd.api.types.is_bool_dtype(daily[c])
        and daily[c].notna().any()
    ]
    out: list[dict[str, object]] = []
    groups = sorted(g for g in rows["group"].unique() if g)
    for period in sorted(rows["period"].unique()):
        in_period = rows[rows["period"] == period]
        selections = [(g, in_period[in_period["group"] == g]) for g in groups]
        if groups:  # recordings without a group beside grouped ones are a group of their own
            selections.append((NO_GROUP, in_period[in_period["group"] == ""]))
        selections.append((ALL_GROUPS, in_period))
        for group, sel in selections:
            if sel.empty:
                continue
            base = {
                "group": group,
                "period": period,
                "n_subjects": int(sel["subject"].nunique()),
                "n_days": len(sel),
            }
            for col in numeric:
                out.append(
                    {
                        **base,
                        "variable": col,
                        "unit": units.get(col, ("-", ""))[0],
                        **_stats(sel[col], percentiles),
                    }
                )
            for col in verdicts:
                measured = sel[col][sel[col].notna() & (sel[col] != "not_measured")]
                for verdict in sorted(measured.unique()):
                    share = 100.0 * float((measured == verdict).mean())
                    out.append(
                        {
                            **base,
                            "variable": f"{col} = {verdict}",
                            "unit": "% of days",
                            "n": float(len(measured)),
                            "mean": share,
                        }
                    )
    summary = pd.DataFrame(out, columns=header)
    summary["n"] = summary["n"].astype("int64")
    return summary


def column_glossary() -> dict[str, tuple[str, str]]:
    """Column -> (unit, meaning) for the cohort tables."""
    table: dict[str, tuple[str, str]] = dict(ID_COLUMNS)
    table.update({name: (e.unit, e.meaning) for name, e in glossary().items()})
    return table
