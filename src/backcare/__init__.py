"""backcare: understand, measure and prevent back pain.

Layers (imports point downwards only; ``lint-imports`` enforces it):

- ``knowledge``  versioned, cited data files (instruments, thresholds, advice) and their schema
- ``clinical``   pure core: questionnaire scoring, red-flag triage, pain phase, graded plan
- ``posture``    pure core: PostureSeries, joint angles, REBA/RULA, spinal load, exposure, alerts
- adapters      ``io`` (files), ``wearable``, ``camera``, ``store`` (database), ``report``:
                they read and write the world and call the core.
- ``api``        the public facade (``backcare.read_wearable``, ``backcare.analyze_wearable``,
                ``backcare.analyze_media``, ``backcare.assess``): the one way in for scripts,
                notebooks and the front ends below.
- front ends    ``batch``, ``web`` and ``cli``: they call the facade.

The facade's names are importable from ``backcare`` itself; they load on first use, so that
``import backcare`` stays cheap.

backcare informs and triages; it never diagnoses.
"""

import importlib
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("backcare")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backcare.api import (
        MediaResult,
        WearableOptions,
        WearableResult,
        analyze_media,
        analyze_wearable,
        assess,
        read_wearable,
        wearable_options,
    )

__all__ = [
    "MediaResult",
    "WearableOptions",
    "WearableResult",
    "__version__",
    "analyze_media",
    "analyze_wearable",
    "assess",
    "read_wearable",
    "wearable_options",
]

#: The names loaded from :mod:`backcare.api` on first use.
_FACADE = frozenset(__all__) - {"__version__"}


def __getattr__(name: str) -> Any:
    if name in _FACADE:
        # imported by name, so that the modules below the facade may import ``backcare`` (for
        # ``__version__``) without depending on it
        api = importlib.import_module("backcare.api")
        value = getattr(api, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'backcare' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_FACADE))
