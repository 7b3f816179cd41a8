"""Compression, shear and moment at L5/S1 from a static sagittal model.

:func:`l5s1_forces` works for a person of given mass and height, from de Leva's (1996) segment
table and a single-equivalent-muscle model after Chaffin & Andersson (``l5s1_model.yaml`` lists
every choice), to be set against NIOSH's 3400 N action limit and 6400 N maximum permissible
limit. :func:`l5s1_series` applies it to a :class:`~backcare.posture.series.PostureSeries`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from backcare.errors import InputError
from backcare.knowledge import load
from backcare.knowledge.biomechanics import (
    AnthropometryDocument,
    L5S1ModelDocument,
    Range,
    SexAnthropometry,
)
from backcare.posture.conventions import Activity
from backcare.posture.load._arrays import F64, _as_float, _check_range
from backcare.posture.series import PostureSeries

__all__ = ["L5S1Result", "compression_limits", "l5s1_forces", "l5s1_series"]

Sex = Literal["male", "female"]

_ANTHRO_FILE = "biomechanics/anthropometry.yaml"
_L5S1_FILE = "biomechanics/l5s1_model.yaml"


@dataclass(frozen=True)
class L5S1Result:
    """Forces at L5/S1 (arrays of the broadcast input shape).

    Attributes
    ----------
    compression_n
        Compression across the disc plane [N].
    shear_n
        Shear in the disc plane [N], + anterior (upper body sliding forward).
    moment_nm
        Flexion moment of gravity about L5/S1 [N m], + forward.
    extensor_force_n
        Force of the equivalent trunk muscle balancing the moment [N].
    upper_body_weight_n
        Weight above L5/S1 including the load [N].
    out_of_range
        Samples a series function set to NaN because an angle was outside the model's range
        (always false from :func:`l5s1_forces`, which raises instead).
    action_limit_n, maximum_permissible_n
        NIOSH compression limits (3400 N and 6400 N) to compare with.
    sources
        Source ids of the model and the limits.
    """

    compression_n: F64
    shear_n: F64
    moment_nm: F64
    extensor_force_n: F64
    upper_body_weight_n: F64
    out_of_range: NDArray[np.bool_]
    action_limit_n: float
    maximum_permissible_n: float
    sources: tuple[str, ...]

    def above_action_limit(self) -> NDArray[np.bool_]:
        """Where compression exceeds the action limit (NaN counts as false)."""
        with np.errstate(invalid="ignore"):
            return np.asarray(self.compression_n > self.action_limit_n)

    def above_maximum_permissible(self) -> NDArray[np.bool_]:
        """Where compression exceeds the maximum permissible limit (NaN counts as false)."""
        with np.errstate(invalid="ignore"):
            return np.asarray(self.compression_n > self.maximum_permissible_n)


def _l5s1_doc() -> L5S1ModelDocument:
    doc: L5S1ModelDocument = load(_L5S1_FILE, L5S1ModelDocument)
    return doc


def compression_limits() -> tuple[float, float]:
    """NIOSH compression limits [N]: (action limit, maximum permissible limit)."""
    lim = _l5s1_doc().limits
    return lim.action_limit_n, lim.maximum_permissible_n


def _sex_table(sex: str) -> SexAnthropometry:
    doc: AnthropometryDocument = load(_ANTHRO_FILE, AnthropometryDocument)
    table = doc.table
    if sex == "male":
        return table.male
    if sex == "female":
        return table.female
    raise InputError(f"unknown sex {sex!r}; use 'male' or 'female'", where="sex")


def _in_range(values: F64, rng: Range, where: str, unit: str) -> None:
    _check_range(values, rng.low, rng.high, where, unit)


def _unit(angle_deg: F64) -> tuple[F64, F64]:
    rad = np.deg2rad(angle_deg)
    return np.sin(rad), np.cos(rad)


def l5s1_forces(
    body_mass_kg: ArrayLike,
    height_m: ArrayLike,
    trunk_flexion_deg: ArrayLike,
    *,
    hand_load_kg: ArrayLike | float = 0.0,
    upper_arm_flexion_deg: ArrayLike | None = None,
    elbow_flexion_deg: ArrayLike | None = None,
    sex: Sex = "male",
    disc_inclination_offset_deg: float | None = None,
) -> L5S1Result:
    """Compression, shear and moment at L5/S1 from a static sagittal model, vectorised.

    Segment masses and centres of mass come from de Leva (1996), scaled by body mass and by
    height over the table's reference stature; the equivalent back muscle has a 5 cm moment arm;
    intra-abdominal pressure is left out; the disc plane is perpendicular to the trunk axis unless
    ``disc_inclination_offset_deg`` turns it. ``knowledge/data/biomechanics/l5s1_model.yaml``
    states every choice.

    Parameters
    ----------
    body_mass_kg
        Body mass [kg] (30..250).
    height_m
        Stature [m] (1.2..2.3).
    trunk_flexion_deg
        Trunk inclination from vertical [deg], + forward (-45..135). NaN gives NaN.
    hand_load_kg
        Load held in both hands together [kg] (0..500), acting at the hands' centre of mass.
    upper_arm_flexion_deg
        Upper-arm flexion relative to the trunk [deg], + forward (-60..180); both arms alike.
        ``None``: the upper arm hangs vertically whatever the trunk angle.
    elbow_flexion_deg
        Elbow flexion [deg], 0 = straight (0..180). ``None``: straight.
    sex
        Which column of de Leva's table ("male" or "female").
    disc_inclination_offset_deg
        Forward tilt of the disc plane relative to the trunk perpendicular [deg]; ``None`` uses
        the knowledge default (0).

    Returns
    -------
    L5S1Result

    Raises
    ------
    InputError
        Any input outside its accepted range (the message names the parameter).
    """
    doc = _l5s1_doc()
    p = doc.model
    limits = doc.inputs
    table = _sex_table(sex)
    mass = _as_float(body_mass_kg, "body_mass_kg")
    height = _as_float(height_m, "height_m")
    trunk = _as_float(trunk_flexion_deg, "trunk_flexion_deg")
    load_kg = _as_float(hand_load_kg, "hand_load_kg")
    _in_range(mass, limits.body_mass_kg, "body_mass_kg", "kg")
    _in_range(height, limits.height_m, "height_m", "m")
    _in_range(trunk, limits.trunk_flexion_deg, "trunk_flexion_deg", "deg")
    _in_range(load_kg, limits.hand_load_kg, "hand_load_kg", "kg")
    if np.isnan(mass).any():
        raise InputError("body mass must be given (NaN)", where="body_mass_kg")
    if np.isnan(height).any():
        raise InputError("height must be given (NaN)", where="height_m")
    upper_abs: F64
    if upper_arm_flexion_deg is None:
        upper_abs = np.asarray(p.default_upper_arm_from_vertical_deg, dtype=np.float64)
    else:
        upper_rel = _as_float(upper_arm_flexion_deg, "upper_arm_flexion_deg")
        _in_range(upper_rel, limits.upper_arm_flexion_deg, "upper_arm_flexion_deg", "deg")
        upper_abs = trunk + upper_rel
    if elbow_flexion_deg is None:
        elbow: F64 = np.asarray(p.default_elbow_flexion_deg, dtype=np.float64)
    else:
        elbow = _as_float(elbow_flexion_deg, "elbow_flexion_deg")
        _in_range(elbow, limits.elbow_flexion_deg, "elbow_flexion_deg", "deg")
    offset = p.disc_inclination_offset_deg
    if disc_inclination_offset_deg is not None:
        offset = float(disc_inclination_offset_deg)
        if not -60.0 <= offset <= 60.0:
            raise InputError(
                f"{offset:g} deg is outside [-60, 60] deg", where="disc_inclination_offset_deg"
            )
    g = p.gravity_m_s2
    scale = height / table.stature_m
    seg = table.segments

    # Distances along the trunk line above the hip-joint centres (reference subject) [m].
    lower, middle, upper = seg["lower_trunk"], seg["middle_trunk"], seg["upper_trunk"]
    omph = lower.length_m
    xyph = omph + middle.length_m
    supr = xyph + upper.length_m
    l5s1 = p.l5s1_fraction_of_lower_trunk * omph
    head = seg["head_neck"]
    trunk_masses = (
        # (mass fraction, distance of the centre of mass above L5/S1 along the trunk) [-, m]
        (
            head.mass_fraction,
            table.cervicale_above_hip_m + (1 - head.com_from_proximal) * head.length_m - l5s1,
        ),
        (upper.mass_fraction, supr - upper.com_from_proximal * upper.length_m - l5s1),
        (middle.mass_fraction, xyph - middle.com_from_proximal * middle.length_m - l5s1),
        (lower.mass_fraction * p.lower_trunk_mass_above_l5s1, (omph - l5s1) / 2),
    )
    # Arms (both alike): the shoulder sits on the trunk line; positions below are forward
    # distances from the shoulder, per unit scale [m].
    ua, fa, hd = seg["upper_arm"], seg["forearm"], seg["hand"]
    shoulder = table.shoulder_above_hip_m - l5s1
    arm_frac = 2 * (ua.mass_fraction + fa.mass_fraction + hd.mass_fraction)
    frac_total = sum(frac for frac, _ in trunk_masses) + arm_frac
    # Sum of mass fraction x forward lever arm: trunk masses and the shoulder's share of the
    # arms move with the trunk (coefficient of sin(trunk)); the rest follows the arm angles.
    trunk_coefficient = sum(frac * dist for frac, dist in trunk_masses) + arm_frac * shoulder
    s_t, _ = _unit(trunk)
    s_u, _ = _unit(upper_abs)
    s_f, _ = _unit(upper_abs + elbow)
    elbow_rel = ua.length_m * s_u
    hand_rel = elbow_rel + (fa.length_m + hd.com_from_proximal * hd.length_m) * s_f
    arm_rel = 2 * (
        ua.mass_fraction * ua.com_from_proximal * ua.length_m * s_u
        + fa.mass_fraction * (elbow_rel + fa.com_from_proximal * fa.length_m * s_f)
        + hd.mass_fraction * hand_rel
    )
    lever_sum = trunk_coefficient * s_t + arm_rel
    moment = (g * scale) * (mass * lever_sum + load_kg * (shoulder * s_t + hand_rel))
    muscle = np.abs(moment) / p.erector_moment_arm_m
    weight = g * (mass * frac_total + load_kg)
    off = np.deg2rad(offset)
    compression = muscle * np.cos(off) + weight * np.cos(np.deg2rad(trunk) + off)
    shear = weight * np.sin(np.deg2rad(trunk) + off) + muscle * np.sin(off)
    shape = np.shape(compression)
    return L5S1Result(
        compression_n=np.asarray(compression, dtype=np.float64),
        shear_n=np.asarray(shear, dtype=np.float64),
        moment_nm=np.asarray(moment, dtype=np.float64),
        extensor_force_n=np.asarray(muscle, dtype=np.float64),
        upper_body_weight_n=np.array(np.broadcast_to(weight, shape), dtype=np.float64),
        out_of_range=np.zeros(shape, dtype=bool),
        action_limit_n=doc.limits.action_limit_n,
        maximum_permissible_n=doc.limits.maximum_permissible_n,
        sources=tuple(dict.fromkeys((*p.sources, *doc.limits.sources))),
    )


def _side_mean(series: PostureSeries, left: str, right: str) -> F64 | None:
    """Mean of the measured sides per sample (one side where the other is NaN); None if absent."""
    arrays = [
        np.asarray(a, dtype=np.float64)
        for a in (series.get(left), series.get(right))
        if a is not None
    ]
    if not arrays:
        return None
    stack = np.vstack(arrays)
    count = np.sum(~np.isnan(stack), axis=0)
    total = np.nansum(stack, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def l5s1_series(
    series: PostureSeries,
    body_mass_kg: float,
    height_m: float,
    *,
    sex: Sex = "male",
) -> L5S1Result:
    """L5/S1 forces for every sample of a posture series.

    Uses ``trunk_flexion`` (required), the mean of the measured sides of
    ``upper_arm_flexion_left/right`` and ``elbow_flexion_left/right`` (the model's default arm
    posture when a pair was not measured at all), and ``hand_load`` (0 kg when absent).

    Samples that are lying or non-wear, or whose angles lie outside the model's accepted ranges,
    are NaN; the latter are flagged in ``out_of_range`` so that a caller can report how many
    samples the model could not describe. Unknown activity is computed: the model needs only the
    posture angles.

    Parameters
    ----------
    series
        The posture series.
    body_mass_kg, height_m
        The person's body mass [kg] and stature [m].
    sex
        Which column of the segment table.

    Raises
    ------
    InputError
        The series has no ``trunk_flexion`` channel, or mass or height is out of range.
    """
    flex = series.get("trunk_flexion")
    if flex is None:
        raise InputError(
            "the L5/S1 model needs the trunk_flexion channel, which this series lacks",
            where="trunk_flexion",
        )
    limits = _l5s1_doc().inputs
    n = len(series)
    trunk = np.array(flex, dtype=np.float64)
    upper = _side_mean(series, "upper_arm_flexion_left", "upper_arm_flexion_right")
    elbow = _side_mean(series, "elbow_flexion_left", "elbow_flexion_right")
    load_channel = series.get("hand_load")
    load_kg = np.zeros(n) if load_channel is None else np.array(load_channel, dtype=np.float64)

    def outside(values: F64 | None, rng: Range) -> NDArray[np.bool_]:
        if values is None:
            return np.zeros(n, dtype=bool)
        with np.errstate(invalid="ignore"):
            return np.asarray((values < rng.low) | (values > rng.high))

    out_of_range = (
        outside(trunk, limits.trunk_flexion_deg)
        | outside(upper, limits.upper_arm_flexion_deg)
        | outside(elbow, limits.elbow_flexion_deg)
        | outside(load_kg, limits.hand_load_kg)
    )
    lying_codes = [a.value for a in Activity if a.label.startswith("lie")] + [
        Activity.NONWEAR.value
    ]
    skip = np.isin(series.activity, lying_codes)
    blank = out_of_range | skip
    trunk[blank] = np.nan
    if upper is not None:
        upper = np.where(blank, 0.0, upper)
    if elbow is not None:
        elbow = np.where(blank, 0.0, elbow)
    load_kg = np.where(blank, 0.0, load_kg)
    result = l5s1_forces(
        body_mass_kg,
        height_m,
        trunk,
        hand_load_kg=load_kg,
        upper_arm_flexion_deg=upper,
        elbow_flexion_deg=elbow,
        sex=sex,
    )

    def blanked(values: F64) -> F64:
        return np.where(blank, np.nan, values)

    return L5S1Result(
        compression_n=blanked(result.compression_n),
        shear_n=blanked(result.shear_n),
        moment_nm=blanked(result.moment_nm),
        extensor_force_n=blanked(result.extensor_force_n),
        upper_body_weight_n=blanked(result.upper_body_weight_n),
        out_of_range=out_of_range,
        action_limit_n=result.action_limit_n,
        maximum_permissible_n=result.maximum_permissible_n,
        sources=result.sources,
    )
