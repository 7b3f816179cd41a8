"""The options of a wearable analysis, parsed in one place.

The command line (``backcare wearable analyze``), a cohort manifest (``backcare batch``) and the
web upload form all describe a wearable analysis with the same words; :func:`wearable_options`
turns those words into one :class:`WearableOptions`. Errors name the parameter (``where=
"work_hours"``), never a command-line flag.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from backcare.errors import InputError

if TYPE_CHECKING:
    from backcare.posture.angles import SensorAxes

__all__ = [
    "CHUNK_SAMPLES",
    "PLACEMENTS",
    "TRUNK_PLACEMENTS",
    "SensorFile",
    "WearableOptions",
    "parse_axes",
    "parse_reference",
    "parse_work_hours",
    "wearable_options",
]

#: Samples per read chunk of every wearable analysis (memory is bounded by it: about 40 bytes a
#: sample). The readers' default.
CHUNK_SAMPLES = 1 << 19

#: Placements a wearable analysis accepts (a wrist or hip sensor gives non-wear and lying only).
PLACEMENTS = ("thigh", "trunk_back", "trunk_lumbar", "trunk_chest", "upper_arm", "wrist", "hip")

#: Where a trunk sensor may sit: ``back`` (upper back), ``lumbar`` (lower back) or ``chest``.
TRUNK_PLACEMENTS = ("back", "lumbar", "chest")

ArmSide = Literal["left", "right"]


@dataclass(frozen=True)
class SensorFile:
    """A sensor file and how it was worn.

    Attributes
    ----------
    placement
        ``thigh``, ``trunk_back``, ``trunk_lumbar``, ``trunk_chest``, ``upper_arm``, ``wrist``
        or ``hip``.
    path
        The file (``.cwa``, ``.bin``, ``.h5``, ``.gt3x`` or ``.csv``).
    axes
        The device axes pointing down and forward when upright (``None``: the placement's
        default, with upside-down and inside-out mounting detected and corrected).
    label
        Which sensor of a multi-sensor file (APDM), e.g. ``"Lumbar"``.
    """

    placement: str
    path: Path
    axes: SensorAxes | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        if self.placement not in PLACEMENTS:
            raise InputError(
                f"unknown placement {self.placement!r}; known: {', '.join(PLACEMENTS)}",
                where="placement",
            )

    @property
    def site(self) -> str:
        """``thigh``, ``trunk`` or ``arm``: the parameter (and manifest column) naming the file
        (a wrist or hip sensor: its placement)."""
        if self.placement.startswith("trunk"):
            return "trunk"
        return "arm" if self.placement == "upper_arm" else self.placement


@dataclass(frozen=True)
class WearableOptions:
    """Everything a wearable analysis needs besides the data.

    Attributes
    ----------
    sensors
        The sensor files, at most one per placement.
    arm_side
        Which arm wears the upper-arm sensor.
    work_hours
        Daily work window ``(start, end)`` [local hours, 0..24]; adds one row per working day.
    reference
        Upright standing window: ``"START..END"`` (seconds since the start, ``HH:MM[:SS]`` on
        the first day or ISO date-times), or ``(start, end)`` [s since the recording's start];
        ``None``: estimated from walking.
    diary
        A diary CSV (``start, end, context``): every table is also split by its periods.
    auto_calibrate
        Fit the auto-calibration to local gravity per sensor.
    chunk_samples
        Samples per read chunk (memory bound).
    """

    sensors: tuple[SensorFile, ...]
    arm_side: ArmSide = "right"
    work_hours: tuple[float, float] | None = None
    reference: str | tuple[float, float] | None = None
    diary: Path | None = None
    auto_calibrate: bool = True
    chunk_samples: int = CHUNK_SAMPLES

    def to_json(self) -> dict[str, Any]:
        """The options as JSON values (for a job queue); :meth:`from_json` reads them back."""
        return {
            "sensors": [
                {
                    "placement": s.placement,
                    "path": str(s.path),
                    "axes": f"down={s.axes.down},forward={s.axes.forward}" if s.axes else None,
                    "sensor": s.label,
                }
                for s in self.sensors
            ],
            "arm_side": self.arm_side,
            "work_hours": list(self.work_hours) if self.work_hours else None,
            "reference": list(self.reference)
            if isinstance(self.reference, tuple)
            else self.reference,
            "diary": str(self.diary) if self.diary else None,
            "auto_calibrate": self.auto_calibrate,
            "chunk_samples": self.chunk_samples,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WearableOptions:
        """Options from :meth:`to_json` (also as stored before arm side, work hours and the
        reference window could be chosen: those keys are then absent)."""
        sensors = tuple(
            SensorFile(
                placement=str(s["placement"]),
                path=Path(s["path"]),
                axes=parse_axes(s.get("axes"), f"{s['placement']} axes"),
                label=s.get("sensor"),
            )
            for s in data.get("sensors", [])
        )
        reference = data.get("reference")
        hours = data.get("work_hours")
        diary = data.get("diary")
        return cls(
            sensors=sensors,
            arm_side="left" if data.get("arm_side") == "left" else "right",
            work_hours=parse_work_hours(tuple(hours)) if hours else None,
            reference=tuple(reference) if isinstance(reference, list) else reference,
            diary=Path(diary) if diary else None,
            auto_calibrate=bool(data.get("auto_calibrate", True)),
            chunk_samples=int(data.get("chunk_samples") or CHUNK_SAMPLES),
        )


def parse_work_hours(text: str | tuple[float, float] | None) -> tuple[float, float] | None:
    """``"8-16"`` -> ``(8.0, 16.0)`` local hours; a pair is checked and kept."""
    if text is None or text == "":
        return None
    if isinstance(text, str):
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*", text)
        if not m:
            raise InputError("expected START-END in hours, e.g. 8-16", where="work_hours")
        lo, hi = float(m.group(1)), float(m.group(2))
    else:
        lo, hi = (float(v) for v in text)
    if not (0 <= lo < 24 and 0 < hi <= 24 and lo != hi):
        shown = text if isinstance(text, str) else f"{lo:g}-{hi:g}"
        raise InputError(f"hours must lie in 0..24 and differ ({shown})", where="work_hours")
    return lo, hi


def _time_point(text: str, origin: datetime | None) -> float:
    text = text.strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)
    if origin is None:
        raise InputError(
            "the recording has no start time; give the window in seconds", where="reference"
        )
    if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", text):
        clock = time.fromisoformat(text if text.count(":") == 2 else text + ":00")
        when = datetime.combine(origin.date(), clock, tzinfo=origin.tzinfo)
        if when < origin:
            when += timedelta(days=1)
    else:
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise InputError(
                f"{text!r} is neither seconds, HH:MM[:SS] nor an ISO date-time",
                where="reference",
            ) from None
        if when.tzinfo is None and origin.tzinfo is not None:
            when = when.replace(tzinfo=origin.tzinfo)
    return (when - origin).total_seconds()


def parse_reference(
    text: str | tuple[float, float] | None, origin: datetime | None
) -> tuple[float, float] | None:
    """``"START..END"`` -> ``(start, end)`` [s since ``origin``, the recording's start].

    Each end is seconds (``30..40``), a time of day on the first day (``08:00:00..08:00:10``,
    the next day when before the start) or an ISO date-time. A pair is checked and kept.
    """
    if text is None or text == "":
        return None
    if isinstance(text, str):
        start, sep, end = text.partition("..")
        if not sep:
            raise InputError("expected START..END", where="reference")
        t0, t1 = _time_point(start, origin), _time_point(end, origin)
    else:
        t0, t1 = (float(v) for v in text)
    if t1 <= t0:
        raise InputError(f"the window ends before it starts ({text})", where="reference")
    return t0, t1


def parse_axes(text: str | SensorAxes | None, where: str = "axes") -> SensorAxes | None:
    """``"down=+x,forward=-z"`` -> :class:`SensorAxes` (errors name ``where``)."""
    from backcare.posture.angles import SensorAxes

    if text is None or text == "":
        return None
    if isinstance(text, SensorAxes):
        return text
    try:
        return SensorAxes.parse(text)
    except InputError as exc:
        raise InputError(exc.problem, where=where) from None


def _path(value: str | Path | None) -> Path | None:
    if value is None or value == "":
        return None
    return Path(value).expanduser()


def wearable_options(
    *,
    thigh: str | Path | None = None,
    trunk: str | Path | None = None,
    arm: str | Path | None = None,
    trunk_placement: str = "back",
    arm_side: str = "right",
    thigh_axes: str | SensorAxes | None = None,
    trunk_axes: str | SensorAxes | None = None,
    arm_axes: str | SensorAxes | None = None,
    thigh_sensor: str | None = None,
    trunk_sensor: str | None = None,
    arm_sensor: str | None = None,
    work_hours: str | tuple[float, float] | None = None,
    reference: str | tuple[float, float] | None = None,
    diary: str | Path | None = None,
    auto_calibrate: bool = True,
    chunk_samples: int = CHUNK_SAMPLES,
) -> WearableOptions:
    """Check and parse the options of a wearable analysis (the words of the command line and of
    a manifest's columns) into :class:`WearableOptions`.

    Files are not opened here (a reference window given as a time of day is resolved against the
    recording's start when it is analysed).

    Raises
    ------
    InputError
        Naming the parameter: no sensor, unknown trunk placement or arm side, bad axes, bad work
        hours, a reference window that is not ``START..END``, a diary that is not a file.
    """
    if trunk_placement not in TRUNK_PLACEMENTS:
        raise InputError(
            f"unknown trunk placement {trunk_placement!r}; use back, lumbar or chest",
            where="trunk_placement",
        )
    if arm_side not in ("left", "right"):
        raise InputError(f"must be left or right, got {arm_side!r}", where="arm_side")
    wanted = (
        ("thigh", "thigh", thigh, thigh_axes, thigh_sensor),
        ("trunk", f"trunk_{trunk_placement}", trunk, trunk_axes, trunk_sensor),
        ("arm", "upper_arm", arm, arm_axes, arm_sensor),
    )
    sensors = []
    for site, placement, file, axes, label in wanted:
        path = _path(file)
        if path is None:
            continue
        sensors.append(SensorFile(placement, path, parse_axes(axes, f"{site}_axes"), label or None))
    if not sensors:
        raise InputError("give at least one sensor file (thigh, trunk or arm)", where="sensors")
    diary_path = _path(diary)
    if diary_path is not None and not diary_path.is_file():
        raise InputError(f"no such file: {diary_path}", where="diary")
    if isinstance(reference, str) and reference and ".." not in reference:
        raise InputError("expected START..END", where="reference")
    if chunk_samples < 10_000:
        raise InputError("must be at least 10000 samples", where="chunk_samples")
    return WearableOptions(
        sensors=tuple(sensors),
        arm_side="left" if arm_side == "left" else "right",
        work_hours=parse_work_hours(work_hours),
        reference=reference or None,
        diary=diary_path,
        auto_calibrate=auto_calibrate,
        chunk_samples=chunk_samples,
    )
