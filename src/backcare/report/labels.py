"""Words for the codes that analyses store: activities, body parts, angles, ISO 11226 verdicts,
REBA/RULA levels, change classes and table columns.

Every page and report that shows one of these codes to a reader goes through :func:`label` (or
one of the maps below), so a reader never sees ``acceptable_within_holding_time`` or
``upper_arm_elevation_left``. An unknown code still becomes words (underscores and dots to
spaces), never the raw token.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

__all__ = [
    "ACTIVITY_LABELS",
    "ANGLE_LABELS",
    "BODY_PART_LABELS",
    "ISO_VERDICT_LABELS",
    "LEVEL_LABELS",
    "activity_label",
    "angle_label",
    "body_part_label",
    "iso_verdict_label",
    "label",
    "level_label",
    "level_range_label",
    "plain_notes",
    "words",
]

#: Activities of :class:`backcare.posture.conventions.Activity`, by their lower-case name.
ACTIVITY_LABELS: dict[str, str] = {
    "unknown": "not classified",
    "nonwear": "sensor not worn",
    "lie": "lying",
    "sit": "sitting",
    "stand": "standing",
    "move": "moving about",
    "walk": "walking",
    "run": "running",
    "stairs": "climbing stairs",
    "cycle": "cycling",
    "lie_supine": "lying on the back",
    "lie_prone": "lying on the front",
    "lie_side": "lying on the side",
    "kneel": "kneeling",
}

BODY_PART_LABELS: dict[str, str] = {
    "trunk": "trunk",
    "neck": "neck",
    "upper_arm": "upper arm",
    "upper_arms": "upper arms",
    "head": "head",
}

ANGLE_LABELS: dict[str, str] = {
    "trunk_flexion": "trunk bent forward",
    "trunk_lateral": "trunk bent to the side",
    "trunk_twist": "trunk twisted",
    "trunk_inclination": "trunk leaning from upright",
    "trunk_forward": "trunk bent forward",
    "neck_flexion": "neck bent forward",
    "neck_lateral": "neck bent to the side",
    "neck_twist": "head turned",
    "head_inclination": "head leaning forward",
    "upper_arm_elevation_left": "left upper arm raised",
    "upper_arm_elevation_right": "right upper arm raised",
    "upper_arm_elevation": "upper arm raised",
    "upper_arm_flexion_left": "left upper arm forward",
    "upper_arm_flexion_right": "right upper arm forward",
    "upper_arm_abduction_left": "left upper arm out to the side",
    "upper_arm_abduction_right": "right upper arm out to the side",
    "elbow_flexion_left": "left elbow bent",
    "elbow_flexion_right": "right elbow bent",
    "wrist_flexion_left": "left wrist bent",
    "wrist_flexion_right": "right wrist bent",
    "knee_flexion_left": "left knee bent",
    "knee_flexion_right": "right knee bent",
    "shoulder_asymmetry": "shoulders tilted",
}

ISO_VERDICT_LABELS: dict[str, str] = {
    "acceptable": "acceptable",
    "acceptable_within_holding_time": "acceptable within the holding time",
    "not_recommended": "not recommended",
    "not_measured": "not measured",
}

#: REBA/RULA risk words (as the knowledge data names them) and the meaningful-change classes.
LEVEL_LABELS: dict[str, str] = {
    "negligible": "negligible risk",
    "low": "low risk",
    "medium": "medium risk",
    "high": "high risk",
    "very high": "very high risk",
    "very_high": "very high risk",
    "acceptable": "acceptable",
    "investigate": "investigate further",
    "change soon": "change soon",
    "change_soon": "change soon",
    "change now": "change now",
    "change_now": "change now",
    "improved": "improved",
    "worsened": "worsened",
    "no_meaningful_change": "no meaningful change",
    "not_applicable": "no change rule for this questionnaire",
}

_ALL: tuple[Mapping[str, str], ...] = (
    ACTIVITY_LABELS,
    ANGLE_LABELS,
    BODY_PART_LABELS,
    ISO_VERDICT_LABELS,
    LEVEL_LABELS,
)


def words(code: object) -> str:
    """A code as words when no map knows it: ``upper_arm.left`` -> ``upper arm left``."""
    text = "" if code is None else str(code)
    return " ".join(text.replace("_", " ").replace(".", " ").split())


def _lookup(table: Mapping[str, str], code: object) -> str:
    key = "" if code is None else str(code).strip().lower()
    return table.get(key) or words(key)


def activity_label(code: object) -> str:
    return _lookup(ACTIVITY_LABELS, code)


def angle_label(code: object) -> str:
    return _lookup(ANGLE_LABELS, code)


def body_part_label(code: object) -> str:
    return _lookup(BODY_PART_LABELS, code)


def iso_verdict_label(code: object) -> str:
    return _lookup(ISO_VERDICT_LABELS, code)


def level_label(code: object) -> str:
    return _lookup(LEVEL_LABELS, code)


def level_range_label(low: object, high: object = None) -> str:
    """``medium risk``, or ``medium to high risk`` for a score given as a range."""
    if high is None or high == low:
        return level_label(low)
    first = level_label(low)
    return f"{first.removesuffix(' risk')} to {level_label(high)}"


def label(code: object) -> str:
    """Words for any known code (activities, angles, parts, verdicts, levels), else
    :func:`words`."""
    key = "" if code is None else str(code).strip().lower()
    for table in _ALL:
        if key in table:
            return table[key]
    return words(key)


_NO_SIGNAL = re.compile(
    r"^(?P<part>[a-z_]+): no [a-z_]+ signal in the series; its columns are NaN$"
)
_NO_CALIBRATION = re.compile(r"^(?P<where>[a-z_]+): calibration not applied \((?P<why>.*)\)$", re.S)
_NO_TIME_ZONE = "the device clock has no time zone"


def plain_notes(notes: Sequence[str]) -> list[str]:
    """The pipelines' notes in the reader's words: signal and column names become body parts,
    calibration details become what they mean, and notes on parts that were not measured are
    merged into one sentence; other notes are kept as they are."""
    out: list[str] = []
    unmeasured: list[str] = []
    for raw in notes:
        note = str(raw).strip()
        if not note:
            continue
        if m := _NO_SIGNAL.match(note):
            unmeasured.append(body_part_label(m.group("part")))
            continue
        if m := _NO_CALIBRATION.match(note):
            where = words(m.group("where"))
            out.append(
                f"The {where} sensor could not be calibrated from this recording: it holds too "
                "few still moments in different positions. Its factory calibration was used, "
                "which is usually close enough. A longer recording (a whole day and night) "
                "lets backcare calibrate it."
            )
            continue
        if note.startswith(_NO_TIME_ZONE):
            out.append(
                "The sensor's clock has no time zone, so times are shown as the sensor "
                "recorded them."
            )
            continue
        out.append(note)
    if unmeasured:
        out.append(
            "Not measured in this recording (no sensor on that part of the body): "
            + ", ".join(unmeasured)
            + "."
        )
    return out
