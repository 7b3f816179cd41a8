"""REBA scored by human raters on phone photos against backcare's REBA range."""

from __future__ import annotations

import csv
import math
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._measured import measured, reba_gap
from ._references import ROOT
from ._run import _level

RATER_SCORES = ROOT / "validation" / "camera" / "rater_scores.csv"

#: REBA's force/load score (0: under 5 kg, 1: 5-10 kg, 2: over 10 kg) as a load in the band
#: [kg], the way an ergonomist gives backcare the load a photo cannot show.
LOAD_FOR_FORCE_SCORE = {0: 0.0, 1: 7.5, 2: 15.0}
#: REBA's coupling score (0-3) as backcare's coupling option.
COUPLING_FOR_SCORE = {0: "good", 1: "fair", 2: "poor", 3: "unacceptable"}
RATER_COLUMNS = (
    "repository",
    "commit",
    "path",
    "moment",
    "rater",
    "seconds",
    "reba",
    "force_load",
    "coupling",
    "activity",
    "motion_capture_reba",
)


@dataclass(frozen=True)
class RaterScore:
    """One photo's REBA as a human rater scored it, with the load and grip the rater saw."""

    image: str  # under the data folder: handplaced/OWNER/NAME/PATH
    moment: str  # the same moment filmed by another phone has the same moment
    rater: str
    reba: int
    force_load: int
    coupling: int
    activity: int
    motion_capture_reba: int | None


def load_rater_scores(path: Path) -> list[RaterScore]:
    """Read ``rater_scores.csv`` (see the module docstring); a malformed file is refused."""
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        missing = set(RATER_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing columns {', '.join(sorted(missing))}")
        out = []
        for line, row in enumerate(reader, start=2):
            try:
                mocap = row["motion_capture_reba"].strip()
                out.append(
                    RaterScore(
                        image=f"handplaced/{row['repository']}/{row['path']}",
                        moment=row["moment"],
                        rater=row["rater"],
                        reba=int(row["reba"]),
                        force_load=int(row["force_load"]),
                        coupling=int(row["coupling"]),
                        activity=int(row["activity"]),
                        motion_capture_reba=int(mocap) if mocap else None,
                    )
                )
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{path}, line {line}: {exc}") from None
    return out


def run_raters(data: Path, scores_path: Path, *, pose_model: str = "full") -> dict[str, Any]:
    """backcare's REBA on each rated photo, given the load and grip the rater scored."""
    from backcare.camera.backend import MediaPipeBackend
    from backcare.camera.pipeline import CameraOptions, analyze_image
    from backcare.errors import BackcareError

    rows: list[dict[str, Any]] = []
    backend = MediaPipeBackend(model=pose_model, static_image_mode=True)
    try:
        for score in load_rater_scores(scores_path):
            path = data / score.image
            if not path.exists():
                print(f"missing {path}: fetch it from the source in sources.csv", file=sys.stderr)
                continue
            row: dict[str, Any] = {
                "image": score.image,
                "moment": score.moment,
                "rater": score.rater,
                "reference": score.reba,
                "activity": score.activity,
                "motion_capture": score.motion_capture_reba,
            }
            options = CameraOptions(
                load_kg=LOAD_FOR_FORCE_SCORE[score.force_load],
                coupling=COUPLING_FOR_SCORE[score.coupling],  # type: ignore[arg-type]
            )
            try:
                analysis = analyze_image(path, backend, options)
            except BackcareError as exc:
                rows.append({**row, "refused": str(exc), "view": "refused"})
                continue
            fs = analysis.scores.reba
            row["view"] = analysis.view.view
            row["measured"] = measured(analysis)  # for --json readers
            row["low"] = float(fs.score[0]) if fs is not None else math.nan
            row["high"] = float(getattr(fs, "high", fs.score)[0]) if fs is not None else math.nan
            rows.append(row)
    finally:
        backend.close()
    return {"rows": rows, "summary": rater_figures(rows)}


def rater_agreement(rows: list[dict[str, Any]], reference: str = "reference") -> dict[str, Any]:
    """backcare's REBA range against one rater's score per photo.

    ``within_1``: the rater's score lies within one point of backcare's range; ``same_level``:
    its action level lies within the range's levels; ``low_*``: backcare's lowest score (what
    the camera saw, unseen adjustments counted as absent) against the rater, one number each."""
    level = _level("reba")
    scored = [
        r for r in rows if math.isfinite(r.get("low", math.nan)) and r.get(reference) is not None
    ]
    out: dict[str, Any] = {"photos": len(rows), "scored": len(scored)}
    if not scored:
        return out
    ref = [float(r[reference]) for r in scored]
    gaps = [reba_gap(r["low"], r["high"], v, v) for r, v in zip(scored, ref, strict=True)]
    out["within_1"] = round(float(np.mean([g <= 1 for g in gaps])), 2)
    out["same_level"] = round(
        float(
            np.mean(
                [
                    level(r["low"]) <= level(v) <= level(r["high"])
                    for r, v in zip(scored, ref, strict=True)
                ]
            )
        ),
        2,
    )
    out["mean_range_width"] = round(float(np.mean([r["high"] - r["low"] for r in scored])), 2)
    diff = [r["low"] - v for r, v in zip(scored, ref, strict=True)]
    out["low_mean_abs_difference"] = round(float(np.mean(np.abs(diff))), 2)
    out["low_bias"] = round(float(np.mean(diff)), 2)
    out["low_within_1"] = round(float(np.mean([abs(d) <= 1 for d in diff])), 2)
    out["low_same_level"] = round(
        float(np.mean([level(r["low"]) == level(v) for r, v in zip(scored, ref, strict=True)])),
        2,
    )
    return out


def two_phones(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Two phones filming the same moment: backcare's REBA from each against the raters'.

    A pair of ranges differs by the gap between them (0 when they overlap); backcare's lowest
    scores differ by their difference; the raters by the difference of their scores."""
    by_moment: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_moment[r["moment"]].append(r)
    pairs = [g for g in by_moment.values() if len(g) == 2]
    raters = [abs(a["reference"] - b["reference"]) for a, b in pairs]
    out: dict[str, Any] = {"moments_filmed_twice": len(pairs)}
    if raters:
        out["raters_mean_difference"] = round(float(np.mean(raters)), 2)
        out["raters_within_1"] = round(float(np.mean([d <= 1 for d in raters])), 2)
    both = [
        (a, b)
        for a, b in pairs
        if all(math.isfinite(x.get("low", math.nan)) for x in (a, b))
        and all(x.get("view") in ("side", "oblique") for x in (a, b))
    ]
    out["both_scored_side_or_oblique"] = len(both)
    if both:
        gap = [reba_gap(a["low"], a["high"], b["low"], b["high"]) for a, b in both]
        low = [abs(a["low"] - b["low"]) for a, b in both]
        out["range_gap_mean"] = round(float(np.mean(gap)), 2)
        out["range_gap_within_1"] = round(float(np.mean([g <= 1 for g in gap])), 2)
        out["low_mean_difference"] = round(float(np.mean(low)), 2)
        out["low_within_1"] = round(float(np.mean([d <= 1 for d in low])), 2)
        same = [abs(a["reference"] - b["reference"]) for a, b in both]
        out["raters_mean_difference_on_these"] = round(float(np.mean(same)), 2)
    return out


def rater_figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    views = ("side", "oblique", "front", "refused")
    out: dict[str, Any] = {
        "photos": len(rows),
        "views": {v: sum(1 for r in rows if r.get("view") == v) for v in views},
        "side_or_oblique": rater_agreement(
            [r for r in rows if r.get("view") in ("side", "oblique")]
        ),
        "side": rater_agreement([r for r in rows if r.get("view") == "side"]),
        "front": rater_agreement([r for r in rows if r.get("view") == "front"]),
        "against_motion_capture_rating": rater_agreement(
            [r for r in rows if r.get("view") in ("side", "oblique")], "motion_capture"
        ),
        "two_phones": two_phones(rows),
    }
    # the raters against each other's photo of the same moment and against the rating from
    # the motion-capture replay: how far apart human REBA scores lie at all
    mocap = [
        abs(r["reference"] - r["motion_capture"]) for r in rows if r["motion_capture"] is not None
    ]
    if mocap:
        out["raters_vs_motion_capture_rating_mean_difference"] = round(float(np.mean(mocap)), 2)
    out["raters_adding_activity"] = sum(1 for r in rows if r["activity"] > 0)
    return out
