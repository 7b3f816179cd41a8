"""The runs one exposure pass found (forward bends, ISO 11226 conditions, sedentary bouts,
static holds) and their selection."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from backcare.posture._engine import Runs
from backcare.posture.alerts import AlertEvent


@dataclass
class RunSets:
    longest: Runs | None
    iso: dict[str, Runs]
    sed: Runs
    holds: dict[str, Runs]
    events: tuple[AlertEvent, ...]
    break_codes: NDArray[np.int8]


def subset_runs(r: Runs, mask: NDArray[np.bool_]) -> Runs:
    return Runs(
        start_index=r.start_index[mask],
        end_index=r.end_index[mask],
        start_s=r.start_s[mask],
        end_s=r.end_s[mask],
        start_c=r.start_c[mask],
        end_c=r.end_c[mask],
        mean=r.mean[mask],
        next_activity=r.next_activity[mask],
    )
