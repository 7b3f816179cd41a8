"""Two cameras filming the same moment: synchronised lab videos with their calibration."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._measured import angle_error, measured, reba_gap

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
