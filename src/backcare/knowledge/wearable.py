"""Schema of the wearable-inclinometry rules (``data/wearable/*.yaml``).

Three files, one kind each:

* ``wearable-preprocessing`` (``preprocessing.yaml``): resampling, filters, auto-calibration and
  non-wear rules;
* ``wearable-activity`` (``activity.yaml``): the Acti4/ActiPASS per-second decision thresholds and
  bout lengths, and how a trunk sensor splits lying;
* ``wearable-placements`` (``placements.yaml``): per body placement, the default axes, the angles
  assumed while walking and the default offsets used when no reference is available.

Every block is :class:`~backcare.knowledge.schema.Cited`; the numbers are read by
:mod:`backcare.wearable` and never written in code.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from backcare.knowledge.schema import Cited, Document

__all__ = [
    "ActivityDocument",
    "ActivityRules",
    "BoutRules",
    "CalibrationRules",
    "IntensityRules",
    "LyingRules",
    "NonwearRules",
    "PlacementRule",
    "PlacementsDocument",
    "PreprocessingDocument",
    "ResamplingRules",
    "RestRules",
]

PlacementName = Literal[
    "thigh", "trunk_back", "trunk_lumbar", "trunk_chest", "upper_arm", "wrist", "hip"
]
AxisText = Literal["+x", "-x", "+y", "-y", "+z", "-z"]


class ResamplingRules(Cited):
    """Common rate and filters applied while streaming."""

    rate_hz: int = Field(gt=0, description="common rate the signal is block-averaged to [Hz]")
    angle_lowpass_hz: float = Field(gt=0, description="low-pass for orientation [Hz]")
    activity_lowpass_hz: float = Field(gt=0, description="low-pass for the activity SD [Hz]")
    filter_order: int = Field(ge=1, le=8, description="Butterworth order of both low-passes")
    step_band_hz: tuple[float, float] = Field(description="band-pass for step counting [Hz]")
    min_coverage: float = Field(
        gt=0, le=1, description="fraction of a second's nominal samples needed for it to count"
    )

    @model_validator(mode="after")
    def _nyquist(self) -> ResamplingRules:
        top = max(self.angle_lowpass_hz, self.activity_lowpass_hz, self.step_band_hz[1])
        if top >= self.rate_hz / 2:
            raise ValueError(f"filters up to {top} Hz need a rate above {2 * top} Hz")
        if not 0 < self.step_band_hz[0] < self.step_band_hz[1]:
            raise ValueError("step_band_hz must be (low, high) with 0 < low < high")
        return self


class CalibrationRules(Cited):
    """Auto-calibration to local gravity on non-moving epochs (van Hees et al. 2014)."""

    epoch_s: int = Field(gt=0, description="length of the non-overlapping epochs [s]")
    stationary_sd_g: float = Field(gt=0, description="an epoch is still when every axis SD < this")
    max_epoch_norm_g: float = Field(gt=0, description="epochs whose mean is longer are ignored")
    sphere_g: float = Field(gt=0, lt=1, description="each axis needs still epochs beyond +-this")
    min_epochs: int = Field(ge=4, description="fewest still epochs needed to fit")
    max_iterations: int = Field(ge=1)
    tolerance_g: float = Field(gt=0, description="stop when the mean error changes less [g]")
    max_error_g: float = Field(gt=0, description="fit rejected if the final RMS error exceeds [g]")
    max_gain_deviation: float = Field(gt=0, description="fit rejected if any |gain - 1| exceeds")
    max_offset_g: float = Field(gt=0, description="fit rejected if any |offset| exceeds [g]")


class NonwearRules(Cited):
    """Acti4/ActiPASS not-worn rule on per-second movement."""

    still_sd_g: float = Field(gt=0, description="a second is still when the mean axis SD < this")
    always_s: int = Field(gt=0, description="still runs at least this long are non-wear [s]")
    short_s: int = Field(gt=0, description="still runs at least this long may be non-wear [s]")
    flat_tolerance_deg: float = Field(gt=0, description="short runs: device flat within [deg]")
    movement_before_s: tuple[int, int] = Field(
        description="short runs: movement looked for this many seconds before the start"
    )
    movement_sum_sd_g: float = Field(gt=0, description="movement = sum of axis SDs above [g]")
    bridge_wear_s: int = Field(ge=0, description="wear gaps shorter than this between non-wear")

    @model_validator(mode="after")
    def _order(self) -> NonwearRules:
        if self.short_s >= self.always_s:
            raise ValueError("short_s must be below always_s")
        return self


class PreprocessingDocument(Document):
    KIND: ClassVar[str] = "wearable-preprocessing"
    resampling: ResamplingRules
    calibration: CalibrationRules
    nonwear: NonwearRules


class BoutRules(Cited):
    """Minimum bout lengths [s] (median filter of 2*bout-1 s, applied twice, as in Acti4)."""

    lie: int = Field(ge=1)
    sit: int = Field(ge=1)
    stand: int = Field(ge=1)
    move: int = Field(ge=1)
    walk: int = Field(ge=1)
    run: int = Field(ge=1)
    stairs: int = Field(ge=1)
    cycle: int = Field(ge=1)
    row: int = Field(ge=1)


class ActivityRules(Cited):
    """Per-second thresholds of the thigh decision tree."""

    window_s: int = Field(ge=1, description="SD and mean window, centred on each second [s]")
    sit_stand_inclination_deg: float = Field(gt=0, lt=90)
    still_move_sd_g: float = Field(gt=0)
    walk_run_sd_g: float = Field(gt=0)
    run_step_frequency_hz: float = Field(gt=0, description="walking faster than this is running")
    stair_cycle_forward_deg: float = Field(gt=0, lt=90)
    stair_above_walk_deg: float = Field(gt=0, description="stairs: thigh forward > walking + this")
    walk_reference_sd_g: tuple[float, float] = Field(
        description="seconds used for the walking forward angle: SD of the long axis in this range"
    )
    walk_reference_max_forward_deg: float = Field(gt=0)
    walk_reference_min_s: int = Field(
        ge=0, description="walking needed in the file to take the stairs reference from it [s]"
    )
    default_walk_forward_deg: float = Field(
        description="thigh forward angle assumed while walking when the file has too little [deg]"
    )
    walk_min_sd_g: float = Field(
        gt=0, description="walking: long-axis SD above this (below the still/moving SD) [g]"
    )
    run_support_sd_g: float = Field(
        gt=0, description="running also when the SD is above this and the step rate supports it"
    )
    run_support_step_hz: float = Field(gt=0, description="the supporting step rate [steps/s]")
    row_inclination_deg: float = Field(gt=45, description="moving with the thigh above this: row")


class LyingRules(Cited):
    """How lying is told from sitting, with the thigh alone or with a trunk sensor."""

    thigh_rotation_deg: float = Field(gt=0, lt=90, description="thigh rotation marking lying")
    thigh_rotation_window_s: int = Field(ge=1)
    turn_split_deg: float = Field(
        gt=0, lt=180, description="a sitting bout is split where the thigh turns this much [deg]"
    )
    trunk_inclination_deg: float = Field(gt=0, lt=90, description="trunk above this: lying")
    side_sector_deg: float = Field(
        gt=0, lt=90, description="lying on the side when the roll is beyond this from supine/prone"
    )


class RestRules(Cited):
    """Time in bed and sleep over the night, inferred from the thigh (and trunk) activity."""

    night_start_hour: int = Field(ge=0, le=23, description="the rest window opens (local) [h]")
    night_end_hour: int = Field(ge=0, le=23, description="the rest window closes (local) [h]")
    max_break_s: int = Field(ge=0, description="upright breaks this short do not end bed time")
    min_bed_s: int = Field(gt=0, description="shortest period counted as time in bed [s]")
    still_sd_g: float = Field(gt=0, description="a second in bed is still below this SD [g]")
    min_sleep_s: int = Field(gt=0, description="shortest still run counted as probable sleep")
    max_sleep_break_s: int = Field(ge=0, description="movement this short does not end sleep")


IntensityName = Literal["sedentary", "light", "moderate", "vigorous"]


class IntensityRules(Cited):
    """Walking pace from the step rate, and intensity classes (MET bands) per activity."""

    pace_window_s: int = Field(ge=1, description="step rate averaged over walking seconds [s]")
    moderate_steps_per_min: float = Field(gt=0, description="walking at or above: moderate pace")
    fast_steps_per_min: float = Field(gt=0, description="walking at or above: fast pace")
    activity: dict[str, IntensityName] = Field(
        description="intensity class of each activity label (walking by its pace)"
    )
    pace: dict[Literal["slow", "moderate", "fast"], IntensityName]


class ActivityDocument(Document):
    KIND: ClassVar[str] = "wearable-activity"
    thresholds: ActivityRules
    bouts: BoutRules
    lying: LyingRules
    rest: RestRules
    intensity: IntensityRules


class PlacementRule(Cited):
    """Defaults for one body placement."""

    placement: PlacementName
    description: str
    down: AxisText = Field(description="default device axis pointing down along the segment")
    forward: AxisText = Field(description="default device axis pointing anterior")
    walking_forward_deg: float | None = Field(
        default=None, description="forward angle assumed while walking (reference estimate) [deg]"
    )
    default_forward_offset_deg: float = Field(
        description="sensor tilt assumed when no reference can be had [deg]"
    )

    @model_validator(mode="after")
    def _axes(self) -> PlacementRule:
        if self.down[1] == self.forward[1]:
            raise ValueError("down and forward must be different axes")
        return self


class PlacementsDocument(Document):
    KIND: ClassVar[str] = "wearable-placements"
    placements: tuple[PlacementRule, ...]

    @model_validator(mode="after")
    def _unique(self) -> PlacementsDocument:
        names = [p.placement for p in self.placements]
        if len(set(names)) != len(names):
            raise ValueError("a placement is listed twice")
        return self

    def get(self, placement: str) -> PlacementRule:
        for p in self.placements:
            if p.placement == placement:
                return p
        known = ", ".join(p.placement for p in self.placements)
        raise KeyError(f"unknown placement {placement!r}; known: {known}")
