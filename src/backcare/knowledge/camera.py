"""Schema of ``data/camera/*.yaml``: the rules camera posture analysis applies to pose landmarks.

These are the choices a reviewer should be able to read and question without reading code: the
visibility below which a landmark counts as unseen, the thresholds that tell a front from a side
view and which angles each view measures well, the smoothing filter's parameters and the image
sizes below which the pose model cannot be trusted. Each block cites its sources.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from backcare.knowledge.schema import Cited, Document

__all__ = [
    "ActivityRule",
    "AdjustmentRule",
    "CameraPoseDocument",
    "DetectionRule",
    "HipRule",
    "ImageLimits",
    "ImagePlaneRule",
    "LandmarkRule",
    "SkeletonRule",
    "SmoothingParams",
    "UprightRule",
    "ViewReliability",
    "ViewThresholds",
    "ViewWidthRule",
]


class LandmarkRule(Cited):
    """When a landmark counts as seen."""

    min_visibility: float = Field(ge=0.0, le=1.0)
    note: str


class ViewThresholds(Cited):
    """Front/side view from the yaw of the shoulder and hip lines out of the image plane [deg]."""

    front_max_deg: float = Field(gt=0.0, lt=90.0)
    side_min_deg: float = Field(gt=0.0, lt=90.0)
    dominant_fraction: float = Field(gt=0.0, le=1.0)
    min_visibility: float = Field(ge=0.0, le=1.0)
    note: str

    @model_validator(mode="after")
    def _ordered(self) -> ViewThresholds:
        if self.front_max_deg >= self.side_min_deg:
            raise ValueError("front_max_deg must be below side_min_deg")
        return self


class ViewReliability(Cited):
    """Which posture channels a view measures well (in the image plane) and which it does not
    (depth, or a far side hidden by the body)."""

    view: Literal["front", "side", "oblique"]
    reliable: tuple[str, ...]
    unreliable: tuple[str, ...]
    note: str

    @model_validator(mode="after")
    def _disjoint(self) -> ViewReliability:
        both = set(self.reliable) & set(self.unreliable)
        if both:
            raise ValueError(f"channels both reliable and unreliable: {sorted(both)}")
        return self


class SmoothingParams(Cited):
    """One Euro filter parameters for world landmarks [m]."""

    method: Literal["one_euro"]
    min_cutoff_hz: float = Field(gt=0.0)
    beta: float = Field(ge=0.0, description="cutoff increase per landmark speed [Hz per m/s]")
    d_cutoff_hz: float = Field(gt=0.0)
    note: str


class ImageLimits(Cited):
    """Image sizes [px, shorter side] below which analysis is refused or flagged."""

    min_side_px: int = Field(ge=1)
    low_side_px: int = Field(ge=1)
    note: str

    @model_validator(mode="after")
    def _ordered(self) -> ImageLimits:
        if self.min_side_px > self.low_side_px:
            raise ValueError("min_side_px must not exceed low_side_px")
        return self


class ActivityRule(Cited):
    """Sitting or standing from the thighs' inclination [deg from vertical]."""

    sit_thigh_inclination_deg: float = Field(gt=0.0, lt=90.0)
    note: str


class AdjustmentRule(Cited):
    """When a REBA/RULA adjustment point measured by the camera counts (see
    :func:`backcare.posture.ergo_common.judge`)."""

    min_confidence: float = Field(ge=0.0, le=1.0)
    margin_deg: float = Field(ge=0.0, le=45.0)
    score_side: Literal["worse", "seen"] = Field(
        default="worse",
        description="which arm REBA/RULA score (see TaskInputs.score_side in the posture core)",
    )
    note: str


class HipRule(Cited):
    """When hip landmarks are trusted for trunk angles."""

    edge_margin: float = Field(ge=0.0, lt=0.5, description="fraction of the image side")
    thigh_to_torso: tuple[float, float]
    shank_to_torso: tuple[float, float]
    note: str


class SkeletonRule(Cited):
    """When a skeleton's paired limbs disagree so much that it was fitted to the wrong parts."""

    max_limb_asymmetry: float = Field(
        gt=0.0, description="mean |ln(left/right)| of the paired limb lengths above which"
    )
    note: str


class ImagePlaneRule(Cited):
    """Which side-view angles are read in the picture's plane rather than from depth."""

    arm_min_in_plane: float = Field(
        gt=0.0,
        le=1.0,
        description="the near upper arm's length in the picture over its metric length (both "
        "relative to the torso) at or above which its flexion is read in the picture",
    )
    note: str


class ViewWidthRule(Cited):
    """Front/side from the image: shoulder (or hip) width over torso length in the image."""

    front_min_ratio: float = Field(gt=0.0)
    side_max_ratio: float = Field(gt=0.0)
    note: str


class UprightRule(Cited):
    """When a photo or clip looks turned on its side (no orientation tag)."""

    max_axis_tilt_deg: float = Field(gt=0.0, lt=180.0)
    turned_max_deg: float = Field(gt=0.0, lt=90.0)
    note: str


class DetectionRule(Cited):
    """Second detection pass and the light check when nobody is found."""

    second_pass_confidence: float = Field(gt=0.0, le=1.0)
    pad_fraction: float = Field(ge=0.0, le=1.0)
    dark_mean_luminance: float = Field(ge=0.0, le=255.0)
    note: str


class CameraPoseDocument(Document):
    """``camera/pose.yaml``."""

    KIND: ClassVar[str] = "camera_pose"
    landmarks: LandmarkRule
    view: ViewThresholds
    reliability: tuple[ViewReliability, ...] = Field(min_length=1)
    smoothing: SmoothingParams
    image: ImageLimits
    activity: ActivityRule
    adjustments: AdjustmentRule
    hips: HipRule
    skeleton: SkeletonRule
    image_plane: ImagePlaneRule
    view_width: ViewWidthRule
    upright: UprightRule
    detection: DetectionRule

    def reliability_for(self, view: str) -> ViewReliability | None:
        """The reliability block of ``view`` (``None`` for an unknown view)."""
        for block in self.reliability:
            if block.view == view:
                return block
        return None
