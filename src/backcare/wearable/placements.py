"""Where a sensor can be worn: the placement names every wearable module and the CLI share.

A module of its own with no imports, so a command's ``--help`` can list the placements without
loading the readers, NumPy or pandas.
"""

from __future__ import annotations

__all__ = ["PLACEMENTS", "TRUNK_PLACEMENTS"]

PLACEMENTS = ("thigh", "trunk_back", "trunk_lumbar", "trunk_chest", "upper_arm", "wrist", "hip")
TRUNK_PLACEMENTS = ("trunk_back", "trunk_lumbar", "trunk_chest")
