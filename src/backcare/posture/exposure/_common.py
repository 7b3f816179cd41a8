"""Constants shared by the exposure modules: posture classes per activity and the signal of each
body part."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from backcare.posture._engine import TRUNK_FORWARD, UPPER_ARM
from backcare.posture.conventions import SITTING, UPRIGHT, Activity

F64 = NDArray[np.float64]

N_ACTIVITY = max(a.value for a in Activity) + 1
POSTURE_CLASS = np.full(N_ACTIVITY, 2, dtype=np.int64)  # 0 sit, 1 upright, 2 other
for _a in SITTING:
    POSTURE_CLASS[_a.value] = 0
for _a in UPRIGHT:
    POSTURE_CLASS[_a.value] = 1
PART_SIGNAL = {"trunk": TRUNK_FORWARD, "neck": "neck_flexion", "upper_arm": UPPER_ARM}
DEFAULT_CHUNK = 1 << 20
