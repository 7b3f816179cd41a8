"""The wearable analysis facade: sensor files to a per-second :class:`PostureSeries`.

Stages (each also public in its own module):

1. :mod:`~backcare.wearable.features` -- one streaming pass per sensor to per-second features
   (bounded memory: the .cwa reader decodes the next chunks on its own threads while this one
   is reduced);
2. :mod:`~backcare.wearable.calibration` -- auto-calibration to local gravity;
3. :mod:`~backcare.wearable.nonwear` -- non-wear per sensor;
4. :mod:`~backcare.wearable.orientation` -- mounting check, reference, segment angles;
5. :mod:`~backcare.wearable.activity` -- per-second activity (thigh, refined by the trunk);
6. the result: a 1 Hz :class:`~backcare.posture.series.PostureSeries` with ``trunk_inclination``,
   ``trunk_flexion``, ``trunk_lateral``, ``upper_arm_elevation_<side>`` and ``activity``; its
   ``meta`` carries the placements, the reference offsets (``calibration``) and, in ``extra``,
   every sensor's calibration fit, mounting check, reference and non-wear periods.

Several sensors are aligned on wall-clock time: the second grid starts at the earliest sensor's
start (floored to the second) and covers the primary sensor (the thigh when there is one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from backcare.errors import InputError
from backcare.posture.angles import SegmentAngles, SensorAxes
from backcare.posture.conventions import Activity
from backcare.posture.series import PostureSeries, SeriesMeta
from backcare.wearable.activity import activity_rules, classify, thigh_signals
from backcare.wearable.calibration import CalibrationResult, calibrate
from backcare.wearable.features import SecondFeatures, extract_features
from backcare.wearable.nonwear import NonwearResult, detect_nonwear, window_sd
from backcare.wearable.orientation import (
    PLACEMENTS,
    TRUNK_PLACEMENTS,
    MountingReport,
    Reference,
    check_mounting,
    components,
    default_axes,
    estimate_reference,
    rotated,
    segment_angles,
)
from backcare.wearable.recording import Recording, RecordingInfo
from backcare.wearable.rest import rest_periods

__all__ = [
    "DEFAULT_CHUNK_SAMPLES",
    "ChunkSource",
    "SensorInput",
    "SensorResult",
    "WearableAnalysis",
    "analyze",
    "analyze_features",
    "common_origin",
    "extract_all",
]

DEFAULT_CHUNK_SAMPLES = 1 << 18  # 262,144 samples: readers decode ahead of us
F64 = NDArray[np.float64]
Progress = Callable[[str, float], None]


class ChunkSource(Protocol):
    """What the pipeline needs from a reader (``open_recording(...)`` returns one)."""

    @property
    def info(self) -> RecordingInfo: ...

    def chunks(self, max_samples: int = ...) -> Iterator[Recording]: ...


@dataclass(frozen=True)
class SensorInput:
    """One worn sensor: where it was, the opened file and optionally its axes."""

    placement: str
    source: ChunkSource
    axes: SensorAxes | None = None
    side: Literal["left", "right"] = "right"

    def __post_init__(self) -> None:
        if self.placement not in PLACEMENTS:
            raise InputError(
                f"unknown placement {self.placement!r}; known: {', '.join(PLACEMENTS)}",
                where="placement",
            )


@dataclass(frozen=True)
class SensorResult:
    """Everything the pipeline found for one sensor."""

    placement: str
    info: RecordingInfo
    features: SecondFeatures
    calibration: CalibrationResult
    nonwear: NonwearResult
    mounting: MountingReport
    reference: Reference
    angles: SegmentAngles
    gravity: F64 = field(repr=False)
    activity_sd: F64 = field(repr=False)

    def summary(self) -> dict[str, Any]:
        return {
            "file": self.info.path,
            "device": self.info.device,
            "serial": self.info.serial,
            "fs_hz": self.info.fs_hz,
            "start": self.info.start.isoformat() if self.info.start else None,
            "recorded_s": int(self.features.valid.sum()),
            "calibration": self.calibration.as_dict(),
            "mounting": self.mounting.as_dict(),
            "reference": self.reference.as_dict(),
            "nonwear_s": self.nonwear.seconds,
            "nonwear_periods": [list(p) for p in self.nonwear.periods],
            "issues": [f"{i.where}: {i.problem}" for i in self.features.issues[:50]],
            "clipped_samples": (
                None if self.features.clipped is None else int(self.features.clipped.sum())
            ),
            "hourly": self.hourly(),
        }

    def hourly(self) -> dict[str, Any]:
        """Quality per clock hour (the first hour holds the grid's first second): seconds
        with data, seconds not worn and clipped samples; compact enough for the summary and
        enough to rebuild any day's quality row."""
        f = self.features
        lead = 0
        first_hour = None
        if f.origin is not None:
            t0 = f.origin + timedelta(seconds=f.first_second)
            lead = t0.minute * 60 + t0.second
            first_hour = t0.replace(minute=0, second=0, microsecond=0).isoformat()
        hour = (np.arange(len(f), dtype=np.int64) + lead) // 3600
        n_hours = int(hour[-1]) + 1 if len(f) else 0

        def per_hour(weights: NDArray[Any]) -> list[int]:
            sums = np.bincount(hour, weights=weights.astype(np.float64), minlength=n_hours)
            return [round(v) for v in sums.tolist()]

        return {
            "first_hour": first_hour,
            "first_hour_lead_s": lead,
            "data_s": per_hour(f.valid),
            "nonwear_s": per_hour(self.nonwear.mask & f.valid),
            "clipped": None if f.clipped is None else per_hour(f.clipped),
        }


@dataclass(frozen=True)
class WearableAnalysis:
    """The pipeline's result: the per-second series and what was done to get it."""

    series: PostureSeries
    sensors: dict[str, SensorResult]
    details: dict[str, Any]


def common_origin(infos: Iterable[RecordingInfo]) -> datetime | None:
    """Second 0 of the common grid: the earliest start floored to the second (``None`` when a
    sensor has no start time; then every sensor counts from its own ``time == 0``)."""
    starts = [i.start for i in infos]
    if not starts or any(s is None for s in starts):
        return None
    aware = {s.tzinfo is not None for s in starts if s is not None}
    if len(aware) > 1:
        raise InputError(
            "some sensors give a time zone and others do not; cannot align them", where="sensors"
        )
    return min(s for s in starts if s is not None).replace(microsecond=0)


def extract_all(
    sensors: Sequence[SensorInput],
    *,
    max_samples: int = DEFAULT_CHUNK_SAMPLES,
    progress: Progress | None = None,
) -> dict[str, SecondFeatures]:
    """The streaming pass over every sensor (common wall-clock origin)."""
    origin = common_origin(s.source.info for s in sensors)
    out: dict[str, SecondFeatures] = {}
    for s in sensors:
        info = s.source.info

        def tick(chunk: Recording, _p: str = s.placement) -> None:
            if progress is not None and len(chunk):
                progress(_p, float(chunk.time[-1]))

        axes = s.axes or default_axes(s.placement)
        out[s.placement] = extract_features(
            s.source.chunks(max_samples=max_samples),
            info,
            origin=origin,
            step_axis="xyz".index(axes.down[1]),
            on_chunk=tick,
        )
    return out


def _reference_mask(
    feats: SecondFeatures, reference: tuple[float, float] | None
) -> NDArray[np.bool_] | None:
    if reference is None:
        return None
    t0, t1 = reference
    sec = feats.seconds
    mask: NDArray[np.bool_] = (sec >= np.floor(t0)) & (sec + 1 <= np.ceil(t1))
    if not mask.any():
        raise InputError(
            f"the reference window {t0:g}..{t1:g} s lies outside the recording", where="reference"
        )
    return mask


def analyze_features(
    features: Mapping[str, SecondFeatures],
    *,
    axes: Mapping[str, SensorAxes | None] | None = None,
    sides: Mapping[str, str] | None = None,
    reference: tuple[float, float] | None = None,
    auto_calibrate: bool = True,
) -> WearableAnalysis:
    """Calibration, non-wear, orientation and activity on per-second features.

    Parameters
    ----------
    features
        Per-second features by placement (from :func:`extract_all`).
    axes
        Axes per placement as the user gave them (``None``: the placement's default).
    sides
        Side per arm placement (``"left"``/``"right"``); default right.
    reference
        Upright standing window ``(t0, t1)`` [s] on the common grid (seconds since the origin).
    auto_calibrate
        Fit the van Hees calibration (``False``: use the data as recorded).
    """
    if not features:
        raise InputError("no sensor given", where="sensors")
    axes = axes or {}
    sides = sides or {}
    primary = "thigh" if "thigh" in features else next(iter(features))
    base = features[primary]
    first, n = base.first_second, len(base)
    rules = activity_rules().thresholds
    results: dict[str, SensorResult] = {}
    prepared: dict[
        str, tuple[SecondFeatures, CalibrationResult, NonwearResult, F64, F64, MountingReport]
    ] = {}
    for placement, f in features.items():
        if f.first_second != first or len(f) != n:
            f = f.window(first, n)
        if auto_calibrate:
            f, cal = calibrate(f)
        else:
            cal = CalibrationResult(False, (0, 0, 0), (1, 1, 1), 0, None, None, 0, "not requested")
        nw = detect_nonwear(f)
        gravity = f.angle_mean.astype(np.float64)
        sd = window_sd(f.act_mean, f.act_var, rules.window_s)
        still = np.nan_to_num(sd, nan=1.0).max(axis=1) < rules.still_move_sd_g
        explicit = axes.get(placement)
        given = explicit or default_axes(placement)
        mount = check_mounting(placement, given, gravity, ~nw.mask, still, correct=explicit is None)
        prepared[placement] = (f, cal, nw, gravity, sd, mount)
    ref_masks = {p: _reference_mask(v[0], reference) for p, v in prepared.items()}

    def sensor(placement: str, walking: NDArray[np.bool_] | None) -> SensorResult:
        f, cal, nw, gravity, sd, mount = prepared[placement]
        ref = estimate_reference(
            placement, mount.used, gravity, window=ref_masks[placement], walking=walking
        )
        ang = segment_angles(gravity, mount.used, ref)
        return SensorResult(placement, f.info, f, cal, nw, mount, ref, ang, gravity, sd)

    details: dict[str, Any] = {"primary": primary}
    activity = np.full(n, int(Activity.UNKNOWN), dtype=np.int8)
    walking: NDArray[np.bool_] | None = None
    if "thigh" in prepared:
        thigh = sensor("thigh", None)
        act, _ = _thigh_activity(thigh, None)
        walking = act == Activity.WALK
        if ref_masks["thigh"] is None:  # re-estimate the thigh reference from walking (Acti4)
            thigh = sensor("thigh", walking)
        results["thigh"] = thigh
    for placement in prepared:
        if placement != "thigh":
            results[placement] = sensor(placement, walking)
    trunk = next((results[p] for p in TRUNK_PLACEMENTS if p in results), None)
    if "thigh" in results:
        activity, act_details = _thigh_activity(results["thigh"], trunk)
        details.update(act_details)
        thigh_sd = results["thigh"].activity_sd
        movement = np.nanmax(np.where(np.isnan(thigh_sd), -np.inf, thigh_sd), axis=1)
        origin = base.origin
        rest = rest_periods(
            activity,
            np.where(np.isfinite(movement), movement, np.nan),
            None if origin is None else origin + timedelta(seconds=first),
            activity_rules().rest,
            trunk=trunk is not None,
        )
        details["rest"] = [
            {**p.as_dict(), "start_s": p.start + first, "end_s": p.end + first} for p in rest
        ]
    elif trunk is not None:
        activity = _trunk_only_activity(trunk)
        details["note"] = "no thigh sensor: only lying and non-wear are classified"
    else:
        details["note"] = "no thigh or trunk sensor: activity is not classified"
        activity[results[primary].nonwear.mask] = int(Activity.NONWEAR)
    series = _series(results, activity, first, base.origin, sides, details)
    return WearableAnalysis(series=series, sensors=results, details=details)


def _thigh_activity(
    thigh: SensorResult, trunk: SensorResult | None
) -> tuple[NDArray[np.int8], dict[str, Any]]:
    rules = activity_rules()
    rotated_g = rotated(thigh.gravity, thigh.reference)
    sig = thigh_signals(
        thigh.features,
        thigh.mounting.used,
        thigh.angles,
        rotated_g,
        thigh.activity_sd,
        rules.lying.thigh_rotation_window_s,
    )
    if trunk is None:
        return classify(sig, ~thigh.nonwear.mask)
    return classify(
        sig,
        ~thigh.nonwear.mask,
        trunk_angles=trunk.angles,
        trunk_gravity=rotated(trunk.gravity, trunk.reference),
        trunk_axes=trunk.mounting.used,
    )


def _trunk_only_activity(trunk: SensorResult) -> NDArray[np.int8]:
    lying_rules = activity_rules().lying
    n = len(trunk.features)
    out = np.full(n, int(Activity.UNKNOWN), dtype=np.int8)
    inc = trunk.angles.inclination
    with np.errstate(invalid="ignore"):
        lie = inc > lying_rules.trunk_inclination_deg
    _, a_fwd, a_left = components(rotated(trunk.gravity, trunk.reference), trunk.mounting.used)
    roll = np.abs(np.degrees(np.arctan2(a_left, a_fwd)))
    side = lying_rules.side_sector_deg
    out[lie & (roll <= side)] = int(Activity.LIE_SUPINE)
    out[lie & (roll >= 180 - side)] = int(Activity.LIE_PRONE)
    out[lie & (roll > side) & (roll < 180 - side)] = int(Activity.LIE_SIDE)
    out[trunk.nonwear.mask] = int(Activity.NONWEAR)
    out[~trunk.features.valid] = int(Activity.UNKNOWN)
    return out


def _series(
    results: Mapping[str, SensorResult],
    activity: NDArray[np.int8],
    first: int,
    origin: datetime | None,
    sides: Mapping[str, str],
    details: dict[str, Any],
) -> PostureSeries:
    n = activity.shape[0]
    values: dict[str, F64] = {}
    calibration: dict[str, float] = {}
    notes: list[str] = []
    for placement, r in results.items():
        off = r.nonwear.mask | ~r.features.valid
        ang = r.angles

        def masked(a: F64, _off: NDArray[np.bool_] = off) -> F64:
            return np.where(_off, np.nan, a)

        if placement in TRUNK_PLACEMENTS and "trunk_inclination" not in values:
            values["trunk_inclination"] = masked(ang.inclination)
            values["trunk_flexion"] = masked(ang.forward)
            values["trunk_lateral"] = masked(ang.sideways)
            calibration["trunk_flexion"] = r.reference.measured_forward_deg
            calibration["trunk_lateral"] = r.reference.measured_sideways_deg
        elif placement == "upper_arm":
            side = sides.get(placement, "right")
            values[f"upper_arm_elevation_{side}"] = masked(ang.inclination)
            notes.append(
                "upper-arm elevation is the arm's inclination from vertical (Acti4), not "
                "relative to the trunk"
            )
        for mount_note in r.mounting.notes:
            if "corrected" in mount_note:
                notes.append(f"{placement}: {mount_note}")
        if not r.calibration.applied:
            notes.append(f"{placement}: calibration not applied ({r.calibration.reason})")
    if origin is not None and origin.tzinfo is None:
        origin = origin.replace(tzinfo=UTC)
        notes.append(
            "the device clock has no time zone: its times are used as local wall-clock time "
            "(shown as UTC)"
        )
    meta = SeriesMeta(
        source="wearable",
        start=origin,
        rate_hz=1.0,
        device=", ".join(sorted({r.info.device for r in results.values()})),
        placements=tuple(results),
        calibration=calibration,
        notes=tuple(notes),
        extra={
            "sensors": {p: r.summary() for p, r in results.items()},
            "classification": details,
            "first_second": first,
        },
    )
    time = np.arange(first, first + n, dtype=np.float64)
    return PostureSeries(time, values, activity=activity, meta=meta)


def analyze(
    sensors: Sequence[SensorInput],
    *,
    reference: tuple[float, float] | None = None,
    auto_calibrate: bool = True,
    max_samples: int = DEFAULT_CHUNK_SAMPLES,
    progress: Progress | None = None,
) -> WearableAnalysis:
    """Read, calibrate, check, classify: the whole per-second analysis of worn sensors.

    Parameters
    ----------
    sensors
        The sensors (at most one per placement); a thigh sensor gives the activity types.
    reference
        Upright standing window ``(t0, t1)`` [s since the common origin]; default: estimated
        from walking (see :mod:`backcare.wearable.orientation`).
    auto_calibrate
        Fit the van Hees auto-calibration per sensor.
    max_samples
        Chunk size of the streaming pass (memory is bounded by it).
    progress
        ``progress(placement, seconds_read)`` after each chunk.
    """
    placements = [s.placement for s in sensors]
    if len(set(placements)) != len(placements):
        raise InputError("a placement is given twice", where="sensors")
    feats = extract_all(sensors, max_samples=max_samples, progress=progress)
    return analyze_features(
        feats,
        axes={s.placement: s.axes for s in sensors},
        sides={s.placement: s.side for s in sensors},
        reference=reference,
        auto_calibrate=auto_calibrate,
    )
