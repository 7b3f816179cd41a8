"""The pixel-drawn timelines: what each column shows, and no plotting library on the way."""

from __future__ import annotations

import base64
import io
import subprocess
import sys

import numpy as np
from PIL import Image

from backcare.report.raster import column_means, column_modes, hex_rgb, timeline_png


def test_column_modes_take_the_majority_and_mark_empty_columns() -> None:
    codes = np.array([1, 1, 2, 2, 2, 3, -1, -1, -1, -1])
    assert column_modes(codes, 2, 4).tolist() == [2, 3]
    assert column_modes(np.array([1, 1, -1, -1]), 2, 4).tolist() == [1, -1]
    assert column_modes(np.array([3, 3, 1, 1]), 2, 4).tolist() == [3, 1]


def test_column_means_skip_missing_values() -> None:
    values = np.array([1.0, 3.0, np.nan, np.nan])
    out = column_means(values, 2)
    assert out[0] == 2.0
    assert np.isnan(out[1])


def test_a_half_hour_walk_shows_in_the_band() -> None:
    codes = np.full(86400, 6)
    codes[36000:37800] = 9  # 30 min of walking at 10:00
    png = base64.b64decode(timeline_png(codes, {6: "#ffb300", 9: "#43a047"}, [], title="d"))
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    colours = {tuple(int(c) for c in px) for px in img.reshape(-1, 3)}
    assert hex_rgb("#43a047") in colours
    assert hex_rgb("#ffb300") in colours


def test_thigh_only_report_draws_without_matplotlib() -> None:
    code = """
import sys
import numpy as np
from backcare.posture.series import PostureSeries
from backcare.report.wearable import day_timeline_png
t = np.arange(0.0, 7200.0)
series = PostureSeries(t, {}, activity=np.full(t.size, 6, dtype=np.int8))
assert day_timeline_png(series, 0.0, "day")
print("matplotlib" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
