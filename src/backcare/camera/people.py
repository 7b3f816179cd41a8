"""Several people in one frame: find a second person and choose whom to analyse.

MediaPipe Pose reports one person per image. To notice a second one, the person found is masked
out (their landmark box, enlarged, filled with the image's mean colour) and the image is searched
again with a detector pass (a static-image backend). Two people can be told apart this way; a
third behind them is not looked for (each extra pass costs a full detection), so the report says
"several" rather than a count.

When two people are found, backcare analyses the **largest and most central** one: each person's
score is the area of their landmark box (as a fraction of the image) times ``1 - d``, where ``d``
is the distance of the box centre from the image centre divided by the largest possible distance
(0 at the centre, 1 in a corner). The choice is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from backcare.camera.backend import PoseBackend, PoseResult

__all__ = ["PeopleCheck", "check_people", "prominence"]

_MARGIN = 0.1  # the masked box is enlarged by this fraction of its size on each side
_MAX_OVERLAP = 0.3  # a second find overlapping the first by more (IoU) is the same person
_MIN_SEEN = 8  # a second person needs at least this many landmarks seen


@dataclass(frozen=True)
class PeopleCheck:
    """Outcome of a second-person search on one frame."""

    several: bool
    chosen: PoseResult
    switched: bool
    note: str | None


def _box(result: PoseResult, min_visibility: float) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = result.bbox(min_visibility)
    return max(0.0, x0), max(0.0, y0), min(1.0, x1), min(1.0, y1)


def prominence(result: PoseResult, min_visibility: float = 0.5) -> float:
    """Size times centrality of a person's landmark box (see the module docstring)."""
    x0, y0, x1, y1 = _box(result, min_visibility)
    area = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    d = float(np.hypot(cx - 0.5, cy - 0.5) / np.hypot(0.5, 0.5))
    return area * (1.0 - min(d, 1.0))


def _iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def mask_person(
    rgb: NDArray[np.uint8], result: PoseResult, min_visibility: float = 0.5
) -> NDArray[np.uint8]:
    """A copy of ``rgb`` with the person's enlarged landmark box filled with the mean colour."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = _box(result, min_visibility)
    mx, my = (x1 - x0) * _MARGIN, (y1 - y0) * _MARGIN
    c0, c1 = int(max(0.0, x0 - mx) * w), int(np.ceil(min(1.0, x1 + mx) * w))
    r0, r1 = int(max(0.0, y0 - my) * h), int(np.ceil(min(1.0, y1 + my) * h))
    out = rgb.copy()
    out[r0:r1, c0:c1] = rgb.reshape(-1, 3).mean(axis=0).astype(np.uint8)
    return out


def _side(result: PoseResult, min_visibility: float) -> str:
    x0, _, x1, _ = _box(result, min_visibility)
    cx = (x0 + x1) / 2
    return "left" if cx < 0.4 else "right" if cx > 0.6 else "centre"


def check_people(
    rgb: NDArray[np.uint8],
    first: PoseResult,
    searcher: PoseBackend,
    *,
    min_visibility: float = 0.5,
) -> PeopleCheck:
    """Look for a second person beside ``first`` and pick the one to analyse.

    Parameters
    ----------
    rgb
        The frame.
    first
        The person the main backend found.
    searcher
        A backend in static-image mode (it must not track between calls).
    min_visibility
        Landmarks seen at least this well define a person's box.
    """
    second = searcher.process(mask_person(rgb, first, min_visibility))
    if second is None or int((second.visibility >= min_visibility).sum()) < _MIN_SEEN:
        return PeopleCheck(False, first, False, None)
    if _iou(_box(first, min_visibility), _box(second, min_visibility)) > _MAX_OVERLAP:
        return PeopleCheck(False, first, False, None)
    p1, p2 = prominence(first, min_visibility), prominence(second, min_visibility)
    chosen, other = (second, first) if p2 > p1 else (first, second)
    note = (
        "several people are in view; MediaPipe Pose analyses one person, so backcare took the "
        f"largest and most central one (image {_side(chosen, min_visibility)}; the other is at "
        f"the image {_side(other, min_visibility)})"
    )
    return PeopleCheck(True, chosen, chosen is second, note)
