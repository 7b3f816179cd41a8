"""REBA manual calculator: every table cell, every adjustment, band edges, worked examples.

The published tables are typed here a second time, in the compact layout of the paper's
worksheet (one string per printed row), independently of the YAML; the tests check the YAML
against this copy and then every cell through the calculator itself.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from backcare.posture.ergo_common import reba_tables
from backcare.posture.reba import RebaInputs, reba

# Table A: one line per neck score; five groups = trunk 1..5; digits = legs 1..4.
TABLE_A = {
    1: "1234 2345 2456 3567 4678",
    2: "1234 3456 4567 5678 6789",
    3: "3356 4567 5678 6789 7899",
}
# Table B: one line per lower-arm score; six groups = upper arm 1..6; digits = wrist 1..3.
TABLE_B = {
    1: "122 123 345 455 678 788",
    2: "123 234 455 567 788 899",
}
# Table C: row = score A 1..12, columns = score B 1..12.
TABLE_C = [
    "1 1 1 2 3 3 4 5 6 7 7 7",
    "1 2 2 3 4 4 5 6 6 7 7 8",
    "2 3 3 3 4 5 6 7 7 8 8 8",
    "3 4 4 4 5 6 7 8 8 9 9 9",
    "4 4 4 5 6 7 8 8 9 9 9 9",
    "6 6 6 7 8 8 9 9 10 10 10 10",
    "7 7 7 8 9 9 9 10 10 11 11 11",
    "8 8 8 9 10 10 10 10 10 11 11 11",
    "9 9 9 10 10 10 11 11 11 12 12 12",
    "10 10 10 11 11 11 11 12 12 12 12 12",
    "11 11 11 11 12 12 12 12 12 12 12 12",
    "12 12 12 12 12 12 12 12 12 12 12 12",
]
ACTION_LEVELS = {1: 0, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2, 7: 2, 8: 3, 9: 3, 10: 3}
ACTION_LEVELS.update({s: 4 for s in range(11, 16)})


def table_a(neck: int, trunk: int, legs: int) -> int:
    return int(TABLE_A[neck].split()[trunk - 1][legs - 1])


def table_b(lower: int, upper: int, wrist: int) -> int:
    return int(TABLE_B[lower].split()[upper - 1][wrist - 1])


def table_c(a: int, b: int) -> int:
    return int(TABLE_C[a - 1].split()[b - 1])


# Inputs that give each body-part score (angle [deg] and flags), built from the published bands.
TRUNK = {
    1: {"trunk_flexion_deg": 0},
    2: {"trunk_flexion_deg": 10},
    3: {"trunk_flexion_deg": 40},
    4: {"trunk_flexion_deg": 70},
    5: {"trunk_flexion_deg": 70, "trunk_twisted": True},
}
NECK = {
    1: {"neck_flexion_deg": 10},
    2: {"neck_flexion_deg": 30},
    3: {"neck_flexion_deg": 30, "neck_side_bent": True},
}
LEGS = {
    1: {"legs": "bilateral"},
    2: {"legs": "unilateral"},
    3: {"legs": "unilateral", "knee_flexion_deg": 45},
    4: {"legs": "unilateral", "knee_flexion_deg": 75},
}
UPPER = {
    1: {"upper_arm_flexion_deg": 0},
    2: {"upper_arm_flexion_deg": 30},
    3: {"upper_arm_flexion_deg": 60},
    4: {"upper_arm_flexion_deg": 100},
    5: {"upper_arm_flexion_deg": 100, "upper_arm_abducted": True},
    6: {"upper_arm_flexion_deg": 100, "upper_arm_rotated": True, "shoulder_raised": True},
}
LOWER = {1: {"lower_arm_flexion_deg": 80}, 2: {"lower_arm_flexion_deg": 30}}
WRIST = {
    1: {"wrist_flexion_deg": 0},
    2: {"wrist_flexion_deg": 20},
    3: {"wrist_flexion_deg": -20, "wrist_twisted": True},
}
NEUTRAL = {**TRUNK[1], **NECK[1], **LEGS[1], **UPPER[1], **LOWER[1], **WRIST[1]}


def inputs(**over: object) -> RebaInputs:
    return RebaInputs.model_validate({**NEUTRAL, **over})


def test_yaml_tables_match_the_independent_copy():
    t = reba_tables()
    a = t.table_a.array()
    for n, tr, lg in itertools.product(range(1, 4), range(1, 6), range(1, 5)):
        assert a[n - 1, tr - 1, lg - 1] == table_a(n, tr, lg), (n, tr, lg)
    b = t.table_b.array()
    for lo, up, wr in itertools.product(range(1, 3), range(1, 7), range(1, 4)):
        assert b[lo - 1, up - 1, wr - 1] == table_b(lo, up, wr), (lo, up, wr)
    c = t.table_c.array()
    for sa, sb in itertools.product(range(1, 13), range(1, 13)):
        assert c[sa - 1, sb - 1] == table_c(sa, sb), (sa, sb)
    for score, level in ACTION_LEVELS.items():
        assert t.action_levels.for_score(score).level == level


@pytest.mark.parametrize(
    ("neck", "trunk", "legs"), list(itertools.product(range(1, 4), range(1, 6), range(1, 5)))
)
def test_every_table_a_cell(neck, trunk, legs):
    r = reba(inputs(**NECK[neck], **TRUNK[trunk], **LEGS[legs]))
    assert (r.neck, r.trunk, r.legs) == (neck, trunk, legs)
    assert r.table_a == table_a(neck, trunk, legs)
    assert r.score_a == r.table_a  # no load


@pytest.mark.parametrize(
    ("lower", "upper", "wrist"), list(itertools.product(range(1, 3), range(1, 7), range(1, 4)))
)
def test_every_table_b_cell(lower, upper, wrist):
    r = reba(inputs(**LOWER[lower], **UPPER[upper], **WRIST[wrist]))
    assert (r.lower_arm, r.upper_arm, r.wrist) == (lower, upper, wrist)
    assert r.table_b == table_b(lower, upper, wrist)
    assert r.score_b == r.table_b  # good coupling


def _ways_to_score_a() -> dict[int, dict[str, object]]:
    ways: dict[int, dict[str, object]] = {}
    for n, tr, lg in itertools.product(range(1, 4), range(1, 6), range(1, 5)):
        for load_kg, load_pts in ((0, 0), (7, 1), (12, 2)):
            for shock in (False, True):
                score = table_a(n, tr, lg) + load_pts + shock
                ways.setdefault(
                    score, {**NECK[n], **TRUNK[tr], **LEGS[lg], "load_kg": load_kg, "shock": shock}
                )
    return ways


def _ways_to_score_b() -> dict[int, dict[str, object]]:
    ways: dict[int, dict[str, object]] = {}
    couplings = {"good": 0, "fair": 1, "poor": 2, "unacceptable": 3}
    for lo, up, wr in itertools.product(range(1, 3), range(1, 7), range(1, 4)):
        for coupling, pts in couplings.items():
            score = table_b(lo, up, wr) + pts
            ways.setdefault(score, {**LOWER[lo], **UPPER[up], **WRIST[wr], "coupling": coupling})
    return ways


WAYS_A = _ways_to_score_a()
WAYS_B = _ways_to_score_b()


@pytest.mark.parametrize(("score_a", "score_b"), list(itertools.product(range(1, 13), repeat=2)))
def test_every_table_c_cell(score_a, score_b):
    r = reba(inputs(**WAYS_A[score_a], **WAYS_B[score_b]))
    assert (r.score_a, r.score_b) == (score_a, score_b)
    assert r.table_c == table_c(score_a, score_b)
    assert r.score == r.table_c
    assert r.action_level == ACTION_LEVELS[r.score]


@pytest.mark.parametrize("extra", range(4))
def test_activity_adds_one_per_item_and_sets_the_action_level(extra):
    flags = dict(zip(("static", "repeated", "rapid_or_unstable"), [True] * extra, strict=False))
    for score_a in (1, 6, 12):
        r = reba(inputs(**WAYS_A[score_a], **WAYS_B[12], **flags))
        assert r.activity == extra
        assert r.score == table_c(score_a, 12) + extra
        assert r.action_level == ACTION_LEVELS[r.score]


# -- adjustments -------------------------------------------------------------------------------

ADJUSTMENTS = [
    ({"trunk_twisted": True}, "trunk", 1),
    ({"trunk_side_bent": True}, "trunk", 1),
    ({"trunk_twisted": True, "trunk_side_bent": True}, "trunk", 1),
    ({"neck_twisted": True}, "neck", 1),
    ({"neck_side_bent": True}, "neck", 1),
    ({"upper_arm_abducted": True}, "upper_arm", 1),
    ({"upper_arm_rotated": True}, "upper_arm", 1),
    ({"upper_arm_abducted": True, "upper_arm_rotated": True}, "upper_arm", 1),
    ({"shoulder_raised": True}, "upper_arm", 1),
    ({"shoulder_raised": True, "upper_arm_abducted": True}, "upper_arm", 2),
    ({"wrist_deviated": True}, "wrist", 1),
    ({"wrist_twisted": True}, "wrist", 1),
    ({"legs": "unilateral"}, "legs", 1),
    ({"knee_flexion_deg": 45}, "legs", 1),
    ({"knee_flexion_deg": 75}, "legs", 2),
    ({"shock": True}, "load", 1),
    ({"coupling": "fair"}, "coupling", 1),
    ({"coupling": "poor"}, "coupling", 2),
    ({"coupling": "unacceptable"}, "coupling", 3),
    ({"static": True}, "activity", 1),
    ({"repeated": True}, "activity", 1),
    ({"rapid_or_unstable": True}, "activity", 1),
]


@pytest.mark.parametrize(("flags", "part", "delta"), ADJUSTMENTS)
def test_each_adjustment_adds_its_points(flags, part, delta):
    base = {**TRUNK[3], **NECK[2], **UPPER[3], **WRIST[2]}
    before = getattr(reba(inputs(**base)), part)
    after = getattr(reba(inputs(**base, **flags)), part)
    assert after - before == delta


def test_arm_supported_subtracts_one_but_never_below_one():
    assert reba(inputs(**UPPER[3], arm_supported=True)).upper_arm == 2
    assert reba(inputs(**UPPER[1], arm_supported=True)).upper_arm == 1
    assert reba(inputs(**UPPER[6], arm_supported=True)).upper_arm == 5


def test_knee_points_are_not_added_when_sitting():
    assert reba(inputs(knee_flexion_deg=90, sitting=True)).legs == 1
    assert reba(inputs(knee_flexion_deg=90)).legs == 3


# -- band edges (published ranges closed, the next one open) --------------------------------------

BOUNDARIES = [
    (
        "trunk_flexion_deg",
        "trunk",
        [
            (-30, 3),
            (-20, 2),
            (-10, 2),
            (-5, 1),
            (0, 1),
            (5, 1),
            (5.5, 2),
            (20, 2),
            (20.5, 3),
            (60, 3),
            (60.5, 4),
            (120, 4),
        ],
    ),
    ("neck_flexion_deg", "neck", [(-30, 2), (-5.5, 2), (-5, 1), (0, 1), (20, 1), (20.5, 2)]),
    (
        "upper_arm_flexion_deg",
        "upper_arm",
        [
            (-40, 2),
            (-20.5, 2),
            (-20, 1),
            (20, 1),
            (20.5, 2),
            (45, 2),
            (45.5, 3),
            (90, 3),
            (90.5, 4),
            (170, 4),
        ],
    ),
    ("lower_arm_flexion_deg", "lower_arm", [(0, 2), (59.5, 2), (60, 1), (100, 1), (100.5, 2)]),
    ("wrist_flexion_deg", "wrist", [(-30, 2), (-15.5, 2), (-15, 1), (0, 1), (15, 1), (15.5, 2)]),
    ("knee_flexion_deg", "legs", [(0, 1), (29.5, 1), (30, 2), (60, 2), (60.5, 3), (150, 3)]),
    ("load_kg", "load", [(0, 0), (4.9, 0), (5, 1), (10, 1), (10.1, 2), (80, 2)]),
]


@pytest.mark.parametrize(
    ("field", "part", "value", "expected"),
    [(f, p, v, e) for f, p, cases in BOUNDARIES for v, e in cases],
)
def test_band_edges(field, part, value, expected):
    assert getattr(reba(inputs(**{field: value})), part) == expected


# -- worked examples ------------------------------------------------------------------------------


def test_worked_example_from_the_digest_left_pose():
    """Neck 2, trunk 2, legs 2, upper arm 1, lower arm 2, wrist 3 -> A 4, B 3, C 4."""
    r = reba(inputs(**NECK[2], **TRUNK[2], **LEGS[2], **UPPER[1], **LOWER[2], **WRIST[3]))
    assert (r.neck, r.trunk, r.legs, r.upper_arm, r.lower_arm, r.wrist) == (2, 2, 2, 1, 2, 3)
    assert (r.score_a, r.score_b, r.table_c, r.score) == (4, 3, 4, 4)
    assert (r.action_level, r.risk) == (2, "medium")


def test_worked_example_from_the_digest_right_pose():
    """Same pose with wrist 2 -> A 4, B 2, C 4."""
    r = reba(inputs(**NECK[2], **TRUNK[2], **LEGS[2], **UPPER[1], **LOWER[2], **WRIST[2]))
    assert (r.score_a, r.score_b, r.score) == (4, 2, 4)


def test_worst_and_best_possible_postures():
    worst = reba(
        inputs(
            **NECK[3],
            **TRUNK[5],
            **LEGS[4],
            **UPPER[6],
            **LOWER[2],
            **WRIST[3],
            upper_arm_abducted=True,
            load_kg=20,
            shock=True,
            coupling="unacceptable",
            static=True,
            repeated=True,
            rapid_or_unstable=True,
        )
    )
    assert (worst.score_a, worst.score_b, worst.score, worst.action_level) == (12, 12, 15, 4)
    best = reba(inputs())
    assert (best.score, best.action_level, best.risk) == (1, 0, "negligible")


def test_manual_inputs_reject_impossible_values():
    with pytest.raises(ValueError, match="less than or equal to 180"):
        inputs(lower_arm_flexion_deg=200)
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        inputs(load_kg=-1)
    with pytest.raises(ValueError, match="finite"):
        inputs(trunk_flexion_deg=float("nan"))
    with pytest.raises(ValueError, match="coupling"):
        inputs(coupling="great")


def test_scores_never_decrease_when_a_posture_gets_worse():
    rng = np.random.default_rng(7)
    for _ in range(200):
        t = float(rng.uniform(0, 100))
        a = reba(inputs(trunk_flexion_deg=t))
        b = reba(inputs(trunk_flexion_deg=t + float(rng.uniform(0, 40))))
        assert b.score >= a.score
