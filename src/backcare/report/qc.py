"""Quality control of a wearable analysis: one row per sensor and day, and a one-page figure.

What a reader of the results needs to trust them, per sensor: how long it was worn each day,
whether the calibration to gravity worked (its residual error), what the mounting check decided
(axes as given, or corrected), where the reference posture came from, how many samples reached
the device's range limit (clipped), and the gaps and reading problems of the file.

Everything is rebuilt from the series' metadata (``meta.extra["sensors"]``, which the pipeline
fills with an hourly quality summary), so the same section can be drawn again from a saved
``summary.json``. The figure is inline SVG: no plotting library, sharp on a phone, and it scales
to the page width.

* :func:`qc_days` -- the table (``qc_days.csv``; the cohort's ``cohort_qc.csv`` stacks them);
* :func:`qc_html` -- the report section: one sentence first, what to do, then the figure and the
  per-sensor facts;
* :func:`cohort_qc_table` / :func:`cohort_qc_html` -- the same over a batch run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

__all__ = [
    "CALIBRATION_GOOD_MG",
    "cohort_qc_html",
    "cohort_qc_table",
    "qc_days",
    "qc_html",
    "sensor_facts",
]

#: Residual calibration error below which the calibration counts as good: 10 mg, the criterion
#: of van Hees et al. 2014 (J Appl Physiol 117:738) for a successful auto-calibration.
CALIBRATION_GOOD_MG = 10.0

_PLACEMENT_WORDS = {
    "thigh": "thigh",
    "trunk_back": "upper back",
    "trunk_lumbar": "lower back",
    "trunk_chest": "chest",
    "upper_arm": "upper arm",
    "wrist": "wrist",
    "hip": "hip",
}
_REFERENCE_WORDS = {
    "window": "from the standing period you gave",
    "walking": "from the person's own walking",
    "default": "standard angles (no walking or standing period to learn from)",
}
_WORN, _OFF, _EMPTY = "#43a047", "#9e9e9e", "#ffffff"


def _sensors(extra: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    sensors = extra.get("sensors", {})
    return dict(sensors) if isinstance(sensors, Mapping) else {}


def _day_of_hour(hourly: Mapping[str, Any], i: int) -> str:
    first = hourly.get("first_hour")
    if first:
        return (datetime.fromisoformat(first) + timedelta(hours=i)).date().isoformat()
    lead = int(hourly.get("first_hour_lead_s") or 0)
    return f"day {(i * 3600 - lead) // 86400 + 1}"


def _calibration_mg(s: Mapping[str, Any]) -> float | None:
    cal = s.get("calibration", {})
    err = cal.get("error_after_g") if cal.get("applied") else cal.get("error_before_g")
    return None if err is None else float(err) * 1000.0


def qc_days(extra: Mapping[str, Any], stairs_reference: str | None = None) -> pd.DataFrame:
    """One row per sensor and calendar day (device-clock days; ``day N`` without a start time).

    Columns: placement, file, day, data_h (hours with data), worn_h, nonwear_h, no_data_h
    (hours of the day inside the recording without data: gaps and the partial first and last
    hours), clipped_samples, calibration_applied, calibration_error_mg, axes_corrected,
    reference, stairs_reference, reading_problems.
    """
    rows: list[dict[str, Any]] = []
    stairs_reference = stairs_reference or extra.get("classification", {}).get("stair_reference")
    for placement, s in _sensors(extra).items():
        hourly = s.get("hourly") or {}
        data = list(hourly.get("data_s") or [])
        nonwear = list(hourly.get("nonwear_s") or [])
        clipped = hourly.get("clipped")
        mount = s.get("mounting", {})
        days: dict[str, dict[str, float]] = {}
        for i, d in enumerate(data):
            day = days.setdefault(
                _day_of_hour(hourly, i), {"data": 0.0, "nonwear": 0.0, "span": 0.0, "clip": 0.0}
            )
            day["data"] += d
            day["nonwear"] += nonwear[i] if i < len(nonwear) else 0
            day["span"] += 3600.0
            day["clip"] += clipped[i] if clipped is not None and i < len(clipped) else 0
        for label, day in days.items():
            rows.append(
                {
                    "placement": placement,
                    "file": s.get("file"),
                    "day": label,
                    "data_h": day["data"] / 3600.0,
                    "worn_h": (day["data"] - day["nonwear"]) / 3600.0,
                    "nonwear_h": day["nonwear"] / 3600.0,
                    "no_data_h": (day["span"] - day["data"]) / 3600.0,
                    "clipped_samples": None if clipped is None else int(day["clip"]),
                    "calibration_applied": bool(s.get("calibration", {}).get("applied")),
                    "calibration_error_mg": _calibration_mg(s),
                    "axes_corrected": mount.get("axes_used") != mount.get("axes_given"),
                    "reference": s.get("reference", {}).get("method"),
                    "stairs_reference": stairs_reference if placement == "thigh" else None,
                    "reading_problems": len(s.get("issues", [])),
                }
            )
    return pd.DataFrame(rows, columns=_QC_COLUMNS)


_QC_COLUMNS = [
    "placement",
    "file",
    "day",
    "data_h",
    "worn_h",
    "nonwear_h",
    "no_data_h",
    "clipped_samples",
    "calibration_applied",
    "calibration_error_mg",
    "axes_corrected",
    "reference",
    "stairs_reference",
    "reading_problems",
]


def sensor_facts(placement: str, s: Mapping[str, Any]) -> list[str]:
    """Plain sentences on one sensor's calibration, mounting, reference, clipping and gaps."""
    where = _PLACEMENT_WORDS.get(placement, placement.replace("_", " "))
    facts = []
    cal = s.get("calibration", {})
    mg = _calibration_mg(s)
    if cal.get("applied") and mg is not None:
        verdict = "good" if mg < CALIBRATION_GOOD_MG else "weak: angles may be off by a few degrees"
        facts.append(f"Calibration to gravity: {verdict} (remaining error {mg:.1f} mg).")
    elif cal.get("reason") == "not requested":
        facts.append("Calibration to gravity: switched off; the data are used as recorded.")
    else:
        residual = f" (error as recorded {mg:.1f} mg)" if mg is not None else ""
        facts.append(
            "Calibration to gravity: not fitted, because the sensor did not rest in enough "
            f"different positions; the data are used as recorded{residual}."
        )
    mount = s.get("mounting", {})
    if mount.get("axes_used") != mount.get("axes_given"):
        how = []
        if mount.get("upside_down"):
            how.append("upside down")
        if mount.get("inside_out"):
            how.append("inside out")
        found = " and ".join(how) if how else "turned"
        facts.append(f"Mounting: the sensor was worn {found}; this was corrected.")
    else:
        facts.append("Mounting: the sensor was worn as expected (no correction needed).")
    ref = s.get("reference", {})
    method = ref.get("method")
    if method in _REFERENCE_WORDS:
        facts.append(f"Upright reference: {_REFERENCE_WORDS[method]}.")
    clipped = s.get("clipped_samples")
    if clipped is None:
        facts.append("Clipped samples: not checked (the file does not give its range).")
    elif clipped == 0:
        facts.append("Clipped samples: none.")
    else:
        facts.append(
            f"Clipped samples: {clipped:,} reached the sensor's limit (fast movements such as "
            "running or jumps can be underestimated)."
        )
    problems = len(s.get("issues", []))
    gaps = sum(1 for i in s.get("issues", []) if "gap" in str(i).lower())
    if problems:
        facts.append(
            f"Reading: {problems} problem(s) in the file ({gaps} gap(s)); the affected parts "
            "count as without data."
        )
    else:
        facts.append("Reading: no problems in the file.")
    return [f"{where.capitalize()} sensor. {f}" if i == 0 else f for i, f in enumerate(facts)]


def _svg(days: pd.DataFrame) -> str:
    """Per sensor and day, a 24-hour bar split into worn, not worn and no data (phone-first:
    a narrow drawing whose labels sit above the bars, capped in width on wide screens)."""
    if days.empty:
        return ""
    width, bar_w, text_h, bar_h, pad = 360, 340, 14, 12, 8
    height = 22 + len(days) * (text_h + bar_h + pad)
    parts = [
        f'<svg class="qc-plot" viewBox="0 0 {width} {height}" width="100%" '
        'style="max-width:640px;display:block" role="img" '
        'aria-label="Hours worn, not worn and without data, per sensor and day" '
        'font-family="sans-serif" font-size="11">'
    ]
    x = 0
    for colour, name in ((_WORN, "worn"), (_OFF, "not worn"), (_EMPTY, "no data")):
        parts.append(
            f'<rect x="{x}" y="4" width="10" height="10" fill="{colour}" stroke="#616161" '
            'stroke-width="0.5"/>'
        )
        parts.append(f'<text x="{x + 14}" y="13">{name}</text>')
        x += 80
    rows: list[dict[Any, Any]] = days.to_dict("records")
    for i, r in enumerate(rows):
        y = 22 + i * (text_h + bar_h + pad)
        where = _PLACEMENT_WORDS.get(str(r["placement"]), str(r["placement"]))
        note = f"{where}, {r['day']}: {float(r['worn_h']):.1f} h worn"
        if float(r["no_data_h"]) >= 0.05:
            note += f", {float(r['no_data_h']):.1f} h without data"
        clipped = r["clipped_samples"]
        if clipped is not None and clipped == clipped and int(clipped) > 0:
            note += f", {int(clipped):,} clipped samples"
        parts.append(f'<text x="0" y="{y + 11}">{escape(note)}</text>')
        yb = y + text_h
        worn_w = bar_w * min(max(float(r["worn_h"]), 0.0), 24.0) / 24.0
        off_w = bar_w * min(max(float(r["nonwear_h"]), 0.0), 24.0) / 24.0
        parts.append(
            f'<rect x="0" y="{yb}" width="{bar_w}" height="{bar_h}" fill="{_EMPTY}" '
            'stroke="#616161" stroke-width="0.5"/>'
        )
        parts.append(f'<rect x="0" y="{yb}" width="{worn_w:.1f}" height="{bar_h}" fill="{_WORN}"/>')
        parts.append(
            f'<rect x="{worn_w:.1f}" y="{yb}" width="{off_w:.1f}" height="{bar_h}" fill="{_OFF}"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _lead(days: pd.DataFrame, sensors: Mapping[str, Any], min_wear_h: float) -> tuple[str, str]:
    if days.empty:
        return "No sensor data could be checked.", ""
    parts = []
    for placement, group in days.groupby("placement", sort=False):
        where = _PLACEMENT_WORDS.get(str(placement), str(placement))
        n_worn = int((group["worn_h"] >= min_wear_h).sum())
        parts.append(f"the {where} sensor on {n_worn} of {len(group)} day(s)")
    calibrated = all(
        (mg := _calibration_mg(s)) is not None and mg < CALIBRATION_GOOD_MG
        for s in sensors.values()
    )
    sentence = f"Worn for at least {min_wear_h:g} hours: {'; '.join(parts)}; " + (
        "the calibration to gravity is good." if calibrated else "check the calibration below."
    )
    short = int((days["worn_h"] < min_wear_h).sum())
    todo = (
        f"{short} sensor-day(s) have less than {min_wear_h:g} hours worn: daily figures for "
        "them describe only part of the day; cohort tables leave them out."
        if short
        else "Every recorded day has enough wear time for daily figures."
    )
    return sentence, todo


def qc_html(extra: Mapping[str, Any], *, min_wear_h: float | None = None) -> Markup:
    """The report's data-quality section (a lead sentence, what to do, figure, facts)."""
    if min_wear_h is None:
        from backcare.knowledge.batch import cohort_rules

        min_wear_h = float(cohort_rules().valid_day.min_wear_h)
    days = qc_days(extra)
    sensors = _sensors(extra)
    sentence, todo = _lead(days, sensors, min_wear_h)
    html = [
        '<section class="qc"><h2>Data quality</h2>',
        f"<p><strong>{escape(sentence)}</strong></p>",
    ]
    if todo:
        html.append(f"<p>{escape(todo)}</p>")
    html.append(_svg(days))
    for placement, s in sensors.items():
        html.append("<ul>")
        html.extend(f"<li>{escape(f)}</li>" for f in sensor_facts(placement, s))
        html.append("</ul>")
    html.append("</section>")
    return Markup("\n".join(html))


def cohort_qc_table(recordings: pd.DataFrame) -> pd.DataFrame:
    """One row per recording, sensor and day: every analysed recording's ``qc_days.csv`` with
    its recording, subject and group in front (recordings without one are skipped)."""
    frames = []
    if "folder" in recordings.columns:
        for rec in recordings.to_dict("records"):
            path = Path(str(rec.get("folder", ""))) / "qc_days.csv"
            if rec.get("folder") and path.is_file():
                frame = pd.read_csv(path)
                for key in ("group", "subject", "recording"):
                    frame.insert(0, key, rec.get(key))
                frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["recording", "subject", "group", *_QC_COLUMNS])
    return pd.concat(frames, ignore_index=True)


def cohort_qc_html(recordings: pd.DataFrame, *, min_wear_h: float | None = None) -> Markup:
    """The cohort report's data-quality section: one row per recording, sensor and day."""
    table = cohort_qc_table(recordings)
    if table.empty:
        return Markup("")
    if min_wear_h is None:
        from backcare.knowledge.batch import cohort_rules

        min_wear_h = float(cohort_rules().valid_day.min_wear_h)
    short = int((table["worn_h"] < min_wear_h).sum())
    applied = table["calibration_applied"].astype(bool)
    weak = int((applied & (table["calibration_error_mg"] >= CALIBRATION_GOOD_MG)).sum())
    head = (
        f"{len(table)} sensor-day(s) checked: {short} with less than {min_wear_h:g} hours worn, "
        f"{weak} with a weak calibration."
    )
    columns: Sequence[tuple[str, str]] = (
        ("recording", "recording"),
        ("placement", "sensor"),
        ("day", "day"),
        ("worn_h", "worn [h]"),
        ("no_data_h", "no data [h]"),
        ("clipped_samples", "clipped"),
        ("calibration_error_mg", "calibration error [mg]"),
        ("axes_corrected", "mounting corrected"),
        ("reference", "reference"),
    )
    rows = []
    for r in table.to_dict("records"):
        cells = []
        for key, _ in columns:
            v = r.get(key)
            if key == "placement":
                v = _PLACEMENT_WORDS.get(str(v), v)
            if isinstance(v, float):
                text = "" if v != v else f"{v:.1f}"
            elif isinstance(v, bool):
                text = "yes" if v else "no"
            elif key == "reference":
                text = {"window": "given", "walking": "walking", "default": "standard"}.get(
                    str(v), ""
                )
            else:
                text = "" if v is None else str(v)
            cells.append(f"<td>{escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    header = "".join(f"<th>{escape(label)}</th>" for _, label in columns)
    return Markup(
        '<section class="qc"><h2>Data quality per recording and day</h2>'
        f"<p><strong>{escape(head)}</strong> The full table is cohort_qc.csv.</p>"
        f'<div style="overflow-x:auto"><table><tr>{header}</tr>{"".join(rows)}</table></div>'
        "</section>"
    )
