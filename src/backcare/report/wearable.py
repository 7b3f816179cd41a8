"""The wearable analysis outputs: per-second Parquet, daily/hourly CSV, summary JSON and one
self-contained HTML report.

Plots are embedded as base64 PNG, so the page needs no other file and no network (the timelines
are drawn straight into pixels by :mod:`backcare.report.raster`, the histograms with matplotlib's
object API):

* per recorded day, a 24-hour timeline: the activity of every second as a colour band and the
  trunk inclination (and upper-arm elevation when measured) as lines;
* histograms of forward trunk inclination while sitting and while upright.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from backcare import __version__
from backcare.io.parquet import write_series
from backcare.jsonable import dumps
from backcare.posture.conventions import SITTING, UPRIGHT, Activity
from backcare.posture.exposure import ExposureReport
from backcare.posture.series import PostureSeries
from backcare.report.qc import qc_days, qc_html
from backcare.report.raster import timeline_png

if TYPE_CHECKING:
    from matplotlib.figure import Figure
from backcare.report.ergo_summary import calibration_words, wearable_ergo_summary
from backcare.report.headline import wearable_headline
from backcare.report.labels import activity_label, label, plain_notes

__all__ = [
    "ACTIVITY_HEX",
    "activity_table",
    "day_timeline_png",
    "inclination_histogram_png",
    "render_wearable_report",
    "write_wearable_outputs",
]

#: Colour of each activity in the timelines and tables.
ACTIVITY_HEX: dict[Activity, str] = {
    Activity.UNKNOWN: "#ffffff",
    Activity.NONWEAR: "#bdbdbd",
    Activity.LIE: "#5c6bc0",
    Activity.LIE_SUPINE: "#3949ab",
    Activity.LIE_PRONE: "#283593",
    Activity.LIE_SIDE: "#7986cb",
    Activity.SIT: "#ffb300",
    Activity.STAND: "#8bc34a",
    Activity.MOVE: "#26a69a",
    Activity.WALK: "#43a047",
    Activity.RUN: "#c62828",
    Activity.STAIRS: "#8e24aa",
    Activity.CYCLE: "#00838f",
    Activity.KNEEL: "#6d4c41",
}

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


def activity_table(series: PostureSeries) -> list[dict[str, Any]]:
    """Time per activity over the whole series (hours and percent of the recorded time)."""
    codes, counts = np.unique(series.activity, return_counts=True)
    dt = series.sample_interval_s() or 1.0
    total = float(counts.sum()) * dt
    rows = []
    for code, count in zip(codes.tolist(), counts.tolist(), strict=True):
        act = Activity(code)
        rows.append(
            {
                "activity": act.label,
                "colour": ACTIVITY_HEX[act],
                "hours": count * dt / 3600.0,
                "pct": 100.0 * count * dt / total if total else 0.0,
            }
        )
    return sorted(rows, key=lambda r: -float(r["hours"]))


def day_timeline_png(series: PostureSeries, day_start_s: float, label: str) -> str:
    """One day (24 h from ``day_start_s``, series seconds): activity band and trunk/arm angles."""
    t = series.time
    lo, hi = np.searchsorted(t, [day_start_s, day_start_s + 86400.0])
    idx = np.clip((t[lo:hi] - day_start_s).astype(np.int64), 0, 86399)
    codes = np.full(86400, -1, dtype=np.int64)
    codes[idx] = series.activity[lo:hi]
    traces = []
    for name, colour, title in _TRACES:
        values = series.get(name)
        if values is not None:
            day = np.full(86400, np.nan)
            day[idx] = values[lo:hi]
            traces.append((title, colour, day))
    colours = {a.value: c for a, c in ACTIVITY_HEX.items() if a != Activity.UNKNOWN}
    return timeline_png(codes, colours, traces, title=label)


_TRACES = (
    ("trunk_inclination", "#37474f", "trunk inclination"),
    ("upper_arm_elevation_right", "#ef6c00", "right arm elevation"),
    ("upper_arm_elevation_left", "#6a1b9a", "left arm elevation"),
)


def inclination_histogram_png(series: PostureSeries) -> str | None:
    """Histograms of forward trunk inclination [deg] while sitting and while upright."""
    inc = series.get("trunk_inclination")
    flex = series.get("trunk_flexion")
    if inc is None:
        return None
    forward = np.where(np.nan_to_num(flex) >= 0, inc, 0.0) if flex is not None else inc
    from matplotlib.figure import Figure  # loaded only when a trunk sensor gives a histogram

    fig = Figure(figsize=(8, 2.8))
    axes = fig.subplots(1, 2, sharey=True)
    bins = np.arange(0, 125, 5)
    for ax, group, title in (
        (axes[0], SITTING, "sitting"),
        (axes[1], UPRIGHT, "upright (stand, move, walk...)"),
    ):
        mask = np.isin(series.activity, [a.value for a in group]) & ~np.isnan(forward)
        minutes = np.histogram(forward[mask], bins=bins)[0] / 60.0
        ax.bar(bins[:-1], minutes, width=5, align="edge", color="#546e7a")
        for threshold in (20, 30, 60, 90):
            ax.axvline(threshold, color="#c62828", lw=0.6, ls="--")
        ax.set_title(f"forward trunk inclination, {title}", fontsize=9)
        ax.set_xlabel("deg")
    axes[0].set_ylabel("minutes")
    return _png(fig)


def _day_starts(series: PostureSeries, per_day: pd.DataFrame) -> list[tuple[float, str]]:
    if len(per_day) and "start_s" in per_day.columns:
        starts = per_day["start_s"].to_numpy(dtype=np.float64)
        labels = per_day["label"].astype(str).tolist()
        return [
            (float(t), label)
            for t, label in zip(starts.tolist(), labels, strict=True)
            if np.isfinite(t)
        ]
    t0 = float(series.time[0]) if len(series) else 0.0
    days = int(np.ceil(series.duration_s / 86400.0)) or 1
    return [(t0 + 86400.0 * d, f"day {d + 1}") for d in range(days)]


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if np.isnan(value):
            return "-"
        return f"{value:.{digits}f}"
    return str(value)


_DAY_COLUMNS = (
    ("label", "day"),
    ("measured_time_s", "measured [h]"),
    ("sit_time_s", "sitting [h]"),
    ("upright_time_s", "upright [h]"),
    ("lying_time_s", "lying [h]"),
    ("trunk_fwd_ge20_pct", "trunk bent ≥ 20° [% of time]"),
    ("trunk_fwd_ge30_pct", "trunk bent ≥ 30° [%]"),
    ("trunk_fwd_ge60_pct", "trunk bent ≥ 60° [%]"),
    ("trunk_fwd_ge90_pct", "trunk bent ≥ 90° [%]"),
    ("trunk_fwd_p50_deg", "trunk bend, median [°]"),
    ("trunk_fwd_p90_deg", "trunk bend, 90th percentile [°]"),
    ("trunk_fwd_gt60_longest_s", "longest bend > 60° [s]"),
    ("sed_bouts_ge30min_n", "sitting spells ≥ 30 min"),
    ("iso_trunk_verdict", "ISO 11226 trunk"),
    ("disc_dose_mpa_h", "disc load dose [MPa·h]"),
)


def _day_rows(per_day: pd.DataFrame) -> list[list[str]]:
    rows = []
    for rec in per_day.to_dict("records"):
        row = []
        for col, _ in _DAY_COLUMNS:
            v = rec.get(col)
            if col.endswith("_time_s") and col != "trunk_fwd_gt60_longest_s" and v is not None:
                v = float(v) / 3600.0
            if col.endswith("_verdict") and isinstance(v, str):
                v = label(v)
            row.append(_fmt(v))
        rows.append(row)
    return rows


_REST_KIND = {"in_bed": "time in bed", "sleep": "probable sleep"}
_REST_EVIDENCE = {
    "thigh": "thigh sensor only: sitting and lying look alike, so this is an estimate",
    "thigh and trunk": "thigh and trunk sensors: lying measured",
}


def rest_rows(series: PostureSeries) -> list[dict[str, str]]:
    """Time in bed and probable sleep periods, in words and wall-clock times where known."""
    start = series.meta.start
    rows = []
    for p in series.meta.extra.get("classification", {}).get("rest", []):
        if start is not None:
            t0 = (start + timedelta(seconds=p["start_s"])).strftime("%a %d %b %H:%M")
            t1 = (start + timedelta(seconds=p["end_s"])).strftime("%a %d %b %H:%M")
        else:
            t0, t1 = f"{p['start_s'] / 3600:.1f} h", f"{p['end_s'] / 3600:.1f} h"
        rows.append(
            {
                "period": _REST_KIND.get(p["kind"], p["kind"]),
                "from": t0,
                "to": t1,
                "hours": _fmt(p["seconds"] / 3600.0),
                "evidence": _REST_EVIDENCE.get(p["evidence"], p["evidence"]),
            }
        )
    return rows


def qc_table(series: PostureSeries) -> pd.DataFrame:
    """Quality control, one row per sensor: wear, calibration, orientation and reference
    decisions, the stairs reference and the reading problems (gaps, bad blocks)."""
    extra = series.meta.extra
    stair = extra.get("classification", {}).get("stair_reference")
    rows = []
    for placement, s in extra.get("sensors", {}).items():
        cal, mount, ref = s["calibration"], s["mounting"], s["reference"]
        rows.append(
            {
                "placement": placement,
                "file": s["file"],
                "device": s["device"],
                "rate_hz": s["fs_hz"],
                "recorded_h": s["recorded_s"] / 3600.0,
                "worn_h": (s["recorded_s"] - s["nonwear_s"]) / 3600.0,
                "nonwear_periods": len(s["nonwear_periods"]),
                "calibration_applied": cal["applied"],
                "calibration_error_mg": (
                    None if cal["error_after_g"] is None else cal["error_after_g"] * 1000.0
                ),
                "calibration_note": cal["reason"],
                "axes_given": mount["axes_given"],
                "axes_used": mount["axes_used"],
                "upside_down": mount["upside_down"],
                "inside_out": mount["inside_out"],
                "reference": ref["method"],
                "reference_s": ref["seconds"],
                "stairs_reference": stair if placement == "thigh" else None,
                "reading_problems": len(s["issues"]),
            }
        )
    return pd.DataFrame(rows)


def render_wearable_report(
    series: PostureSeries, report: ExposureReport, *, title: str = "Wearable posture analysis"
) -> str:
    """The HTML page of one analysis (series from the pipeline, exposure from the core)."""
    extra = series.meta.extra
    days = _day_starts(series, report.per_day)
    timelines = [(label, day_timeline_png(series, start, label)) for start, label in days]
    template = _ENV.get_template("wearable.html.j2")
    legend = [
        (activity_label(a.label), c) for a, c in ACTIVITY_HEX.items() if a != Activity.UNKNOWN
    ]
    start = series.meta.start
    ergo = wearable_ergo_summary(
        asdict(report.summary),
        windows=report.per_window.to_dict("records"),
        levels=report.scores.to_dict("records"),
        sensors=extra.get("sensors", {}),
    )
    headline = wearable_headline(
        {**asdict(report.summary), "activities": activity_table(series)},
        day=start.date() if start is not None and report.summary.days <= 1 else None,
    )
    return template.render(
        ergo=ergo,
        headline=headline,
        calibration_words=calibration_words,
        label=label,
        title=title,
        version=__version__,
        start=start.isoformat() if start else None,
        end=(start + timedelta(seconds=series.duration_s)).isoformat() if start else None,
        sensors=extra.get("sensors", {}),
        classification=extra.get("classification", {}),
        activities=activity_table(series),
        legend=legend,
        timelines=timelines,
        histogram=inclination_histogram_png(series),
        day_header=[h for _, h in _DAY_COLUMNS],
        day_rows=_day_rows(report.per_day),
        rest=rest_rows(series),
        notes=plain_notes(list(series.meta.notes) + list(report.notes)),
        qc_section=qc_html(extra),
        fmt=_fmt,
    )


def write_wearable_outputs(
    series: PostureSeries,
    report: ExposureReport,
    out_dir: str | Path,
    *,
    html: bool = True,
) -> dict[str, Path]:
    """Write the outputs of one analysis into ``out_dir`` (created); returns them by kind.

    ``seconds.parquet`` (the per-second series), ``daily.csv``, ``hourly.csv``, ``windows.csv``
    (when windows were asked for), ``bouts.csv``, ``qc.csv`` (one row per sensor), ``qc_days.csv``
    (one row per sensor and day, see :mod:`backcare.report.qc`),
    ``summary.json`` (sensors, calibration, mounting, reference, non-wear, totals) and
    ``report.html``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {"seconds": write_series(series, out / "seconds.parquet")}
    for name, table in (
        ("daily", report.per_day),
        ("hourly", report.per_hour),
        ("windows", report.per_window),
        ("bouts", report.bouts),
        ("qc", qc_table(series)),
        ("qc_days", qc_days(series.meta.extra)),
    ):
        if name == "windows" and table.empty:
            continue
        path = out / f"{name}.csv"
        table.to_csv(path, index=False)
        paths[name] = path
    summary: Mapping[str, Any] = {
        "backcare_version": __version__,
        "start": series.meta.start.isoformat() if series.meta.start else None,
        "seconds": len(series),
        "placements": list(series.meta.placements),
        "reference_offsets_deg": series.meta.calibration,
        "activities": activity_table(series),
        "total": report.total.to_dict("records")[0] if len(report.total) else {},
        "notes": list(series.meta.notes) + list(report.notes),
        **series.meta.extra,
    }
    paths["summary"] = out / "summary.json"
    paths["summary"].write_text(dumps(summary), encoding="utf-8")
    if html:
        paths["report"] = out / "report.html"
        paths["report"].write_text(render_wearable_report(series, report), encoding="utf-8")
    return paths
