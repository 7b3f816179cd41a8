"""``backcare ergo reba`` and ``backcare ergo rula`` end to end (in process)."""

from __future__ import annotations

import json

import pytest

REBA_ARGS = [
    "ergo",
    "reba",
    "--trunk-flexion",
    "45",
    "--trunk-twisted",
    "--neck-flexion",
    "25",
    "--legs",
    "unilateral",
    "--knee-flexion",
    "40",
    "--upper-arm-flexion",
    "60",
    "--lower-arm-flexion",
    "80",
    "--wrist-flexion",
    "10",
    "--load",
    "6",
    "--coupling",
    "fair",
    "--static",
]
RULA_ARGS = [
    "ergo",
    "rula",
    "--upper-arm-flexion",
    "25",
    "--lower-arm-flexion",
    "90",
    "--wrist-flexion",
    "-20",
    "--neck-flexion",
    "15",
    "--trunk-flexion",
    "-10",
    "--trunk-supported-sitting",
    "--static-arm",
]


def test_reba_prints_every_intermediate_score_and_the_action_level(cli):
    rc, out, err = cli(*REBA_ARGS)
    assert rc == 0, err
    # trunk 3+1, neck 2, legs 2+1 -> A 7 + load 1 = 8; upper arm 3, lower 1, wrist 1 -> B 3 + 1
    # = 4; table C 9 + static 1 = 10
    for item, score in [
        ("trunk", 4),
        ("neck", 2),
        ("legs", 3),
        ("table A", 7),
        ("score A", 8),
        ("upper arm", 3),
        ("table B", 3),
        ("score B", 4),
        ("table C", 9),
        ("activity", 1),
        ("REBA score", 10),
    ]:
        assert any(
            item in line and line.rstrip(" │").endswith(f" {score}") for line in out.splitlines()
        ), (item, out)
    assert "action level 3, high risk" in out


def test_reba_json(cli):
    rc, out, _ = cli(*REBA_ARGS, "--json")
    assert rc == 0
    doc = json.loads(out)
    assert doc["method"] == "REBA"
    assert "Hignett" in doc["source"]
    assert doc["inputs"]["trunk_flexion_deg"] == 45
    assert doc["result"]["score"] == 10
    assert doc["result"]["action_level"] == 3


def test_rula_json_and_table(cli):
    rc, out, _ = cli(*RULA_ARGS, "--json")
    assert rc == 0
    result = json.loads(out)["result"]
    assert (result["score_c"], result["score_d"], result["score"]) == (4, 2, 3)
    rc, out, _ = cli(*RULA_ARGS)
    assert rc == 0
    assert "grand score 3: action level 2" in out
    assert "score C" in out
    assert "score D" in out


def test_rula_static_and_repeated_apply_to_both_groups(cli):
    rc, out, _ = cli(*RULA_ARGS[:-1], "--repeated", "--json")
    assert rc == 0
    result = json.loads(out)["result"]
    assert (result["muscle_use_a"], result["muscle_use_b"]) == (1, 1)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--lower-arm-flexion", "200"], "--lower-arm-flexion"),
        (["--knee-flexion", "-5"], "--knee-flexion"),
        (["--load", "-1"], "--load"),
        (["--coupling", "great"], "--coupling"),
        (["--legs", "three"], "--legs"),
        (["--trunk-flexion", "400"], "--trunk-flexion"),
    ],
)
def test_reba_impossible_input_names_the_option(cli, args, option):
    rc, _, err = cli(*REBA_ARGS, *args)
    assert rc == 2
    assert option in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--wrist-twist", "sideways"], "--wrist-twist"),
        (["--load-pattern", "sometimes"], "--load-pattern"),
        (["--wrist-flexion", "-190"], "--wrist-flexion"),
        (["--load", "-0.5"], "--load"),
    ],
)
def test_rula_impossible_input_names_the_option(cli, args, option):
    rc, _, err = cli(*RULA_ARGS, *args)
    assert rc == 2
    assert option in err


def test_missing_angle_and_non_numbers_are_usage_errors(cli):
    rc, _, err = cli("ergo", "reba", "--trunk-flexion", "10")
    assert rc == 2
    assert "Missing option" in err
    rc, _, err = cli(*REBA_ARGS[:3], "ten", *REBA_ARGS[4:])
    assert rc == 2
    assert "--trunk-flexion" in err
