"""Running backcare over the reference images, and the figures and summaries of the run."""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from ._annotators import (
    annotator_agreement,
    annotator_angles,
    backcare_vs_annotators,
    mean_angles,
    same_person,
)
from ._handplaced import HANDPLACED
from ._measured import angle_error, measured, reba_gap, same_arm
from ._references import (
    ANGLES,
    NECK_HEAD,
    Reference,
    load_references,
    only_sources,
    reference_angles_2d,
    reference_angles_3d,
    reference_scores,
    reference_view,
    world_view,
)
from ._two_view import pair_difference, pair_figures


def pick_reference(
    analysis: Any, refs: list[Reference], width: int, height: int
) -> Reference | None:
    """The reference person whose joints lie nearest the analysed landmarks in the image."""
    from backcare.camera.backend import landmark_index

    image = analysis.track.image[0]
    best, best_d = None, math.inf
    for ref in refs:
        if ref.space != "image_px":
            return ref  # one motion-capture person per image
        d = []
        for joint in ("left_shoulder", "right_shoulder", "left_hip", "right_hip", "nose"):
            if joint in ref.joints:
                xy = image[landmark_index(joint)] * np.array([width, height])
                d.append(np.linalg.norm(xy - ref.joints[joint]))
        if d and float(np.median(d)) < best_d:
            best, best_d = ref, float(np.median(d))
    return best if best_d < 0.1 * max(width, height) else None


def swapped_points(ref: Reference, analysis: Any, width: int, height: int) -> dict[str, float]:
    """The reference's upper-arm angles with some of its points taken from the pose model.

    ``model_elbow``: the reference's shoulders and hips with the model's elbows;
    ``model_trunk``: the model's shoulders and hips with the reference's elbows. Which of the
    two carries the error says whether the model misplaces the elbow or the trunk and shoulder
    (per arm, ``upper_arm_flexion_left``/``_right``, side views of hand-placed photos only)."""
    from dataclasses import replace

    from backcare.camera.backend import landmark_index

    image = analysis.track.image[0]
    seen = analysis.track.visibility[0]

    def model(names: tuple[str, ...]) -> dict[str, np.ndarray]:
        out = {}
        for name in names:
            i = landmark_index(name)
            if seen[i] >= 0.5 and np.all(np.isfinite(image[i][:2])):
                out[name] = image[i][:2] * np.array([width, height])
        return out

    elbows = ("left_elbow", "right_elbow")
    trunk = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    out: dict[str, float] = {}
    for label, names in (("model_elbow", elbows), ("model_trunk", trunk)):
        points = model(names)
        if len(points) < len(names) - (1 if label == "model_elbow" else 0):
            continue
        kept = {k: v for k, v in ref.joints.items() if k not in names}
        angles = reference_angles_2d(replace(ref, joints={**kept, **points}))
        for side in ("left", "right"):
            out[f"{label}_{side}"] = angles.get(f"upper_arm_flexion_{side}", math.nan)
    return out


def run(
    data: Path,
    refs_path: Path,
    *,
    pose_model: str = "full",
    second: list[Reference] | None = None,
    sources: list[str] | None = None,
) -> dict[str, Any]:
    """Analyse every reference image with backcare and compare (see the module's docstring).

    ``second``: a second annotator's hand placements of the ``handplaced`` photos; their
    reference angles and scores go into each such row (``second``) and the summary gains
    ``second_annotator``. ``sources``: analyse only those sources' images."""
    import pickle

    from backcare.camera.backend import MediaPipeBackend
    from backcare.camera.pipeline import analyze_image
    from backcare.camera.video import read_image
    from backcare.errors import BackcareError

    refs = only_sources(load_references(refs_path), sources)
    by_image: dict[str, list[Reference]] = defaultdict(list)
    for ref in refs:
        by_image[ref.image].append(ref)
    seconds = {r.image: r for r in second or ()}
    cameras = None
    cam_file = data / "tests" / "data" / "h36m" / "cameras.pkl"
    if cam_file.exists():
        with cam_file.open("rb") as fh:
            cameras = pickle.load(fh)
    rows: list[dict[str, Any]] = []
    backend = MediaPipeBackend(model=pose_model, static_image_mode=True)
    try:
        for image, candidates in sorted(by_image.items()):
            path = data / image
            if not path.exists():
                print(f"missing {path}: fetch it from the source in sources.csv", file=sys.stderr)
                continue
            row: dict[str, Any] = {"image": image, "source": candidates[0].source}
            try:
                analysis = analyze_image(path, backend)
            except BackcareError as exc:
                row.update(refused=str(exc), group=_group(candidates[0], cameras, image))
                rows.append(row)
                continue
            h, w = read_image(path).shape[:2]
            ref = pick_reference(analysis, candidates, w, h)
            row["backcare_view"] = analysis.view.view
            row["notes"] = list(analysis.series.meta.notes)  # for --json readers
            if ref is None:
                row.update(wrong_person=True, group="unmatched")
                rows.append(row)
                continue
            group = _group(ref, cameras, image)
            ref_angles = (
                reference_angles_3d(ref) if ref.space == "world_m" else reference_angles_2d(ref)
            )
            if ref.space == "image_px" and group != "side":
                ref_angles = dict.fromkeys(ref_angles, math.nan)
            got = measured(analysis)
            ref_angles = same_arm(ref_angles, got)
            ref_reba, ref_rula = reference_scores(ref_angles)
            # backcare's own angles scored the reference's way (no adjustments, neutral wrist,
            # no load): the score's error from the angles alone, without the range's width
            point = reference_scores(got)
            row.update(group=group, reference=ref_angles, measured=got)
            if ref.source == HANDPLACED[0] and group == "side":
                row["swapped"] = swapped_points(ref, analysis, w, h)
            other = seconds.get(image)
            if ref.source == HANDPLACED[0] and other is not None and same_person(ref, other):
                other_angles = same_arm(annotator_angles(other), got)
                mid = mean_angles(ref_angles, other_angles)
                (reba2, rula2), (reba_mid, rula_mid) = (
                    reference_scores(other_angles),
                    reference_scores(mid),
                )
                row["second"] = {
                    "reference": other_angles,
                    "reba": reba2,
                    "rula": rula2,
                    "reba_mean": reba_mid,
                    "rula_mean": rula_mid,
                }
            for method, ref_score, own in (
                ("reba", ref_reba, point[0]),
                ("rula", ref_rula, point[1]),
            ):
                fs = getattr(analysis.scores, method)
                lo = float(fs.score[0]) if fs is not None else math.nan
                hi = float(getattr(fs, "high", fs.score)[0]) if fs is not None else math.nan
                row[method] = {"reference": ref_score, "low": lo, "high": hi, "point": own}
            rows.append(row)
    finally:
        backend.close()
    summary = summarize(rows)
    if second:
        firsts = [r for r in refs if r.source == HANDPLACED[0]]
        summary["second_annotator"] = {
            "between_annotators": annotator_agreement(firsts, second),
            "backcare_vs": backcare_vs_annotators(rows),
        }
    return {"rows": rows, "summary": summary}


def _group(ref: Reference, cameras: Any, image: str) -> str:
    if ref.space == "world_m" and cameras is not None:
        name = Path(image).name
        subject = name.split("_", 1)[0]
        camera_id = name.split(".")[1].split("_")[0]
        rot = np.asarray(cameras[(subject, camera_id)]["R"], dtype=np.float64)
        forward = rot @ np.array([0.0, 0.0, 1.0])  # the optical axis in the world frame
        return world_view(ref, forward)
    view = reference_view(ref)
    return view if view != "3d" else "unknown"


def moment(image: str) -> tuple[str, str] | None:
    """``(moment, camera)`` of a multi-camera motion-capture frame, from its file name.

    Human3.6M: ``S1_Directions_1.54138969_000001.jpg`` is subject S1, action Directions_1,
    camera 54138969, frame 000001. MPI-INF-3DHP: ``S4_Seq2_Cam0_001033.jpg``. Two images with
    the same moment and different cameras show the same instant from two viewpoints.
    """
    stem = Path(image).stem
    if "." in stem and stem.startswith("S"):
        head, tail = stem.split(".", 1)
        camera, _, frame = tail.partition("_")
        return f"{head}:{frame}", camera
    parts = stem.split("_")
    if len(parts) == 4 and parts[2].startswith("Cam"):
        return f"{parts[0]}:{parts[1]}:{parts[3]}", parts[2]
    return None


def two_views(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """REBA agreement between two cameras on the same moment, both side or oblique views.

    Pairs of the reference's own side or oblique views (``moment``); the figures are those of
    ``pair_figures``."""
    by_moment: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        key = moment(r["image"])
        if key is not None and r.get("group") in ("side", "oblique"):
            by_moment[key[0]].append(r)
    pairs = [
        (a, b)
        for group in by_moment.values()
        for i, a in enumerate(group)
        for b in group[i + 1 :]
        if moment(a["image"]) != moment(b["image"])
    ]
    return pair_figures([pair_difference(_sample(a), _sample(b)) for a, b in pairs])


def _sample(row: dict[str, Any]) -> dict[str, Any]:
    """A row of ``run`` as a view sample of ``pair_difference``."""
    reba = row.get("reba") or {}
    return {
        **row.get("measured", {}),
        "reba_low": reba.get("low", math.nan),
        "reba_high": reba.get("high", math.nan),
    }


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label in ("side", "oblique", "front"):
        out[label] = figures([r for r in rows if r.get("group") == label])
    side = [r for r in rows if r.get("group") == "side"]
    out["side_by_source"] = {
        source: figures([r for r in side if r["source"] == source])
        for source in sorted({r["source"] for r in side})
    }
    out["wrong_person"] = sum(1 for r in rows if r.get("wrong_person"))
    out["upper_arm_error_source"] = upper_arm_error_source(side)
    out["two_views_of_one_moment"] = two_views(rows)
    return out


def upper_arm_error_source(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Upper-arm MAE against the reference per arm: the model's points, the model's elbow on the
    reference's trunk, and the reference's elbow on the model's trunk (see ``swapped_points``)."""
    errs: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        swapped = r.get("swapped")
        if not swapped:
            continue
        for side in ("left", "right"):
            ref = r["reference"].get(f"upper_arm_flexion_{side}", math.nan)
            got = r["measured"].get(f"upper_arm_flexion_{side}", math.nan)
            cells = {
                "model_points": got,
                "model_elbow": swapped.get(f"model_elbow_{side}", math.nan),
                "model_trunk": swapped.get(f"model_trunk_{side}", math.nan),
            }
            if math.isfinite(ref) and all(math.isfinite(v) for v in cells.values()):
                for key, value in cells.items():
                    errs[key].append(angle_error(value, ref))
    out: dict[str, Any] = {"arms": len(errs["model_points"])}
    for key, values in errs.items():
        out[f"{key}_mae_deg"] = round(float(np.mean(values)), 1)
    return out


def figures(sel: list[dict[str, Any]]) -> dict[str, Any]:
    """Angle errors and REBA/RULA agreement over some rows of ``run``."""
    entry: dict[str, Any] = {"images": len(sel)}
    entry["refused"] = sum(1 for r in sel if "refused" in r)
    for label in (*ANGLES, NECK_HEAD):
        angle = "neck_flexion" if label == NECK_HEAD else label
        rows = [r for r in sel if "measured" in r]
        if angle == "neck_flexion":  # ear references here, head points under NECK_HEAD
            ear = label == "neck_flexion"
            rows = [r for r in rows if (r["reference"].get("neck_from_ear", 1.0) == 1.0) == ear]
        errs = [
            angle_error(r["measured"][angle], r["reference"][angle])
            for r in rows
            if math.isfinite(r["measured"].get(angle, math.nan))
            and math.isfinite(r["reference"].get(angle, math.nan))
        ]
        withheld = sum(
            1
            for r in rows
            if math.isfinite(r["reference"].get(angle, math.nan))
            and not math.isfinite(r["measured"].get(angle, math.nan))
        )
        entry[f"{label}_mae_deg"] = round(float(np.mean(errs)), 1) if errs else None
        entry[f"{label}_n"] = len(errs)
        entry[f"{label}_withheld"] = withheld
    for method in ("reba", "rula"):
        scored = [
            r[method]
            for r in sel
            if method in r
            and r[method]["reference"] is not None
            and math.isfinite(r[method]["low"])
        ]
        refs_with_score = [r for r in sel if method in r and r[method]["reference"] is not None]
        entry[f"{method}_n"] = len(scored)
        entry[f"{method}_not_scored"] = len(refs_with_score) - len(scored)
        if scored:
            level = _level(method)
            exact = [s["low"] == s["high"] == s["reference"] for s in scored]
            within = [
                reba_gap(s["low"], s["high"], s["reference"], s["reference"]) <= 1 for s in scored
            ]
            same = [level(s["low"]) <= level(s["reference"]) <= level(s["high"]) for s in scored]
            entry[f"{method}_exact"] = round(float(np.mean(exact)), 2)
            entry[f"{method}_within_1"] = round(float(np.mean(within)), 2)
            entry[f"{method}_same_level"] = round(float(np.mean(same)), 2)
            entry[f"{method}_mean_range_width"] = round(
                float(np.mean([s["high"] - s["low"] for s in scored])), 2
            )
            # the stricter reading: backcare's angles scored like the reference, one number
            pts = [s for s in scored if s.get("point") is not None]
            if pts:
                gap = [abs(s["point"] - s["reference"]) for s in pts]
                entry[f"{method}_point_n"] = len(pts)
                entry[f"{method}_point_exact"] = round(float(np.mean([g == 0 for g in gap])), 2)
                entry[f"{method}_point_within_1"] = round(float(np.mean([g <= 1 for g in gap])), 2)
                entry[f"{method}_point_same_level"] = round(
                    float(np.mean([level(s["point"]) == level(s["reference"]) for s in pts])), 2
                )
                entry[f"{method}_point_mean_difference"] = round(float(np.mean(gap)), 2)
                entry[f"{method}_point_bias"] = round(
                    float(np.mean([s["point"] - s["reference"] for s in pts])), 2
                )
    return entry


def _level(method: str) -> Any:
    from backcare.posture.ergo_common import reba_tables, rula_tables

    levels = (reba_tables() if method == "reba" else rula_tables()).action_levels

    def level(score: float) -> int:
        return levels.for_score(int(score)).level

    return level
