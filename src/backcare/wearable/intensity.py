"""Walking pace from the step rate, and intensity classes (MET bands) per second.

Rules (numbers in ``knowledge/data/wearable/activity.yaml``, section ``intensity``)
----------------------------------------------------------------------------------
* **Pace** of each walking second: the mean step rate of the walking seconds in the
  ``pace_window_s`` window around it, in steps per minute: *slow* below
  ``moderate_steps_per_min`` (100), *moderate* from it, *fast* from ``fast_steps_per_min`` (130)
  (Tudor-Locke et al. 2018: about 3 and 6 METs).
* **Intensity**: each activity's class from the knowledge file (SBRN bands: sedentary, light,
  moderate, vigorous); walking takes the class of its pace. Non-wear and unknown seconds have no
  class.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter1d

from backcare.knowledge.wearable import IntensityRules
from backcare.posture.conventions import Activity

__all__ = ["INTENSITIES", "PACES", "intensity_classes", "summary", "walking_pace"]

PACES: tuple[Literal["slow", "moderate", "fast"], ...] = ("slow", "moderate", "fast")
# pace codes 1, 2, 3 (0: not walking); intensity codes 1..4 (0: none)
INTENSITIES = ("sedentary", "light", "moderate", "vigorous")


def walking_pace(
    activity: NDArray[np.int8], step_hz: NDArray[np.float64], rules: IntensityRules
) -> NDArray[np.int8]:
    """Pace code per second: 0 not walking, 1 slow, 2 moderate, 3 fast."""
    walking = activity == Activity.WALK
    steps = np.where(walking, np.nan_to_num(step_hz) * 60.0, 0.0)
    w = rules.pace_window_s
    count = uniform_filter1d(walking.astype(np.float64), w, mode="constant")
    total = uniform_filter1d(steps, w, mode="constant")
    with np.errstate(invalid="ignore", divide="ignore"):
        cadence = np.where(count > 0, total / count, 0.0)
    pace = np.zeros(activity.shape[0], dtype=np.int8)
    pace[walking] = 1
    pace[walking & (cadence >= rules.moderate_steps_per_min)] = 2
    pace[walking & (cadence >= rules.fast_steps_per_min)] = 3
    return pace


def intensity_classes(
    activity: NDArray[np.int8], pace: NDArray[np.int8], rules: IntensityRules
) -> NDArray[np.int8]:
    """Intensity code per second: 0 none, 1 sedentary, 2 light, 3 moderate, 4 vigorous."""
    out = np.zeros(activity.shape[0], dtype=np.int8)
    for act in Activity:
        name = rules.activity.get(act.label)
        if name is not None:
            out[activity == act] = INTENSITIES.index(name) + 1
    for i, p in enumerate(PACES, start=1):
        out[(activity == Activity.WALK) & (pace == i)] = INTENSITIES.index(rules.pace[p]) + 1
    return out


def summary(pace: NDArray[np.int8], intensity: NDArray[np.int8]) -> dict[str, dict[str, int]]:
    """Seconds per walking pace and per intensity class."""
    return {
        "walking_pace_s": {p: int(np.sum(pace == i)) for i, p in enumerate(PACES, start=1)},
        "intensity_s": {c: int(np.sum(intensity == i)) for i, c in enumerate(INTENSITIES, 1)},
    }
