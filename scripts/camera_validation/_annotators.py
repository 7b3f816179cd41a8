"""A second annotator's placement of the hand-placed photos against the first."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._handplaced import HANDPLACED_JOINTS
from ._measured import angle_error
from ._references import (
    ANGLES,
    ROOT,
    Reference,
    reference_angles_2d,
    reference_scores,
    reference_view,
)

#: The second, independent hand placement of the work photos (the columns of ``handplaced.csv``).
SECOND_ANNOTATOR = ROOT / "validation" / "camera" / "handplaced_second.csv"
#: Two hand placements of one photo describe different people when the median distance between
#: their shoulders, hips and nose exceeds this share of the torso length.
SAME_PERSON = 0.5
#: Joints whose placement is compared between annotators.
COMPARED_JOINTS = tuple(sorted(HANDPLACED_JOINTS))


def annotator_angles(ref: Reference) -> dict[str, float]:
    """The reference angles of one hand placement as the comparison reads them.

    Sagittal angles of a side view (``reference_angles_2d``); none where the placement itself
    shows an oblique or front view, as for the first annotator in ``run``."""
    angles = reference_angles_2d(ref)
    if reference_view(ref) != "side":
        return dict.fromkeys(angles, math.nan)
    return angles


def _torso(ref: Reference) -> float | None:
    hip = ref.mid("left_hip", "right_hip")
    top = ref.mid("left_shoulder", "right_shoulder")
    if hip is None or top is None:
        return None
    return float(np.linalg.norm(top - hip)) or None


def same_person(a: Reference, b: Reference) -> bool:
    """Whether two hand placements of one photo are of the same person (``SAME_PERSON``)."""
    torso = _torso(a)
    common = [
        j
        for j in ("left_shoulder", "right_shoulder", "left_hip", "right_hip", "nose")
        if j in a.joints and j in b.joints
    ]
    if torso is None or not common:
        return False
    d = [float(np.linalg.norm(a.joints[j] - b.joints[j])) for j in common]
    return float(np.median(d)) < SAME_PERSON * torso


def mean_angle(a: float, b: float) -> float:
    """The angle halfway between two angles in degrees, the short way round the circle."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.nan
    return a + ((b - a + 180.0) % 360.0 - 180.0) / 2.0


def mean_angles(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    """Angle by angle, the mean of two annotators' reference angles (NaN where one lacks it)."""
    return {k: mean_angle(a[k], b.get(k, math.nan)) for k in a}


def _facing(ref: Reference) -> float | None:
    """+1 when a side-view placement faces +x, -1 when -x: the nose lies ahead of the ear."""
    ear = ref.mid("left_ear", "right_ear")
    if ear is None:
        ear = ref.joints.get("left_ear", ref.joints.get("right_ear"))
    nose = ref.joints.get("nose")
    if ear is None or nose is None or nose[0] == ear[0]:
        return None
    return 1.0 if nose[0] > ear[0] else -1.0


def annotator_agreement(first: list[Reference], second: list[Reference]) -> dict[str, Any]:
    """How far two independent hand placements of the same photos lie apart.

    Photos are matched by image; a pair placed on different people (``same_person``) is set
    aside and named. For every angle of ``ANGLES``: the mean absolute difference between the
    annotators' reference angles over the photos where both give one (the short way round the
    circle), the mean signed difference (second minus first) and n. REBA and RULA of each
    annotator's angles (``reference_scores``): exact and within +-1 agreement. Per joint: the
    mean distance between the two placements as a share of the first annotator's torso length,
    and the mean offset of the second from the first along the way the person faces (positive:
    ahead) and upwards (positive: higher), also in torso lengths, where the first placement shows
    which way the person faces."""
    firsts = {r.image: r for r in first}
    pairs, different = [], []
    for b in second:
        a = firsts.get(b.image)
        if a is None:
            continue
        if same_person(a, b):
            pairs.append((a, b))
        else:
            different.append(b.image)
    out: dict[str, Any] = {"photos": len(pairs), "different_person": sorted(different)}
    angles = [(annotator_angles(a), annotator_angles(b)) for a, b in pairs]
    for name in ANGLES:
        both = [
            (x[name], y[name])
            for x, y in angles
            if math.isfinite(x[name]) and math.isfinite(y[name])
        ]
        diffs = [angle_error(x, y) for x, y in both]
        signed = [(y - x + 180.0) % 360.0 - 180.0 for x, y in both]
        out[f"{name}_mean_abs_diff_deg"] = round(float(np.mean(diffs)), 1) if diffs else None
        out[f"{name}_mean_signed_diff_deg"] = round(float(np.mean(signed)), 1) if signed else None
        out[f"{name}_n"] = len(diffs)
    for index, method in enumerate(("reba", "rula")):
        scores = [(reference_scores(x)[index], reference_scores(y)[index]) for x, y in angles]
        scored = [(x, y) for x, y in scores if x is not None and y is not None]
        out[f"{method}_n"] = len(scored)
        if scored:
            out[f"{method}_exact"] = round(float(np.mean([x == y for x, y in scored])), 2)
            out[f"{method}_within_1"] = round(
                float(np.mean([abs(x - y) <= 1 for x, y in scored])), 2
            )
            out[f"{method}_mean_abs_diff"] = round(
                float(np.mean([abs(x - y) for x, y in scored])), 2
            )
    joints: dict[str, dict[str, Any]] = {}
    for joint in COMPARED_JOINTS:
        dist, ahead, up = [], [], []
        for a, b in pairs:
            torso = _torso(a)
            if torso is None or joint not in a.joints or joint not in b.joints:
                continue
            d = b.joints[joint] - a.joints[joint]
            dist.append(float(np.linalg.norm(d)) / torso)
            facing = _facing(a)
            if facing is not None:
                ahead.append(float(d[0]) * facing / torso)
                up.append(-float(d[1]) / torso)  # image y grows downwards
        if dist:
            joints[joint] = {
                "n": len(dist),
                "mean_distance_torso": round(float(np.mean(dist)), 3),
                "mean_ahead_torso": round(float(np.mean(ahead)), 3) if ahead else None,
                "mean_up_torso": round(float(np.mean(up)), 3) if up else None,
            }
    out["joints"] = joints
    return out


def backcare_vs_annotators(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """backcare's angle errors against the first annotator, the second and their mean.

    Over the rows of ``run`` that carry both annotators (``second``), per angle on the same
    photos for all three (those where backcare and both annotators give a value), so that the
    three errors can be set side by side and beside the annotators' own spread; and REBA within
    +-1 of backcare's range against each annotator's score and the score of their mean angles."""
    sel = [r for r in rows if "measured" in r and "second" in r]
    out: dict[str, Any] = {"photos": len(sel)}
    for name in ANGLES:
        errs: dict[str, list[float]] = {"first": [], "second": [], "mean": [], "between": []}
        for r in sel:
            got = r["measured"].get(name, math.nan)
            a, b = r["reference"].get(name, math.nan), r["second"]["reference"].get(name, math.nan)
            if not all(math.isfinite(v) for v in (got, a, b)):
                continue
            errs["first"].append(angle_error(got, a))
            errs["second"].append(angle_error(got, b))
            errs["mean"].append(angle_error(got, mean_angle(a, b)))
            errs["between"].append(angle_error(a, b))
        out[name] = {"n": len(errs["first"])} | {
            f"{k}_deg": round(float(np.mean(v)), 1) if v else None for k, v in errs.items()
        }
    for method in ("reba", "rula"):
        within: dict[str, list[bool]] = {"first": [], "second": [], "mean": []}
        for r in sel:
            got = r.get(method)
            refs = (got or {}).get("reference"), r["second"][method], r["second"][f"{method}_mean"]
            if not got or not math.isfinite(got["low"]) or any(x is None for x in refs):
                continue
            for key, ref in zip(within, refs, strict=True):
                within[key].append(got["low"] - 1 <= ref <= got["high"] + 1)
        out[f"{method}_n"] = len(within["first"])
        for key, values in within.items():
            out[f"{method}_within_1_vs_{key}"] = (
                round(float(np.mean(values)), 2) if values else None
            )
    return out


def second_annotator_text(figures: dict[str, Any]) -> str:
    """The two-annotator figures of ``run``'s summary in plain lines."""
    between, vs = figures["between_annotators"], figures["backcare_vs"]
    lines = [f"Two annotators, {between['photos']} photos of the same person"]
    if between["different_person"]:
        lines.append(f"  placed on different people: {', '.join(between['different_person'])}")
    for name in ANGLES:
        if between[f"{name}_n"]:
            lines.append(
                f"  {name}: annotators differ by {between[f'{name}_mean_abs_diff_deg']} deg "
                f"on average (second minus first {between[f'{name}_mean_signed_diff_deg']:+}), "
                f"n = {between[f'{name}_n']}"
            )
    for method in ("reba", "rula"):
        if between[f"{method}_n"]:
            lines.append(
                f"  {method.upper()} between annotators: exact {between[f'{method}_exact']:.0%}, "
                f"within +-1 {between[f'{method}_within_1']:.0%}, n = {between[f'{method}_n']}"
            )
    lines.append(f"backcare against each annotator ({vs['photos']} photos matched)")
    for name in ANGLES:
        f = vs[name]
        if f["n"]:
            lines.append(
                f"  {name} MAE: first {f['first_deg']}, second {f['second_deg']}, "
                f"their mean {f['mean_deg']} deg (annotators apart {f['between_deg']}), "
                f"n = {f['n']}"
            )
    for method in ("reba", "rula"):
        if vs[f"{method}_n"]:
            shares = ", ".join(
                f"{key} {vs[f'{method}_within_1_vs_{key}']:.0%}"
                for key in ("first", "second", "mean")
            )
            n = vs[f"{method}_n"]
            lines.append(f"  {method.upper()} within +-1 of backcare's range: {shares}, n = {n}")
    for joint, j in between["joints"].items():
        lines.append(
            f"  {joint}: placements {j['mean_distance_torso']:.2f} torso apart, second "
            f"{j['mean_ahead_torso']} ahead and {j['mean_up_torso']} up, n = {j['n']}"
        )
    return "\n".join(lines)
