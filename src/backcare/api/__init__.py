"""The public Python interface of backcare: read and analyse sensor files, photos and videos,
and assess a person's answers, in one call each.

>>> import backcare
>>> result = backcare.analyze_wearable(thigh="thigh.cwa", trunk="back.cwa", work_hours="8-16")
>>> result.summary().trunk_fwd_pct       # share of trunk time bent forward, by band [%]
>>> result.to_frame()                    # one row per second, indexed by time
>>> result.save("out")                   # tables, summary.json and report.html

The command line, cohort runs and the web app call these same functions. Units are SI unless
a name says otherwise: times in seconds (``_s``), angles in degrees (``_deg``), masses in
kilograms (``_kg``), heights in centimetres (``_cm``).
"""

from backcare.api._assess import assess
from backcare.api._media import MediaProgress, analyze_media, camera_options
from backcare.api._options import (
    CHUNK_SAMPLES,
    SensorFile,
    WearableOptions,
    parse_reference,
    parse_work_hours,
    wearable_options,
)
from backcare.api._results import MediaResult, WearableResult
from backcare.api._wearable import ReadProgress, analyze_wearable, read_wearable
from backcare.jsonable import json_ready

__all__ = [
    "CHUNK_SAMPLES",
    "MediaProgress",
    "MediaResult",
    "ReadProgress",
    "SensorFile",
    "WearableOptions",
    "WearableResult",
    "analyze_media",
    "analyze_wearable",
    "assess",
    "camera_options",
    "json_ready",
    "parse_reference",
    "parse_work_hours",
    "read_wearable",
    "wearable_options",
]
