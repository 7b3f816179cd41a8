"""Finding the person in a photo when the first look fails or looks wrong.

Two things go wrong with phone photos in practice:

* **Turned pictures.** A photo turned by 90 deg without an orientation tag shows the person lying
  across the picture; the pose model still answers, and every angle is wrong by 90 deg.
  :func:`upright` checks the body axis (:func:`~backcare.camera.geometry.body_axis_tilt`) and,
  when it leans further than the knowledge file allows, runs the detector on copies turned both
  ways and keeps the most upright result.
* **Deep bends misread.** With the head below the hips the model may lay its skeleton onto
  the wrong body parts (the pelvis read as the head, the arms as legs); the paired limbs then
  disagree in length (:func:`~backcare.camera.geometry.limb_asymmetry`). :func:`bent_look`
  runs the detector on copies turned 90 deg both ways, in which the bent trunk stands upright,
  and keeps a reading whose limbs pair up.
* **Missed people.** A person seen from behind in a deep bend, or partly behind a box, may be
  missed at the detector's usual confidence. :func:`second_look` runs it again on a padded copy
  at a lower confidence and on the mirror image; :func:`darkness` measures the light so the
  message can say when the picture is too dark.

Every result is returned in the **original** picture's image coordinates, so drawings and the
view check need no further correction; the metric (world) landmarks come from the upright copy.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from backcare.camera.backend import BLAZEPOSE_LANDMARKS, PoseBackend, PoseResult
from backcare.camera.geometry import body_axis_tilt, limb_asymmetry
from backcare.camera.video import Frame
from backcare.knowledge.camera import CameraPoseDocument

__all__ = [
    "Found",
    "bent_look",
    "darkness",
    "mirror_index",
    "orient_frames",
    "second_look",
    "unturn",
    "upright",
]

#: Index of each BlazePose landmark's mirror partner (left <-> right; the nose stays).
mirror_index = np.array(
    [
        BLAZEPOSE_LANDMARKS.index(
            n.replace("left", "@").replace("right", "left").replace("@", "right")
        )
        for n in BLAZEPOSE_LANDMARKS
    ]
)


@dataclass(frozen=True)
class Found:
    """A pose found on a transformed copy, mapped back to the original picture."""

    result: PoseResult
    rgb: NDArray[np.uint8]
    """The picture the angles should be read from (turned upright when it was turned)."""
    note: str | None
    turns: int = 0
    """``k`` of ``np.rot90(picture, k)`` that made it upright (0: used as given)."""


def unturn(image: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    """Normalised image coordinates ``(..., 2)`` found on ``np.rot90(picture, k)``, in the
    picture as given."""
    x, y = image[..., 0], image[..., 1]
    if k == 1:
        return np.stack([1.0 - y, x], axis=-1)
    if k == 3:
        return np.stack([y, 1.0 - x], axis=-1)
    return image


def _turned(result: PoseResult, k: int) -> PoseResult:
    """A pose found on ``np.rot90(rgb, k)`` with image coordinates in the original picture."""
    return PoseResult(
        world=result.world, image=unturn(result.image, k), visibility=result.visibility
    )


def _best_turn(
    rgb: NDArray[np.uint8],
    backend: PoseBackend,
    score: Callable[[PoseResult], float | None],
) -> tuple[float, int, PoseResult] | None:
    """The reading of the picture turned 90 deg anticlockwise (``k = 1``) or clockwise
    (``k = 3``) with the lowest ``score`` (``None``: not acceptable), as ``(score, k, result)``
    with the result in the turned copy's coordinates; ``None`` when neither is acceptable."""
    best: tuple[float, int, PoseResult] | None = None
    for k in (1, 3):
        found = backend.process(np.ascontiguousarray(np.rot90(rgb, k)))
        if found is None:
            continue
        value = score(found)
        if value is not None and (best is None or value < best[0]):
            best = (value, k, found)
    return best


def upright(
    rgb: NDArray[np.uint8],
    result: PoseResult | None,
    backend: PoseBackend,
    rules: CameraPoseDocument,
) -> Found | None:
    """The upright reading of a photo whose body axis lies across the picture.

    Returns ``None`` when ``result`` is already upright enough (or nobody was found); else the
    better of the two turned copies with a note, or the original result with a note asking the
    person to check the picture's orientation.
    """
    if result is None:
        return None
    min_vis = rules.landmarks.min_visibility
    limit = rules.upright.max_axis_tilt_deg
    h, w = rgb.shape[:2]
    tilt = body_axis_tilt(result.image, result.visibility, w, h, min_vis)
    if tilt is None or tilt <= limit:
        return None

    def leaning(found: PoseResult) -> float | None:
        t = body_axis_tilt(found.image, found.visibility, h, w, min_vis, worst=True)
        return t if t is not None and t <= rules.upright.turned_max_deg else None

    best = _best_turn(rgb, backend, leaning)
    if best is None:
        return Found(
            result,
            rgb,
            f"the person lies across the picture (body axis {tilt:.0f} deg from upright): if "
            "the photo is turned on its side, turn it upright and analyse it again; the angles "
            "below are read as the picture stands",
        )
    _, k, found = best
    way = "anticlockwise" if k == 1 else "clockwise"
    return Found(
        _turned(found, k),
        np.ascontiguousarray(np.rot90(rgb, k)),
        f"the picture looked turned on its side (no orientation tag): it was analysed turned 90 "
        f"deg {way}",
        turns=k,
    )


def orient_frames(
    frames: Iterable[Frame],
    searcher: PoseBackend,
    rules: CameraPoseDocument,
    *,
    look_ahead: int = 30,
) -> tuple[Iterator[Frame], int, str | None]:
    """A video's frames turned upright when its first person lies across the picture.

    The first of at most ``look_ahead`` frames in which ``searcher`` (a static-image backend)
    finds a person decides, as :func:`upright` does for a photo. Returns the frames (turned by
    ``np.rot90(rgb, k)`` when needed), ``k`` and a note.
    """
    it = iter(frames)
    buffered: list[Frame] = []
    k, note = 0, None
    for frame in it:
        buffered.append(frame)
        result = searcher.process(frame.rgb)
        if result is not None:
            found = upright(frame.rgb, result, searcher, rules)
            if found is not None:
                k, note = found.turns, found.note
            break
        if len(buffered) >= look_ahead:
            break
    chained = itertools.chain(buffered, it)
    if not k:
        return chained, 0, note
    turned = (
        Frame(index=f.index, time_s=f.time_s, rgb=np.ascontiguousarray(np.rot90(f.rgb, k)))
        for f in chained
    )
    return turned, k, note


def _unturn_world(world: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    """Camera-axis metric landmarks ``(..., 3)`` found on ``np.rot90(picture, k)``, in the
    axes of the picture as given (the inverse of the turn, as :func:`unturn` for the image)."""
    x, y, z = world[..., 0], world[..., 1], world[..., 2]
    if k == 1:
        return np.stack([-y, x, z], axis=-1)
    if k == 3:
        return np.stack([y, -x, z], axis=-1)
    return world


def bent_look(
    rgb: NDArray[np.uint8],
    result: PoseResult | None,
    backend: PoseBackend,
    rules: CameraPoseDocument,
) -> Found | None:
    """A better reading of a photo whose skeleton was laid onto the wrong body parts.

    ``None`` when ``result`` pairs up (see :func:`~backcare.camera.geometry.limb_asymmetry`) or
    no turned copy gives a skeleton that does. Else the turned copy's reading (of the two, the
    one whose limbs, all of them, pair best) in the picture as given: image and metric landmarks are
    turned back, so the angles are read against the picture's own vertical.
    """
    if result is None:
        return None
    min_vis = rules.landmarks.min_visibility
    _, usable = limb_asymmetry(result.world[None], result.visibility[None], rules.skeleton, min_vis)
    if usable[0]:
        return None

    def mispaired(found: PoseResult) -> float | None:
        # every limb counts here, seen or not: side-on a bend hides the far limbs, and a
        # reading laid onto the right parts still places them in proportion
        every = np.ones_like(found.visibility[None])
        asym, ok = limb_asymmetry(found.world[None], every, rules.skeleton, min_vis)
        return float(asym[0]) if ok[0] and np.isfinite(asym[0]) else None

    best = _best_turn(rgb, backend, mispaired)
    if best is None:
        return None
    _, k, found = best
    way = "anticlockwise" if k == 1 else "clockwise"
    return Found(
        PoseResult(
            world=_unturn_world(found.world, k),
            image=unturn(found.image, k),
            visibility=found.visibility,
        ),
        rgb,
        "the pose model misread the body (its left and right limbs did not pair up, as happens "
        f"in deep forward bends); it was read again on the picture turned 90 deg {way}: check "
        "the skeleton in the annotated picture before relying on the angles",
    )


def second_look(
    rgb: NDArray[np.uint8], backend: PoseBackend, rules: CameraPoseDocument
) -> Found | None:
    """Search again for a person the first pass missed.

    A padded copy (``rules.detection.pad_fraction`` of each side, mid grey) at the lower
    ``second_pass_confidence`` when the backend is MediaPipe (else with ``backend`` itself),
    then the mirror image. ``None`` when both fail.
    """
    det = rules.detection
    h, w = rgb.shape[:2]
    ph, pw = round(h * det.pad_fraction), round(w * det.pad_fraction)
    padded = np.full((h + 2 * ph, w + 2 * pw, 3), 127, dtype=np.uint8)
    padded[ph : ph + h, pw : pw + w] = rgb
    mirrored = np.ascontiguousarray(rgb[:, ::-1])
    searcher, own = _permissive(backend, det.second_pass_confidence)
    try:
        found = searcher.process(padded)
        if found is not None:
            scale = np.array([w + 2 * pw, h + 2 * ph], dtype=np.float64)
            xy = (found.image * scale - np.array([pw, ph])) / np.array([w, h])
            return Found(
                PoseResult(world=found.world, image=xy, visibility=found.visibility),
                rgb,
                "the person was found only by a second, more permissive search: check the "
                "skeleton in the annotated picture before relying on the angles",
            )
        found = searcher.process(mirrored)
        if found is not None:
            idx = mirror_index
            world = found.world[idx] * np.array([-1.0, 1.0, 1.0])
            xy = found.image[idx] * np.array([-1.0, 1.0]) + np.array([1.0, 0.0])
            return Found(
                PoseResult(world=world, image=xy, visibility=found.visibility[idx]),
                rgb,
                "the person was found only in the mirror image of the picture: check the "
                "skeleton in the annotated picture before relying on the angles",
            )
    finally:
        if own:
            searcher.close()
    return None


def _permissive(backend: PoseBackend, confidence: float) -> tuple[PoseBackend, bool]:
    """A static-image MediaPipe detector at ``confidence``, or ``backend`` itself."""
    from backcare.camera.backend import MediaPipeBackend

    if isinstance(backend, MediaPipeBackend):
        permissive = MediaPipeBackend(
            model=backend.model, static_image_mode=True, min_detection_confidence=confidence
        )
        return permissive, True
    return backend, False


def darkness(rgb: NDArray[np.uint8]) -> float:
    """Mean luma (ITU-R BT.601 weights) of the picture, 0 (black) to 255 (white)."""
    weights = np.array([0.299, 0.587, 0.114])
    return float((rgb[..., :3].astype(np.float64) @ weights).mean())
