"""backcare: understand, measure and prevent back pain.

Layers (imports point downwards only; ``lint-imports`` enforces it):

- ``knowledge``  versioned, cited data files (instruments, thresholds, advice) and their schema
- ``clinical``   pure core: questionnaire scoring, red-flag triage, pain phase, graded plan
- ``posture``    pure core: PostureSeries, joint angles, REBA/RULA, spinal load, exposure, alerts
- adapters      ``io`` (files), ``wearable``, ``camera``, ``store`` (database), ``report``,
                ``batch``, ``web`` and ``cli``: they read and write the world and call the core.

backcare informs and triages; it never diagnoses.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("backcare")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
