#!/usr/bin/env python3
"""Install the npm front-end packages and copy the files the web app serves into static/vendor.

Packages (pinned in package.json / package-lock.json): ``htmx.org`` (progressive enhancement of
forms and polling) and ``@mediapipe/pose`` (the live coach's in-browser pose model: JavaScript,
WebAssembly, model files). The app serves them itself: nothing is loaded from a CDN.

Idempotent and quick: when static/vendor already holds the files of the current lock file (a
stamp records its hash), nothing runs. Without npm the script says so and exits 0: pages work
without htmx and the coach page explains that the front-end is not built.

Usage: python scripts/build_frontend.py [--force] [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "package-lock.json"
MODULES = ROOT / "node_modules"
VENDOR = ROOT / "src" / "backcare" / "web" / "static" / "vendor"
STAMP = VENDOR / ".stamp"

#: (source relative to node_modules, destination relative to static/vendor)
FILES: tuple[tuple[str, str], ...] = (
    ("htmx.org/dist/htmx.min.js", "htmx.min.js"),
    ("htmx.org/LICENSE", "htmx.LICENSE.txt"),
    ("@mediapipe/pose/pose.js", "mediapipe/pose/pose.js"),
    ("@mediapipe/pose/pose_web.binarypb", "mediapipe/pose/pose_web.binarypb"),
    ("@mediapipe/pose/pose_landmark_lite.tflite", "mediapipe/pose/pose_landmark_lite.tflite"),
    ("@mediapipe/pose/pose_landmark_full.tflite", "mediapipe/pose/pose_landmark_full.tflite"),
    (
        "@mediapipe/pose/pose_solution_packed_assets.data",
        "mediapipe/pose/pose_solution_packed_assets.data",
    ),
    (
        "@mediapipe/pose/pose_solution_packed_assets_loader.js",
        "mediapipe/pose/pose_solution_packed_assets_loader.js",
    ),
    (
        "@mediapipe/pose/pose_solution_simd_wasm_bin.js",
        "mediapipe/pose/pose_solution_simd_wasm_bin.js",
    ),
    (
        "@mediapipe/pose/pose_solution_simd_wasm_bin.wasm",
        "mediapipe/pose/pose_solution_simd_wasm_bin.wasm",
    ),
    (
        "@mediapipe/pose/pose_solution_simd_wasm_bin.data",
        "mediapipe/pose/pose_solution_simd_wasm_bin.data",
    ),
    ("@mediapipe/pose/pose_solution_wasm_bin.js", "mediapipe/pose/pose_solution_wasm_bin.js"),
    ("@mediapipe/pose/pose_solution_wasm_bin.wasm", "mediapipe/pose/pose_solution_wasm_bin.wasm"),
)


def lock_hash() -> str:
    return hashlib.sha256(LOCK.read_bytes()).hexdigest()


def up_to_date() -> bool:
    if not STAMP.is_file() or STAMP.read_text().strip() != lock_hash():
        return False
    return all((VENDOR / dest).is_file() for _, dest in FILES)


def modules_complete() -> bool:
    return all((MODULES / src).is_file() for src, _ in FILES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="reinstall and copy again")
    parser.add_argument("--check", action="store_true", help="only report whether it is built")
    args = parser.parse_args(argv)
    if args.check:
        built = up_to_date()
        print("front-end: built" if built else "front-end: not built")
        return 0 if built else 1
    if up_to_date() and not args.force:
        print("front-end: up to date (static/vendor)")
        return 0
    if args.force or not modules_complete():
        npm = shutil.which("npm")
        if npm is None:
            print(
                "front-end: npm not found; the web app works without htmx, and the live coach "
                "page will say that its files are missing. Install Node.js/npm and run "
                "`make install` to build it."
            )
            return 0
        print("front-end: npm ci (htmx.org, @mediapipe/pose)")
        subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=ROOT,
            check=True,
        )
    missing = [src for src, _ in FILES if not (MODULES / src).is_file()]
    if missing:
        print(f"front-end: npm did not install {', '.join(missing)}", file=sys.stderr)
        return 1
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for src, dest in FILES:
        target = VENDOR / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(MODULES / src, target)
    STAMP.write_text(lock_hash() + "\n")
    print(f"front-end: {len(FILES)} files copied to {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
