"""Library errors name parameters (``where="mass_kg"``); the command line shows its flags.

:func:`error_text` is the one place that turns a parameter name into the flag of the same
meaning when the command line prints an error.
"""

from __future__ import annotations

import re

from backcare.errors import BackcareError, InputError

__all__ = ["FLAGS", "error_text", "flag_for"]

#: Parameter names whose flag is not simply ``--`` plus the name with ``-`` for ``_``.
FLAGS: dict[str, str] = {
    "mass_kg": "--mass",
    "height_cm": "--height",
    "load_kg": "--load",
    "camera_pitch_deg": "--camera-pitch",
    "neutral_s": "--neutral",
    "rate_hz": "--rate",
    "fmt": "--format",
    "thigh": "--thigh",
    "trunk": "--trunk",
    "arm": "--arm",
    "path": "FILE",
}

#: Parameters that are flags of the same name (``work_hours`` -> ``--work-hours``).
_SAME = {
    "arm_side",
    "trunk_placement",
    "thigh_axes",
    "trunk_axes",
    "arm_axes",
    "work_hours",
    "reference",
    "diary",
    "coupling",
    "sex",
    "every",
    "fps",
    "units",
    "sensor",
    "placement",
    "days",
    "workers",
    "memory_limit",
    "scheduler",
    "min_wear_hours",
    "pdf",
    "only",
    "person",
    "threads",
    "pose_model",
}

_NAME = re.compile(r"[a-z][a-z0-9_]*")


def flag_for(name: str) -> str:
    """The command-line flag of parameter ``name`` (``name`` itself when it is none)."""
    if name in FLAGS:
        return FLAGS[name]
    if name in _SAME:
        return "--" + name.replace("_", "-")
    return name


def _where(where: str) -> str:
    # "every/fps" -> "--every/--fps"; "reference (thigh)" -> "--reference (thigh)";
    # "thigh file x.cwa" -> "--thigh file x.cwa"
    head, sep, rest = where.partition(" ")
    parts = head.split("/")
    if all(_NAME.fullmatch(p) for p in parts):
        head = "/".join(flag_for(p) for p in parts)
    return head + sep + rest


def error_text(exc: BackcareError) -> str:
    """The message of ``exc`` as the command line prints it (parameters shown as flags)."""
    if isinstance(exc, InputError) and exc.where:
        return f"{_where(exc.where)}: {exc.problem}"
    return str(exc)
