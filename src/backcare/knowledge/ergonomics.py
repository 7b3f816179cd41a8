"""Schema of the ergonomics knowledge files: REBA and RULA tables and the series rules.

Files (under ``knowledge/data/ergonomics/``):

``reba.yaml`` (kind ``reba``)
    Hignett & McAtamney 2000: body-part bands, adjustments, tables A, B and C, load, coupling,
    activity score and action levels.
``rula.yaml`` (kind ``rula``)
    McAtamney & Corlett 1993: body-part bands, adjustments, tables A (1993 version), B and C,
    muscle use, force/load and action levels.
``series-rules.yaml`` (kind ``ergo-series-rules``)
    How angles measured over time become the observer's yes/no judgements (twisted, side bent,
    abducted, shoulder raised) and the timing rules (static, repeated, rapid changes).

Everything is validated when loaded: bands must be ordered and monotone, tables must have the
declared shape, scores of at least 1, and be non-decreasing along every axis, and the body-part
score ranges must fit the tables they index.
"""

from __future__ import annotations

from itertools import pairwise
from math import prod
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, model_validator

from backcare.knowledge.schema import Cited, Document, KnowledgeModel

if TYPE_CHECKING:  # NumPy loads when a table is validated or used, not with the catalog
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "ActionLevel",
    "ActionLevels",
    "Band",
    "ForceBand",
    "ForceScale",
    "GapRule",
    "HoldRule",
    "Points",
    "RapidRule",
    "RebaTables",
    "RepeatRule",
    "RulaTables",
    "Scale",
    "ScoreTable",
    "SeriesRules",
    "Threshold",
]


class Band(KnowledgeModel):
    """One band of a scale: values above the previous band's edge and up to ``up_to``.

    ``inclusive`` says whether a value exactly equal to ``up_to`` belongs to this band (``True``)
    or to the next one. The last band has no ``up_to``.
    """

    score: int
    up_to: float | None = None
    inclusive: bool = True


class Scale(Cited):
    """A measured quantity (angle [deg] or load [kg]) mapped to a score by ordered bands.

    ``shape`` is the monotonicity the scores must have: ``valley`` (non-increasing up to the
    neutral band, then non-decreasing: angles, with extension below zero) or ``increasing``.
    """

    unit: Literal["deg", "kg"]
    shape: Literal["valley", "increasing"]
    bands: tuple[Band, ...] = Field(min_length=1)
    rationale: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        *inner, last = self.bands
        if last.up_to is not None:
            raise ValueError("the last band must be open (no up_to)")
        edges = [b.up_to for b in inner]
        if any(e is None for e in edges):
            raise ValueError("every band but the last needs up_to")
        values = [float(e) for e in edges if e is not None]
        if any(b <= a for a, b in pairwise(values)):
            raise ValueError(f"band edges must increase strictly, got {values}")
        import numpy as np

        scores = [b.score for b in self.bands]
        steps = np.diff(scores)
        if self.shape == "increasing":
            if (steps < 0).any():
                raise ValueError(f"scores must not decrease, got {scores}")
        else:
            low = int(np.argmin(scores))
            if (steps[:low] > 0).any() or (steps[low:] < 0).any():
                raise ValueError(f"scores must fall to one minimum and then rise, got {scores}")
        return self

    @property
    def edges(self) -> tuple[float, ...]:
        return tuple(float(b.up_to) for b in self.bands[:-1] if b.up_to is not None)

    @property
    def scores(self) -> tuple[int, ...]:
        return tuple(b.score for b in self.bands)

    @property
    def min_score(self) -> int:
        return min(self.scores)

    @property
    def max_score(self) -> int:
        return max(self.scores)

    def score_array(self, values: NDArray[np.floating[Any]]) -> NDArray[np.int8]:
        """Scores of ``values`` (vectorised; NaN gets the score of the neutral band)."""
        import numpy as np

        index = np.zeros(values.shape, dtype=np.int8)
        for band in self.bands[:-1]:
            edge = float(band.up_to)  # type: ignore[arg-type]  # validated: not None
            index += (values > edge) if band.inclusive else (values >= edge)
        scores = np.asarray(self.scores, dtype=np.int8)
        out = scores[index]
        nan = np.isnan(values)
        if nan.any():
            out[nan] = self.min_score
        return out

    def score(self, value: float) -> int:
        """Score of one value."""
        import numpy as np

        return int(self.score_array(np.asarray([value], dtype=np.float64))[0])


class ScoreTable(Cited):
    """A lookup table indexed by scores (1-based along every axis).

    ``values`` holds the rows as printed; read in order they fill an array of ``shape`` (C
    order), so a row is one line of the published table.
    """

    axes: tuple[str, ...] = Field(min_length=1)
    shape: tuple[int, ...] = Field(min_length=1)
    values: tuple[tuple[int, ...], ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _shape_and_monotone(self) -> ScoreTable:
        if len(self.axes) != len(self.shape):
            raise ValueError(f"{len(self.axes)} axes but shape has {len(self.shape)} dimensions")
        widths = {len(row) for row in self.values}
        if len(widths) != 1:
            raise ValueError(f"rows have different lengths: {sorted(widths)}")
        count = sum(len(row) for row in self.values)
        if count != prod(self.shape):
            raise ValueError(f"{count} values do not fill shape {self.shape}")
        import numpy as np

        arr = self.array()
        if arr.min() < 1:
            raise ValueError("table scores must be at least 1")
        for axis, name in enumerate(self.axes):
            if (np.diff(arr, axis=axis) < 0).any():
                raise ValueError(f"scores decrease along axis {name!r}")
        return self

    def array(self) -> NDArray[np.int8]:
        """The table as an int8 array of ``shape`` (index = score - 1)."""
        import numpy as np

        flat = np.asarray([v for row in self.values for v in row], dtype=np.int8)
        return flat.reshape(self.shape)

    def lookup(self, *scores: int) -> int:
        """One cell by 1-based scores."""
        return int(self.array()[tuple(s - 1 for s in scores)])


class Points(Cited):
    """Named options and the points each adds (adjustments, coupling, leg support...)."""

    points: dict[str, int] = Field(min_length=1)
    description: str | None = None

    def require(self, names: set[str], where: str) -> None:
        if set(self.points) != names:
            raise ValueError(
                f"{where} must name exactly {sorted(names)}, got {sorted(self.points)}"
            )


class ActionLevel(KnowledgeModel):
    level: int = Field(ge=0)
    min_score: int = Field(ge=1)
    max_score: int = Field(ge=1)
    risk: str
    action: str


class ActionLevels(Cited):
    """Consecutive score ranges, each with its action level."""

    levels: tuple[ActionLevel, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _contiguous(self) -> ActionLevels:
        for a, b in zip(self.levels, self.levels[1:], strict=False):
            if b.min_score != a.max_score + 1 or b.level != a.level + 1:
                raise ValueError("action levels must cover consecutive scores in order")
        if any(lv.max_score < lv.min_score for lv in self.levels):
            raise ValueError("an action level has max_score below min_score")
        return self

    @property
    def max_score(self) -> int:
        return self.levels[-1].max_score

    def for_score(self, score: int) -> ActionLevel:
        for lv in self.levels:
            if lv.min_score <= score <= lv.max_score:
                return lv
        raise ValueError(f"score {score} is outside the action levels")

    def level_lookup(self) -> NDArray[np.int8]:
        """Action level indexed by score (index 0 = not computable -> -1)."""
        import numpy as np

        out = np.full(self.max_score + 1, -1, dtype=np.int8)
        for lv in self.levels:
            out[lv.min_score : lv.max_score + 1] = lv.level
        return out


class MethodNote(Cited):
    name: str
    note: str


def _check_range(name: str, low: int, high: int, size: int) -> None:
    if low < 1 or high > size:
        raise ValueError(f"{name} scores run {low}..{high} but the table axis has {size} entries")


class RebaTables(Document):
    """``reba.yaml``: Hignett & McAtamney 2000."""

    KIND: ClassVar[str] = "reba"

    method: MethodNote
    trunk: Scale
    neck: Scale
    upper_arm: Scale
    lower_arm: Scale
    wrist: Scale
    knee: Scale
    load: Scale
    legs: Points
    coupling: Points
    adjustments: Points
    activity: Points
    table_a: ScoreTable
    table_b: ScoreTable
    table_c: ScoreTable
    action_levels: ActionLevels

    @model_validator(mode="after")
    def _consistent(self) -> RebaTables:
        self.legs.require({"bilateral", "unilateral"}, "legs")
        self.coupling.require({"good", "fair", "poor", "unacceptable"}, "coupling")
        self.adjustments.require(
            {
                "trunk_twisted_or_side_bent",
                "neck_twisted_or_side_bent",
                "upper_arm_abducted_or_rotated",
                "shoulder_raised",
                "arm_supported",
                "wrist_deviated_or_twisted",
                "shock",
            },
            "adjustments",
        )
        self.activity.require({"static", "repeated", "rapid_or_unstable"}, "activity")
        adj = self.adjustments.points
        if tuple(self.table_a.axes) != ("neck", "trunk", "legs"):
            raise ValueError("table_a axes must be neck, trunk, legs")
        if tuple(self.table_b.axes) != ("lower_arm", "upper_arm", "wrist"):
            raise ValueError("table_b axes must be lower_arm, upper_arm, wrist")
        if tuple(self.table_c.axes) != ("score_a", "score_b"):
            raise ValueError("table_c axes must be score_a, score_b")
        na, ta, la = self.table_a.shape
        _check_range(
            "neck", self.neck.min_score, self.neck.max_score + adj["neck_twisted_or_side_bent"], na
        )
        _check_range(
            "trunk",
            self.trunk.min_score,
            self.trunk.max_score + adj["trunk_twisted_or_side_bent"],
            ta,
        )
        legs = self.legs.points
        _check_range("legs", min(legs.values()), max(legs.values()) + self.knee.max_score, la)
        lb, ub, wb = self.table_b.shape
        up = self.upper_arm.max_score + adj["upper_arm_abducted_or_rotated"]
        _check_range("upper arm", 1, up + adj["shoulder_raised"], ub)
        _check_range("lower arm", self.lower_arm.min_score, self.lower_arm.max_score, lb)
        wmax = self.wrist.max_score + adj["wrist_deviated_or_twisted"]
        _check_range("wrist", self.wrist.min_score, wmax, wb)
        ra, rb = self.table_c.shape
        a_max = int(self.table_a.array().max()) + self.load.max_score + adj["shock"]
        b_max = int(self.table_b.array().max()) + max(self.coupling.points.values())
        _check_range("score A", 1, a_max, ra)
        _check_range("score B", 1, b_max, rb)
        top = int(self.table_c.array().max()) + sum(self.activity.points.values())
        if top != self.action_levels.max_score:
            raise ValueError(
                f"the highest REBA score is {top} but action levels end at "
                f"{self.action_levels.max_score}"
            )
        return self


class ForceBand(KnowledgeModel):
    """RULA force/load score of one load band per pattern of loading."""

    up_to: float | None = None
    inclusive: bool = True
    intermittent: int = Field(ge=0)
    static: int = Field(ge=0)
    repeated: int = Field(ge=0)


class ForceScale(Cited):
    """RULA force/load score: load [kg] bands x pattern; shock or rapid build-up overrides."""

    bands: tuple[ForceBand, ...] = Field(min_length=1)
    shock: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> ForceScale:
        # Reuse the band checks: each pattern column is an increasing scale.
        for pattern in ("intermittent", "static", "repeated"):
            Scale(
                unit="kg",
                shape="increasing",
                sources=self.sources,
                bands=tuple(
                    Band(score=getattr(b, pattern), up_to=b.up_to, inclusive=b.inclusive)
                    for b in self.bands
                ),
            )
        if self.shock < max(max(b.intermittent, b.static, b.repeated) for b in self.bands):
            raise ValueError("the shock score must be the highest force score")
        return self

    def scale(self, pattern: Literal["intermittent", "static", "repeated"]) -> Scale:
        return Scale(
            unit="kg",
            shape="increasing",
            sources=self.sources,
            bands=tuple(
                Band(score=getattr(b, pattern), up_to=b.up_to, inclusive=b.inclusive)
                for b in self.bands
            ),
        )

    @property
    def max_score(self) -> int:
        return self.shock


class RulaTables(Document):
    """``rula.yaml``: McAtamney & Corlett 1993."""

    KIND: ClassVar[str] = "rula"

    method: MethodNote
    upper_arm: Scale
    lower_arm: Scale
    wrist: Scale
    neck: Scale
    trunk: Scale
    legs: Points
    wrist_twist: Points
    adjustments: Points
    muscle_use: Points
    force: ForceScale
    table_a: ScoreTable
    table_b: ScoreTable
    table_c: ScoreTable
    action_levels: ActionLevels

    @model_validator(mode="after")
    def _consistent(self) -> RulaTables:
        self.legs.require({"supported", "unsupported"}, "legs")
        self.wrist_twist.require({"mid_range", "end_of_range"}, "wrist_twist")
        self.adjustments.require(
            {
                "shoulder_raised",
                "upper_arm_abducted",
                "arm_supported",
                "lower_arm_across_midline_or_out_to_side",
                "wrist_deviated",
                "neck_twisted",
                "neck_side_bent",
                "trunk_twisted",
                "trunk_side_bent",
            },
            "adjustments",
        )
        self.muscle_use.require({"static_or_repeated"}, "muscle_use")
        adj = self.adjustments.points
        if tuple(self.table_a.axes) != ("upper_arm", "lower_arm", "wrist", "wrist_twist"):
            raise ValueError("table_a axes must be upper_arm, lower_arm, wrist, wrist_twist")
        if tuple(self.table_b.axes) != ("neck", "trunk", "legs"):
            raise ValueError("table_b axes must be neck, trunk, legs")
        if tuple(self.table_c.axes) != ("score_c", "score_d"):
            raise ValueError("table_c axes must be score_c, score_d")
        ua, la, wa, ta = self.table_a.shape
        up = self.upper_arm.max_score + adj["shoulder_raised"] + adj["upper_arm_abducted"]
        _check_range("upper arm", 1, up, ua)
        lmax = self.lower_arm.max_score + adj["lower_arm_across_midline_or_out_to_side"]
        _check_range("lower arm", self.lower_arm.min_score, lmax, la)
        _check_range(
            "wrist", self.wrist.min_score, self.wrist.max_score + adj["wrist_deviated"], wa
        )
        tw = self.wrist_twist.points
        _check_range("wrist twist", min(tw.values()), max(tw.values()), ta)
        nb, tb, lb = self.table_b.shape
        nmax = self.neck.max_score + adj["neck_twisted"] + adj["neck_side_bent"]
        _check_range("neck", self.neck.min_score, nmax, nb)
        tmax = self.trunk.max_score + adj["trunk_twisted"] + adj["trunk_side_bent"]
        _check_range("trunk", self.trunk.min_score, tmax, tb)
        legs = self.legs.points
        _check_range("legs", min(legs.values()), max(legs.values()), lb)
        if int(self.table_c.array().max()) != self.action_levels.max_score:
            raise ValueError("table_c's highest grand score must end the action levels")
        return self


class Threshold(Cited):
    """A yes/no judgement from a measured angle: ``|angle| > value_deg``."""

    value_deg: float = Field(gt=0)
    rationale: str


class HoldRule(Cited):
    """Static: a channel held within ``max_range_deg`` (max - min) for more than ``window_s``."""

    window_s: float = Field(gt=0)
    max_range_deg: float = Field(gt=0)
    channels: tuple[str, ...] = Field(min_length=1)
    rationale: str


class RepeatRule(Cited):
    """Repeated: more than ``more_than`` movements of a channel in the trailing ``window_s``.

    A movement is one swing of the angle from below ``centre - hysteresis_deg`` to above
    ``centre + hysteresis_deg``, ``centre`` being the channel's mean over the same window.
    """

    window_s: float = Field(gt=0)
    more_than: int = Field(ge=0)
    hysteresis_deg: float = Field(gt=0)
    channels: tuple[str, ...] = Field(min_length=1)
    excluded_activities: tuple[str, ...] = ()
    rationale: str


class RapidRule(Cited):
    """Rapid change: a channel's range over the trailing ``window_s`` above ``min_change_deg``."""

    window_s: float = Field(gt=0)
    min_change_deg: float = Field(gt=0)
    channels: tuple[str, ...] = Field(min_length=1)
    rationale: str


class GapRule(Cited):
    """A time step longer than ``factor`` x the nominal sample interval breaks every window."""

    factor: float = Field(gt=1)
    rationale: str


class SeriesRules(Document):
    """``series-rules.yaml``: from angles over time to the methods' observer judgements."""

    KIND: ClassVar[str] = "ergo-series-rules"

    twisted: Threshold
    side_bent: Threshold
    upper_arm_abducted: Threshold
    shoulder_raised: Threshold
    gap: GapRule
    static: HoldRule
    repeated: RepeatRule
    rapid: RapidRule
