"""Validate backcare's camera angles and REBA/RULA against independent references.

The command line of ``scripts/validate_camera.py``; the first paragraph above is its
``--help`` description, and that script's docstring describes the data layout."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from ._annotators import SECOND_ANNOTATOR, second_annotator_text
from ._handplaced import build_handplaced
from ._keypoints import build_references
from ._lspet import build_lspet
from ._raters import RATER_SCORES, run_raters
from ._references import ANGLES, REFERENCES, ROOT, references_from_rows, write_references
from ._run import run
from ._two_view import TWO_VIEW, print_two_view, two_view_run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="folder holding the source images")
    parser.add_argument("--references", type=Path, default=REFERENCES)
    parser.add_argument("--build-references", type=Path, metavar="MMPOSE_DIR")
    parser.add_argument("--build-lspet", type=Path, metavar="LSPET_DIR")
    parser.add_argument("--build-handplaced", type=Path, metavar="ANNOTATIONS_CSV")
    parser.add_argument("--json", type=Path, help="also write every row and figure here")
    parser.add_argument(
        "--pose-model", default="full", choices=("full", "heavy"), help="MediaPipe's pose model"
    )
    parser.add_argument(
        "--raters",
        type=Path,
        default=RATER_SCORES,
        help="REBA scored by human raters per photo (see the module docstring)",
    )
    parser.add_argument(
        "--only-source",
        action="append",
        metavar="NAME",
        help="measure only this source's images (repeat for several)",
    )
    parser.add_argument(
        "--second-annotator",
        metavar="FILE",
        default=str(SECOND_ANNOTATOR.relative_to(ROOT)),
        help="a second hand placement of the handplaced photos (the columns of handplaced.csv) "
        "to compare with the first; 'none' to skip (default: %(default)s, when it exists)",
    )
    parser.add_argument(
        "--two-view",
        action="store_true",
        help=f"only compare the cameras filming one moment (DIR/{TWO_VIEW}/RECORDING/videos)",
    )
    parser.add_argument(
        "--two-view-mode",
        choices=("photos", "video", "both"),
        default="both",
        help="frames as photos on their own, the videos tracked, or both",
    )
    parser.add_argument(
        "--every", type=int, default=5, help="compare the cameras on every n-th frame"
    )
    args = parser.parse_args(argv)
    if args.build_references or args.build_lspet or args.build_handplaced:
        if args.build_references:
            n = write_references(args.references, build_references(args.build_references))
            print(f"wrote {n} keypoints of the pose project's test data to {args.references}")
        if args.build_lspet:
            n = write_references(args.references, build_lspet(args.build_lspet))
            print(f"wrote {n} LSPET keypoints to {args.references}")
        if args.build_handplaced:
            n = write_references(args.references, build_handplaced(args.build_handplaced))
            print(f"wrote {n} hand-placed keypoints to {args.references}")
        return 0
    if args.data is None:
        parser.error("--data is required")
    two_view = None
    if (args.data / TWO_VIEW).is_dir() and (args.two_view or not args.only_source):
        modes = ("photos", "video") if args.two_view_mode == "both" else (args.two_view_mode,)
        two_view = two_view_run(
            args.data, every=args.every, modes=modes, pose_model=args.pose_model
        )
    elif args.two_view:
        parser.error(f"--two-view needs the recordings in {args.data / TWO_VIEW}")
    if args.two_view:
        assert two_view is not None
        print_two_view(two_view)
        if args.json:
            args.json.write_text(json.dumps(two_view, indent=2, default=str))
        return 0
    second = None
    if args.second_annotator != "none":
        second_file = Path(args.second_annotator)
        if not second_file.is_absolute() and not second_file.exists():
            second_file = ROOT / second_file
        if second_file.exists():
            second = references_from_rows(build_handplaced(second_file))
        elif args.second_annotator != str(SECOND_ANNOTATOR.relative_to(ROOT)):
            parser.error(f"{args.second_annotator} does not exist")
    sources = args.only_source
    result: dict[str, Any] = {"rows": [], "summary": {}}
    if not sources or set(sources) - {"raters"}:
        wanted = [n for n in sources if n != "raters"] if sources else None
        result = run(
            args.data,
            args.references,
            pose_model=args.pose_model,
            second=second,
            sources=wanted,
        )
    if two_view is not None:
        result["two_cameras"] = two_view
        result["summary"]["two_cameras_same_moment"] = two_view["figures"]
    for r in result["rows"]:
        if "measured" in r:
            pairs = ", ".join(
                f"{a.split('_')[0]} {r['measured'][a]:.0f}/{r['reference'][a]:.0f}"
                for a in ANGLES
                if math.isfinite(r["reference"].get(a, math.nan))
            )
            reba = r["reba"]
            print(
                f"{r['image']}: {r['group']} (backcare: {r['backcare_view']}) {pairs}; "
                f"REBA {reba['low']:.0f}-{reba['high']:.0f} vs {reba['reference']}"
            )
        else:
            print(f"{r['image']}: {r.get('refused') or 'no matching reference person'}")
    if (not sources or "raters" in sources) and args.raters.exists():
        raters = run_raters(args.data, args.raters, pose_model=args.pose_model)
        for r in raters["rows"]:
            seen = (
                f"REBA {r['low']:.0f}-{r['high']:.0f}"
                if math.isfinite(r.get("low", math.nan))
                else r.get("refused", "REBA not scored")
            )
            print(f"{r['image']}: {r['view']}; {seen} vs rater {r['reference']}")
        result["raters"] = raters["rows"]
        result["summary"]["raters"] = raters["summary"]
    if two_view is not None:
        print_two_view(two_view)
    print(json.dumps(result["summary"], indent=2))
    if "second_annotator" in result["summary"]:
        print(second_annotator_text(result["summary"]["second_annotator"]))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    return 0
