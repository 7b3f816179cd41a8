"""A small side-view stick figure: joint angles in, SVG out.

Every exercise drawing comes from the same skeleton, so poses stay consistent and can be edited as
numbers in ``knowledge/data/care/poses.yaml``. The chain starts at the pelvis: the trunk (drawn as a
curve when the pose rounds or arches the back) leads to the shoulders, the neck and head; arms hang
from the shoulders, legs from the pelvis. Segment directions are absolute angles in degrees (0
forward, 90 up). The figure is placed on the floor (its lowest point), and a prop (chair, wall, mat,
table, water) is drawn around it.

Pure: no I/O; the output is an SVG string with a ``viewBox`` so it scales to any width.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from backcare.knowledge.care import Pose

__all__ = ["SEGMENT_LENGTHS", "Figure", "pose_figure", "render_poses_svg"]

#: Segment lengths in drawing units (about a 170 cm adult at 1 unit = 1 cm / 1.1).
SEGMENT_LENGTHS: dict[str, float] = {
    "trunk": 50.0,
    "neck": 8.0,
    "head_r": 9.0,
    "upper_arm": 28.0,
    "forearm": 25.0,
    "thigh": 42.0,
    "shank": 40.0,
    "foot": 12.0,
}

Point = tuple[float, float]


def _step(origin: Point, angle_deg: float, length: float) -> Point:
    rad = math.radians(angle_deg)
    return origin[0] + length * math.cos(rad), origin[1] + length * math.sin(rad)


@dataclass(frozen=True)
class Figure:
    """Joint positions (y up) of one pose."""

    pelvis: Point
    shoulder: Point
    spine_control: Point
    head: Point
    elbow: Point
    hand: Point
    far_elbow: Point
    far_hand: Point
    knee: Point
    ankle: Point
    toe: Point
    far_knee: Point
    far_ankle: Point
    far_toe: Point

    def points(self) -> list[Point]:
        return [
            self.pelvis,
            self.shoulder,
            self.elbow,
            self.hand,
            self.far_elbow,
            self.far_hand,
            self.knee,
            self.ankle,
            self.toe,
            self.far_knee,
            self.far_ankle,
            self.far_toe,
        ]

    def bounds(self) -> tuple[float, float, float, float]:
        """``(min_x, min_y, max_x, max_y)`` including the head circle."""
        r = SEGMENT_LENGTHS["head_r"]
        xs = [p[0] for p in self.points()] + [self.head[0] - r, self.head[0] + r]
        ys = [p[1] for p in self.points()] + [self.head[1] - r, self.head[1] + r]
        return min(xs), min(ys), max(xs), max(ys)


def pose_figure(pose: Pose) -> Figure:
    """Forward kinematics of ``pose``, with the pelvis at the origin."""
    seg = SEGMENT_LENGTHS
    pelvis: Point = (0.0, 0.0)
    shoulder = _step(pelvis, pose.trunk, seg["trunk"])
    middle = ((pelvis[0] + shoulder[0]) / 2, (pelvis[1] + shoulder[1]) / 2)
    # a rounded back bows backward (away from the front), an arched one forward; the control
    # point sits perpendicular to the trunk line
    control = _step(middle, pose.trunk + 90.0, -2.0 * pose.spine_curve)
    head = _step(shoulder, pose.head, seg["neck"] + seg["head_r"])
    elbow = _step(shoulder, pose.upper_arm, seg["upper_arm"])
    hand = _step(elbow, pose.forearm, seg["forearm"])
    far_elbow = _step(shoulder, _or(pose.far_upper_arm, pose.upper_arm), seg["upper_arm"])
    far_hand = _step(far_elbow, _or(pose.far_forearm, pose.forearm), seg["forearm"])
    knee = _step(pelvis, pose.thigh, seg["thigh"])
    ankle = _step(knee, pose.shank, seg["shank"])
    toe = _step(ankle, pose.foot, seg["foot"])
    far_knee = _step(pelvis, _or(pose.far_thigh, pose.thigh), seg["thigh"])
    far_ankle = _step(far_knee, _or(pose.far_shank, pose.shank), seg["shank"])
    far_foot = pose.foot if pose.far_foot is None else pose.far_foot
    far_toe = _step(far_ankle, far_foot, seg["foot"])
    return Figure(
        pelvis,
        shoulder,
        control,
        head,
        elbow,
        hand,
        far_elbow,
        far_hand,
        knee,
        ankle,
        toe,
        far_knee,
        far_ankle,
        far_toe,
    )


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _fmt(v: float) -> str:
    text = f"{v:.1f}"
    return "0" if text in ("0.0", "-0.0") else text.removesuffix(".0")


def _el(tag: str, css: str, **attrs: float | str) -> str:
    """One SVG element; numbers are written with one decimal."""
    parts = [f'class="{css}"'] + [
        f'{name.replace("_", "-")}="{_fmt(v) if isinstance(v, float | int) else v}"'
        for name, v in attrs.items()
    ]
    return f"<{tag} {' '.join(parts)}/>"


def _line(points: list[Point], css: str) -> str:
    coords = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)
    return f'<polyline class="{css}" points="{coords}"/>'


PANEL_W, PANEL_H = 160.0, 150.0
FLOOR_Y = 135.0


def _panel(pose: Pose, dx: float) -> str:
    """One pose drawn in a 160 x 150 panel starting at ``dx`` (SVG coordinates, y down)."""
    fig = pose_figure(pose)
    min_x, min_y, max_x, max_y = fig.bounds()
    # shrink tall or long poses to fit the panel (never enlarge: all figures share one scale)
    scale = min(1.0, (PANEL_W - 16.0) / (max_x - min_x), (FLOOR_Y - 14.0) / (max_y - min_y))
    # centre horizontally, stand on the floor (or float mid-water)
    if pose.prop == "water":
        oy = 75.0 + scale * (min_y + max_y) / 2
    else:
        oy = FLOOR_Y + scale * min_y - (4.0 if pose.prop in ("mat", "table") else 0.0)
    ox = dx + PANEL_W / 2 - scale * (min_x + max_x) / 2

    def tr(p: Point) -> Point:
        return ox + scale * p[0], oy - scale * p[1]

    parts: list[str] = []
    parts.append(_prop(pose, fig, tr, dx))
    far = [
        _line([tr(fig.shoulder), tr(fig.far_elbow), tr(fig.far_hand)], "far"),
        _line([tr(fig.pelvis), tr(fig.far_knee), tr(fig.far_ankle), tr(fig.far_toe)], "far"),
    ]
    parts.extend(far)
    p0, c, p1 = tr(fig.pelvis), tr(fig.spine_control), tr(fig.shoulder)
    parts.append(
        f'<path class="near" d="M{_fmt(p0[0])},{_fmt(p0[1])} Q{_fmt(c[0])},{_fmt(c[1])} '
        f'{_fmt(p1[0])},{_fmt(p1[1])}"/>'
    )
    neck_end = _step(fig.shoulder, pose.head, SEGMENT_LENGTHS["neck"])
    parts.append(_line([tr(fig.shoulder), tr(neck_end)], "near"))
    hx, hy = tr(fig.head)
    parts.append(_el("circle", "head", cx=hx, cy=hy, r=scale * SEGMENT_LENGTHS["head_r"]))
    parts.append(_line([tr(fig.pelvis), tr(fig.knee), tr(fig.ankle), tr(fig.toe)], "near"))
    parts.append(_line([tr(fig.shoulder), tr(fig.elbow), tr(fig.hand)], "near"))
    return "".join(parts)


def _prop(pose: Pose, fig: Figure, transform: Callable[[Point], Point], dx: float) -> str:
    floor = _el("line", "floor", x1=dx + 6, y1=FLOOR_Y, x2=dx + PANEL_W - 6, y2=FLOOR_Y)
    if pose.prop == "water":
        return _el("rect", "water", x=dx + 4, y=45.0, width=PANEL_W - 8, height=FLOOR_Y - 45)
    if pose.prop == "chair":
        px, py = transform(fig.pelvis)
        kx, _ = transform(fig.knee)
        front = max(px + 6, min(kx, px + 30))
        back = px - 12
        seat = py + 4
        return (
            floor
            + _line([(back, py - 40), (back, seat), (front, seat)], "prop")
            + _el("line", "prop", x1=back, y1=seat, x2=back, y2=FLOOR_Y)
            + _el("line", "prop", x1=front, y1=seat, x2=front, y2=FLOOR_Y)
        )
    if pose.prop == "wall":
        min_x, _, _, _ = fig.bounds()
        wx, _ = transform((min_x - 3.0, 0.0))
        return floor + _el("line", "prop", x1=wx, y1=10.0, x2=wx, y2=FLOOR_Y)
    if pose.prop in ("mat", "table"):
        return floor + _el("rect", "mat", x=dx + 10, y=FLOOR_Y - 4, width=PANEL_W - 20, height=4.0)
    return floor


STYLE = (
    ".near{fill:none;stroke:#1f3b57;stroke-width:5;stroke-linecap:round;stroke-linejoin:round}"
    ".far{fill:none;stroke:#8aa4bd;stroke-width:5;stroke-linecap:round;stroke-linejoin:round}"
    ".head{fill:#fff;stroke:#1f3b57;stroke-width:4}"
    ".floor{stroke:#9a9a9a;stroke-width:2}"
    ".prop{fill:none;stroke:#b07b3e;stroke-width:4;stroke-linejoin:round}"
    ".mat{fill:#c9dcc4}"
    ".water{fill:#d4ebf7}"
    ".arrow{fill:none;stroke:#6b6b6b;stroke-width:2.5}"
)


def render_poses_svg(poses: list[Pose], title: str) -> str:
    """The poses side by side (start to end, with arrows between), as one SVG document."""
    if not poses:
        raise ValueError("nothing to draw: no poses")
    gap = 24.0
    width = len(poses) * PANEL_W + (len(poses) - 1) * gap
    body: list[str] = []
    for i, pose in enumerate(poses):
        dx = i * (PANEL_W + gap)
        body.append(f"<g><title>{escape(pose.label)}</title>{_panel(pose, dx)}</g>")
        if i:
            ax = dx - gap + 4
            body.append(
                f'<path class="arrow" d="M{_fmt(ax)},75 h{_fmt(gap - 8)} m-6,-6 l6,6 l-6,6"/>'
            )
    labels = " then ".join(p.label for p in poses)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_fmt(width)} {_fmt(PANEL_H)}" '
        f'role="img" aria-label="{escape(title)}: {escape(labels)}" class="figure">'
        f"<style>{STYLE}</style>{''.join(body)}</svg>"
    )
