"""The stick-figure model: forward kinematics, and SVG drawings of every exercise that a real XML
parser reads."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from backcare.care.figure import SEGMENT_LENGTHS, pose_figure, render_poses_svg
from backcare.knowledge.care import Pose, care_knowledge

SVG = "{http://www.w3.org/2000/svg}"


def _dist(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def test_standing_figure_is_upright_and_segments_keep_their_lengths():
    pose = care_knowledge().poses.pose("stand")
    fig = pose_figure(pose)
    assert fig.shoulder[1] > fig.pelvis[1] > fig.knee[1] > fig.ankle[1]
    assert _dist(fig.pelvis, fig.shoulder) == pytest.approx(SEGMENT_LENGTHS["trunk"])
    assert _dist(fig.pelvis, fig.knee) == pytest.approx(SEGMENT_LENGTHS["thigh"])
    assert _dist(fig.knee, fig.ankle) == pytest.approx(SEGMENT_LENGTHS["shank"])
    assert _dist(fig.shoulder, fig.elbow) == pytest.approx(SEGMENT_LENGTHS["upper_arm"])


def test_angles_point_where_the_convention_says():
    pose = Pose(
        key="t", label="test", trunk=0, head=0, upper_arm=90, forearm=180, thigh=180, shank=270
    )
    fig = pose_figure(pose)
    assert fig.shoulder == pytest.approx((50.0, 0.0))  # 0 degrees: forward
    assert fig.elbow == pytest.approx((50.0, 28.0))  # 90: up
    assert fig.hand == pytest.approx((25.0, 28.0))  # 180: backward
    assert fig.ankle == pytest.approx((-42.0, -40.0))  # 270: down


def test_a_rounded_back_bows_away_from_an_arched_one():
    base = dict(key="t", label="test", head=180, upper_arm=270, forearm=270, thigh=270, shank=0)
    rounded = pose_figure(Pose(trunk=180, spine_curve=8, **base))
    arched = pose_figure(Pose(trunk=180, spine_curve=-8, **base))
    assert rounded.spine_control[1] > 0 > arched.spine_control[1]


def test_every_exercise_has_a_parseable_phone_sized_drawing():
    knowledge = care_knowledge()
    for ex in knowledge.exercises:
        poses = [knowledge.poses.pose(k) for k in ex.poses]
        svg = render_poses_svg(poses, ex.name)
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg"
        assert "width" not in root.attrib  # scales to the container (phone width)
        _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
        assert width <= 600, ex.id
        assert height == 150, ex.id
        assert root.attrib["role"] == "img"
        assert ex.name in root.attrib["aria-label"]
        assert len(root.findall(f".//{SVG}circle")) == len(poses)  # one head per pose
        for node in root.iter():
            for value in node.attrib.values():
                assert "nan" not in value.lower(), (ex.id, value)


def test_drawing_nothing_is_an_error():
    with pytest.raises(ValueError, match="no poses"):
        render_poses_svg([], "empty")


def test_poses_stay_inside_their_panel():
    """Every joint and head of every pose is drawn inside its 160 x 150 panel."""
    for pose in care_knowledge().poses.poses:
        root = ET.fromstring(render_poses_svg([pose], pose.label))
        for line in root.iter(f"{SVG}polyline"):
            if line.attrib["class"] not in ("near", "far"):
                continue
            for pair in line.attrib["points"].split():
                x, y = (float(v) for v in pair.split(","))
                assert 0 <= x <= 160, (pose.key, x)
                assert 0 <= y <= 150, (pose.key, y)
        head = root.find(f".//{SVG}circle")
        assert head is not None
        cx, cy, r = (float(head.attrib[k]) for k in ("cx", "cy", "r"))
        assert r <= cx <= 160 - r, pose.key
        assert r <= cy <= 150 - r, pose.key
