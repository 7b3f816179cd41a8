"""Pure posture core: PostureSeries, joint angles, REBA/RULA, spinal load, exposure and alerts.

No file, network or database I/O: arrays and typed objects in, typed results out.
"""

from backcare.posture.conventions import CHANNELS, LYING, SITTING, UPRIGHT, Activity, ChannelSpec
from backcare.posture.series import PostureSeries, SeriesMeta

__all__ = [
    "CHANNELS",
    "LYING",
    "SITTING",
    "UPRIGHT",
    "Activity",
    "ChannelSpec",
    "PostureSeries",
    "SeriesMeta",
]
