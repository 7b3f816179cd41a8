"""Intradiscal pressure by posture, interpolated between measured anchors.

:func:`disc_pressure` gives the pressure of a posture (Wilke et al. 1999, L4-L5, in MPa; or
Nachemson 1981, L3, relative to standing and shown in MPa by setting standing to Wilke's
0.50 MPa). The interpolation rule is written at the top of
``knowledge/data/biomechanics/disc_pressure.yaml``: lying postures take their anchor; standing
and sitting are piecewise-linear in trunk flexion between their anchors and held constant beyond
them; a hand load adds a per-kg increment interpolated the same way from the lifting anchors.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from backcare.errors import InputError
from backcare.knowledge import load
from backcare.knowledge.biomechanics import DiscPressureDocument, DiscPressureModel
from backcare.posture.conventions import CHANNELS, Activity
from backcare.posture.load._arrays import F64, _as_float, _check_range
from backcare.posture.series import PostureSeries

__all__ = [
    "DiscModel",
    "disc_pressure",
    "disc_pressure_model",
    "disc_pressure_series",
    "relative_to",
]

DiscModel = Literal["wilke1999", "nachemson1981"]

_DISC_FILE = "biomechanics/disc_pressure.yaml"

# Posture class codes used internally (index into the per-model lookup arrays).
_NONE, _SUPINE, _PRONE, _SIDE, _STANDING, _SITTING = range(6)
_POSTURE_CODE = {
    "none": _NONE,
    "lying_supine": _SUPINE,
    "lying_prone": _PRONE,
    "lying_side": _SIDE,
    "standing": _STANDING,
    "sitting": _SITTING,
}


def _disc_doc() -> DiscPressureDocument:
    doc: DiscPressureDocument = load(_DISC_FILE, DiscPressureDocument)
    return doc


def disc_pressure_model(model: DiscModel = "wilke1999") -> DiscPressureModel:
    """The knowledge entry of a disc-pressure model (anchors, notes, sources)."""
    for m in _disc_doc().models:
        if m.id == model:
            return m
    known = ", ".join(m.id for m in _disc_doc().models)
    raise InputError(f"unknown disc-pressure model {model!r}; known: {known}", where="model")


@dataclass(frozen=True)
class _Curves:
    """A model compiled into lookup tables (all pressures in MPa)."""

    lying_mpa: dict[int, float]
    base: dict[int, tuple[F64, F64]]
    per_kg: dict[int, tuple[F64, F64]]
    activity_class: NDArray[np.int_]


def _piecewise(points: list[tuple[float, float]]) -> tuple[F64, F64]:
    pts = sorted(points)
    return np.array([p[0] for p in pts], dtype=np.float64), np.array(
        [p[1] for p in pts], dtype=np.float64
    )


@cache
def _curves(model: DiscModel) -> _Curves:
    m = disc_pressure_model(model)
    doc = _disc_doc()
    scale = m.mpa_per_unit
    unspecified = next(a for a in m.anchors if a.posture == m.lying_unspecified)
    lying: dict[int, float] = {}
    for posture, code in (
        ("lying_supine", _SUPINE),
        ("lying_prone", _PRONE),
        ("lying_side", _SIDE),
    ):
        anchor = next((a for a in m.anchors if a.posture == posture), unspecified)
        lying[code] = anchor.value * scale
    base: dict[int, tuple[F64, F64]] = {}
    per_kg: dict[int, tuple[F64, F64]] = {}
    for posture, code in (("standing", _STANDING), ("sitting", _SITTING)):
        unloaded = [
            (float(a.trunk_flexion_deg), a.value * scale)
            for a in m.anchors
            if a.posture == posture and a.hand_load_kg == 0 and a.trunk_flexion_deg is not None
        ]
        base[code] = _piecewise(unloaded)
    for posture, code in (("standing", _STANDING), ("sitting", _SITTING)):
        xs, ys = base[code]
        increments = [
            (
                float(a.trunk_flexion_deg),
                (a.value * scale - float(np.interp(a.trunk_flexion_deg, xs, ys))) / a.hand_load_kg,
            )
            for a in m.anchors
            if a.posture == posture and a.hand_load_kg > 0 and a.trunk_flexion_deg is not None
        ]
        if increments:
            per_kg[code] = _piecewise(increments)
    if _STANDING not in per_kg:
        raise InputError(f"model {model!r} has no standing lifting anchor", where="model")
    per_kg.setdefault(_SITTING, per_kg[_STANDING])
    size = max(a.value for a in Activity) + 1
    classes = np.full(size, _NONE, dtype=np.int_)
    for act in Activity:
        posture_name = doc.activity_postures.get(act.label)
        if posture_name is None:
            raise InputError(
                f"activity {act.label!r} has no posture class in {_DISC_FILE}", where="activity"
            )
        if posture_name == "lying":
            posture_name = m.lying_unspecified
        classes[act.value] = _POSTURE_CODE[posture_name]
    return _Curves(lying_mpa=lying, base=base, per_kg=per_kg, activity_class=classes)


def _activity_codes(activity: ArrayLike) -> NDArray[np.int_]:
    arr = np.asarray(activity)
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int_)
        else:
            raise InputError("must hold integer Activity codes", where="activity")
    valid = np.array([a.value for a in Activity])
    if not np.isin(arr, valid).all():
        bad = np.asarray(arr)[~np.isin(arr, valid)].ravel()[0]
        raise InputError(f"{int(bad)} is not an Activity code", where="activity")
    return arr.astype(np.int_, copy=False)


def disc_pressure(
    activity: ArrayLike,
    trunk_flexion_deg: ArrayLike,
    *,
    hand_load_kg: ArrayLike | float = 0.0,
    model: DiscModel = "wilke1999",
) -> F64:
    """Intradiscal pressure of a posture [MPa], vectorised.

    Parameters
    ----------
    activity
        :class:`~backcare.posture.conventions.Activity` codes; broadcast with the other inputs.
        Lying codes use the lying anchors (flexion and load are not needed); sitting and cycling
        use the sitting curve; standing, walking, running, stairs, kneeling and other movement
        use the standing curve. ``UNKNOWN`` and ``NONWEAR`` give NaN.
    trunk_flexion_deg
        Trunk inclination from vertical [deg], + forward, - backward (within [-180, 180]).
        NaN gives NaN where the posture needs it (standing and sitting).
    hand_load_kg
        Load held in the hands [kg], >= 0 (default 0). NaN gives NaN for standing and sitting.
        Ignored while lying.
    model
        ``"wilke1999"`` (L4-L5, in vivo, one subject) or ``"nachemson1981"`` (L3, relative to
        standing, shown in MPa with standing = 0.50 MPa).

    Returns
    -------
    numpy.ndarray
        Pressure [MPa], float64, of the broadcast shape.

    Raises
    ------
    InputError
        Unknown model or activity code, flexion outside [-180, 180] deg, negative hand load.
    """
    curves = _curves(model)
    act = _activity_codes(activity)
    flex = _as_float(trunk_flexion_deg, "trunk_flexion_deg")
    _check_range(flex, -180.0, 180.0, "trunk_flexion_deg", "deg")
    load_kg = _as_float(hand_load_kg, "hand_load_kg")
    spec = CHANNELS["hand_load"]
    _check_range(load_kg, spec.low, spec.high, "hand_load_kg", "kg")
    act_b, flex_b, load_b = np.broadcast_arrays(act, flex, load_kg)
    posture = curves.activity_class[act_b]
    out = np.full(posture.shape, np.nan, dtype=np.float64)
    for code, value in curves.lying_mpa.items():
        out[posture == code] = value
    for code in (_STANDING, _SITTING):
        mask = posture == code
        if not mask.any():
            continue
        f = flex_b[mask]
        xs, ys = curves.base[code]
        kx, ky = curves.per_kg[code]
        value = np.interp(f, xs, ys) + load_b[mask] * np.interp(f, kx, ky)
        value[np.isnan(f)] = np.nan
        out[mask] = value
    return out


def disc_pressure_series(
    series: PostureSeries,
    *,
    model: DiscModel = "wilke1999",
    hand_load_kg: float | None = None,
) -> F64:
    """Intradiscal pressure [MPa] for every sample of a posture series.

    Uses the series' activity codes and its ``trunk_flexion`` channel (NaN throughout when the
    channel was not measured, so only lying samples get a value), and the ``hand_load`` channel
    when present, unless ``hand_load_kg`` is given (then that constant load applies to every
    sample). Without either, the load is 0 kg.

    Parameters
    ----------
    series
        The posture series.
    model
        ``"wilke1999"`` or ``"nachemson1981"``; see :func:`disc_pressure`.
    hand_load_kg
        A constant load in the hands [kg] that overrides the series' ``hand_load`` channel.

    Returns
    -------
    numpy.ndarray
        Pressure [MPa] per sample, shape ``(len(series),)``; NaN for unknown activity, non-wear
        and standing or sitting samples without a trunk angle.
    """
    n = len(series)
    flex = series.get("trunk_flexion")
    flexion = np.full(n, np.nan) if flex is None else np.asarray(flex, dtype=np.float64)
    load_kg: ArrayLike
    if hand_load_kg is not None:
        load_kg = float(hand_load_kg)
    else:
        channel = series.get("hand_load")
        load_kg = 0.0 if channel is None else np.asarray(channel, dtype=np.float64)
    return disc_pressure(series.activity, flexion, hand_load_kg=load_kg, model=model)


def relative_to(
    pressure_mpa: ArrayLike,
    reference: Literal["standing", "lying"] = "standing",
    *,
    model: DiscModel = "wilke1999",
) -> F64:
    """Pressure as a multiple of the model's standing or lying (supine) pressure.

    Parameters
    ----------
    pressure_mpa
        Pressure [MPa] (for example from :func:`disc_pressure` with the same ``model``).
    reference
        ``"standing"`` (relaxed standing) or ``"lying"`` (the model's lying anchor, supine).
    model
        The model whose reference anchors divide.
    """
    m = disc_pressure_model(model)
    if reference == "standing":
        ref = m.anchor(m.comparison.standing)
    elif reference == "lying":
        ref = m.anchor(m.comparison.lying)
    else:
        raise InputError(
            f"unknown reference {reference!r}; use 'standing' or 'lying'", where="reference"
        )
    return _as_float(pressure_mpa, "pressure_mpa") / (ref.value * m.mpa_per_unit)
