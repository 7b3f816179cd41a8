"""What REBA and RULA share: task inputs, frame status, channel reading and the knowledge files.

Scoring a :class:`~backcare.posture.series.PostureSeries` frame by frame needs, besides the
angles, what a camera or sensor cannot see (the load's coupling, a wrist twist, whether the arm
rests on something). Those come in :class:`TaskInputs`, one set for the whole series.

Missing data (never guessed)
----------------------------
A channel is *missing* at a frame when it is NaN there or absent from the series.

* Missing a **required** channel (``trunk_flexion``, ``neck_flexion``, and for at least one side
  both ``upper_arm_flexion_<side>`` and ``elbow_flexion_<side>``) makes the frame
  :attr:`FrameStatus.NOT_COMPUTABLE`: its score and every body-part score are 0 and its action
  level is -1.
* Missing an **optional** channel (twist, side bend, abduction, shoulder tilt, wrist, knee, hand
  load, or one arm's channels while the other arm is complete) makes the frame's score a
  **range**: ``score`` leaves out what that channel would add (its lowest score), ``score_max``
  counts the worst it could add (an unseen arm raised above the shoulder, an unseen wrist bent),
  and the frame is :attr:`FrameStatus.PARTIAL`. A hand load that is missing only lowers
  ``score``.
* A yes/no item measured but not clearly (:func:`judge`: below
  :attr:`TaskInputs.min_confidence`, within :attr:`TaskInputs.margin_deg` of its threshold, or a
  channel named in :attr:`TaskInputs.unsure_channels`) is unknown in the same way.
* Only channels named in :attr:`TaskInputs.assume_neutral` are replaced by their neutral value
  (0 deg, 0 kg) where missing; those frames stay complete. Use it when, for example, the wrist
  is known to stay straight but the camera cannot see it.

Which channels were missing is kept per frame as a bit mask (bit ``k`` = :data:`READ_CHANNELS`
``[k]``); ``missing_channels(i)`` on a result decodes it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum
from functools import cache
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from backcare.errors import InputError, KnowledgeError
from backcare.knowledge import load
from backcare.knowledge.ergonomics import RebaTables, RulaTables, SeriesRules
from backcare.posture.conventions import CHANNELS, Activity
from backcare.posture.series import PostureSeries

__all__ = [
    "ARM_CHANNELS",
    "ASSUMABLE_CHANNELS",
    "READ_CHANNELS",
    "REQUIRED_CHANNELS",
    "Coupling",
    "FrameStatus",
    "Judged",
    "LegWeightBearing",
    "LoadPattern",
    "TaskInputs",
    "WristTwist",
    "decode_missing",
    "forget_arm",
    "judge",
    "override",
    "reba_tables",
    "rula_tables",
    "series_rules",
    "unseen_arms",
    "validated",
    "worst_where",
]

Coupling = Literal["good", "fair", "poor", "unacceptable"]
LegWeightBearing = Literal["bilateral", "unilateral"]
LoadPattern = Literal["intermittent", "static", "repeated"]
WristTwist = Literal["mid_range", "end_of_range"]

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.floating[Any]]
IntArray = NDArray[np.int8]

READ_CHANNELS: tuple[str, ...] = (
    "trunk_flexion",
    "trunk_lateral",
    "trunk_twist",
    "neck_flexion",
    "neck_lateral",
    "neck_twist",
    "upper_arm_flexion_left",
    "upper_arm_flexion_right",
    "upper_arm_abduction_left",
    "upper_arm_abduction_right",
    "elbow_flexion_left",
    "elbow_flexion_right",
    "wrist_flexion_left",
    "wrist_flexion_right",
    "knee_flexion_left",
    "knee_flexion_right",
    "shoulder_asymmetry",
    "hand_load",
)
"""Every channel REBA or RULA reads; the order defines the bits of the ``missing`` mask."""

REQUIRED_CHANNELS: frozenset[str] = frozenset(
    {
        "trunk_flexion",
        "neck_flexion",
        "upper_arm_flexion_left",
        "upper_arm_flexion_right",
        "elbow_flexion_left",
        "elbow_flexion_right",
    }
)
"""Channels without which a frame (or, for the arm channels, one side) cannot be scored."""

ASSUMABLE_CHANNELS: frozenset[str] = frozenset(READ_CHANNELS) - REQUIRED_CHANNELS
"""Channels that :attr:`TaskInputs.assume_neutral` may name."""

_BIT = {name: np.uint32(1 << k) for k, name in enumerate(READ_CHANNELS)}


class FrameStatus(IntEnum):
    """Per-frame status of a REBA/RULA series result (int8 in the arrays)."""

    COMPLETE = 0
    PARTIAL = 1
    """Some optional input was missing or unclear: the score is a range (score to score_max)."""
    NOT_COMPUTABLE = 2
    """A required channel was missing: score 0, action level -1."""


def decode_missing(mask: int) -> tuple[str, ...]:
    """Names of the channels whose bits are set in one frame's ``missing`` mask."""
    return tuple(name for name, bit in _BIT.items() if int(mask) & int(bit))


class TaskInputs(BaseModel):
    """What the series cannot show, for the whole task (one value for every frame).

    The boolean defaults describe the absence of the aggravating factor, as an observer would
    score a factor not seen; set them when the task has it. The load is never defaulted: give
    ``load_kg`` or a series with a ``hand_load`` channel. ``static``, ``repeated`` and ``rapid``
    are evaluated from the series by the timing rules unless set here (``True``/``False``
    overrides the rule for every frame).

    Attributes
    ----------
    coupling
        Hand hold of the load (REBA): good, fair, poor or unacceptable.
    load_kg
        Load or force handled [kg], the same at every frame; ``None`` reads the series'
        ``hand_load`` channel.
    shock
        Shock or rapid build-up of force (REBA +1 to the load score; RULA force score 3).
    load_pattern
        RULA force pattern: intermittent, static (held) or repeated.
    legs
        REBA weight bearing: bilateral (also walking or sitting) or unilateral/unstable.
    legs_supported
        RULA: legs and feet supported with the weight evenly balanced.
    arm_supported
        Arm supported, person leaning, or (REBA) gravity assisted: -1 to the upper-arm score.
    upper_arm_rotated
        REBA: upper arm rotated (+1 like abduction; rotation is not a series channel).
    lower_arm_across_midline, lower_arm_out_to_side
        RULA: the lower arm works across the body's midline or out to the side (+1).
    wrist_deviated
        Wrist in radial or ulnar deviation (+1 in both methods).
    wrist_twisted
        REBA: wrist twisted (+1, same item as deviation).
    wrist_twist
        RULA wrist twist: mainly mid-range (1) or at or near the end of range (2).
    trunk_supported_when_sitting
        RULA: a seated trunk is well supported (hip-trunk angle 90 deg or more), so sitting
        frames (activity ``sit``) score trunk 1 before adjustments.
    unstable_base
        REBA: the posture has an unstable base (+1, same activity item as rapid changes).
    static, repeated, rapid
        Override the timing rules (see :mod:`backcare.posture.ergo_timing`).
    assume_neutral
        Optional channels to take as neutral (0 deg or 0 kg) where missing, instead of marking
        those frames partial. Required channels cannot be assumed.
    min_confidence, margin_deg
        How sure a measured adjustment must be (see :func:`judge`): a twist, side bend,
        abduction, raised shoulder or bent wrist counts (or is ruled out) only where its
        channel's confidence is at least ``min_confidence`` and its angle lies more than
        ``margin_deg`` beyond (or short of) the threshold; otherwise it is unknown and the
        score becomes a range. The defaults (0, 0) take every measured value at face value.
    unsure_channels
        Channels the view sees only through depth: a reading clearly short of the threshold
        still rules the item out, but a reading near or beyond it never adds the point; it
        widens the range instead.
    score_side
        Which arm scores: ``"worse"`` (REBA's and RULA's rule: the side with the higher arm
        score; an arm not measured may be the worse one, so it widens the range) or ``"seen"``
        (the side a rater looks at in a side-view photo: where only one arm was measured in a
        frame, that arm is scored and the unseen far arm neither widens the range nor counts as
        missing; where both were measured, the worse).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    coupling: Coupling
    load_kg: float | None = Field(default=None, ge=0, le=500)
    shock: bool = False
    load_pattern: LoadPattern = "intermittent"
    legs: LegWeightBearing = "bilateral"
    legs_supported: bool = True
    arm_supported: bool = False
    upper_arm_rotated: bool = False
    lower_arm_across_midline: bool = False
    lower_arm_out_to_side: bool = False
    wrist_deviated: bool = False
    wrist_twisted: bool = False
    wrist_twist: WristTwist = "mid_range"
    trunk_supported_when_sitting: bool = False
    unstable_base: bool = False
    static: bool | None = None
    repeated: bool | None = None
    rapid: bool | None = None
    assume_neutral: frozenset[str] = frozenset()
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    margin_deg: float = Field(default=0.0, ge=0.0, le=45.0)
    unsure_channels: frozenset[str] = frozenset()
    score_side: Literal["worse", "seen"] = "worse"

    @field_validator("assume_neutral")
    @classmethod
    def _assumable(cls, value: frozenset[str]) -> frozenset[str]:
        bad = sorted(value - ASSUMABLE_CHANNELS)
        if bad:
            raise ValueError(
                f"cannot assume {bad} neutral; allowed: {sorted(ASSUMABLE_CHANNELS)}"
                " (trunk, neck, upper-arm flexion and elbow channels are required)"
            )
        return value


M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], values: dict[str, Any], *, where: dict[str, str] | None = None) -> M:
    """Build ``model`` from ``values``; a validation error becomes an :class:`InputError`.

    ``where`` maps field names to the names the user typed (CLI options); the error names the
    first failing field that way.
    """
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "input"
        place = (where or {}).get(field, field)
        raise InputError(f"{err['msg']} (got {err.get('input')!r})", where=place) from None


@cache
def reba_tables() -> RebaTables:
    """The REBA knowledge file."""
    doc: RebaTables = load("ergonomics/reba.yaml", RebaTables)
    return doc


@cache
def rula_tables() -> RulaTables:
    """The RULA knowledge file."""
    doc: RulaTables = load("ergonomics/rula.yaml", RulaTables)
    return doc


@cache
def series_rules() -> SeriesRules:
    """The rules that apply REBA and RULA to measured series; channel names are checked."""
    rules: SeriesRules = load("ergonomics/series-rules.yaml", SeriesRules)
    for rule in (rules.static, rules.repeated, rules.rapid):
        unknown = sorted(set(rule.channels) - set(CHANNELS))
        if unknown:
            raise KnowledgeError(f"ergonomics/series-rules.yaml: unknown channels {unknown}")
    labels = {a.label for a in Activity}
    bad = sorted(set(rules.repeated.excluded_activities) - labels)
    if bad:
        raise KnowledgeError(f"ergonomics/series-rules.yaml: unknown activities {bad}")
    return rules


class ChannelReader:
    """Reads channels of a series, applying ``assume_neutral`` and recording missing values."""

    def __init__(self, series: PostureSeries, assume_neutral: frozenset[str]) -> None:
        self.series = series
        self.n = len(series)
        self.assume = assume_neutral
        self.missing = np.zeros(self.n, dtype=np.uint32)

    def read(self, name: str) -> tuple[FloatArray, BoolArray]:
        """Values (NaN where missing) and the missing mask; neutral-assumed channels get 0."""
        arr = self.series.get(name)
        values: FloatArray = (
            np.full(self.n, np.nan, dtype=np.float64) if arr is None else np.asarray(arr)
        )
        miss = np.isnan(values)
        if name in self.assume:
            if miss.any():
                values = np.where(miss, 0.0, values)
            miss = np.zeros(self.n, dtype=bool)
        return values, miss

    def mark(self, name: str, mask: BoolArray) -> None:
        """Record ``name`` as missing where ``mask``."""
        self.missing |= mask.astype(np.uint32) * _BIT[name]

    def optional(self, name: str) -> FloatArray:
        """An optional channel: missing values are recorded (frame partial) and stay NaN."""
        values, miss = self.read(name)
        self.mark(name, miss)
        return values


def override(value: bool | None, derived: BoolArray) -> BoolArray:
    """A task input's explicit timing flag for every frame, or the flag derived from the series."""
    if value is None:
        return derived
    return np.full(derived.shape, value, dtype=bool)


def status_of(missing: NDArray[np.uint32], failed: BoolArray) -> IntArray:
    """Per-frame :class:`FrameStatus` from the missing mask and the not-computable mask."""
    status = np.where(missing != 0, FrameStatus.PARTIAL, FrameStatus.COMPLETE).astype(np.int8)
    status[failed] = FrameStatus.NOT_COMPUTABLE
    return status


def beyond(values: FloatArray, threshold_deg: float) -> BoolArray:
    """``|values| > threshold_deg``; NaN is False."""
    with np.errstate(invalid="ignore"):
        return np.abs(values) > threshold_deg


@dataclass(frozen=True)
class Judged:
    """One yes/no item judged from a measured angle: ``yes`` where it surely applies,
    ``unknown`` where it may or may not (missing, low confidence, or within the margin)."""

    yes: BoolArray
    unknown: BoolArray

    @property
    def low(self) -> BoolArray:
        """The item as counted for the lowest possible score."""
        return self.yes

    @property
    def high(self) -> BoolArray:
        """The item as counted for the highest possible score."""
        return self.yes | self.unknown


def judge(
    reader: ChannelReader,
    task: TaskInputs,
    name: str,
    threshold_deg: float,
    direction: Literal["abs", "pos", "neg"] = "abs",
) -> Judged:
    """Whether channel ``name`` passes ``threshold_deg`` (``abs``: ``|value|``; ``pos``: value;
    ``neg``: -value), with :attr:`TaskInputs.min_confidence` and :attr:`TaskInputs.margin_deg`.

    A frame is ``yes`` when the value is beyond ``threshold + margin`` with enough confidence,
    ``no`` when it is at or below ``threshold - margin`` with enough confidence, and unknown
    otherwise (including a missing value). Unknown frames are recorded as missing for the
    channel, so the frame is partial. Neutral-assumed missing values count as sure zeros.
    """
    raw = reader.series.get(name)
    raw_arr = np.full(reader.n, np.nan) if raw is None else np.asarray(raw, dtype=np.float64)
    assumed = np.isnan(raw_arr) & (name in reader.assume)
    values, _ = reader.read(name)
    v = np.abs(values) if direction == "abs" else (values if direction == "pos" else -values)
    sure = ~np.isnan(v)
    conf = reader.series.confidence(name)
    if conf is not None and task.min_confidence > 0.0:
        sure &= (np.asarray(conf) >= task.min_confidence) | assumed
    with np.errstate(invalid="ignore"):
        yes = sure & (v > threshold_deg + task.margin_deg)
        no = sure & (v <= threshold_deg - task.margin_deg)
    if name in task.unsure_channels:
        yes &= assumed  # a reading the view cannot confirm never adds the point
    unknown = ~(yes | no)
    reader.mark(name, unknown)
    return Judged(yes=np.asarray(yes, dtype=bool), unknown=np.asarray(unknown, dtype=bool))


#: Each arm's channels (its flexion, elbow, abduction and wrist).
ARM_CHANNELS = {
    arm: tuple(
        f"{part}_{arm}"
        for part in ("upper_arm_flexion", "elbow_flexion", "upper_arm_abduction", "wrist_flexion")
    )
    for arm in ("left", "right")
}


def unseen_arms(task: TaskInputs, ok: dict[str, BoolArray]) -> dict[str, BoolArray]:
    """Per arm, the frames where it is left out because only the other arm was measured
    (``task.score_side == "seen"``); all False for the ``"worse"`` rule."""
    if task.score_side != "seen":
        return {arm: np.zeros_like(mask) for arm, mask in ok.items()}
    return {"left": ~ok["left"] & ok["right"], "right": ~ok["right"] & ok["left"]}


def forget_arm(reader: ChannelReader, arm: str, frames: BoolArray) -> None:
    """Clear ``arm``'s channels from the missing mask where ``frames`` (an arm left out)."""
    bits = np.uint32(0)
    for name in ARM_CHANNELS[arm]:
        bits |= _BIT[name]
    reader.missing[frames] &= ~bits


def worst_where(values: FloatArray, unknown: BoolArray, worst_deg: float) -> FloatArray:
    """``values`` with unknown frames set to ``worst_deg`` (for the highest possible score)."""
    out: FloatArray = np.where(unknown, worst_deg, values)
    return out


def load_array(series: PostureSeries, task: TaskInputs, reader: ChannelReader) -> FloatArray:
    """Load [kg] per frame: ``task.load_kg`` or the ``hand_load`` channel (missing -> partial)."""
    if task.load_kg is not None:
        return np.full(len(series), task.load_kg, dtype=np.float64)
    if "hand_load" not in series and "hand_load" not in task.assume_neutral:
        raise InputError(
            "the load is unknown: give load_kg or a series with a 'hand_load' channel "
            "(or assume_neutral={'hand_load'} for 0 kg)",
            where="task.load_kg",
        )
    return reader.optional("hand_load")


class FramesMixin:
    """Shared accessors of :class:`~backcare.posture.reba.RebaFrames` and ``RulaFrames``."""

    score: IntArray
    status: IntArray
    missing: NDArray[np.uint32]

    def __len__(self) -> int:
        return int(self.score.shape[0])

    def missing_channels(self, frame: int) -> tuple[str, ...]:
        """Channels missing at ``frame`` (why it is partial or not computable)."""
        return decode_missing(int(self.missing[frame]))

    def reason(self, frame: int) -> str:
        """One line on the frame's status, naming missing channels."""
        status = FrameStatus(int(self.status[frame]))
        if status is FrameStatus.COMPLETE:
            return "complete"
        names = ", ".join(self.missing_channels(frame))
        if status is FrameStatus.PARTIAL:
            return f"partial (a range): missing or unclear {names}"
        return f"not computable: missing {names}"

    def to_frame(self) -> pd.DataFrame:
        """Every per-frame array as a column (``missing`` as the bit mask)."""
        cols = {
            f.name: getattr(self, f.name)
            for f in fields(self)  # type: ignore[arg-type]
            if isinstance(getattr(self, f.name), np.ndarray)
        }
        return pd.DataFrame(cols)

    def counts(self) -> dict[str, int]:
        """Frames per status."""
        return {s.name.lower(): int((self.status == s).sum()) for s in FrameStatus}
