"""Every column of the exposure tables, with its unit and meaning.

Names that depend on the knowledge data (bands, the longest-period threshold, the long sedentary
bout, ISO measures) are generated from it, so the glossary always matches the columns; a test
checks that it does.
"""

from __future__ import annotations

from typing import NamedTuple

from backcare.knowledge.exposure import iso11226, thresholds

__all__ = ["GlossaryEntry", "band_name", "glossary", "long_bout_name", "longest_name"]


class GlossaryEntry(NamedTuple):
    """Unit (``-`` when none) and meaning of an output column."""

    unit: str
    meaning: str


def band_name(threshold_deg: float) -> str:
    """``20`` -> ``ge20``; ``22.5`` -> ``ge22p5``."""
    return "ge" + f"{threshold_deg:g}".replace(".", "p").replace("-", "m")


def longest_name() -> str:
    return f"trunk_fwd_gt{thresholds().longest.above_deg:g}_longest_s".replace(".", "p")


def long_bout_name() -> str:
    return f"sed_bouts_ge{thresholds().sedentary.long_bout_s / 60:g}min".replace(".", "p")


PERIOD_COLUMNS: dict[str, GlossaryEntry] = {
    "period": GlossaryEntry("-", "kind of period: hour, day, window or total"),
    "label": GlossaryEntry("-", "the period's name (local date/hour, window, 'day N')"),
    "start": GlossaryEntry("datetime", "wall-clock start (timezone-aware; NaT without a start)"),
    "end": GlossaryEntry("datetime", "wall-clock end, exclusive (NaT without a start)"),
    "start_s": GlossaryEntry("s", "start in series seconds"),
    "end_s": GlossaryEntry("s", "end in series seconds, exclusive"),
    "day": GlossaryEntry("-", "day number, 1 = the first day (0 for explicit windows/total)"),
    "hour": GlossaryEntry("h", "local hour of day the row starts at (-1 on other rows)"),
}


def glossary() -> dict[str, GlossaryEntry]:
    """Column -> (unit, meaning) for ``per_hour``, ``per_day``, ``per_window``, ``bouts`` and
    ``scores`` of :class:`~backcare.posture.exposure.ExposureReport`."""
    cfg = thresholds()
    g: dict[str, GlossaryEntry] = dict(PERIOD_COLUMNS)
    e = GlossaryEntry
    g.update(
        {
            "measured_time_s": e("s", "credited time of worn samples (all but non-wear)"),
            "sit_time_s": e("s", "time sitting"),
            "upright_time_s": e("s", "time upright: standing, moving, walking, running, stairs"),
            "lying_time_s": e("s", "time lying (excluded from trunk and head inclination)"),
            "other_time_s": e("s", "time in other or unknown activity (cycling, unlabelled)"),
            "nonwear_time_s": e("s", "time the sensor was not worn"),
            "trunk_time_s": e("s", "time with a forward trunk inclination value (no lying)"),
            "trunk_sit_time_s": e("s", "trunk_time_s while sitting"),
            "trunk_upright_time_s": e("s", "trunk_time_s while upright"),
            "neck_time_s": e("s", "time with a neck flexion value"),
            "upper_arm_time_s": e("s", "time with an upper-arm elevation value"),
            longest_name(): e(
                "s",
                f"longest continuous period with forward trunk inclination > "
                f"{cfg.longest.above_deg:g} deg after the {cfg.median_filter.window_s:g} s "
                "median filter (part inside the period)",
            ),
        }
    )
    for p in cfg.percentiles.percentiles:
        g[f"trunk_fwd_p{p}_deg"] = e(
            "deg",
            f"{p}th percentile of forward trunk inclination over trunk_time_s "
            f"(time-weighted, resolved to {cfg.percentiles.resolution_deg:g} deg)",
        )
    for thr in cfg.trunk_forward.thresholds_deg:
        b = band_name(thr)
        g[f"trunk_fwd_{b}_time_s"] = e("s", f"time with forward trunk inclination >= {thr:g} deg")
        g[f"trunk_fwd_{b}_pct"] = e("%", f"trunk_fwd_{b}_time_s / trunk_time_s")
        g[f"trunk_fwd_{b}_sit_time_s"] = e(
            "s", f"time with forward trunk inclination >= {thr:g} deg while sitting"
        )
        g[f"trunk_fwd_{b}_sit_pct"] = e("%", f"trunk_fwd_{b}_sit_time_s / trunk_sit_time_s")
        g[f"trunk_fwd_{b}_upright_time_s"] = e(
            "s", f"time with forward trunk inclination >= {thr:g} deg while upright"
        )
        g[f"trunk_fwd_{b}_upright_pct"] = e(
            "%", f"trunk_fwd_{b}_upright_time_s / trunk_upright_time_s"
        )
    for thr in cfg.neck.thresholds_deg:
        b = band_name(thr)
        g[f"neck_flex_{b}_time_s"] = e("s", f"time with neck flexion >= {thr:g} deg")
        g[f"neck_flex_{b}_pct"] = e("%", f"neck_flex_{b}_time_s / neck_time_s")
    for thr in cfg.upper_arm.thresholds_deg:
        b = band_name(thr)
        g[f"upper_arm_{b}_time_s"] = e("s", f"time with the higher arm elevated >= {thr:g} deg")
        g[f"upper_arm_{b}_pct"] = e("%", f"upper_arm_{b}_time_s / upper_arm_time_s")
    iso = iso11226()
    for part in sorted({m.part for m in iso.measures}):
        g[f"iso_{part}_verdict"] = e(
            "-",
            "ISO 11226 verdict: acceptable, acceptable_within_holding_time, not_recommended "
            "or not_measured (rule in iso11226.yaml)",
        )
        g[f"iso_{part}_violations_n"] = e(
            "-",
            "ISO 11226 violations that occurred in the period (holding time exceeded or "
            "not-recommended zone sustained)",
        )
    for m in iso.measures:
        if m.not_recommended_above_deg > m.acceptable_max_deg:
            g[f"iso_{m.id}_holding_zone_time_s"] = e(
                "s",
                f"filtered time of {m.signal} in its holding zone "
                f"({m.acceptable_max_deg:g}-{m.not_recommended_above_deg:g} deg)",
            )
        g[f"iso_{m.id}_not_recommended_time_s"] = e(
            "s", f"filtered time of {m.signal} in its not-recommended zone"
        )
    for part in ("trunk", "neck", "upper_arm"):
        g[f"hold_{part}_n"] = e("-", f"static holds of the {part} angle starting in the period")
        g[f"hold_{part}_longest_s"] = e("s", f"longest static hold of the {part} (part inside)")
        g[f"hold_{part}_time_s"] = e("s", f"time in static holds of the {part}")
    lb = long_bout_name()
    g.update(
        {
            f"{lb}_n": e("-", "long sedentary bouts starting in the period"),
            f"{lb}_time_s": e("s", "time in long sedentary bouts (part inside the period)"),
            "sed_longest_s": e("s", "longest sedentary bout (part inside the period)"),
            "sed_breaks_n": e("-", "sedentary bouts ending in an upright activity"),
            "disc_time_s": e("s", "time with a disc pressure value"),
            "disc_dose_mpa_h": e("MPa·h", "time integral of intradiscal pressure"),
            "disc_dose_rel_h": e(
                "h", "standing-equivalent hours: disc_dose_mpa_h / standing pressure"
            ),
            "disc_rel_standing": e(
                "-",
                "disc_dose_mpa_h relative to standing relaxed for disc_time_s (mean pressure "
                "/ standing pressure)",
            ),
        }
    )
    for method in ("reba", "rula"):
        g[f"{method}_scored_time_s"] = e("s", f"time with a {method.upper()} score")
        g[f"{method}_median_score"] = e("-", f"time-weighted median {method.upper()} score")
        g[f"{method}_max_score"] = e("-", f"highest {method.upper()} score")
    g.update(
        {
            "kind": e("-", "bouts: trunk_fwd_gt<deg>, sedentary, static_hold_<part>"),
            "duration_s": e("s", "credited duration of the bout"),
            "mean_deg": e("deg", "time-weighted mean angle during the bout"),
            "ended_by": e("-", "activity that followed a sedentary bout ('' at a gap or end)"),
            "is_break": e("-", "the sedentary bout ended in an upright activity"),
            "method": e("-", "scores: reba or rula"),
            "measure": e("-", "scores: score or action_level"),
            "value": e("-", "the score or action level"),
            "time_s": e("s", "time at that value"),
            "pct": e("%", "time_s / scored time of the period"),
        }
    )
    return g
