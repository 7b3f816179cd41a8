"""The bouts table: forward bends above the longest-period threshold, sedentary bouts and static
holds, one row each."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from backcare.posture._engine import (
    Runs,
)
from backcare.posture.conventions import Activity
from backcare.posture.exposure.glossary import (
    longest_name,
)
from backcare.posture.exposure.runs import RunSets


def bouts_table(runs: RunSets, start: datetime | None, has_trunk: bool) -> pd.DataFrame:
    labels = {a.value: a.label for a in Activity}
    frames: list[pd.DataFrame] = []

    def add(kind: str, r: Runs, sed: bool = False) -> None:
        if len(r) == 0:
            return
        ended = [labels.get(int(a), "") if a >= 0 else "" for a in r.next_activity]
        frames.append(
            pd.DataFrame(
                {
                    "kind": kind,
                    "start_s": r.start_s,
                    "end_s": r.end_s,
                    "duration_s": r.duration_s,
                    "mean_deg": np.nan if sed else r.mean,
                    "ended_by": ended if sed else "",
                    "is_break": np.isin(r.next_activity, runs.break_codes) if sed else False,
                }
            )
        )

    if runs.longest is not None and has_trunk:
        add(longest_name().removesuffix("_longest_s"), runs.longest)
    add("sedentary", runs.sed, sed=True)
    for part, r in runs.holds.items():
        add(f"static_hold_{part}", r)
    cols = ["kind", "start", "end", "start_s", "end_s", "duration_s", "mean_deg", "ended_by",
            "is_break"]  # fmt: skip
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    df = pd.concat(frames, ignore_index=True)
    if start is not None:
        origin = pd.Timestamp(start)
        df["start"] = origin + pd.to_timedelta(df["start_s"], unit="s")
        df["end"] = origin + pd.to_timedelta(df["end_s"], unit="s")
    else:
        df["start"] = pd.NaT
        df["end"] = pd.NaT
    df["is_break"] = df["is_break"].astype(bool)
    return df[cols].sort_values(["start_s", "kind"], kind="stable").reset_index(drop=True)
