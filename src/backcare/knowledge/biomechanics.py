"""Schema of ``data/biomechanics/*.yaml``: spinal load models and the NIOSH lifting equation.

Four kinds of file:

``disc_pressure``
    Intradiscal pressure anchors by posture (Wilke et al. 1999, Nachemson 1981), where each anchor
    sits in trunk flexion and hand load, which posture class every activity code falls into, and
    the article claim the anchors are compared with.
``anthropometry``
    Segment masses, lengths and centres of mass as fractions of body mass and stature
    (de Leva 1996).
``l5s1_model``
    The choices of the static sagittal L5/S1 model: muscle moment arm, where L5/S1 sits, default
    arm posture, what is left out, the NIOSH compression limits and the accepted input ranges.
``niosh_lifting``
    Constants, limits and tables of the revised NIOSH lifting equation (Waters et al. 1993 and the
    Applications Manual), in metric and U.S. customary units, and the lifting-index bands.

The numbers live here so that a reviewer can read and question them without reading code; the
functions in :mod:`backcare.posture.load` and :mod:`backcare.posture.niosh` only apply them.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from backcare.knowledge.schema import Cited, Document, KnowledgeModel

__all__ = [
    "AnthropometryDocument",
    "AnthropometryTable",
    "ArticleClaim",
    "AsymmetryRule",
    "CompressionLimits",
    "CouplingRow",
    "DiscPressureDocument",
    "DiscPressureModel",
    "DistanceRule",
    "FrequencyRow",
    "FrequencyTable",
    "HorizontalRule",
    "InputLimits",
    "L5S1ModelDocument",
    "L5S1Parameters",
    "LiftingIndexBand",
    "NioshDocument",
    "PressureAnchor",
    "PressurePosture",
    "Range",
    "SegmentParameters",
    "SexAnthropometry",
    "UnitSystemConstants",
    "VerticalRule",
]

PressurePosture = Literal["lying_supine", "lying_prone", "lying_side", "standing", "sitting"]
"""Posture classes of the disc-pressure models."""

_FLEXED = ("standing", "sitting")


# -- disc pressure ----------------------------------------------------------------------------


class PressureAnchor(Cited):
    """One measured posture: its pressure and where it sits in trunk flexion and hand load."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    posture: PressurePosture
    trunk_flexion_deg: float | None = Field(
        default=None, ge=-90.0, le=180.0, description="where the anchor sits; None when lying"
    )
    hand_load_kg: float = Field(default=0.0, ge=0.0)
    value: float = Field(gt=0.0, description="pressure in the model's unit")
    placement: str | None = Field(
        default=None, description="why the anchor sits at this flexion (a modelling choice)"
    )

    @model_validator(mode="after")
    def _flexion_where_needed(self) -> PressureAnchor:
        if self.posture in _FLEXED and self.trunk_flexion_deg is None:
            raise ValueError(f"a {self.posture} anchor needs trunk_flexion_deg")
        if self.posture not in _FLEXED and (
            self.trunk_flexion_deg is not None or self.hand_load_kg
        ):
            raise ValueError("a lying anchor has no trunk flexion and no hand load")
        return self


class ComparisonAnchors(KnowledgeModel):
    """Which anchors stand for 'standing', 'lying' and 'bent forward' in ratios."""

    standing: str
    lying: str
    bent_forward: str


class DiscPressureModel(Cited):
    """A table of intradiscal pressures turned into a model over posture, flexion and load."""

    id: Literal["wilke1999", "nachemson1981"]
    name: str
    disc_level: str
    unit: Literal["MPa", "percent_of_standing"]
    mpa_per_unit: float = Field(gt=0.0, description="factor from the model's unit to MPa")
    lying_unspecified: Literal["lying_supine", "lying_prone", "lying_side"]
    anchors: tuple[PressureAnchor, ...] = Field(min_length=1)
    comparison: ComparisonAnchors
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _complete(self) -> DiscPressureModel:
        ids = [a.id for a in self.anchors]
        if len(set(ids)) != len(ids):
            raise ValueError("anchor ids must be unique")
        for posture in ("lying_supine", "lying_prone", "lying_side"):
            if sum(a.posture == posture for a in self.anchors) > 1:
                raise ValueError(f"at most one {posture} anchor is allowed")
        if not any(a.posture == self.lying_unspecified for a in self.anchors):
            raise ValueError(
                f"lying_unspecified names {self.lying_unspecified}, which has no anchor"
            )
        for posture in _FLEXED:
            upright = [
                a
                for a in self.anchors
                if a.posture == posture and a.hand_load_kg == 0 and a.trunk_flexion_deg == 0
            ]
            if len(upright) != 1:
                raise ValueError(f"exactly one unloaded {posture} anchor at 0 deg is needed")
            unloaded = [
                a.trunk_flexion_deg
                for a in self.anchors
                if a.posture == posture and a.hand_load_kg == 0
            ]
            if len(set(unloaded)) != len(unloaded):
                raise ValueError(f"two unloaded {posture} anchors share a flexion")
        for ref in (
            self.comparison.standing,
            self.comparison.lying,
            self.comparison.bent_forward,
        ):
            if ref not in ids:
                raise ValueError(f"comparison anchor {ref!r} is not an anchor of this model")
        return self

    def anchor(self, anchor_id: str) -> PressureAnchor:
        """The anchor with this id."""
        for a in self.anchors:
            if a.id == anchor_id:
                return a
        raise KeyError(anchor_id)


class ArticleClaim(Cited):
    """A claim about disc pressure to be set against the measured anchors."""

    text: str
    bent_to_standing: float = Field(gt=0.0)
    bent_to_lying: float = Field(gt=0.0)
    assessment: str


class DiscPressureDocument(Document):
    """``data/biomechanics/disc_pressure.yaml``."""

    KIND: ClassVar[str] = "disc_pressure"
    activity_postures: dict[str, PressurePosture | Literal["lying", "none"]] = Field(
        description="activity label -> posture class; 'lying' = lying posture not known"
    )
    activity_note: str
    models: tuple[DiscPressureModel, ...] = Field(min_length=1)
    article_claim: ArticleClaim

    @model_validator(mode="after")
    def _unique_models(self) -> DiscPressureDocument:
        ids = [m.id for m in self.models]
        if len(set(ids)) != len(ids):
            raise ValueError("model ids must be unique")
        return self


# -- anthropometry ----------------------------------------------------------------------------


class SegmentParameters(KnowledgeModel):
    """One body segment of the reference subject."""

    proximal: str
    distal: str
    length_m: float = Field(gt=0.0)
    mass_fraction: float = Field(gt=0.0, lt=1.0)
    com_from_proximal: float = Field(gt=0.0, lt=1.0, description="fraction of the length")


class SexAnthropometry(KnowledgeModel):
    """Reference subject of one sex: stature, segment table and trunk landmark distances."""

    stature_m: float = Field(gt=0.0)
    body_mass_kg: float = Field(gt=0.0)
    segments: dict[
        Literal[
            "head_neck",
            "upper_trunk",
            "middle_trunk",
            "lower_trunk",
            "upper_arm",
            "forearm",
            "hand",
        ],
        SegmentParameters,
    ]
    cervicale_above_hip_m: float = Field(gt=0.0, description="CERV-MIDH trunk length")
    shoulder_above_hip_m: float = Field(gt=0.0, description="mid-shoulder-MIDH trunk length")

    @model_validator(mode="after")
    def _all_segments(self) -> SexAnthropometry:
        needed = {
            "head_neck",
            "upper_trunk",
            "middle_trunk",
            "lower_trunk",
            "upper_arm",
            "forearm",
            "hand",
        }
        missing = needed - set(self.segments)
        if missing:
            raise ValueError(f"segments missing: {sorted(missing)}")
        return self


class AnthropometryTable(Cited):
    """A segment table with its scaling rule."""

    name: str
    scaling: str
    male: SexAnthropometry
    female: SexAnthropometry


class AnthropometryDocument(Document):
    """``data/biomechanics/anthropometry.yaml``."""

    KIND: ClassVar[str] = "anthropometry"
    table: AnthropometryTable


# -- L5/S1 model ------------------------------------------------------------------------------


class Range(KnowledgeModel):
    """A closed interval ``[low, high]``."""

    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.low >= self.high:
            raise ValueError("low must be below high")
        return self


class L5S1Parameters(Cited):
    """Parameters and choices of the static sagittal L5/S1 model."""

    erector_moment_arm_m: float = Field(gt=0.0, lt=0.2)
    l5s1_fraction_of_lower_trunk: float = Field(
        gt=0.0, lt=1.0, description="height of L5/S1 above the hip joints, fraction of OMPH-MIDH"
    )
    lower_trunk_mass_above_l5s1: float = Field(ge=0.0, le=1.0)
    disc_inclination_offset_deg: float = Field(ge=-60.0, le=60.0)
    default_upper_arm_from_vertical_deg: float = Field(ge=-90.0, le=180.0)
    default_elbow_flexion_deg: float = Field(ge=0.0, le=180.0)
    gravity_m_s2: float = Field(gt=9.7, lt=9.9)
    abdominal_pressure_included: bool
    notes: tuple[str, ...]


class CompressionLimits(Cited):
    """NIOSH compression criteria for the L5/S1 disc [N]."""

    action_limit_n: float = Field(gt=0.0)
    maximum_permissible_n: float = Field(gt=0.0)
    note: str

    @model_validator(mode="after")
    def _ordered(self) -> CompressionLimits:
        if self.action_limit_n >= self.maximum_permissible_n:
            raise ValueError("the action limit must be below the maximum permissible limit")
        return self


class InputLimits(KnowledgeModel):
    """Inputs outside these ranges are refused (InputError), never extrapolated."""

    body_mass_kg: Range
    height_m: Range
    trunk_flexion_deg: Range
    upper_arm_flexion_deg: Range
    elbow_flexion_deg: Range
    hand_load_kg: Range
    note: str


class L5S1ModelDocument(Document):
    """``data/biomechanics/l5s1_model.yaml``."""

    KIND: ClassVar[str] = "l5s1_model"
    model: L5S1Parameters
    limits: CompressionLimits
    inputs: InputLimits


# -- NIOSH lifting equation -------------------------------------------------------------------


class HorizontalRule(KnowledgeModel):
    """HM = numerator / H for min <= H <= max; 1 below min; 0 above max."""

    numerator: float = Field(gt=0.0)
    min: float = Field(gt=0.0)
    max: float = Field(gt=0.0)


class VerticalRule(KnowledgeModel):
    """VM = 1 - coefficient * |V - optimum| for 0 <= V <= max; 0 above max."""

    optimum: float = Field(gt=0.0)
    coefficient: float = Field(gt=0.0)
    max: float = Field(gt=0.0)


class DistanceRule(KnowledgeModel):
    """DM = constant + numerator / D for min <= D <= max; D below min is set to min; 0 above max."""

    constant: float = Field(gt=0.0)
    numerator: float = Field(gt=0.0)
    min: float = Field(gt=0.0)
    max: float = Field(gt=0.0)


class UnitSystemConstants(KnowledgeModel):
    """Everything that differs between the metric and the U.S. customary equation."""

    length_unit: Literal["cm", "in"]
    weight_unit: Literal["kg", "lb"]
    load_constant: float = Field(gt=0.0)
    horizontal: HorizontalRule
    vertical: VerticalRule
    distance: DistanceRule
    v_column_split: float = Field(
        gt=0.0, description="V at or above which the right-hand FM/CM column applies"
    )


class AsymmetryRule(KnowledgeModel):
    """AM = 1 - coefficient * A for 0 <= A <= max; 0 for max < A <= defined_max."""

    coefficient: float = Field(gt=0.0)
    max_deg: float = Field(gt=0.0)
    defined_max_deg: float = Field(gt=0.0)


class FrequencyRow(KnowledgeModel):
    """One row of the FM table: ``[V below split, V at or above split]`` per duration."""

    lifts_per_min: float = Field(gt=0.0)
    le_1h: tuple[float, float]
    le_2h: tuple[float, float]
    le_8h: tuple[float, float]


class FrequencyTable(Cited):
    """Table 5 of the Applications Manual with the rules for reading it."""

    min_lifts_per_min: float = Field(gt=0.0)
    rows: tuple[FrequencyRow, ...] = Field(min_length=2)
    durations: dict[Literal["1h", "2h", "8h"], str]
    rules: tuple[str, ...]

    @model_validator(mode="after")
    def _sorted_and_bounded(self) -> FrequencyTable:
        freqs = [r.lifts_per_min for r in self.rows]
        if freqs != sorted(freqs) or len(set(freqs)) != len(freqs):
            raise ValueError("rows must be in increasing frequency")
        if freqs[0] != self.min_lifts_per_min:
            raise ValueError("the first row must be the minimum frequency")
        for r in self.rows:
            for pair in (r.le_1h, r.le_2h, r.le_8h):
                if not all(0.0 <= x <= 1.0 for x in pair):
                    raise ValueError(f"FM values must lie in [0, 1] (row {r.lifts_per_min})")
        return self


class CouplingRow(KnowledgeModel):
    """CM for one coupling class: ``[V below split, V at or above split]``."""

    coupling: Literal["good", "fair", "poor"]
    multipliers: tuple[float, float]
    definition: str


class LiftingIndexBand(Cited):
    """A band of the lifting index (upper bound inclusive; None = no upper bound)."""

    level: Literal["acceptable", "increased", "high"]
    max_li: float | None = Field(default=None, gt=0.0)
    label: str
    text: str


class NioshDocument(Document):
    """``data/biomechanics/niosh.yaml``."""

    KIND: ClassVar[str] = "niosh_lifting"
    equation: str
    metric: UnitSystemConstants
    us_customary: UnitSystemConstants
    asymmetry: AsymmetryRule
    frequency: FrequencyTable
    coupling: tuple[CouplingRow, ...] = Field(min_length=3, max_length=3)
    bands: tuple[LiftingIndexBand, ...] = Field(min_length=2)
    limitations: tuple[str, ...]
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _bands_ordered(self) -> NioshDocument:
        bounds = [b.max_li for b in self.bands]
        if bounds[-1] is not None or any(b is None for b in bounds[:-1]):
            raise ValueError("only the last band may be open-ended, and it must be")
        finite = [b for b in bounds[:-1] if b is not None]
        if finite != sorted(finite):
            raise ValueError("bands must be in increasing order")
        if {c.coupling for c in self.coupling} != {"good", "fair", "poor"}:
            raise ValueError("coupling rows must be good, fair and poor")
        return self
