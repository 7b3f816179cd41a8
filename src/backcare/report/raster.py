"""Small raster plots drawn straight into pixels (Pillow), for the long per-second series.

A 24-hour timeline has 86,400 seconds but about 1,000 pixels across; drawing every second with a
general plotting library costs a second per day of data and loads that library (a large import)
for nothing the eye can see. Here each pixel column is reduced first:

* the activity band shows, per column, the activity that holds most of the column's seconds
  (ties: the lower code), so a 30 s walk is still a visible sliver when it wins its column;
* each angle trace is the column's mean, broken where a column has no value.

The result is a PNG, returned base64-encoded for embedding in a self-contained page.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

__all__ = ["column_means", "column_modes", "hex_rgb", "timeline_png"]

WIDTH = 1000  # whole image [px]
_LEFT, _RIGHT = 44, 12
_TITLE_H, _BAND_H, _GAP, _PANEL_H, _AXIS_H = 20, 26, 4, 130, 30
_GRID = (224, 224, 224)
_TEXT = (33, 33, 33)
_BLANK = (255, 255, 255)


def hex_rgb(code: str) -> tuple[int, int, int]:
    """``"#rrggbb"`` to an RGB triple."""
    code = code.lstrip("#")
    return int(code[0:2], 16), int(code[2:4], 16), int(code[4:6], 16)


def column_modes(codes: NDArray[np.integer], columns: int, n_codes: int) -> NDArray[np.int64]:
    """The most frequent code in each of ``columns`` equal slices of ``codes``; -1 where a
    slice is empty or holds only negative codes (no data)."""
    n = codes.shape[0]
    col = (np.arange(n, dtype=np.int64) * columns) // max(n, 1)
    ok = codes >= 0
    counts = np.zeros((columns, n_codes), dtype=np.int64)
    np.add.at(counts, (col[ok], codes[ok].astype(np.int64)), 1)
    out: NDArray[np.int64] = counts.argmax(axis=1).astype(np.int64)
    out[counts.sum(axis=1) == 0] = -1
    return out


def column_means(values: NDArray[np.floating], columns: int) -> NDArray[np.float64]:
    """Mean of the finite values in each of ``columns`` equal slices; NaN where none."""
    n = values.shape[0]
    col = (np.arange(n, dtype=np.int64) * columns) // max(n, 1)
    ok = np.isfinite(values)
    total = np.bincount(col[ok], weights=values[ok].astype(np.float64), minlength=columns)
    count = np.bincount(col[ok], minlength=columns)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def timeline_png(
    codes: NDArray[np.integer],
    colours: Mapping[int, str],
    traces: Sequence[tuple[str, str, NDArray[np.floating]]],
    *,
    title: str,
    hours: float = 24.0,
    y_max: float = 180.0,
    y_label: str = "deg",
) -> str:
    """A colour band of ``codes`` (one per second, -1: no data) over ``hours``, with line
    ``traces`` (title, colour, one value per second) below it; base64 PNG."""
    plot_w = WIDTH - _LEFT - _RIGHT
    panel_h = _PANEL_H if traces else 0  # no angle panel when there is nothing to draw in it
    height = _TITLE_H + _BAND_H + _GAP + panel_h + _AXIS_H
    img = Image.new("RGB", (WIDTH, height), _BLANK)
    n_codes = max([*colours, 0]) + 1
    modes = column_modes(np.asarray(codes), plot_w, n_codes)
    lut = np.array([hex_rgb(colours.get(i, "#ffffff")) for i in range(n_codes)], dtype=np.uint8)
    band = np.where(modes[:, None] >= 0, lut[np.maximum(modes, 0)], np.uint8(255))
    strip = np.broadcast_to(band[None, :, :], (_BAND_H, plot_w, 3))
    img.paste(Image.fromarray(np.ascontiguousarray(strip), "RGB"), (_LEFT, _TITLE_H))
    draw = ImageDraw.Draw(img)
    small, normal = _font(10), _font(12)
    draw.text((_LEFT, 3), title, fill=_TEXT, font=normal)
    top = _TITLE_H + _BAND_H + _GAP
    bottom = top + panel_h
    # grid and axes
    for deg in np.arange(0.0, y_max + 1e-9, 45.0) if panel_h else ():
        y = bottom - deg / y_max * panel_h
        draw.line([(_LEFT, y), (_LEFT + plot_w, y)], fill=_GRID)
        draw.text((4, y - 6), f"{deg:g}", fill=_TEXT, font=small)
    for hour in range(0, int(hours) + 1, 3):
        x = _LEFT + hour / hours * plot_w
        draw.line([(x, top), (x, bottom)], fill=_GRID)
        draw.text((x - 6, bottom + 3), f"{hour}", fill=_TEXT, font=small)
    draw.rectangle([(_LEFT, _TITLE_H), (_LEFT + plot_w, bottom)], outline=(158, 158, 158))
    if panel_h:
        draw.text((4, bottom + 15), y_label, fill=_TEXT, font=small)
    draw.text((_LEFT + plot_w // 2 - 40, bottom + 15), "hour of the day", fill=_TEXT, font=small)
    # traces
    legend_x = float(_LEFT + plot_w - 8)
    for name, colour, values in traces:
        rgb = hex_rgb(colour)
        means = column_means(np.asarray(values, dtype=np.float64), plot_w)
        ys = bottom - np.clip(means, 0.0, y_max) / y_max * panel_h
        xs = _LEFT + np.arange(plot_w) + 0.5
        finite = np.isfinite(ys)
        # one polyline per run of columns with a value
        edges = np.flatnonzero(np.diff(np.concatenate([[0], finite.astype(np.int8), [0]])))
        for lo, hi in zip(edges[0::2], edges[1::2], strict=True):
            if hi - lo == 1:
                draw.point((float(xs[lo]), float(ys[lo])), fill=rgb)
            else:
                draw.line(list(zip(xs[lo:hi].tolist(), ys[lo:hi].tolist(), strict=True)), fill=rgb)
        width = draw.textlength(name, font=small)
        legend_x -= width
        draw.text((legend_x, top + 3), name, fill=rgb, font=small)
        legend_x -= 14
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False, compress_level=6)
    return base64.b64encode(buf.getvalue()).decode("ascii")
