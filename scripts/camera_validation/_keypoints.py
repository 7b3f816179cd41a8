"""Building ``keypoints.csv`` from the pose-estimation project's test data (Human3.6M,
the COCO-style files, MPI-INF-3DHP and MPII)."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from ._references import _row

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
