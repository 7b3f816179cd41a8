"""The typed :class:`~backcare.posture.exposure.summary.ExposureSummary` from the ``total`` row."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from backcare.knowledge.exposure import iso11226, thresholds
from backcare.posture.exposure.glossary import (
    band_name,
    long_bout_name,
    longest_name,
)
from backcare.posture.exposure.runs import RunSets
from backcare.posture.exposure.scored import Scored
from backcare.posture.exposure.summary import (
    ExposureSummary,
    HoldStats,
    IsoVerdict,
)


def summary_from_total(
    total: pd.DataFrame,
    n_days: int,
    runs: RunSets,
    signals: tuple[str, ...],
    scored: Sequence[Scored],
    disc: bool,
) -> ExposureSummary:
    cfg = thresholds()
    row = total.iloc[0]

    def f(col: str) -> float:
        return float(row[col]) if col in row.index else float("nan")

    bands = cfg.trunk_forward.thresholds_deg
    iso_parts: dict[str, IsoVerdict] = {}
    for part in sorted({m.part for m in iso11226().measures}):
        holding = sum(
            f(c)
            for c in row.index
            if c.startswith("iso_")
            and c.endswith("_holding_zone_time_s")
            and measure_part(c) == part
        )
        nr = sum(
            f(c)
            for c in row.index
            if c.startswith("iso_")
            and c.endswith("_not_recommended_time_s")
            and measure_part(c) == part
        )
        iso_parts[part] = IsoVerdict(
            part=part,
            verdict=row[f"iso_{part}_verdict"],
            violations=int(row[f"iso_{part}_violations_n"]),
            holding_zone_time_s=float(np.nan_to_num(holding)),
            not_recommended_time_s=float(np.nan_to_num(nr)),
        )
    holds = {
        part: HoldStats(
            count=int(row[f"hold_{part}_n"]),
            longest_s=f(f"hold_{part}_longest_s"),
            time_s=f(f"hold_{part}_time_s"),
        )
        for part in runs.holds
    }
    lb = long_bout_name()
    names = {sc.name for sc in scored}
    return ExposureSummary(
        days=n_days,
        measured_time_s=f("measured_time_s"),
        sit_time_s=f("sit_time_s"),
        upright_time_s=f("upright_time_s"),
        lying_time_s=f("lying_time_s"),
        trunk_time_s=f("trunk_time_s"),
        trunk_fwd_time_s={t: f(f"trunk_fwd_{band_name(t)}_time_s") for t in bands},
        trunk_fwd_pct={t: f(f"trunk_fwd_{band_name(t)}_pct") for t in bands},
        trunk_fwd_sit_time_s={t: f(f"trunk_fwd_{band_name(t)}_sit_time_s") for t in bands},
        trunk_fwd_upright_time_s={t: f(f"trunk_fwd_{band_name(t)}_upright_time_s") for t in bands},
        trunk_fwd_percentiles_deg={
            q: f(f"trunk_fwd_p{q}_deg") for q in cfg.percentiles.percentiles
        },
        trunk_fwd_longest_s=f(longest_name()),
        iso=iso_parts,
        holds=holds,
        long_sedentary_bouts=int(row[f"{lb}_n"]),
        long_sedentary_time_s=f(f"{lb}_time_s"),
        sedentary_breaks=int(row["sed_breaks_n"]),
        disc_dose_mpa_h_per_day=f("disc_dose_mpa_h") / max(n_days, 1) if disc else None,
        disc_rel_standing=f("disc_rel_standing") if disc else None,
        reba_median_score=f("reba_median_score") if "reba" in names else None,
        rula_median_score=f("rula_median_score") if "rula" in names else None,
    )


def measure_part(column: str) -> str | None:
    for m in iso11226().measures:
        if column.startswith(f"iso_{m.id}_"):
            return m.part
    return None
