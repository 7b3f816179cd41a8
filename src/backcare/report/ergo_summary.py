"""The ergonomist's one-page summary of a measured recording, in words.

For the reports (wearable and camera, written by the CLI and shown on the web) the first page
answers: how did each body region do against ISO 11226 and for how long; how the REBA/RULA
action levels were spread over the time; how work hours compare with the rest of the day (when
work hours were given); the longest static hold; the daily disc-load dose as hours of relaxed
standing (the knowledge data's standing reference, cited); and how good the data were (wear
time, calibration applied or not, and why).

Pure: it reads the summaries as plain mappings and returns rows of words; the templates lay them
out. Every code goes through :mod:`backcare.report.labels`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from backcare.knowledge import load, source
from backcare.knowledge.ergonomics import RebaTables, RulaTables
from backcare.knowledge.exposure import thresholds
from backcare.report.headline import disc_dose_standing_hours, duration_words
from backcare.report.labels import body_part_label, iso_verdict_label, level_label

__all__ = [
    "ErgoSummary",
    "RegionRow",
    "action_level_words",
    "calibration_words",
    "camera_ergo_summary",
    "wearable_ergo_summary",
]

REGIONS = ("trunk", "neck", "upper_arm")

_NEEDS = {
    "trunk": "a sensor on the back or chest",
    "neck": "a head-worn sensor or a camera",
    "upper_arm": "a sensor on the upper arm or a camera",
}


@dataclass(frozen=True)
class RegionRow:
    region: str
    verdict: str
    driver: str


@dataclass(frozen=True)
class ErgoSummary:
    """Rows of words for the report's first page (empty tuples: nothing to show)."""

    regions: tuple[RegionRow, ...]
    #: (method, level in words, time, share of scored time)
    levels: tuple[tuple[str, str, str, str], ...] = ()
    #: (measure, work hours, rest of the day)
    split: tuple[tuple[str, str, str], ...] = ()
    split_note: str = ""
    longest_hold: str = ""
    disc: str = ""
    disc_source: str = ""
    quality: tuple[str, ...] = field(default_factory=tuple)


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _region_row(part: str, entry: Any) -> RegionRow:
    name = body_part_label(part)
    if not isinstance(entry, Mapping) or entry.get("verdict") in (None, "not_measured"):
        return RegionRow(name, "not measured", f"needs {_NEEDS.get(part, 'a measurement')}")
    verdict = str(entry.get("verdict"))
    bad = _num(entry.get("not_recommended_time_s")) or 0.0
    holding = _num(entry.get("holding_zone_time_s")) or 0.0
    violations = int(_num(entry.get("violations")) or 0)
    if verdict == "not_recommended":
        parts = []
        if bad > 0:
            parts.append(f"{duration_words(bad)} in postures not recommended")
        if violations:
            parts.append(f"{violations} holds longer than the holding time allows")
        driver = "; ".join(parts) or "postures outside the limits"
    elif verdict == "acceptable_within_holding_time":
        driver = f"{duration_words(holding)} in the holding zone, no hold longer than allowed"
    else:
        driver = "no time outside the acceptable zone"
    return RegionRow(name, iso_verdict_label(verdict), driver)


def action_level_words(method: str, level: int) -> str:
    """``medium risk: action necessary`` for REBA level 2, from the knowledge data."""
    doc: RebaTables | RulaTables
    doc = (
        load("ergonomics/reba.yaml", RebaTables)
        if method == "reba"
        else load("ergonomics/rula.yaml", RulaTables)
    )
    for lv in doc.action_levels.levels:
        if lv.level == level:
            return f"{lv.risk}: {lv.action}"
    return f"level {level}"


def calibration_words(calibration: Mapping[str, Any]) -> str:
    """Whether a sensor's calibration was applied, and why not, in words."""
    if calibration.get("applied"):
        before = _num(calibration.get("error_before_g"))
        after = _num(calibration.get("error_after_g"))
        if before is not None and after is not None:
            return (
                f"calibration applied (error {before * 1000:.0f} mg before, "
                f"{after * 1000:.0f} mg after)"
            )
        return "calibration applied"
    reason = str(calibration.get("reason") or "")
    if "still" in reason or "sphere" in reason:
        why = "too few still moments in different positions to fit one; factory values used"
    elif reason:
        why = reason.split("(")[0].strip().rstrip(":;,")
    else:
        why = "no reason recorded"
    return f"calibration not applied: {why}"


def _disc(summary: Mapping[str, Any]) -> tuple[str, str]:
    hours = disc_dose_standing_hours(summary.get("disc_dose_mpa_h_per_day"))
    if not hours:
        return "", ""
    ref = thresholds().disc
    dose = _num(summary.get("disc_dose_mpa_h_per_day")) or 0.0
    cite = "; ".join(source(sid).citation for sid in ref.sources)
    text = (
        f"{dose:.1f} MPa·h a day at the lower lumbar discs: like {hours:.1f} hours of "
        f"standing relaxed ({ref.standing_mpa:g} MPa)"
    )
    return text, cite


def _longest_hold(holds: Any) -> str:
    if not isinstance(holds, Mapping):
        return ""
    best: tuple[float, str] | None = None
    for part, entry in holds.items():
        longest = _num(entry.get("longest_s")) if isinstance(entry, Mapping) else None
        if longest and (best is None or longest > best[0]):
            best = (longest, str(part))
    if best is None:
        return ""
    return f"{body_part_label(best[1])}, {duration_words(best[0])}"


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f} %" if whole > 0 else "–"


def _split(
    summary: Mapping[str, Any], windows: Sequence[Mapping[Any, Any]]
) -> tuple[tuple[str, str, str], ...]:
    """Work windows against the rest of the measured time."""
    if not windows:
        return ()

    def total(key: str) -> float:
        return sum(_num(w.get(key)) or 0.0 for w in windows)

    measured = _num(summary.get("measured_time_s")) or 0.0
    work_measured = total("measured_time_s")
    rest_measured = max(0.0, measured - work_measured)
    rows = [
        (
            "measured",
            duration_words(work_measured),
            duration_words(rest_measured),
        )
    ]
    sit = _num(summary.get("sit_time_s"))
    if sit is not None:
        work_sit = total("sit_time_s")
        rest_sit = max(0.0, sit - work_sit)
        rows.append(
            (
                "sitting",
                f"{duration_words(work_sit)} ({_pct(work_sit, work_measured)})",
                f"{duration_words(rest_sit)} ({_pct(rest_sit, rest_measured)})",
            )
        )
    bands = summary.get("trunk_fwd_time_s")
    if isinstance(bands, Mapping):
        for key, value in sorted(bands.items(), key=lambda kv: float(kv[0])):
            threshold = float(key)
            if threshold not in (20.0, 60.0) or _num(value) is None:
                continue
            col = f"trunk_fwd_ge{threshold:g}_time_s"
            work = total(col)
            rest = max(0.0, float(value) - work)
            rows.append(
                (
                    f"trunk bent {threshold:g}° or more",
                    duration_words(work),
                    duration_words(rest),
                )
            )
    return tuple(rows)


def wearable_ergo_summary(
    summary: Mapping[str, Any],
    *,
    windows: Sequence[Mapping[Any, Any]] = (),
    levels: Sequence[Mapping[Any, Any]] = (),
    sensors: Mapping[str, Any] | None = None,
) -> ErgoSummary:
    """The first page of a wearable report.

    ``summary``: the exposure summary (``asdict(ExposureReport.summary)``); ``windows``: the
    work-hour windows (``per_window`` records, empty without work hours); ``levels``: the
    ``scores`` records of the whole recording; ``sensors``: the series' sensor metadata.
    """
    iso = summary.get("iso") if isinstance(summary.get("iso"), Mapping) else {}
    assert isinstance(iso, Mapping)
    regions = tuple(_region_row(part, iso.get(part)) for part in REGIONS)
    level_rows = []
    for rec in levels:
        if rec.get("period") != "total" or rec.get("measure") != "action_level":
            continue
        method = str(rec.get("method"))
        value = _num(rec.get("value"))
        spent = _num(rec.get("time_s")) or 0.0
        if value is None or spent <= 0:
            continue
        pct = _num(rec.get("pct"))
        level_rows.append(
            (
                method.upper(),
                action_level_words(method, int(value)),
                duration_words(spent),
                f"{pct:.0f} %" if pct is not None else "–",
            )
        )
    disc, cite = _disc(summary)
    quality = []
    for placement, s in (sensors or {}).items():
        if not isinstance(s, Mapping):
            continue
        recorded = _num(s.get("recorded_s")) or 0.0
        nonwear = _num(s.get("nonwear_s")) or 0.0
        cal = s.get("calibration") if isinstance(s.get("calibration"), Mapping) else {}
        assert isinstance(cal, Mapping)
        quality.append(
            f"{placement.replace('_', ' ')} sensor: worn {duration_words(recorded - nonwear)} of "
            f"{duration_words(recorded)} recorded; {calibration_words(cal)}"
        )
    return ErgoSummary(
        regions=regions,
        levels=tuple(level_rows),
        split=_split(summary, windows),
        split_note="" if windows else "No work hours were given, so the day is not split.",
        longest_hold=_longest_hold(summary.get("holds")),
        disc=disc,
        disc_source=cite,
        quality=tuple(quality),
    )


def camera_ergo_summary(summary: Mapping[str, Any]) -> ErgoSummary:
    """The first page of a camera report from the camera analysis summary."""
    exposure = summary.get("exposure") if isinstance(summary.get("exposure"), Mapping) else {}
    assert isinstance(exposure, Mapping)
    inner = exposure.get("summary") if isinstance(exposure.get("summary"), Mapping) else {}
    assert isinstance(inner, Mapping)
    # the one exposure form keeps the verdicts in the summary; older files had them beside it
    iso = inner.get("iso", exposure.get("iso11226"))
    iso = iso if isinstance(iso, Mapping) else {}
    regions = tuple(_region_row(part, iso.get(part)) for part in REGIONS)
    level_rows = []
    for method in ("reba", "rula"):
        entry = summary.get(method)
        spread = entry.get("time_in_levels") if isinstance(entry, Mapping) else None
        if not isinstance(spread, Mapping):
            continue
        for name, spent in spread.items():
            if not isinstance(spent, Mapping):
                continue
            seconds = _num(spent.get("seconds")) or 0.0
            fraction = _num(spent.get("fraction"))
            level_rows.append(
                (
                    method.upper(),
                    level_label(name),
                    duration_words(seconds),
                    f"{100 * fraction:.0f} %" if fraction is not None else "–",
                )
            )
    frames = summary.get("frames") if isinstance(summary.get("frames"), Mapping) else {}
    assert isinstance(frames, Mapping)
    quality = []
    analysed = _num(frames.get("analysed"))
    found = _num(frames.get("with_person"))
    if analysed:
        quality.append(
            f"person found in {int(found or 0)} of {int(analysed)} frames "
            f"({100 * (found or 0) / analysed:.0f} %)"
        )
    view = summary.get("view") if isinstance(summary.get("view"), Mapping) else {}
    assert isinstance(view, Mapping)
    if view.get("view"):
        quality.append(f"seen from the {str(view.get('view')).replace('_', ' ')}")
    tilt = summary.get("camera_tilt")
    quality.append("camera tilt corrected" if tilt else "camera assumed level (no tilt given)")
    disc, cite = _disc(inner)
    return ErgoSummary(
        regions=regions,
        levels=tuple(level_rows),
        longest_hold=_longest_hold(exposure.get("holds")),
        disc=disc,
        disc_source=cite,
        quality=tuple(quality),
    )
