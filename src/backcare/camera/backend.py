"""Pose backends: one image in, 33 BlazePose landmarks out.

The pipeline talks to a :class:`PoseBackend` only, so the geometry and scoring can be tested with
:class:`FakeBackend` (scripted landmarks, no model) while :class:`MediaPipeBackend` runs the real
model. Every backend returns landmarks in **MediaPipe's conventions**, which the geometry module
converts into backcare's gravity-aligned frame:

* ``world``: ``(33, 3)`` metres, origin between the hips, axes aligned with the camera: ``x`` to
  the right of the image, ``y`` **down** the image, ``z`` away from the camera (a right-handed
  frame).
* ``image``: ``(33, 2)`` normalised image coordinates (0..1 across the width and the height).
* ``visibility``: ``(33,)`` the model's estimate (0..1) that the landmark is present and not
  occluded.

MediaPipe Pose (BlazePose GHUM) is the real backend, with two landmark models:

* ``"full"`` (model complexity 1, the default): the ``mediapipe==0.10.14`` wheel ships it.
* ``"heavy"`` (model complexity 2): larger and slower. The wheel does not ship it and MediaPipe
  would download it on first use; backcare never lets it. ``make install`` copies it from the
  pinned npm package ``@mediapipe/pose`` (whose "full" model is byte-identical to the wheel's)
  into MediaPipe's model folder after checking its SHA-256 (:data:`HEAVY_MODEL_SHA256`), and
  :func:`pose_model_installed` says whether it is there. Asking for it when it is absent is an
  error that says how to install it, never a download.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from backcare.errors import InputError, MissingExtraError

__all__ = [
    "BLAZEPOSE_LANDMARKS",
    "BLAZEPOSE_SKELETON",
    "HEAVY_MODEL_SHA256",
    "POSE_MODELS",
    "FakeBackend",
    "MediaPipeBackend",
    "PoseBackend",
    "PoseResult",
    "landmark_index",
    "pose_model_installed",
    "pose_model_path",
]

#: The 33 BlazePose landmarks in model order (lower case, as backcare names them).
BLAZEPOSE_LANDMARKS: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)

_INDEX = {name: i for i, name in enumerate(BLAZEPOSE_LANDMARKS)}


def landmark_index(name: str) -> int:
    """Position of landmark ``name`` in :data:`BLAZEPOSE_LANDMARKS`."""
    return _INDEX[name]


#: Bones drawn on annotated frames (pairs of landmark names).
BLAZEPOSE_SKELETON: tuple[tuple[str, str], ...] = (
    ("left_ear", "left_eye"),
    ("right_ear", "right_eye"),
    ("left_eye", "nose"),
    ("right_eye", "nose"),
    ("left_shoulder", "right_shoulder"),
    ("left_shoulder", "left_elbow"),
    ("left_elbow", "left_wrist"),
    ("left_wrist", "left_index"),
    ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"),
    ("right_wrist", "right_index"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_hip", "right_hip"),
    ("left_hip", "left_knee"),
    ("left_knee", "left_ankle"),
    ("left_ankle", "left_heel"),
    ("left_heel", "left_foot_index"),
    ("right_hip", "right_knee"),
    ("right_knee", "right_ankle"),
    ("right_ankle", "right_heel"),
    ("right_heel", "right_foot_index"),
)


@dataclass(frozen=True)
class PoseResult:
    """Landmarks of one person in one image (MediaPipe conventions, see the module docstring)."""

    world: NDArray[np.float64]
    image: NDArray[np.float64]
    visibility: NDArray[np.float64]

    def bbox(self, min_visibility: float = 0.0) -> tuple[float, float, float, float]:
        """``(x0, y0, x1, y1)`` normalised box around the landmarks seen with enough visibility
        (all landmarks when none qualifies)."""
        keep = self.visibility >= min_visibility
        pts = self.image[keep] if keep.any() else self.image
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)


@runtime_checkable
class PoseBackend(Protocol):
    """Estimates the pose of one person per image.

    ``process`` takes an RGB ``uint8`` array ``(height, width, 3)``; in video mode successive
    calls are successive frames of one clip (the backend may track between them). It returns
    ``None`` when no person is found.
    """

    name: str

    def process(self, rgb: NDArray[np.uint8]) -> PoseResult | None: ...

    def close(self) -> None: ...


@dataclass
class FakeBackend:
    """A scripted backend for tests: returns ``results[i]`` for the i-th call (``None`` = nobody).

    After the script runs out it repeats the last entry.
    """

    results: list[PoseResult | None]
    name: str = "fake"
    calls: int = field(default=0, init=False)

    def process(self, rgb: NDArray[np.uint8]) -> PoseResult | None:
        if not self.results:
            return None
        out = self.results[min(self.calls, len(self.results) - 1)]
        self.calls += 1
        return out

    def close(self) -> None:
        return None


_QUIET_CALLS = 3  # the graph's models are set up lazily over the first frames


@contextmanager
def _quiet_startup() -> Iterator[None]:
    """Silence MediaPipe's start-up chatter, native log lines written straight to the process's
    stderr (TensorFlow Lite delegate and feedback-manager notices). Only graph creation and the
    first frames are wrapped; errors still raise as exceptions."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr replaced (tests, notebooks)
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            try:
                yield
            finally:
                os.dup2(saved, fd)
    finally:
        os.close(saved)


#: The landmark models backcare can run, by name: MediaPipe's model complexity and file name.
POSE_MODELS: dict[str, tuple[int, str]] = {
    "full": (1, "pose_landmark_full.tflite"),
    "heavy": (2, "pose_landmark_heavy.tflite"),
}

#: SHA-256 of ``pose_landmark_heavy.tflite`` in npm ``@mediapipe/pose@0.5.1675469404``.
HEAVY_MODEL_SHA256 = "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe"


def pose_model_path(model: str) -> Path | None:
    """Where MediaPipe looks for landmark model ``model`` (``None`` without MediaPipe)."""
    if model not in POSE_MODELS:
        raise InputError(
            f"{model!r} is not a pose model; choose one of {', '.join(POSE_MODELS)}",
            where="pose_model",
        )
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "modules" / "pose_landmark" / POSE_MODELS[model][1]


def pose_model_installed(model: str) -> bool:
    """Whether landmark model ``model`` is on this machine (``"full"`` comes with MediaPipe)."""
    path = pose_model_path(model)
    return path is not None and path.is_file()


def _import_mediapipe_pose() -> Any:
    # mediapipe 0.10.14 calls a protobuf API that protobuf itself marks deprecated, on every
    # graph's first outputs; the notice says nothing to a backcare user
    warnings.filterwarnings(
        "ignore", message=r"SymbolDatabase\.GetPrototype\(\) is deprecated", category=UserWarning
    )
    try:
        from mediapipe.python.solutions import pose as mp_pose
    except ImportError as exc:
        raise MissingExtraError("camera", "Camera posture analysis (MediaPipe Pose)") from exc
    return mp_pose


class MediaPipeBackend:
    """MediaPipe Pose (BlazePose GHUM), fully offline.

    Parameters
    ----------
    model
        ``"full"`` (default) or ``"heavy"`` (more accurate on hard poses, about three times
        slower; needs ``make install`` with npm, see the module docstring).
    static_image_mode
        ``True`` runs the person detector on every image (unrelated photos); ``False`` tracks
        between successive video frames and runs the detector only when tracking is lost.
    min_detection_confidence, min_tracking_confidence
        MediaPipe's thresholds (0..1).

    MediaPipe's own landmark smoothing is switched off: it assumes 30 frames per second, whereas
    backcare smooths with the real frame timestamps (:mod:`backcare.camera.smoothing`).
    """

    def __init__(
        self,
        *,
        model: str = "full",
        static_image_mode: bool = False,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        self.static_image_mode = static_image_mode
        self.model = model
        self.name = f"mediapipe-pose-{model}"
        with _quiet_startup():
            mp_pose = _import_mediapipe_pose()
            if not pose_model_installed(model):  # checked first: MediaPipe would download it
                raise InputError(
                    f"the {model} pose model is not installed; 'make install' copies it from "
                    "the npm package @mediapipe/pose (npm must be available)",
                    where="pose_model",
                )
            self._pose = mp_pose.Pose(
                static_image_mode=static_image_mode,
                model_complexity=POSE_MODELS[model][0],
                smooth_landmarks=False,
                enable_segmentation=False,
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
        self._calls = 0

    def process(self, rgb: NDArray[np.uint8]) -> PoseResult | None:
        if self._calls >= _QUIET_CALLS:
            result = self._pose.process(np.ascontiguousarray(rgb))
        else:
            with _quiet_startup():
                result = self._pose.process(np.ascontiguousarray(rgb))
            self._calls += 1
        if result.pose_landmarks is None or result.pose_world_landmarks is None:
            return None
        image_lms = result.pose_landmarks.landmark
        world_lms = result.pose_world_landmarks.landmark
        world = np.array([(p.x, p.y, p.z) for p in world_lms], dtype=np.float64)
        image = np.array([(p.x, p.y) for p in image_lms], dtype=np.float64)
        visibility = np.array([p.visibility for p in image_lms], dtype=np.float64)
        return PoseResult(world=world, image=image, visibility=np.clip(visibility, 0.0, 1.0))

    def close(self) -> None:
        self._pose.close()

    def __enter__(self) -> MediaPipeBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
