"""Test media: real public-domain images and video clips built from them with PyAV."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from matplotlib import cbook
from PIL import Image

SIZE = (640, 480)
BACKGROUND = (90, 90, 90)


def grace_hopper() -> Path:
    return Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


def astronaut(shared_dir: Path) -> Path:
    return shared_dir / "data" / "camera" / "astronaut.png"


def placed(
    src: Image.Image, *, angle: float = 0.0, scale: float = 1.0, x: int = 60, size=SIZE
) -> np.ndarray:
    """``src`` rotated [deg, counter-clockwise], scaled and pasted at ``x`` on a grey frame."""
    canvas = Image.new("RGB", size, BACKGROUND)
    img = src.rotate(angle, resample=Image.BILINEAR, fillcolor=BACKGROUND)
    side = int(size[1] * scale)
    img = img.resize((side, int(side * src.height / src.width)))
    canvas.paste(img, (x, size[1] - img.height))
    return np.asarray(canvas)


def write_clip(
    path: Path,
    frame: Callable[[int], np.ndarray],
    n: int,
    *,
    times: Sequence[float] | None = None,
    fps: int = 30,
    codec: str = "libx264",
    options: dict[str, str] | None = None,
    rotation: int | None = None,
) -> Path:
    """Encode ``n`` frames at ``times`` [s] (default ``i / fps``)."""
    with av.open(str(path), "w", options=options or {}) as container:
        stream = container.add_stream(codec, rate=fps)
        first = frame(0)
        stream.height, stream.width = first.shape[:2]
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, 1000)
        stream.codec_context.time_base = Fraction(1, 1000)
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for i in range(n):
            vf = av.VideoFrame.from_ndarray(first if i == 0 else frame(i), format="rgb24")
            vf.pts = round((times[i] if times is not None else i / fps) * 1000)
            vf.time_base = Fraction(1, 1000)
            for packet in stream.encode(vf):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def side_by_side(
    parts: Sequence[tuple[Image.Image, tuple[int, int], tuple[int, int]]],
    size: tuple[int, int] = (1200, 500),
) -> Image.Image:
    """Real photos pasted onto one grey frame: ``(image, (width, height), (x, y))`` each."""
    canvas = Image.new("RGB", size, BACKGROUND)
    for img, wh, xy in parts:
        canvas.paste(img.convert("RGB").resize(wh), xy)
    return canvas
