"""Reference people of ``keypoints.csv``: reading and writing the file, the view a
reference shows, its angles and the REBA and RULA they give."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
REFERENCES = ROOT / "validation" / "camera" / "keypoints.csv"

ANGLES = ("trunk_flexion", "neck_flexion", "upper_arm_flexion", "knee_flexion")
#: Neck flexion against references that mark no ear (Human3.6M's head centre, LSP's and
#: MPI-INF-3DHP's head top, JHMDB's head): the shoulder-to-head-top line stands steeper than the
#: shoulder-to-ear line that backcare and REBA raters use, so a forward head reads less there.
#: Reported apart from the neck figures against ears; still used for the reference's REBA.
NECK_HEAD = "neck_flexion_vs_head_point"


def write_references(path: Path, rows: list[dict[str, Any]]) -> int:
    """Replace the rows of the sources in ``rows`` in ``path``; other sources' rows stay.

    The new rows take the place of the first row they replace (the end when there is none), so
    regenerating one source leaves the file's order as it was."""
    sources = {r["source"] for r in rows}
    old: list[dict[str, Any]] = []
    if path.exists():
        with path.open(newline="") as fh:
            old = list(csv.DictReader(fh))
    kept = [r for r in old if r["source"] not in sources]
    first = next((i for i, r in enumerate(old) if r["source"] in sources), len(old))
    at = sum(1 for r in old[:first] if r["source"] not in sources)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([*kept[:at], *rows, *kept[at:]])
    return len(rows)


def _row(
    source: str, image: str, person: int, joint: str, x: float, y: float, z: float, *, space: str
) -> dict[str, Any]:
    return {
        "source": source,
        "image": image,
        "person": person,
        "joint": joint,
        "x": round(float(x), 4),
        "y": round(float(y), 4),
        "z": "" if math.isnan(z) else round(float(z), 4),
        "space": space,
    }


@dataclass
class Reference:
    source: str
    image: str
    person: int
    space: str
    joints: dict[str, np.ndarray] = field(default_factory=dict)

    def mid(self, a: str, b: str) -> np.ndarray | None:
        if a in self.joints and b in self.joints:
            out: np.ndarray = 0.5 * (self.joints[a] + self.joints[b])
            return out
        return None


def only_sources(refs: list[Reference], names: list[str] | None) -> list[Reference]:
    """The references of the named sources (all of them when ``names`` is empty or None); an
    unknown name is an error rather than an empty run."""
    if not names:
        return refs
    unknown = sorted(set(names) - {r.source for r in refs})
    if unknown:
        raise ValueError(f"no references of source {', '.join(unknown)}")
    return [r for r in refs if r.source in names]


def load_references(path: Path) -> list[Reference]:
    with path.open(newline="") as fh:
        return references_from_rows(csv.DictReader(fh))


def references_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[Reference]:
    """People of ``keypoints.csv`` rows (as read from the file or made by a ``build_*``)."""
    refs: dict[tuple[str, int], Reference] = {}
    for row in rows:
        key = (row["image"], int(row["person"]))
        ref = refs.setdefault(key, Reference(row["source"], row["image"], key[1], row["space"]))
        xyz = [float(row["x"]), float(row["y"])]
        if row["space"] == "world_m":
            xyz.append(float(row["z"]))
        ref.joints[row["joint"]] = np.asarray(xyz)
    return list(refs.values())


def _deg(v: np.ndarray) -> float:
    return float(np.degrees(v))


def reference_view(ref: Reference) -> str:
    """side / oblique / front from the reference itself."""
    sh = (ref.joints.get("left_shoulder"), ref.joints.get("right_shoulder"))
    hip = ref.mid("left_hip", "right_hip")
    top = ref.mid("left_shoulder", "right_shoulder")
    if sh[0] is None or sh[1] is None or hip is None or top is None:
        return "unknown"
    if ref.space == "world_m":
        return "3d"
    # the shoulder width across the torso: a camera looking down (or a body lying across the
    # picture) turns a side-on shoulder line along the torso, which is no width at all
    torso = top - hip
    length = max(float(np.linalg.norm(torso)), 1e-9)
    line = sh[0] - sh[1]
    across = abs(float(torso[0] * line[1] - torso[1] * line[0])) / length
    ratio = across / length
    return "side" if ratio < 0.35 else ("front" if ratio > 0.55 else "oblique")


def world_view(ref: Reference, camera_forward: np.ndarray) -> str:
    """View of a motion-capture pose from the camera's horizontal viewing direction."""
    line = ref.joints["left_shoulder"] - ref.joints["right_shoulder"]
    line[2] = 0.0
    fwd = camera_forward.copy()
    fwd[2] = 0.0
    cos = abs(float(line @ fwd)) / max(float(np.linalg.norm(line) * np.linalg.norm(fwd)), 1e-9)
    yaw = math.degrees(math.asin(min(1.0, cos)))
    return "front" if yaw < 30 else ("side" if yaw > 60 else "oblique")


def reference_angles_3d(ref: Reference) -> dict[str, float]:
    from backcare.posture.angles import joint_angles

    names = [
        "left_hip",
        "right_hip",
        "left_shoulder",
        "right_shoulder",
        "left_elbow",
        "right_elbow",
        "left_wrist",
        "right_wrist",
        "left_knee",
        "right_knee",
        "left_ankle",
        "right_ankle",
    ]
    pts = {n: ref.joints[n] for n in names if n in ref.joints}
    neck_from_ear = 0.0
    if "head" in ref.joints:
        # no ears in the motion-capture sample: the head centre stands in for the ear midpoint
        pts["left_ear"] = pts["right_ear"] = ref.joints["head"]
    out = {k: float(v[0]) for k, v in joint_angles(pts).items()}
    angles = {
        "neck_from_ear": neck_from_ear,
        "trunk_flexion": out.get("trunk_flexion", math.nan),
        "neck_flexion": out.get("neck_flexion", math.nan),
        "upper_arm_flexion": _raised(out, "upper_arm_flexion"),
        "knee_flexion": max(out.get("knee_flexion_left", -1), out.get("knee_flexion_right", -1)),
        "elbow_flexion": _elbow_of_raised(out),
    }
    for side in ("left", "right"):
        angles[f"upper_arm_flexion_{side}"] = out.get(f"upper_arm_flexion_{side}", math.nan)
        angles[f"elbow_flexion_{side}"] = out.get(f"elbow_flexion_{side}", math.nan)
        angles[f"knee_flexion_{side}"] = out.get(f"knee_flexion_{side}", math.nan)
    return {k: (math.nan if v == -1 else v) for k, v in angles.items()}


def _raised(out: dict[str, float], prefix: str) -> float:
    values = [out.get(f"{prefix}_{s}", math.nan) for s in ("left", "right")]
    values = [v for v in values if math.isfinite(v)]
    return max(values, key=abs) if values else math.nan


def _elbow_of_raised(out: dict[str, float]) -> float:
    best = None
    for side in ("left", "right"):
        ua = out.get(f"upper_arm_flexion_{side}", math.nan)
        if math.isfinite(ua) and (best is None or abs(ua) > abs(best[0])):
            best = (ua, out.get(f"elbow_flexion_{side}", math.nan))
    return best[1] if best else math.nan


#: Upper-arm extension beyond this many degrees is read as an arm raised overhead past vertical.
OVERHEAD_EXTENSION = 90.0


#: An upper arm drawn shorter than this share of the torso points towards or away from the
#: camera (an adult's upper arm is about 0.6 of the shoulder-to-hip length in the picture's
#: plane; 0.4 means it leans some 45 deg out of it), so its angle in the picture is not its
#: flexion.
ARM_IN_PLANE = 0.4


def arm_in_plane(shoulder: np.ndarray, elbow: np.ndarray, torso: float) -> bool:
    """Whether a hand-placed upper arm lies near enough the picture's plane to measure."""
    return float(np.linalg.norm(elbow - shoulder)) >= ARM_IN_PLANE * torso


def knee_facing(joints: dict[str, np.ndarray], min_bend: float = 30.0) -> float | None:
    """+1 when a side-view person (pixels, y down) faces +x, -1 when -x, from the bent knees.

    The shin turns backwards from the thigh when a knee bends; seen from the side, the sense
    of that turn gives the way the person faces whatever the trunk does (a forward bend and a
    back arch over a bar look alike from the hips, shoulders and head alone). Knees bent less
    than ``min_bend`` degrees give no answer, nor do two bent knees that disagree (a leg out
    of the picture's plane)."""
    votes = set()
    for side in ("left", "right"):
        h, k, a = (joints.get(f"{side}_{p}") for p in ("hip", "knee", "ankle"))
        if h is None or k is None or a is None:
            continue
        thigh, shin = k - h, a - k
        cross = float(thigh[0] * shin[1] - thigh[1] * shin[0])
        bend = math.degrees(math.atan2(abs(cross), float(thigh @ shin)))
        if bend >= min_bend:
            # y down: facing +x turns the shin clockwise on screen, a positive cross product
            votes.add(1.0 if cross > 0 else -1.0)
    return votes.pop() if len(votes) == 1 else None


def reference_angles_2d(ref: Reference) -> dict[str, float]:
    """Sagittal angles in the image plane (valid for side views only)."""
    j = ref.joints

    def up(v: np.ndarray) -> np.ndarray:
        return np.array([v[0], -v[1]])  # image y grows downwards

    hip = ref.mid("left_hip", "right_hip")
    sh = ref.mid("left_shoulder", "right_shoulder")
    out = dict.fromkeys(ANGLES, math.nan)
    out["elbow_flexion"] = math.nan
    if hip is None or sh is None:
        return out
    trunk = up(sh - hip)
    # facing: first from a bent knee (a knee bends one way only, so the turn from thigh to shin
    # tells which way the person faces, upright, bent over or arched back alike); otherwise the
    # side of the trunk the head (nose, ears) or the toes/knees lie on; in a deep bend (head
    # more than half a torso ahead of the hips) the head's side, since straight legs then slant
    # back behind the hips
    ahead = knee_facing(j)
    head = j.get("nose", j.get("head"))
    torso = float(np.linalg.norm(sh - hip))
    if ahead is None and head is not None and abs(head[0] - hip[0]) > 0.5 * torso:
        ahead = 1.0 if head[0] > hip[0] else -1.0
    for a, b in (("nose", None), ("left_knee", "right_knee")):
        if ahead is not None:
            break
        p = j.get(a) if b is None else ref.mid(a, b)
        if p is not None:
            ahead = 1.0 if (p[0] - (sh[0] if b is None else hip[0])) > 0 else -1.0
    if ahead is None:
        return out

    def signed_from(axis: np.ndarray, v: np.ndarray) -> float:
        # angle from axis to v, positive towards the facing direction
        ang = math.degrees(math.atan2(v[0], v[1]) - math.atan2(axis[0], axis[1]))
        ang = (ang + 180.0) % 360.0 - 180.0
        return ang * ahead

    out["trunk_flexion"] = signed_from(np.array([0.0, 1.0]), trunk)
    ear = ref.mid("left_ear", "right_ear")
    if ear is None:
        ear = j.get("left_ear", j.get("right_ear"))
    out["neck_from_ear"] = 1.0 if ear is not None else 0.0
    if ear is None:
        ear = j.get("head")  # head top or centre: a steeper line than the ear's (see NECK)
    if ear is not None:
        out["neck_flexion"] = signed_from(trunk, up(ear - sh))
    arms = []
    for side in ("left", "right"):
        s, e, w = (j.get(f"{side}_{p}") for p in ("shoulder", "elbow", "wrist"))
        if s is not None and e is not None and arm_in_plane(s, e, torso):
            flex = -signed_from(-trunk, up(e - s))  # forward of the trunk is flexion
            if flex < -OVERHEAD_EXTENSION:
                # a shoulder does not extend this far: the arm is raised overhead and tipped
                # back past the trunk's line, flexion beyond 180 deg
                flex += 360.0
            elbow = math.nan
            if w is not None:
                a, b = up(e - s), up(w - e)
                elbow = math.degrees(math.atan2(abs(a[0] * b[1] - a[1] * b[0]), a @ b))
            arms.append((flex, elbow))
            out[f"upper_arm_flexion_{side}"], out[f"elbow_flexion_{side}"] = flex, elbow
    if arms:
        flex, elbow = max(arms, key=lambda t: abs(t[0]))
        out["upper_arm_flexion"], out["elbow_flexion"] = flex, elbow
    knees = []
    for side in ("left", "right"):
        h, k, a = (j.get(f"{side}_{p}") for p in ("hip", "knee", "ankle"))
        if h is not None and k is not None and a is not None:
            u, v = up(k - h), up(a - k)
            knees.append(math.degrees(math.atan2(abs(u[0] * v[1] - u[1] * v[0]), u @ v)))
            out[f"knee_flexion_{side}"] = knees[-1]
    if knees:
        out["knee_flexion"] = max(knees)
    return out


def reference_scores(angles: dict[str, float]) -> tuple[int | None, int | None]:
    """REBA and RULA of the reference angles (no adjustments, neutral wrist, no load)."""
    from backcare.posture.reba import RebaInputs, reba
    from backcare.posture.rula import RulaInputs, rula

    need = ("trunk_flexion", "neck_flexion", "upper_arm_flexion", "elbow_flexion")
    if not all(math.isfinite(angles.get(k, math.nan)) for k in need):
        return None, None
    knee = angles.get("knee_flexion", math.nan)
    # flexion past 180 deg (overhead, tipped back) scores as the top band; the calculator's
    # inputs stop at 180
    arm = min(angles["upper_arm_flexion"], 180.0)
    r = reba(
        RebaInputs(
            trunk_flexion_deg=angles["trunk_flexion"],
            neck_flexion_deg=angles["neck_flexion"],
            upper_arm_flexion_deg=arm,
            lower_arm_flexion_deg=angles["elbow_flexion"],
            wrist_flexion_deg=0.0,
            knee_flexion_deg=knee if math.isfinite(knee) else 0.0,
        )
    ).score
    u = rula(
        RulaInputs(
            trunk_flexion_deg=angles["trunk_flexion"],
            neck_flexion_deg=angles["neck_flexion"],
            upper_arm_flexion_deg=arm,
            lower_arm_flexion_deg=angles["elbow_flexion"],
            wrist_flexion_deg=0.0,
        )
    ).score
    return r, u
