"""Words for the codes that analyses store: activities, body parts, angles, ISO 11226 verdicts,
REBA/RULA levels, change classes and table columns.

Every page and report that shows one of these codes to a reader goes through :func:`label` (or
one of the maps below), so a reader never sees ``acceptable_within_holding_time`` or
``upper_arm_elevation_left``. An unknown code still becomes words (underscores and dots to
spaces), never the raw token.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "ACTIVITY_COLOURS",
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

#: One colour per activity, the same in every chart and legend (colour-blind safe where the
#: palette allows; lying shades share a hue).
ACTIVITY_COLOURS: dict[str, str] = {
    "unknown": "#9ca3af",
    "nonwear": "#d1d5db",
    "lie": "#6d28d9",
    "lie_supine": "#7c3aed",
    "lie_prone": "#8b5cf6",
    "lie_side": "#a78bfa",
    "sit": "#d97706",
    "stand": "#0891b2",
    "move": "#10b981",
    "walk": "#059669",
    "run": "#dc2626",
    "stairs": "#be185d",
    "cycle": "#2563eb",
    "kneel": "#92400e",
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


def label(code: object) -> str:
    """Words for any known code (activities, angles, parts, verdicts, levels), else
    :func:`words`."""
    key = "" if code is None else str(code).strip().lower()
    for table in _ALL:
        if key in table:
            return table[key]
    return words(key)
