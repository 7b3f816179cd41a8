"""The revised NIOSH lifting equation (Waters et al. 1993; Applications Manual 94-110).

``RWL = LC x HM x VM x DM x AM x FM x CM`` and ``LI = load / RWL``. The constants, the limits of
each variable, the frequency table (with its V >= 75 cm column and the three duration
categories), the coupling table and the lifting-index bands live in
``knowledge/data/biomechanics/niosh.yaml``; this module applies them.

* The multiplier helpers (:func:`horizontal_multiplier` ... :func:`coupling_multiplier`,
  :func:`recommended_weight_limit`) are vectorised and work in metric (cm, kg) or U.S. customary
  (in, lb) units, because the manual's two sets of constants are not exact conversions and its
  worked examples are in U.S. units.
* :func:`niosh` assesses one :class:`NioshTask` (metric): every multiplier, the RWL at the origin
  and, when significant control is needed at the destination, at the destination too; the lower
  RWL governs the lifting index and the verdict.

Limits (as the manual states them): H below 25 cm counts as 25 cm and above 63 cm gives HM = 0;
V above 175 cm gives VM = 0; D below 25 cm counts as 25 cm and above 175 cm gives DM = 0; A above
135 deg gives AM = 0; F below 0.2 lifts/min counts as 0.2 and above the last non-zero row of its
FM column gives FM = 0. Impossible values (negative H, V, D, load or frequency; A outside 0..180
deg) and frequencies beyond the table (above 15 lifts/min) raise :class:`InputError`.

The composite lifting index for multi-task jobs is not implemented: :func:`niosh` assesses single
tasks only.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel, ConfigDict

from backcare.errors import InputError
from backcare.knowledge import load
from backcare.knowledge.biomechanics import NioshDocument, UnitSystemConstants

__all__ = [
    "Coupling",
    "Duration",
    "NioshLocation",
    "NioshMultipliers",
    "NioshPointResult",
    "NioshResult",
    "NioshTask",
    "UnitSystem",
    "asymmetric_multiplier",
    "coupling_multiplier",
    "distance_multiplier",
    "frequency_multiplier",
    "horizontal_multiplier",
    "niosh",
    "niosh_document",
    "recommended_weight_limit",
    "vertical_multiplier",
]

F64 = NDArray[np.float64]
Coupling = Literal["good", "fair", "poor"]
Duration = Literal["1h", "2h", "8h"]
UnitSystem = Literal["metric", "us"]

_FILE = "biomechanics/niosh.yaml"
_MAX_TABLE_FREQUENCY = 15.0


def niosh_document() -> NioshDocument:
    """The NIOSH knowledge file (constants, tables, bands, limitations, sources)."""
    doc: NioshDocument = load(_FILE, NioshDocument)
    return doc


def _system(system: str) -> UnitSystemConstants:
    doc = niosh_document()
    if system == "metric":
        return doc.metric
    if system == "us":
        return doc.us_customary
    raise InputError(f"unknown unit system {system!r}; use 'metric' or 'us'", where="system")


def _values(values: ArrayLike, where: str, *, low: float = 0.0, high: float | None = None) -> F64:
    arr = np.asarray(values)
    if arr.dtype.kind not in "fiub":
        raise InputError(f"must be numeric, got dtype {arr.dtype}", where=where)
    out = arr.astype(np.float64, copy=False)
    if np.isinf(out).any():
        raise InputError("must be finite; use NaN for missing", where=where)
    finite = out[~np.isnan(out)]
    if finite.size and finite.min() < low:
        raise InputError(f"must be at least {low:g}, got {float(finite.min()):g}", where=where)
    if high is not None and finite.size and finite.max() > high:
        raise InputError(f"must be at most {high:g}, got {float(finite.max()):g}", where=where)
    return out


def horizontal_multiplier(h: ArrayLike, *, system: UnitSystem = "metric") -> F64:
    """HM = 25/H [cm] (10/H [in]); 1 below 25 cm (10 in), 0 above 63 cm (25 in).

    Parameters
    ----------
    h
        Horizontal distance of the hands from the mid-point between the inner ankles [cm or in],
        >= 0. NaN gives NaN.
    system
        ``"metric"`` (cm) or ``"us"`` (in).
    """
    rule = _system(system).horizontal
    arr = _values(h, "h")
    with np.errstate(divide="ignore", invalid="ignore"):
        hm = rule.numerator / np.maximum(arr, rule.min)
    return np.where(arr > rule.max, 0.0, hm)


def vertical_multiplier(v: ArrayLike, *, system: UnitSystem = "metric") -> F64:
    """VM = 1 - 0.003|V - 75| [cm] (1 - 0.0075|V - 30| [in]); 0 above 175 cm (70 in).

    Parameters
    ----------
    v
        Height of the hands above the floor [cm or in], >= 0.
    system
        ``"metric"`` or ``"us"``.
    """
    rule = _system(system).vertical
    arr = _values(v, "v")
    vm = 1.0 - rule.coefficient * np.abs(arr - rule.optimum)
    return np.where(arr > rule.max, 0.0, vm)


def distance_multiplier(d: ArrayLike, *, system: UnitSystem = "metric") -> F64:
    """DM = 0.82 + 4.5/D [cm] (0.82 + 1.8/D [in]); D below 25 cm (10 in) counts as 25 cm;
    0 above 175 cm (70 in).

    Parameters
    ----------
    d
        Vertical travel distance between origin and destination [cm or in], >= 0.
    system
        ``"metric"`` or ``"us"``.
    """
    rule = _system(system).distance
    arr = _values(d, "d")
    dm = rule.constant + rule.numerator / np.maximum(arr, rule.min)
    return np.where(arr > rule.max, 0.0, dm)


def asymmetric_multiplier(a_deg: ArrayLike) -> F64:
    """AM = 1 - 0.0032 A; 0 above 135 deg.

    Parameters
    ----------
    a_deg
        Asymmetry angle [deg] between the mid-sagittal line and the line to the load, 0..180.
    """
    rule = niosh_document().asymmetry
    arr = _values(a_deg, "a_deg", high=rule.defined_max_deg)
    am = 1.0 - rule.coefficient * arr
    return np.where(arr > rule.max_deg, 0.0, am)


def _duration_column(duration: str) -> str:
    if duration not in ("1h", "2h", "8h"):
        raise InputError(f"unknown duration {duration!r}; use '1h', '2h' or '8h'", where="duration")
    return {"1h": "le_1h", "2h": "le_2h", "8h": "le_8h"}[duration]


def frequency_multiplier(
    frequency_per_min: ArrayLike,
    duration: Duration,
    v_origin: ArrayLike,
    *,
    system: UnitSystem = "metric",
) -> F64:
    """FM from the frequency table, interpolated linearly between rows.

    Parameters
    ----------
    frequency_per_min
        Average lifts per minute over 15 minutes, 0..15; values below 0.2 count as 0.2.
    duration
        ``"1h"`` (short), ``"2h"`` (moderate) or ``"8h"`` (long) work duration category.
    v_origin
        Height of the hands at the origin of the lift [cm or in]: at or above 75 cm (30 in) the
        right-hand column of the table applies.
    system
        ``"metric"`` or ``"us"`` (only the V split differs).

    Returns
    -------
    numpy.ndarray
        FM in [0, 1]; 0 above the last non-zero row of the column (the maximum frequency).

    Raises
    ------
    InputError
        Negative frequency, a frequency above 15 lifts/min (beyond the table), or an unknown
        duration.
    """
    table = niosh_document().frequency
    column = _duration_column(duration)
    freq = _values(frequency_per_min, "frequency_per_min")
    finite = freq[~np.isnan(freq)]
    if finite.size and finite.max() > _MAX_TABLE_FREQUENCY:
        raise InputError(
            f"{float(finite.max()):g} lifts/min is beyond the frequency table "
            f"(at most {_MAX_TABLE_FREQUENCY:g} lifts/min; the manual gives FM = 0 above it)",
            where="frequency_per_min",
        )
    v = _values(v_origin, "v")
    split = _system(system).v_column_split
    xs = np.array([r.lifts_per_min for r in table.rows])
    out = np.full(np.broadcast(freq, v).shape, np.nan)
    freq_b, v_b = np.broadcast_arrays(freq, v)
    for side in (0, 1):
        ys = np.array([getattr(r, column)[side] for r in table.rows])
        nonzero = xs[ys > 0]
        f_max = float(nonzero.max()) if nonzero.size else 0.0
        mask = (v_b >= split) if side else (v_b < split)
        f = np.maximum(freq_b[mask], table.min_lifts_per_min)
        fm = np.where(f > f_max, 0.0, np.interp(f, xs, ys))
        out[mask] = fm
    out[np.isnan(freq_b)] = np.nan
    return out


def coupling_multiplier(coupling: Coupling, v: ArrayLike, *, system: UnitSystem = "metric") -> F64:
    """CM from the coupling table: good 1.00; fair 0.95 below V = 75 cm (30 in), else 1.00;
    poor 0.90.

    Parameters
    ----------
    coupling
        ``"good"``, ``"fair"`` or ``"poor"``.
    v
        Height of the hands at the point evaluated (origin or destination) [cm or in].
    system
        ``"metric"`` or ``"us"``.
    """
    rows = {r.coupling: r.multipliers for r in niosh_document().coupling}
    if coupling not in rows:
        raise InputError(
            f"unknown coupling {coupling!r}; use 'good', 'fair' or 'poor'", where="coupling"
        )
    low, high = rows[coupling]
    arr = _values(v, "v")
    cm = np.where(arr >= _system(system).v_column_split, high, low)
    return np.where(np.isnan(arr), np.nan, cm)


def recommended_weight_limit(
    h: ArrayLike,
    v: ArrayLike,
    d: ArrayLike,
    a_deg: ArrayLike,
    frequency_per_min: ArrayLike,
    duration: Duration,
    coupling: Coupling,
    *,
    v_origin: ArrayLike | None = None,
    system: UnitSystem = "metric",
) -> F64:
    """RWL [kg or lb] at one point of a lift, vectorised.

    Parameters
    ----------
    h, v, a_deg
        Horizontal and vertical hand location and asymmetry at the point evaluated.
    d
        Vertical travel distance of the lift.
    frequency_per_min, duration, coupling
        As in :func:`frequency_multiplier` and :func:`coupling_multiplier`.
    v_origin
        V at the origin, which chooses the FM column; default ``v`` (evaluating the origin).
    system
        ``"metric"`` (cm, kg; LC = 23 kg) or ``"us"`` (in, lb; LC = 51 lb).
    """
    lc = _system(system).load_constant
    vo = v if v_origin is None else v_origin
    return np.asarray(
        lc
        * horizontal_multiplier(h, system=system)
        * vertical_multiplier(v, system=system)
        * distance_multiplier(d, system=system)
        * asymmetric_multiplier(a_deg)
        * frequency_multiplier(frequency_per_min, duration, vo, system=system)
        * coupling_multiplier(coupling, v, system=system),
        dtype=np.float64,
    )


# -- single-task assessment ---------------------------------------------------------------------


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class NioshLocation(_Frozen):
    """Hand location at the destination of a lift (metric)."""

    h_cm: float
    v_cm: float
    a_deg: float = 0.0


class NioshTask(_Frozen):
    """One lifting task, metric.

    Attributes
    ----------
    load_kg
        Weight of the object, container included [kg].
    h_cm, v_cm, a_deg
        Horizontal location [cm], vertical location [cm] and asymmetry angle [deg] at the origin.
    d_cm
        Vertical travel distance [cm]; default ``|destination.v_cm - v_cm|`` when a destination
        is given (one of the two is required).
    frequency_per_min
        Average lifts per minute over 15 minutes.
    duration
        ``"1h"``, ``"2h"`` or ``"8h"`` work duration category.
    coupling
        ``"good"``, ``"fair"`` or ``"poor"`` hand-to-object coupling.
    destination
        Hand location at the destination; give it when significant control is required there
        (re-grasping, holding or careful placing): the RWL is then computed at both ends and the
        lower one governs.
    """

    load_kg: float
    h_cm: float
    v_cm: float
    a_deg: float = 0.0
    d_cm: float | None = None
    frequency_per_min: float
    duration: Duration
    coupling: Coupling
    destination: NioshLocation | None = None


class NioshMultipliers(_Frozen):
    """The six multipliers at one point of the lift."""

    hm: float
    vm: float
    dm: float
    am: float
    fm: float
    cm: float


class NioshPointResult(_Frozen):
    """RWL and LI at the origin or the destination."""

    location: Literal["origin", "destination"]
    h_cm: float
    v_cm: float
    a_deg: float
    multipliers: NioshMultipliers
    rwl_kg: float
    lifting_index: float
    zero_multipliers: tuple[str, ...]


class NioshResult(_Frozen):
    """Assessment of a single lifting task."""

    task: NioshTask
    d_cm: float
    load_constant_kg: float
    origin: NioshPointResult
    destination: NioshPointResult | None
    governing: Literal["origin", "destination"]
    rwl_kg: float
    lifting_index: float
    risk_level: Literal["acceptable", "increased", "high"]
    risk_label: str
    risk_text: str
    notes: tuple[str, ...]
    limitations: tuple[str, ...]
    sources: tuple[str, ...]


def _scalar(value: float, where: str) -> float:
    if not math.isfinite(value):
        raise InputError("must be a finite number", where=where)
    return float(value)


def _point(
    task: NioshTask,
    location: Literal["origin", "destination"],
    h: float,
    v: float,
    a: float,
    d: float,
    prefix: str,
) -> NioshPointResult:
    def one(values: F64) -> float:
        return float(np.asarray(values).reshape(-1)[0])

    try:
        mult = NioshMultipliers(
            hm=one(horizontal_multiplier(h)),
            vm=one(vertical_multiplier(v)),
            dm=one(distance_multiplier(d)),
            am=one(asymmetric_multiplier(a)),
            fm=one(frequency_multiplier(task.frequency_per_min, task.duration, task.v_cm)),
            cm=one(coupling_multiplier(task.coupling, v)),
        )
    except InputError as exc:
        where = exc.where or ""
        names = {"h": "h_cm", "v": "v_cm", "d": "d_cm"}
        raise InputError(exc.problem, where=prefix + names.get(where, where)) from None
    lc = _system("metric").load_constant
    rwl = lc * mult.hm * mult.vm * mult.dm * mult.am * mult.fm * mult.cm
    li = task.load_kg / rwl if rwl > 0 else math.inf
    zeros = tuple(name.upper() for name, value in mult.model_dump().items() if value == 0.0)
    return NioshPointResult(
        location=location,
        h_cm=h,
        v_cm=v,
        a_deg=a,
        multipliers=mult,
        rwl_kg=rwl,
        lifting_index=li,
        zero_multipliers=zeros,
    )


def niosh(task: NioshTask) -> NioshResult:
    """Assess a single lifting task with the revised NIOSH lifting equation.

    Parameters
    ----------
    task
        The task (metric units).

    Returns
    -------
    NioshResult
        Every multiplier at the origin (and destination), the governing RWL [kg], the lifting
        index and its band, notes on limits that were applied, the equation's limitations and
        the sources.

    Raises
    ------
    InputError
        An impossible value (negative load, H, V, D or frequency; A outside 0..180 deg; a
        frequency above 15 lifts/min), or neither ``d_cm`` nor a destination.
    """
    doc = niosh_document()
    metric = doc.metric
    load_kg = _scalar(task.load_kg, "load_kg")
    if load_kg < 0:
        raise InputError(f"{load_kg:g} kg: a load cannot be negative", where="load_kg")
    for name in ("h_cm", "v_cm", "a_deg", "frequency_per_min"):
        _scalar(getattr(task, name), name)
    if task.d_cm is not None:
        d = _scalar(task.d_cm, "d_cm")
    elif task.destination is not None:
        d = abs(_scalar(task.destination.v_cm, "destination.v_cm") - task.v_cm)
    else:
        raise InputError(
            "give the vertical travel distance or the destination's vertical location",
            where="d_cm",
        )
    notes: list[str] = []
    origin = _point(task, "origin", task.h_cm, task.v_cm, task.a_deg, d, "")
    destination = None
    if task.destination is not None:
        dest = task.destination
        for name in ("h_cm", "a_deg"):
            _scalar(getattr(dest, name), f"destination.{name}")
        destination = _point(
            task, "destination", dest.h_cm, dest.v_cm, dest.a_deg, d, "destination."
        )

    if task.frequency_per_min < doc.frequency.min_lifts_per_min:
        notes.append(
            f"Frequency {task.frequency_per_min:g} lifts/min is below "
            f"{doc.frequency.min_lifts_per_min:g}: FM uses {doc.frequency.min_lifts_per_min:g}."
        )
    if d < metric.distance.min:
        notes.append(
            f"D {d:g} cm is below {metric.distance.min:g} cm: DM uses {metric.distance.min:g} cm."
        )
    for point in (origin, destination):
        if point is None:
            continue
        where = point.location
        if point.h_cm < metric.horizontal.min:
            notes.append(
                f"{where}: H {point.h_cm:g} cm is below {metric.horizontal.min:g} cm: "
                f"HM uses {metric.horizontal.min:g} cm."
            )
        for name in point.zero_multipliers:
            notes.append(f"{where}: {name} is 0 (a variable is beyond its limit): RWL is 0.")
    governing = origin
    if destination is not None and destination.rwl_kg < origin.rwl_kg:
        governing = destination
    li = governing.lifting_index
    band = doc.bands[-1]
    for candidate in doc.bands:
        if candidate.max_li is not None and li <= candidate.max_li:
            band = candidate
            break
    sources = tuple(dict.fromkeys((*doc.sources, *doc.frequency.sources, *band.sources)))
    return NioshResult(
        task=task,
        d_cm=d,
        load_constant_kg=metric.load_constant,
        origin=origin,
        destination=destination,
        governing=governing.location,
        rwl_kg=governing.rwl_kg,
        lifting_index=li,
        risk_level=band.level,
        risk_label=band.label,
        risk_text=band.text,
        notes=tuple(notes),
        limitations=doc.limitations,
        sources=sources,
    )
