"""Draw what backcare saw onto a frame: the skeleton, the trunk and neck angles, the REBA score.

The skeleton is drawn in the colour of the frame's REBA action level (grey when REBA could not be
scored); landmarks the model did not see well enough are left out, so a missing bone means a
missing angle. A panel at the top left gives the time, trunk flexion, neck flexion and the REBA
score with its action level.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from backcare.camera.backend import BLAZEPOSE_SKELETON, landmark_index
from backcare.errors import MissingExtraError
from backcare.report.camera import level_hex

__all__ = ["annotate_frame", "draw_people", "level_colour"]

_BONES = tuple((landmark_index(a), landmark_index(b)) for a, b in BLAZEPOSE_SKELETON)


def level_colour(level: str | None) -> tuple[int, int, int]:
    """RGB of an action level, the colours of the report's plots (grey for none or unknown)."""
    code = level_hex(level).lstrip("#")
    return int(code[0:2], 16), int(code[2:4], 16), int(code[4:6], 16)


def _cv2() -> Any:
    try:
        import cv2
    except ImportError as exc:
        raise MissingExtraError("camera", "Drawing annotated frames (OpenCV)") from exc
    return cv2


def _fmt(value: float | None, unit: str = " deg") -> str:
    if value is None or not math.isfinite(value):
        return "--"
    return f"{value:.0f}{unit}"


def annotate_frame(
    rgb: NDArray[np.uint8],
    image_xy: NDArray[np.float64] | None,
    visibility: NDArray[np.float64] | None,
    *,
    time_s: float | None,
    trunk_deg: float | None,
    neck_deg: float | None,
    reba: float | None,
    level: str | None,
    min_visibility: float = 0.5,
) -> NDArray[np.uint8]:
    """A copy of ``rgb`` with the skeleton and the angle panel drawn on it.

    Parameters
    ----------
    rgb
        The frame ``(h, w, 3)`` uint8.
    image_xy, visibility
        ``(33, 2)`` normalised landmark positions and ``(33,)`` visibilities (``None``: nobody
        found in this frame).
    time_s, trunk_deg, neck_deg, reba, level
        What the panel shows (``None`` or NaN: shown as ``--``).
    """
    cv2 = _cv2()
    out = np.ascontiguousarray(rgb.copy())
    h, w = out.shape[:2]
    scale = max(0.4, min(w, h) / 720)
    thick = max(1, round(3 * scale))
    colour = level_colour(level)
    if image_xy is not None and visibility is not None and np.isfinite(image_xy).all():
        px = np.round(image_xy * np.array([w, h])).astype(np.int64)
        seen = visibility >= min_visibility
        for a, b in _BONES:
            if seen[a] and seen[b]:
                cv2.line(
                    out, tuple(map(int, px[a])), tuple(map(int, px[b])), colour, thick, cv2.LINE_AA
                )
        for i in np.flatnonzero(seen):
            cv2.circle(out, tuple(map(int, px[i])), thick + 1, (255, 255, 255), -1, cv2.LINE_AA)
    lines = []
    if time_s is not None:
        lines.append(f"t {time_s:.2f} s")
    lines.append(f"trunk {_fmt(trunk_deg)}")
    lines.append(f"neck {_fmt(neck_deg)}")
    reba_text = "REBA --" if reba is None or not math.isfinite(reba) else f"REBA {reba:.0f}"
    if level and reba is not None and math.isfinite(reba):
        reba_text += f" ({level})"
    lines.append(reba_text)
    font = cv2.FONT_HERSHEY_SIMPLEX
    fs = 0.6 * scale
    tt = max(1, round(1.5 * scale))
    sizes = [cv2.getTextSize(t, font, fs, tt)[0] for t in lines]
    line_h = max(s[1] for s in sizes) + round(10 * scale)
    box_w = max(s[0] for s in sizes) + round(16 * scale)
    box_h = line_h * len(lines) + round(8 * scale)
    panel = out[0:box_h, 0:box_w].astype(np.float32)
    out[0:box_h, 0:box_w] = (panel * 0.35).astype(np.uint8)
    cv2.rectangle(out, (0, 0), (round(6 * scale), box_h), colour, -1)
    for k, text in enumerate(lines):
        y = line_h * (k + 1)
        cv2.putText(out, text, (round(12 * scale), y), font, fs, (255, 255, 255), tt, cv2.LINE_AA)
    return out


_CHOSEN = (0, 158, 115)  # bluish green: the person analysed
_OTHER = (230, 159, 0)  # orange: the others (both readable by colour-blind viewers)


def draw_people(
    rgb: NDArray[np.uint8],
    boxes: list[tuple[int, tuple[float, float, float, float]]],
    chosen: int | None = None,
) -> NDArray[np.uint8]:
    """A copy of ``rgb`` with a numbered box around each person.

    Parameters
    ----------
    rgb
        The frame ``(h, w, 3)`` uint8.
    boxes
        ``(number, (x0, y0, x1, y1))`` per person, normalised image coordinates.
    chosen
        The number of the person analysed: drawn thicker, in another colour, with a filled label.
    """
    cv2 = _cv2()
    out = np.ascontiguousarray(rgb.copy())
    h, w = out.shape[:2]
    scale = max(0.5, min(w, h) / 600)
    font = cv2.FONT_HERSHEY_SIMPLEX
    for number, (x0, y0, x1, y1) in boxes:
        mine = number == chosen
        colour = _CHOSEN if mine else _OTHER
        p0 = (int(x0 * w), int(y0 * h))
        p1 = (int(np.ceil(x1 * w)) - 1, int(np.ceil(y1 * h)) - 1)
        cv2.rectangle(out, p0, p1, colour, max(2, round((4 if mine else 2) * scale)), cv2.LINE_AA)
        label = str(number)
        fs = 1.2 * scale
        tt = max(2, round(2 * scale))
        (tw, th), base = cv2.getTextSize(label, font, fs, tt)
        pad = round(6 * scale)
        lx, ly = p0[0], max(p0[1], th + base + 2 * pad)
        cv2.rectangle(out, (lx, ly - th - base - 2 * pad), (lx + tw + 2 * pad, ly), colour, -1)
        cv2.putText(out, label, (lx + pad, ly - base - pad), font, fs, (0, 0, 0), tt, cv2.LINE_AA)
    return out
