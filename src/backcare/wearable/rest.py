"""Time in bed and probable sleep over the night, from the per-second activity.

Rule (numbers in ``knowledge/data/wearable/activity.yaml``, section ``rest``)
----------------------------------------------------------------------------
* **Rest candidates**: seconds classified as lying (any kind) or sitting. With a trunk sensor
  only lying counts: sitting up in the evening is then told apart.
* **Time in bed**: within each night window (by default 18:00 to 12:00 on the recording's own
  clock), candidate runs joined across upright breaks of at most ``max_break_s``; non-wear
  inside such a stretch is rest, never a break (a still night must not be cut by a non-wear
  flag), but a stretch must be at least half candidate seconds and must span the middle of the
  window (03:00 for 18:00-12:00: a morning at a desk or an evening on the sofa alone is not a
  night). The longest such stretch of at least ``min_bed_s`` is that night's time in bed.
* **Probable sleep**: inside time in bed, seconds whose thigh movement (largest axis SD) stays
  below ``still_sd_g`` (or flagged non-wear), joined across movements of at most
  ``max_sleep_break_s``, in runs of at least ``min_sleep_s``.

Every period carries how it was found: ``"thigh"`` (lying and sitting look alike to a thigh
sensor, so a long evening on the sofa can count as time in bed) or ``"thigh and trunk"``. Sleep
is stillness in bed, not a sleep measurement. The numbers are this project's choices, after
ActiPASS's bedtime and still-lying outputs (see the knowledge file).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from backcare.knowledge.wearable import RestRules
from backcare.posture.conventions import LYING, Activity
from backcare.wearable.nonwear import runs

__all__ = ["RestPeriod", "rest_periods"]


@dataclass(frozen=True)
class RestPeriod:
    """One period (second indices on the series grid, end exclusive)."""

    kind: str  # "in_bed" or "sleep"
    start: int
    end: int
    evidence: str  # "thigh" or "thigh and trunk"

    @property
    def seconds(self) -> int:
        return self.end - self.start

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "start_s": self.start,
            "end_s": self.end,
            "seconds": self.seconds,
            "evidence": self.evidence,
        }


def _join(mask: NDArray[np.bool_], max_gap: int) -> NDArray[np.bool_]:
    """``mask`` with gaps of at most ``max_gap`` seconds between two runs filled."""
    joined = mask.copy()
    starts, ends = runs(~mask)
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        if s > 0 and e < mask.size and e - s <= max_gap:
            joined[s:e] = True
    return joined


def _nights(n: int, start: datetime | None, rules: RestRules) -> list[tuple[int, int, int]]:
    """Second ranges of the night windows that overlap the recording, and each one's middle
    (possibly outside the recording)."""
    if start is None:
        return [(0, n, n // 2)]
    day = start.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    end_of_rec = start + timedelta(seconds=n)
    wraps = rules.night_end_hour <= rules.night_start_hour
    windows: list[tuple[int, int, int]] = []
    while day < end_of_rec:
        w0 = day + timedelta(hours=rules.night_start_hour)
        w1 = day + timedelta(days=1 if wraps else 0, hours=rules.night_end_hour)
        a = max(int((w0 - start).total_seconds()), 0)
        b = min(int((w1 - start).total_seconds()), n)
        mid = int((w0 + (w1 - w0) / 2 - start).total_seconds())
        if b > a:
            windows.append((a, b, mid))
        day += timedelta(days=1)
    return windows


def rest_periods(
    activity: NDArray[np.int8],
    movement_sd: NDArray[np.float64],
    start: datetime | None,
    rules: RestRules,
    *,
    trunk: bool,
) -> list[RestPeriod]:
    """Time in bed and probable sleep periods (see the module docstring).

    Parameters
    ----------
    activity
        Activity code per second (:class:`~backcare.posture.conventions.Activity`).
    movement_sd
        The thigh's largest axis SD per second [g] (``NaN`` where unknown).
    start
        Wall-clock time of second 0 on the recording's own clock (``None``: unknown; the whole
        recording is then one window).
    rules
        The ``rest`` rules of the activity knowledge file.
    trunk
        A trunk sensor took part in the classification (lying is then measured).
    """
    n = activity.shape[0]
    lying = np.isin(activity, [int(a) for a in LYING])
    candidate = lying if trunk else lying | (activity == Activity.SIT)
    nonwear = activity == Activity.NONWEAR
    evidence = "thigh and trunk" if trunk else "thigh"
    joined = _join(candidate | nonwear, rules.max_break_s)
    still = np.nan_to_num(movement_sd, nan=np.inf) < rules.still_sd_g
    found: list[RestPeriod] = []
    for a, b, mid in _nights(n, start, rules):
        starts, ends = runs(joined[a:b])
        best: tuple[int, int] | None = None
        for s0, e0 in zip((starts + a).tolist(), (ends + a).tolist(), strict=True):
            if e0 - s0 < rules.min_bed_s or 2 * int(candidate[s0:e0].sum()) < e0 - s0:
                continue
            if not s0 <= mid < e0:
                continue
            if best is None or e0 - s0 > best[1] - best[0]:
                best = (s0, e0)
        if best is None:
            continue
        s, e = best
        found.append(RestPeriod("in_bed", s, e, evidence))
        quiet = _join((still | nonwear)[s:e], rules.max_sleep_break_s)
        qs, qe = runs(quiet)
        for q0, q1 in zip(qs.tolist(), qe.tolist(), strict=True):
            if q1 - q0 >= rules.min_sleep_s:
                found.append(RestPeriod("sleep", s + q0, s + q1, evidence))
    return found
