"""Pure posture core: PostureSeries, joint angles, REBA/RULA, spinal load, exposure and alerts.

No file, network or database I/O: arrays and typed objects in, typed results out.

The names below load on first use, so importing one small module of this package (for example
``backcare.posture.conventions``) does not load pandas with :class:`PostureSeries`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backcare.posture.conventions import (
        CHANNELS,
        LYING,
        SITTING,
        UPRIGHT,
        Activity,
        ChannelSpec,
    )
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

_HOME = {
    "CHANNELS": "conventions",
    "LYING": "conventions",
    "SITTING": "conventions",
    "UPRIGHT": "conventions",
    "Activity": "conventions",
    "ChannelSpec": "conventions",
    "PostureSeries": "series",
    "SeriesMeta": "series",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
