"""Validate backcare's camera angles and REBA/RULA against independent references.

Not part of the unit tests: it needs images that the project does not ship. One command::

    .venv/bin/python scripts/validate_camera.py --data DIR

``DIR`` holds the images named in ``validation/camera/sources.csv`` at their paths there (for
example ``DIR/tests/data/h36m/S1/.../S1_Directions_1.54138969_000001.jpg``): the test data of
the public pose-estimation project listed in that file, at the commit listed. The reference
keypoints are in ``validation/camera/keypoints.csv``:

* ``space = world_m``: motion-capture joints (Human3.6M) in metres, already turned into a
  gravity frame (+z up) with the dataset's own camera parameters. They give every angle from
  every view.
* ``space = image_px``: keypoints placed by human annotators (COCO, OCHuman, PoseTrack, MPII)
  in pixels. They give
  sagittal angles only where the reference itself shows a side view (shoulder width under 0.35
  of the torso length in the image); other views are left out of those angles.

``--build-references MMPOSE_DIR`` regenerates ``keypoints.csv`` from a checkout of that
project's ``tests/data`` (it reads ``h36m/test_h36m.npz`` with ``h36m/cameras.pkl``, the
COCO-style files listed in ``COCO_STYLE`` (COCO, OCHuman, PoseTrack, AI Challenger,
CrowdPose, MHP, JHMDB, ExLPose, Human-Art's photos of real people),
``mpi_inf_3dhp/test_3dhp_*.npz`` (motion capture projected into the picture) and
``mpii/test_mpii.json``).

A second source adds several hundred side views: the Leeds Sports Pose Extended set (LSPET,
10,000 Flickr photos of parkour, gymnastics and athletics with 14 joints clicked by paid
annotators), from the mirror listed in ``sources.csv``. Lay it out as ``DIR/lspet/images/
im00001.jpg`` ... (the mirror's ``images`` folder under ``DIR/lspet``). ``--build-lspet
LSPET_DIR`` reads ``LSPET_DIR/joints.mat`` and writes the rows of source ``lspet`` into
``keypoints.csv`` (the other sources' rows stay; ``--build-references`` likewise keeps the
``lspet`` rows). Only photos whose own keypoints show a side view and a posture a worker can
take are kept (see ``lspet_posture``). LSPET has no ears or nose: its ``head top`` stands in for
the ear (neck flexion is the angle between the trunk and the line from the shoulder midpoint to
the head top) and its ``neck`` point is not used; trunk flexion comes from the hip and shoulder
midpoints, the upper arm from shoulder to elbow, the knee from hip, knee and ankle. Joints the
annotators marked as not visible are left out, and an angle that needs one is not computed.

A third source is photos of people at work (desk work, lifting, stooping, squatting,
reaching) from public repositories, with keypoints placed by hand for this project on a
labelled pixel grid, without a pose model, and checked by drawing them on the photo.
``validation/camera/handplaced.csv`` holds one line per joint: ``repository`` (owner/name),
``commit``, ``path`` (the photo's path in that repository at that commit), ``joint`` (COCO's
names: nose, left/right ear, shoulder, elbow, wrist, hip, knee, ankle), ``x``, ``y`` (pixels of
the original photo) and ``placed_by``. Only joints seen or located with confidence are placed;
the far shoulder and hip of a side view, hidden behind the body, are placed where they lie
behind it. Lay the photos out as ``DIR/handplaced/OWNER/NAME/PATH`` (``git show
COMMIT:PATH`` from each repository listed in ``sources.csv``). ``--build-handplaced FILE``
reads that file and writes the rows of source ``handplaced`` into ``keypoints.csv`` (the other
sources' rows stay).

A fourth source scores REBA as people do: ``validation/camera/rater_scores.csv``, 72 phone photos
of lifting, carrying to a table and till work (one person in a motion-capture suit), each moment
filmed by two phones at once and each photo scored with REBA by the person who filmed it, from
the project listed in ``sources.csv`` (its spreadsheet of REBA scores; the matching photo is the
one whose file name carries the same take, rater and second of video). One line per photo:
``repository``, ``commit``, ``path``, ``moment`` (the same for both phones' photos of one
instant), ``rater``, ``seconds``, ``reba`` and the rater's part scores (``neck`` ... ``wrist``,
``force_load``, ``coupling``, ``activity``), and ``motion_capture_reba``: the same project's
REBA of that instant read off the motion-capture replay. backcare is given the load (the middle
of the rater's force band: 0, 7.5 or 15 kg) and the grip (coupling), as an ergonomist would,
and its REBA range is compared with the rater's score: within +-1 (the score lies within one
point of the range), same action level, the range's width, and its lowest end (what the camera
saw, unseen adjustments counted as absent) as one number. The two phones of one moment give the
two-view figure (``two_phones``): how far apart backcare's REBA lies when both photos are side
or oblique views, next to how far apart the two raters' scores lie. The photos lie under
``DIR/handplaced/OWNER/NAME/PATH`` like the hand-placed ones.

``--only-source NAME`` (may be repeated) measures only the images of those sources (the
``source`` column of ``keypoints.csv``: ``handplaced``, ``lspet``, ``coco`` ..., or ``raters``
for the photos scored by raters), for example ``--only-source handplaced`` for the work photos
alone, without running the pose model over the several hundred other images.

For every hand-placed side view the way the person faces (which sets the sign of flexion) comes
first from a knee bent 30 deg or more (``knee_facing``), then from the head, nose or knees as
before; a reference upper arm more than 90 deg behind the trunk is an arm raised overhead and
tipped back, so it counts as flexion past 180 deg; an upper arm drawn shorter than 0.4 of the
torso points at or away from the camera and gives no upper-arm angle (``arm_in_plane``).

A second annotator placed the same photos' joints again, independently (without seeing the first
placement or any pose model's output): ``validation/camera/handplaced_second.csv``, same columns.
``--second-annotator FILE`` (by default that file, when it exists; ``none`` skips it) reads it,
computes its reference angles and scores with the same functions as the first annotator's, and
adds to the summary ``second_annotator``: between the annotators (``annotator_agreement``) the
mean absolute and mean signed difference per angle, REBA and RULA exact and within +-1 agreement,
and per joint how far the two placements lie apart (in torso lengths, ahead and up); and
backcare's angle error against the first annotator, the second and their mean on the same photos
(``backcare_vs_annotators``), so that its error can be read beside the reference's own spread. A
photo where the two placed different people is set aside and named.

For the hand-placed side views the summary's ``upper_arm_error_source`` says where the upper-arm
error comes from: the reference's angles recomputed with the pose model's elbows on the
reference's shoulders and hips, and with the reference's elbows on the model's shoulders and hips
(``swapped_points``).

For each image the script runs the same analysis as ``backcare camera analyze`` (MediaPipe
0.10.14), picks the reference person nearest the analysed one, and prints:

* mean absolute error per angle (trunk flexion, neck flexion, upper-arm flexion of the more
  raised arm, knee flexion of the more bent knee) over the images where both have a value,
  the short way round the circle (an arm overhead reads near +180 or -180);
* REBA and RULA agreement with the score the reference angles give (no adjustments, wrist
  neutral, no load, a photo's timing): exact (backcare's range is that one score), within +-1
  (the reference lies within one point of backcare's range), same action level (the
  reference's level is within the range's levels), and the mean width of backcare's range;
* refusals (no person, or no score) and the wrong person (no reference person near);

separately for side, oblique and front views (the reference's view), side views again per
source (``side_by_source``: hand-clicked sports photos and motion capture differ); and, for
motion-capture frames filmed by several cameras at once (same subject, action and frame,
different camera), how far apart the REBA of two views of the same moment lies when both are
side or oblique views.

Two cameras filming the same moment, without a reference: synchronised lab videos (frame k of
every camera is the same instant) laid out as ``DIR/pose2sim/RECORDING/videos/camNN.mp4`` with
the lab's Qualisys calibration as ``DIR/pose2sim/RECORDING/Calib.qca.txt`` (the recordings and
commits are in ``sources.csv``). ``--data DIR`` compares them whenever ``DIR/pose2sim`` exists;
``--two-view`` does only that::

    .venv/bin/python scripts/validate_camera.py --data DIR --two-view [--every 5]
        [--two-view-mode photos|video|both] [--json FILE]

Every ``--every``-th frame is compared, read two ways: as a photo on its own (the frame saved as
a JPEG and analysed like ``backcare camera analyze`` analyses a photo, as an ergonomist would
with two phones taking a picture at once) and from the whole video analysed through
``backcare.analyze_media`` (the person tracked). For every two cameras at every moment it
reports (``pair_figures``): the pairs where backcare reads both views as side or oblique, those
with a REBA range in both, the gap between the two ranges (0 when they share a score; within 1
point is the goal) and the difference of their midpoints, the trunk, upper-arm (flexion and
abduction) and knee differences, and the pairs left out and why: nobody found, a front view,
or the cameras analysed two different people. The calibration tells the last: the lines of
sight through the hip midpoints must meet near one point (``other_person``). It also gives a
geometric check that needs no annotation (``lab_trunk``): hips and shoulders put in the lab's
space from all views give the trunk's forward and sideways lean and the way the pelvis faces,
hence from which side each camera really sees the person (``lab_view``), against which
backcare's view and trunk flexion are counted (``lab_figures``). Each camera's place round the
platform is printed.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = ROOT / "validation" / "camera" / "keypoints.csv"
RATER_SCORES = ROOT / "validation" / "camera" / "rater_scores.csv"
ANGLES = ("trunk_flexion", "neck_flexion", "upper_arm_flexion", "knee_flexion")
#: Neck flexion against references that mark no ear (Human3.6M's head centre, LSP's and
#: MPI-INF-3DHP's head top, JHMDB's head): the shoulder-to-head-top line stands steeper than the
#: shoulder-to-ear line that backcare and REBA raters use, so a forward head reads less there.
#: Reported apart from the neck figures against ears; still used for the reference's REBA.
NECK_HEAD = "neck_flexion_vs_head_point"

# SPIN's 24-joint layout used by the Human3.6M sample (index: name; ears are absent there).
H36M_JOINTS = {
    0: "right_ankle",
    1: "right_knee",
    2: "right_hip",
    3: "left_hip",
    4: "left_knee",
    5: "left_ankle",
    6: "right_wrist",
    7: "right_elbow",
    8: "right_shoulder",
    9: "left_shoulder",
    10: "left_elbow",
    11: "left_wrist",
    12: "neck",
    18: "head",
}
#: Other datasets' head points under the names the angle code reads (after lower case, with
#: spaces and hyphens as underscores).
_JOINT_ALIASES = {"head_top": "head", "head_bottom": "neck", "upper_neck": "neck"}
#: COCO-style annotation files in the pose project's test data: (source, json, image folder).
#: Human-Art keeps only its photos of real people (not paintings or figurines).
COCO_STYLE = (
    ("coco", "coco/test_coco.json", "coco"),
    ("ochuman", "ochuman/test_ochuman.json", "ochuman"),
    ("posetrack18", "posetrack18/annotations/test_posetrack18_val.json", "posetrack18"),
    ("aic", "aic/test_aic.json", "aic"),
    ("crowdpose", "crowdpose/test_crowdpose.json", "crowdpose"),
    ("mhp", "mhp/test_mhp.json", "mhp"),
    ("jhmdb", "jhmdb/test_jhmdb_sub1.json", "jhmdb"),
    ("exlpose", "exlpose/test_exlpose.json", "exlpose"),
    ("humanart", "humanart/test_humanart.json", "humanart"),
)
#: MPI-INF-3DHP's 17 joints (the order of the sample's ``part`` array).
MPI3DHP_JOINTS = {
    0: "head",
    1: "neck",
    2: "right_shoulder",
    3: "right_elbow",
    4: "right_wrist",
    5: "left_shoulder",
    6: "left_elbow",
    7: "left_wrist",
    8: "right_hip",
    9: "right_knee",
    10: "right_ankle",
    11: "left_hip",
    12: "left_knee",
    13: "left_ankle",
}


def _joint_name(name: str) -> str:
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    return _JOINT_ALIASES.get(key, key)


def _image_path(prefix: str, file_name: str) -> str | None:
    if prefix == "humanart":
        if "/real_human/" not in file_name:
            return None
        file_name = file_name.split("/images/", 1)[1]
    return f"tests/data/{prefix}/{file_name}"


MPII_JOINTS = {
    0: "right_ankle",
    1: "right_knee",
    2: "right_hip",
    3: "left_hip",
    4: "left_knee",
    5: "left_ankle",
    7: "neck",
    9: "head",
    10: "right_wrist",
    11: "right_elbow",
    12: "right_shoulder",
    13: "left_shoulder",
    14: "left_elbow",
    15: "left_wrist",
}


#: Leeds Sports Pose's 14 joints in the order of ``joints.mat`` (its "head top" is read as the
#: head; its "neck" point lies between the shoulders and the chin and is kept but not used).
LSP_JOINTS = (
    "right_ankle",
    "right_knee",
    "right_hip",
    "left_hip",
    "left_knee",
    "left_ankle",
    "right_wrist",
    "right_elbow",
    "right_shoulder",
    "left_shoulder",
    "left_elbow",
    "left_wrist",
    "neck",
    "head",
)
#: Source name and image folder of the LSPET photos under ``--data``.
LSPET = ("lspet", "lspet/images")


def lsp_joints(frame: np.ndarray) -> dict[str, np.ndarray]:
    """Named pixel positions of one LSPET annotation, a 14 x 3 array (x, y, visible).

    Joints flagged 0 (not visible; their position is often outside the picture) are dropped."""
    frame = np.asarray(frame, dtype=np.float64)
    if frame.shape != (len(LSP_JOINTS), 3):
        raise ValueError(f"an LSP annotation is 14 x 3, got {frame.shape}")
    return {name: frame[i, :2].copy() for i, name in enumerate(LSP_JOINTS) if frame[i, 2] > 0.5}


def lspet_posture(ref: Reference) -> bool:
    """Whether a hand-placed pose is a side view of someone on their feet or seated.

    Side view: the reference's own shoulder width against its torso length (``reference_view``).
    On their feet or seated: an ankle lies at least a quarter torso length below the hip
    midpoint in the picture, and the trunk leans at most 120 deg from upright either way; this
    keeps stooping and squatting but drops handstands, flips, back bends and people lying down
    (postures outside what REBA and RULA describe)."""
    if reference_view(ref) != "side":
        return False
    hip = ref.mid("left_hip", "right_hip")
    top = ref.mid("left_shoulder", "right_shoulder")
    if hip is None or top is None:
        return False
    trunk = top - hip
    torso = float(np.linalg.norm(trunk))
    lean = math.degrees(math.atan2(abs(float(trunk[0])), -float(trunk[1])))  # image y is down
    ankles = [ref.joints[a] for a in ("left_ankle", "right_ankle") if a in ref.joints]
    return lean <= 120.0 and any(a[1] - hip[1] >= 0.25 * torso for a in ankles)


def build_lspet(lspet: Path) -> list[dict[str, Any]]:
    """Rows of ``keypoints.csv`` for the LSPET photos that pass ``lspet_posture``."""
    from scipy.io import loadmat

    joints = np.asarray(loadmat(str(lspet / "joints.mat"))["joints"], dtype=np.float64)
    if joints.shape[:2] != (len(LSP_JOINTS), 3):
        raise ValueError(f"expected LSPET's 14 x 3 x N joints.mat, got {joints.shape}")
    source, folder = LSPET
    rows: list[dict[str, Any]] = []
    for n in range(joints.shape[2]):
        image = f"{folder}/im{n + 1:05d}.jpg"
        ref = Reference(source, image, 0, "image_px", lsp_joints(joints[:, :, n]))
        if not lspet_posture(ref):
            continue
        for joint, (x, y) in ref.joints.items():
            rows.append(_row(source, image, 0, joint, x, y, math.nan, space="image_px"))
    return rows


#: Source name and folder under ``--data`` of the photos whose keypoints were placed by hand
#: for this project (one folder per repository, ``owner/name``, then the file's path there).
HANDPLACED = ("handplaced", "handplaced")
#: Columns of the hand-placed annotation file (``validation/camera/handplaced.csv``).
HANDPLACED_COLUMNS = ("repository", "commit", "path", "joint", "x", "y", "placed_by")
#: Joints that may be placed by hand (COCO's names; the angle code reads these).
HANDPLACED_JOINTS = frozenset(
    f"{side}_{part}"
    for side in ("left", "right")
    for part in ("ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle")
) | {"nose"}


def build_handplaced(annotations: Path) -> list[dict[str, Any]]:
    """Rows of ``keypoints.csv`` (source ``handplaced``) from the hand-placed annotation file.

    Each line of the file is one joint of the one worker in one photo: the public repository
    (``owner/name``), the commit the photo was taken from, its path there, the joint, its pixel
    position in the original photo and who placed it. The photo is looked for under
    ``DIR/handplaced/owner/name/path``. A joint placed twice, an unknown joint name, a photo
    listed under two commits or a point outside the picture's positive quadrant is an error:
    the file is typed by hand."""
    source, folder = HANDPLACED
    rows: list[dict[str, Any]] = []
    commits: dict[tuple[str, str], str] = {}
    seen: set[tuple[str, str]] = set()
    with annotations.open(newline="") as fh:
        reader = csv.DictReader(fh)
        missing = set(HANDPLACED_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{annotations} lacks the columns {sorted(missing)}")
        for n, line in enumerate(reader, start=2):
            repo, path = line["repository"].strip(), line["path"].strip()
            joint = _joint_name(line["joint"])
            if repo.count("/") != 1 or not path or not line["commit"].strip():
                raise ValueError(f"line {n}: needs owner/name, commit and path")
            if joint not in HANDPLACED_JOINTS:
                raise ValueError(f"line {n}: unknown joint {line['joint']!r}")
            if commits.setdefault((repo, path), line["commit"].strip()) != line["commit"].strip():
                raise ValueError(f"line {n}: {repo} {path} listed under two commits")
            if (f"{repo}/{path}", joint) in seen:
                raise ValueError(f"line {n}: {joint} of {repo} {path} placed twice")
            seen.add((f"{repo}/{path}", joint))
            x, y = float(line["x"]), float(line["y"])
            if not (math.isfinite(x) and math.isfinite(y)) or x < 0 or y < 0:
                raise ValueError(f"line {n}: {joint} at ({x}, {y}) lies outside the picture")
            image = f"{folder}/{repo}/{path}"
            rows.append(_row(source, image, 0, joint, x, y, math.nan, space="image_px"))
    if not rows:
        raise ValueError(f"{annotations} holds no keypoints")
    return rows


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


# -- building the reference file -----------------------------------------------------------------
def build_references(mmpose: Path) -> list[dict[str, Any]]:
    """Rows of ``keypoints.csv`` from the pose project's ``tests/data`` folder."""
    import pickle

    rows: list[dict[str, Any]] = []
    data = mmpose / "tests" / "data"
    h36m = np.load(data / "h36m" / "test_h36m.npz")
    with (data / "h36m" / "cameras.pkl").open("rb") as fh:
        cameras = pickle.load(fh)
    for name, joints in zip(h36m["imgname"], h36m["S"], strict=True):
        subject, rest = str(name).split("_", 1)
        camera_id = rest.split(".")[1].split("_")[0]
        cam = cameras[(subject, camera_id)]
        rot = np.asarray(cam["R"], dtype=np.float64)
        action = str(name).rsplit("_", 1)[0]
        image = f"tests/data/h36m/{subject}/{action}/{name}"
        for index, joint in H36M_JOINTS.items():
            x, y, z, conf = joints[index]
            if conf <= 0:
                continue
            # camera coordinates -> the dataset's world frame (z up): the sample's R maps camera
            # axes to world axes (the head lies above the ankles only this way round)
            world = rot @ np.array([x, y, z])
            rows.append(_row("h36m", image, 0, joint, *world, space="world_m"))
    for name, folder, prefix in COCO_STYLE:
        coco = json.loads((data / folder).read_text())
        files = {img["id"]: img["file_name"] for img in coco["images"]}
        names = [_joint_name(n) for n in coco["categories"][0]["keypoints"]]
        people: dict[int, int] = defaultdict(int)
        for ann in coco["annotations"]:
            kp = np.asarray(ann["keypoints"], dtype=np.float64).reshape(-1, 3)
            image_path = _image_path(prefix, files[ann["image_id"]])
            if image_path is None or int((kp[:, 2] > 0).sum()) < 10:
                continue
            image = image_path
            person = people[ann["image_id"]]
            people[ann["image_id"]] += 1
            # Human-Art lists 21 names but annotates the first 17 (COCO's) in its sample
            for joint, (x, y, v) in zip(names[: len(kp)], kp, strict=True):
                if v > 0:
                    rows.append(_row(name, image, person, joint, x, y, math.nan, space="image_px"))
    for part in ("train", "test"):
        # 2D projections of the motion capture in the picture (camera rotations are not given
        # for the test cameras, so the 3D joints are not used)
        sample = np.load(data / "mpi_inf_3dhp" / f"test_3dhp_{part}.npz")
        for name, joints in zip(sample["imgname"], sample["part"], strict=True):
            image = f"tests/data/mpi_inf_3dhp/{name}"
            for index, joint in MPI3DHP_JOINTS.items():
                x, y, conf = joints[index]
                if conf > 0:
                    row = _row("mpi_inf_3dhp", image, 0, joint, x, y, math.nan, space="image_px")
                    rows.append(row)
    for entry in json.loads((data / "mpii" / "test_mpii.json").read_text()):
        image = f"tests/data/mpii/{entry['image']}"
        for index, joint in MPII_JOINTS.items():
            if entry["joints_vis"][index]:
                x, y = entry["joints"][index]
                rows.append(_row("mpii", image, 0, joint, x, y, math.nan, space="image_px"))
    return rows


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


# -- reference angles ----------------------------------------------------------------------------
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


# -- a second annotator ----------------------------------------------------------------------------
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


# -- running backcare ----------------------------------------------------------------------------
def same_arm(ref: dict[str, float], got: dict[str, Any]) -> dict[str, float]:
    """The reference's arm angles on the side backcare scored when it saw one arm only.

    A rater scores the side the camera sees; so does backcare when the far arm is hidden. The
    reference then gives that arm (not the more raised of both) for the upper-arm error and the
    reference score."""
    out = dict(ref)
    knee = ref.get(f"knee_flexion_{got.get('knee_side')}", math.nan)
    if math.isfinite(knee):  # likewise the one knee backcare saw, not the more bent of both
        out["knee_flexion"] = knee
    seen = got.get("arm_side")
    if seen not in ("left", "right"):
        return out
    flex = ref.get(f"upper_arm_flexion_{seen}", math.nan)
    if not math.isfinite(flex):
        return out
    return {**out, "upper_arm_flexion": flex, "elbow_flexion": ref[f"elbow_flexion_{seen}"]}


def measured(analysis: Any, frame: int = 0) -> dict[str, Any]:
    """backcare's angles in one analysed frame (the only one of a photo)."""
    s = analysis.series

    def get(name: str) -> float:
        v = s.get(name)
        return float(v[frame]) if v is not None else math.nan

    out: dict[str, Any] = {
        "trunk_flexion": get("trunk_flexion"),
        "neck_flexion": get("neck_flexion"),
    }
    arms = [(get(f"upper_arm_flexion_{x}"), x) for x in ("left", "right")]
    arms = [a for a in arms if math.isfinite(a[0])]
    for value, side in arms:
        out[f"upper_arm_flexion_{side}"] = value
    raised = max(arms, key=lambda t: abs(t[0])) if arms else (math.nan, "")
    out["upper_arm_flexion"] = raised[0]
    out["elbow_flexion"] = get(f"elbow_flexion_{raised[1]}") if arms else math.nan
    if len(arms) == 1:
        out["arm_side"] = arms[0][1]
    knees = [(get(f"knee_flexion_{x}"), x) for x in ("left", "right")]
    knees = [k for k in knees if math.isfinite(k[0])]
    out["knee_flexion"] = max(knees)[0] if knees else math.nan
    if len(knees) == 1:
        out["knee_side"] = knees[0][1]
    return out


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


# -- two cameras filming the same moment ---------------------------------------------------------
#: Folder under ``--data`` of synchronised multi-camera recordings: one folder per recording
#: with ``videos/camNN.mp4`` (frame k of every video is the same moment) and, where the lab
#: gives one, its Qualisys calibration ``Calib.qca.txt`` (cameras ``camNN``).
TWO_VIEW = "pose2sim"
#: backcare's views on which two cameras are compared (the goal: within 1 REBA point).
COMPARED_VIEWS = ("side", "oblique")
#: Angles compared between two views of one moment (abduction: the more raised arm's).
PAIR_ANGLES = ("trunk_flexion", "upper_arm_flexion", "upper_arm_abduction", "knee_flexion")
#: Two cameras analysed the same person when the lines of sight through the hip midpoints they
#: found pass within this distance [m] of one point (two people stand further apart).
SAME_PERSON_M = 0.25
#: Landmarks put in the lab's space from several views (``lab_trunk``).
TRUNK_JOINTS = ("left_hip", "right_hip", "left_shoulder", "right_shoulder")


def reba_gap(a_low: float, a_high: float, b_low: float, b_high: float) -> float:
    """Points between two REBA ranges ``low..high``: 0 when they share a score."""
    return max(0.0, max(a_low, b_low) - min(a_high, b_high))


@dataclass(frozen=True)
class LabCamera:
    """One camera of a Qualisys calibration: ``rotation`` (the file's r11..r33 as rows),
    ``position`` [m, lab axes, +z up], the pinhole's ``focal`` lengths and ``centre`` [px]."""

    rotation: np.ndarray
    position: np.ndarray
    focal: tuple[float, float]
    centre: tuple[float, float]

    def ray(self, u: float, v: float) -> tuple[np.ndarray, np.ndarray]:
        """The line of sight through pixel ``(u, v)``: the camera's position and a unit
        direction in lab axes. The rotation's rows are the camera's axes in the lab; the
        camera looks along minus its third axis, with picture y along minus its second."""
        x = (u - self.centre[0]) / self.focal[0]
        y = (v - self.centre[1]) / self.focal[1]
        d = self.rotation.T @ np.array([x, -y, -1.0])
        return self.position, d / np.linalg.norm(d)


def lab_cameras(calibration: Path) -> dict[str, LabCamera]:
    """The cameras of a Qualisys ``.qca.txt`` calibration by name (``camNN`` from the serial).

    Positions are in mm in the file; focal lengths and the principal point in 1/64 px of the
    sensor, whose video window starts at ``fov_video``'s left and top."""
    import xml.etree.ElementTree as ET

    out: dict[str, LabCamera] = {}
    for cam in ET.parse(calibration).getroot().iter("camera"):
        t, k = cam.find("transform"), cam.find("intrinsic")
        serial = "".join(ch for ch in cam.get("serial", "") if ch.isdigit())
        if t is None or k is None or not serial:
            continue

        def num(el: Any, key: str, default: str = "nan") -> float:
            return float(el.get(key, default))

        window = cam.find("fov_video")
        left, top = (num(window, k, "0") if window is not None else 0.0 for k in ("left", "top"))

        out[f"cam{int(serial):02d}"] = LabCamera(
            rotation=np.array([[num(t, f"r{i}{j}") for j in (1, 2, 3)] for i in (1, 2, 3)]),
            position=np.array([num(t, a) for a in "xyz"]) / 1000.0,
            focal=(num(k, "focalLengthU") / 64.0, num(k, "focalLengthV") / 64.0),
            centre=(num(k, "centerPointU") / 64.0 - left, num(k, "centerPointV") / 64.0 - top),
        )
    return out


def lab_figures(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """backcare's view and trunk against the lab's cameras (``lab_trunk``), over view samples.

    ``views``: backcare's view -> the lab's view -> count; ``trunk_flexion_error_deg``: mean
    absolute difference from the lab's trunk flexion where backcare gave one, with its count
    and the mean side bend the lab saw in those moments."""
    views: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    errors, bends = [], []
    for s in samples:
        lab = s.get("lab")
        if lab is None:
            continue
        views[s["view"]][lab["view"]] += 1
        if math.isfinite(s.get("trunk_flexion", math.nan)):
            errors.append(angle_error(s["trunk_flexion"], lab["trunk_flexion"]))
            bends.append(abs(lab["trunk_side_bend"]))
    return {
        "views": {v: dict(sorted(n.items())) for v, n in sorted(views.items())},
        "trunk_flexion_error_deg": round(float(np.mean(errors)), 1) if errors else None,
        "trunk_flexion_n": len(errors),
        "side_bend_there_deg": round(float(np.mean(bends)), 1) if bends else None,
    }


def camera_layout(cameras: dict[str, LabCamera]) -> dict[str, dict[str, float]]:
    """Where each camera stands around the lab's origin (the middle of the platform):
    ``bearing_deg`` (direction from the origin, counter-clockwise from the lab's x axis),
    ``distance_m`` (horizontal), ``height_m`` and ``looks_down_deg`` (optical axis below the
    horizontal)."""
    out = {}
    for name, cam in cameras.items():
        x, y, z = cam.position
        axis = -cam.rotation[2]
        out[name] = {
            "bearing_deg": round(math.degrees(math.atan2(y, x))),
            "distance_m": round(math.hypot(x, y), 2),
            "height_m": round(float(z), 2),
            "looks_down_deg": round(math.degrees(math.asin(min(1.0, max(-1.0, -axis[2]))))),
        }
    return out


def nearest_point(rays: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The point nearest to two or more lines (least squares)."""
    a = np.zeros((3, 3))
    b = np.zeros(3)
    for origin, d in rays:
        across = np.eye(3) - np.outer(d, d)
        a += across
        b += across @ origin
    out: np.ndarray = np.linalg.lstsq(a, b, rcond=None)[0]
    return out


def ray_distance(ray: tuple[np.ndarray, np.ndarray], point: np.ndarray) -> float:
    """Distance [m] from a point to a line of sight."""
    origin, d = ray
    off = point - origin
    return float(np.linalg.norm(off - (off @ d) * d))


def other_person(
    rays: dict[str, tuple[np.ndarray, np.ndarray]], tolerance: float = SAME_PERSON_M
) -> set[str]:
    """Cameras whose line of sight misses the person most cameras saw.

    Each pair of lines gives a candidate point; the one that most lines pass within
    ``tolerance`` of (then the smallest spread) is the person. With two cameras, both are off
    when their lines miss each other's point: one of them saw someone else."""
    names = sorted(rays)
    best: tuple[int, float] = (0, math.inf)
    chosen: np.ndarray | None = None
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            point = nearest_point([rays[a], rays[b]])
            dist = [ray_distance(rays[n], point) for n in names]
            near = [x for x in dist if x <= tolerance]
            rank = (len(near), sum(near))
            if rank[0] > best[0] or (rank[0] == best[0] and rank[1] < best[1]):
                best, chosen = rank, point
    if chosen is None or best[0] < 2:
        return set(names) if len(names) >= 2 else set()
    return {n for n in names if ray_distance(rays[n], chosen) > tolerance}


def view_sample(analysis: Any, frame: int, width: int, height: int) -> dict[str, Any]:
    """What backcare read in one analysed frame: view, REBA range, angles and the hip midpoint
    in pixels of the ``width`` x ``height`` picture."""
    from backcare.camera.backend import landmark_index

    image = analysis.track.image[frame]
    if not np.isfinite(image).any():
        return {"dropped": "no person"}
    out = measured(analysis, frame)
    abduction = [analysis.series.get(f"upper_arm_abduction_{x}") for x in ("left", "right")]
    raised = [float(v[frame]) for v in abduction if v is not None and np.isfinite(v[frame])]
    out["upper_arm_abduction"] = max(raised) if raised else math.nan
    out["view"] = str(analysis.view.per_frame[frame])
    reba = analysis.scores.reba
    out["reba_low"] = float(reba.score[frame]) if reba is not None else math.nan
    out["reba_high"] = float(reba.high[frame]) if reba is not None else math.nan
    joints = {}
    for name in TRUNK_JOINTS:
        xy = image[landmark_index(name)] * np.array([width, height])
        if np.isfinite(xy).all():
            joints[name] = [round(float(xy[0]), 1), round(float(xy[1]), 1)]
    out["joints_px"] = joints
    if "left_hip" in joints and "right_hip" in joints:
        out["hip_px"] = list(np.mean([joints["left_hip"], joints["right_hip"]], axis=0))
    return out


def lab_view(from_front_deg: float) -> str:
    """The view of a camera that stands ``from_front_deg`` round from where the person faces:
    within 30 deg of either side ``side``, within 30 deg of the front or back ``front``."""
    a = abs((from_front_deg + 180.0) % 360.0 - 180.0)
    if abs(a - 90.0) <= 30.0:
        return "side"
    return "front" if a <= 30.0 or a >= 150.0 else "oblique"


def lab_trunk(
    samples: dict[str, dict[str, Any]], cameras: dict[str, LabCamera]
) -> dict[str, Any] | None:
    """The trunk of one moment from the lab's cameras, or ``None`` with fewer than two views.

    Hips and shoulders are each put where the lines of sight of the cameras that saw the
    person cross (``nearest_point``; views marked ``other_person`` are left out). Returns
    ``trunk_flexion`` (forward +) and ``trunk_side_bend`` (to the person's left +) [deg] of the
    hip-to-shoulder line against the vertical, ``facing_deg`` (the direction the pelvis faces,
    across the hip line, counter-clockwise from the lab's x axis) and, per camera,
    ``from_front_deg`` (where it stands round from that direction) and ``view`` (``lab_view``).
    """
    seen = {
        c: s["joints_px"]
        for c, s in samples.items()
        if c in cameras
        and not s.get("other_person")
        and set(TRUNK_JOINTS) <= set(s.get("joints_px", {}))
    }
    if len(seen) < 2:
        return None
    at = {
        name: nearest_point([cameras[c].ray(*px[name]) for c, px in seen.items()])
        for name in TRUNK_JOINTS
    }
    hip = 0.5 * (at["left_hip"] + at["right_hip"])
    trunk = 0.5 * (at["left_shoulder"] + at["right_shoulder"]) - hip
    left = at["left_hip"] - at["right_hip"]
    left[2] = 0.0
    left /= max(float(np.linalg.norm(left)), 1e-9)
    forward = np.cross(left, [0.0, 0.0, 1.0])
    facing = math.degrees(math.atan2(forward[1], forward[0]))
    out: dict[str, Any] = {
        "trunk_flexion": round(math.degrees(math.atan2(trunk @ forward, trunk[2])), 1),
        "trunk_side_bend": round(math.degrees(math.atan2(trunk @ left, trunk[2])), 1),
        "facing_deg": round(facing),
        "cameras": {},
    }
    for c, cam in cameras.items():
        dx, dy = float(cam.position[0] - hip[0]), float(cam.position[1] - hip[1])
        bearing = math.degrees(math.atan2(dy, dx))
        from_front = (bearing - facing + 180.0) % 360.0 - 180.0
        out["cameras"][c] = {"from_front_deg": round(from_front), "view": lab_view(from_front)}
    return out


def pair_difference(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """How two views of one moment differ, or why the pair is left out (``dropped``).

    Left out, in this order: nobody found in a view (``no person``), a view marked
    ``other_person`` (``different people``: the cameras analysed two people), a view backcare
    reads as neither side nor oblique (``front view``). Samples without a ``view`` (references
    that chose the views themselves) are not checked for it. Otherwise: ``reba_gap``
    (``reba_gap``) and ``reba_midpoint_difference`` where both views are scored, and the
    difference of each angle of ``PAIR_ANGLES`` both views measured, the short way round the
    circle."""
    for s in (a, b):
        if "dropped" in s:
            return {"dropped": s["dropped"]}
    if a.get("other_person") or b.get("other_person"):
        return {"dropped": "different people"}
    for s in (a, b):
        if "view" in s and s["view"] not in COMPARED_VIEWS:
            return {"dropped": "front view" if s["view"] == "front" else "view unknown"}
    out: dict[str, Any] = {"views": [a.get("view"), b.get("view")]}
    ends = [s.get(k, math.nan) for s in (a, b) for k in ("reba_low", "reba_high")]
    if all(math.isfinite(x) for x in ends):
        out["reba"] = [ends[:2], ends[2:]]
        out["reba_gap"] = reba_gap(*ends)
        out["reba_midpoint_difference"] = abs((ends[0] + ends[1] - ends[2] - ends[3]) / 2)
    for angle in PAIR_ANGLES:
        va, vb = a.get(angle, math.nan), b.get(angle, math.nan)
        if math.isfinite(va) and math.isfinite(vb):
            out[angle] = round(angle_error(va, vb), 1)
    return out


def pair_moments(
    samples: dict[str, dict[int, dict[str, Any]]], cameras: dict[str, LabCamera] | None = None
) -> list[dict[str, Any]]:
    """``pair_difference`` of every two cameras at every moment all of them filmed.

    ``samples`` maps camera -> frame -> ``view_sample``; each result names its ``frame`` and
    ``cameras``. With the lab's ``cameras``, views whose hip midpoint lies off the person the
    other cameras saw are marked ``other_person`` first (``other_person``)."""
    names = sorted(samples)
    frames = sorted(set.intersection(*(set(samples[c]) for c in names))) if names else []
    out = []
    for k in frames:
        moment_samples = {c: samples[c][k] for c in names}
        if cameras:
            rays = {
                c: cameras[c].ray(*s["hip_px"])
                for c, s in moment_samples.items()
                if c in cameras and "hip_px" in s
            }
            for c in other_person(rays):
                moment_samples[c]["other_person"] = True
            lab = lab_trunk(moment_samples, cameras)
            for c, s in moment_samples.items():
                if lab is None or c not in lab["cameras"]:
                    continue
                if "dropped" not in s and not s.get("other_person"):
                    s["lab"] = {
                        "view": lab["cameras"][c]["view"],
                        "from_front_deg": lab["cameras"][c]["from_front_deg"],
                        "trunk_flexion": lab["trunk_flexion"],
                        "trunk_side_bend": lab["trunk_side_bend"],
                    }
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                diff = pair_difference(moment_samples[a], moment_samples[b])
                out.append({"frame": k, "cameras": [a, b], **diff})
    return out


def pair_figures(diffs: list[dict[str, Any]]) -> dict[str, Any]:
    """REBA agreement and angle differences over pairs of views of one moment.

    ``pairs``: pairs kept (both views side or oblique, one person); ``scored_pairs``: those
    with a REBA range in both views; ``reba_mean_gap`` and ``reba_within_1`` (the share of
    scored pairs whose ranges lie at most 1 point apart); ``reba_mean_midpoint_difference``; the
    mean absolute difference of each angle with its count; ``dropped``: pairs left out, by
    reason."""
    kept = [d for d in diffs if "dropped" not in d]
    dropped: dict[str, int] = defaultdict(int)
    for d in diffs:
        if "dropped" in d:
            dropped[d["dropped"]] += 1
    gaps = [d["reba_gap"] for d in kept if "reba_gap" in d]
    out: dict[str, Any] = {"pairs": len(kept), "scored_pairs": len(gaps)}
    if gaps:
        mids = [d["reba_midpoint_difference"] for d in kept if "reba_gap" in d]
        out["reba_mean_gap"] = round(float(np.mean(gaps)), 2)
        out["reba_within_1"] = round(float(np.mean([g <= 1 for g in gaps])), 2)
        out["reba_mean_midpoint_difference"] = round(float(np.mean(mids)), 2)
    for angle in PAIR_ANGLES:
        values = [d[angle] for d in kept if angle in d]
        out[f"{angle}_mean_difference_deg"] = round(float(np.mean(values)), 1) if values else None
        out[f"{angle}_n"] = len(values)
    out["dropped"] = dict(sorted(dropped.items()))
    return out


def photo_samples(video: Path, backend: Any, every: int) -> dict[int, dict[str, Any]]:
    """Every ``every``-th frame of ``video`` saved as a photo and analysed on its own, as
    ``backcare camera analyze`` analyses a photo (``view_sample`` per frame)."""
    import tempfile

    from PIL import Image

    from backcare.camera.pipeline import analyze_image
    from backcare.camera.video import VideoReader
    from backcare.errors import BackcareError

    out: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for frame in VideoReader(video, every=every, max_side=None):
            path = Path(tmp) / f"{video.stem}_{frame.index:05d}.jpg"
            Image.fromarray(frame.rgb).save(path, quality=95)
            try:
                analysis = analyze_image(path, backend)
            except BackcareError:
                out[frame.index] = {"dropped": "no person"}
                continue
            height, width = frame.rgb.shape[:2]
            out[frame.index] = view_sample(analysis, 0, width, height)
    return out


def video_samples(video: Path, every: int, pose_model: str) -> dict[int, dict[str, Any]]:
    """``video`` analysed as a video through backcare's facade (the person tracked over every
    frame), then the ``view_sample`` of every ``every``-th frame."""
    import backcare
    from backcare.camera.video import VideoReader
    from backcare.errors import BackcareError

    try:
        analysis = backcare.analyze_media(video, pose_model=pose_model).analysis
    except BackcareError:
        analysis = None
    at = {} if analysis is None else {int(k): i for i, k in enumerate(analysis.track.frame_index)}
    reader = VideoReader(video, max_side=None)
    width, height = reader.info.width, reader.info.height
    frames = reader.info.declared_frames or (max(at) + 1 if at else 0)
    out: dict[int, dict[str, Any]] = {}
    for k in range(0, frames, every):
        i = at.get(k)
        out[k] = {"dropped": "no person"} if i is None else view_sample(analysis, i, width, height)
    return out


def _view_letters(samples: dict[int, dict[str, Any]], *, lab: bool = False) -> str:
    """One letter per moment: ``s``ide, ``o``blique, ``f``ront, ``?`` unknown, ``-`` nobody
    found, ``x`` someone else than the person the other cameras saw; backcare's view, or with
    ``lab`` the view from the lab's cameras (``.`` where they give none)."""
    letters = {"side": "s", "oblique": "o", "front": "f"}

    def letter(s: dict[str, Any]) -> str:
        if "dropped" in s:
            return "-"
        if s.get("other_person"):
            return "x"
        if lab:
            return letters[s["lab"]["view"]] if "lab" in s else "."
        return letters.get(s["view"], "?")

    return "".join(letter(s) for _, s in sorted(samples.items()))


def two_view_run(
    data: Path,
    *,
    every: int = 5,
    modes: tuple[str, ...] = ("photos", "video"),
    pose_model: str = "full",
) -> dict[str, Any]:
    """The recordings under ``data/TWO_VIEW`` analysed per camera and compared pairwise.

    ``photos``: every ``every``-th frame of each camera as a photo on its own; ``video``: each
    camera's video tracked, compared at the same frames. Returns per recording the camera
    layout, each camera's views and the pairs, and ``pair_figures`` per mode over all
    recordings."""
    from backcare.camera.backend import MediaPipeBackend

    recordings = sorted(p for p in (data / TWO_VIEW).iterdir() if (p / "videos").is_dir())
    out: dict[str, Any] = {"recordings": {}, "figures": {}}
    every_pair: dict[str, list[dict[str, Any]]] = defaultdict(list)
    every_sample: dict[str, list[dict[str, Any]]] = defaultdict(list)
    backend = MediaPipeBackend(model=pose_model, static_image_mode=True)
    try:
        for folder in recordings:
            calib = folder / "Calib.qca.txt"
            cameras = lab_cameras(calib) if calib.exists() else {}
            entry: dict[str, Any] = {"layout": camera_layout(cameras)}
            videos = sorted((folder / "videos").glob("*.mp4"))
            for mode in modes:
                samples = {
                    v.stem: photo_samples(v, backend, every)
                    if mode == "photos"
                    else video_samples(v, every, pose_model)
                    for v in videos
                }
                pairs = pair_moments(samples, cameras)
                every_pair[mode].extend({"recording": folder.name, **p} for p in pairs)
                flat = [v for s in samples.values() for v in s.values()]
                every_sample[mode].extend(flat)
                entry[mode] = {
                    "views": {cam: _view_letters(s) for cam, s in samples.items()},
                    "lab_views": {cam: _view_letters(s, lab=True) for cam, s in samples.items()},
                    "samples": samples,
                    "pairs": pairs,
                    "figures": pair_figures(pairs),
                    "against_lab": lab_figures(flat),
                }
            out["recordings"][folder.name] = entry
    finally:
        backend.close()
    out["figures"] = {
        mode: {**pair_figures(every_pair[mode]), "against_lab": lab_figures(every_sample[mode])}
        for mode in modes
    }
    return out


def print_two_view(result: dict[str, Any]) -> None:
    """The camera layout, the views per camera and the figures of ``two_view_run``."""
    for name, entry in result["recordings"].items():
        print(f"{name}:")
        for cam, where in entry["layout"].items():
            print(
                f"  {cam}: {where['bearing_deg']:+.0f} deg round the origin, "
                f"{where['distance_m']:.1f} m away, {where['height_m']:.1f} m high, "
                f"looking {where['looks_down_deg']:.0f} deg down"
            )
        for mode in ("photos", "video"):
            if mode not in entry:
                continue
            views = " ".join(f"{cam} {v}" for cam, v in entry[mode]["views"].items())
            print(f"  {mode}, backcare's views: {views}")
            views = " ".join(f"{cam} {v}" for cam, v in entry[mode]["lab_views"].items())
            print(f"  {mode}, from the lab's cameras: {views}")
            print(f"    {json.dumps(entry[mode]['figures'])}")
            print(f"    against the lab: {json.dumps(entry[mode]['against_lab'])}")
    print(json.dumps({"two_cameras_same_moment": result["figures"]}, indent=2))


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


def angle_error(a: float, b: float) -> float:
    """Absolute difference of two angles in degrees, the short way round the circle.

    An arm raised straight overhead reads near +180 (flexion) or near -180 (extension) as it
    tips a little forward or back; those lie a few degrees apart, not 360."""
    return abs((a - b + 180.0) % 360.0 - 180.0)


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
            within = [s["low"] - 1 <= s["reference"] <= s["high"] + 1 for s in scored]
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


# -- REBA scored by human raters -------------------------------------------------------------------
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


def range_gap(low: float, high: float, value: float) -> float:
    """How far ``value`` lies outside the range ``low..high`` (0 inside it)."""
    return max(low - value, value - high, 0.0)


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
    gaps = [range_gap(r["low"], r["high"], v) for r, v in zip(scored, ref, strict=True)]
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
        gap = [max(a["low"] - b["high"], b["low"] - a["high"], 0.0) for a, b in both]
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


if __name__ == "__main__":
    raise SystemExit(main())
