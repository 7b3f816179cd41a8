"""The cohort report: one self-contained HTML page over the cohort tables of a batch run.

Plots (matplotlib object API, embedded as base64 PNG) show, per group, the distribution over the
valid subject-days of: forward trunk inclination >= 30 and >= 60 deg [min/day], sitting time
[h/day] and wear time [h/day]; the same for work windows when the cohort has work hours. Tables:
the cohort summary of the key variables, every recording's status and every failure.

It reads only the tables (``cohort_daily``, ``cohort_summary``, ``recordings``, ``failures``)
built by :mod:`backcare.batch`, so it can be redrawn from the files.
"""

from __future__ import annotations

import base64
import io
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from matplotlib.figure import Figure

from backcare import __version__
from backcare.report.qc import cohort_qc_html

__all__ = ["COHORT_PLOTS", "CohortPlot", "distribution_png", "render_cohort_report"]


class CohortPlot(NamedTuple):
    """One distribution plot: a daily-table column shown in ``unit`` (= value / ``divisor``)."""

    column: str
    title: str
    unit: str
    divisor: float


COHORT_PLOTS: tuple[CohortPlot, ...] = (
    CohortPlot("trunk_fwd_ge30_time_s", "forward trunk inclination >= 30 deg", "min", 60.0),
    CohortPlot("trunk_fwd_ge60_time_s", "forward trunk inclination >= 60 deg", "min", 60.0),
    CohortPlot("sit_time_s", "sitting", "h", 3600.0),
    CohortPlot("measured_time_s", "wear time", "h", 3600.0),
)
_KEY_VARIABLES = (
    "measured_time_s",
    "sit_time_s",
    "upright_time_s",
    "trunk_fwd_ge30_time_s",
    "trunk_fwd_ge60_time_s",
    "trunk_fwd_ge30_upright_time_s",
    "trunk_fwd_ge60_upright_time_s",
    "trunk_fwd_p90_deg",
    "trunk_fwd_gt60_longest_s",
    "disc_dose_mpa_h",
)
_NO_GROUP = "(no group)"

_ENV = Environment(
    loader=PackageLoader("backcare.report", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def distribution_png(rows: pd.DataFrame, plot: CohortPlot, period_label: str) -> str | None:
    """Box plot with the individual subject-days per group (``None`` when nothing to show)."""
    if plot.column not in rows.columns:
        return None
    groups = sorted({str(g) for g in rows["group"]})
    data = []
    for g in groups:
        x = rows.loc[rows["group"] == g, plot.column].to_numpy(dtype=np.float64) / plot.divisor
        data.append(x[~np.isnan(x)])
    if not any(len(d) for d in data):
        return None
    labels = [g or _NO_GROUP for g in groups]
    fig = Figure(figsize=(max(4.0, 1.2 * len(groups) + 2.0), 3.0))
    ax = fig.subplots()
    shown = [d if len(d) else np.array([np.nan]) for d in data]
    ax.boxplot(shown, showfliers=False, widths=0.5)
    rng = np.random.default_rng(0)  # fixed jitter: the same page for the same data
    for i, d in enumerate(data, start=1):
        ax.scatter(i + rng.uniform(-0.12, 0.12, len(d)), d, s=12, color="#37474f", alpha=0.7)
    ax.set_xticks(range(1, len(labels) + 1), labels, rotation=20 if len(labels) > 4 else 0)
    ax.set_ylabel(f"{plot.unit} per {period_label}")
    ax.set_title(f"{plot.title} [{plot.unit}/{period_label}]", fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return "-"
        return f"{value:.{digits}f}"
    return str(value)


def _summary_rows(summary: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    stats = [c for c in summary.columns if c in ("mean", "median") or c.startswith("p")]
    header = ["group", "period", "variable", "unit", "subjects", "days", *stats]
    wanted = summary[summary["variable"].isin(_KEY_VARIABLES)]
    rows = [
        [
            str(r["group"]) or _NO_GROUP,
            str(r["period"]),
            str(r["variable"]),
            str(r["unit"]),
            str(r["n_subjects"]),
            str(r["n_days"]),
            *[_fmt(r[c]) for c in stats],
        ]
        for r in wanted.to_dict("records")
    ]
    return header, rows


def render_cohort_report(
    daily: pd.DataFrame,
    summary: pd.DataFrame,
    recordings: pd.DataFrame,
    failures: pd.DataFrame,
    *,
    source: str,
    min_wear_h: float,
    title: str = "Cohort posture and activity",
) -> str:
    """The HTML page of a batch run (tables as written by :mod:`backcare.batch.runner`)."""
    sections = []
    for period, label, heading in (
        ("day", "day", "Per day"),
        ("window", "work window", "Per work window"),
    ):
        if daily.empty or "period" not in daily.columns:
            break
        rows = daily[(daily["period"] == period) & daily["valid"].astype(bool)]
        if rows.empty:
            continue
        plots = [
            (p.title, png)
            for p in COHORT_PLOTS
            if (png := distribution_png(rows, p, label)) is not None
        ]
        sections.append(
            {
                "heading": heading,
                "n_rows": len(rows),
                "n_subjects": int(rows["subject"].nunique()),
                "plots": plots,
            }
        )
    n_days_all = int((daily["period"] == "day").sum()) if "period" in daily.columns else 0
    n_days_valid = (
        int(((daily["period"] == "day") & daily["valid"].astype(bool)).sum())
        if "valid" in daily.columns
        else 0
    )
    summary_header, summary_rows = _summary_rows(summary)
    counts = recordings["status"].value_counts().to_dict() if len(recordings) else {}
    template = _ENV.get_template("cohort.html.j2")
    return template.render(
        title=title,
        version=__version__,
        source=source,
        min_wear_h=float(min_wear_h),
        n_recordings=len(recordings),
        counts=counts,
        n_days_all=n_days_all,
        n_days_valid=n_days_valid,
        sections=sections,
        summary_header=summary_header,
        summary_rows=summary_rows,
        recordings=recordings.to_dict("records"),
        failures=failures.to_dict("records"),
        qc_section=cohort_qc_html(recordings, min_wear_h=float(min_wear_h)),
        fmt=_fmt,
    )
