from __future__ import annotations

import json

import pytest

NIOSH = ("ergo", "niosh", "--load", "15", "--h", "40", "--v", "60", "--d", "50", "--a", "30")
FREQ = ("--freq", "2", "--duration", "1h", "--coupling", "fair")


def test_niosh_prints_every_multiplier_rwl_li_and_verdict(cli):
    rc, out, err = cli(*NIOSH, *FREQ)
    assert rc == 0, err
    for label, value in [
        ("HM", "0.625"),
        ("VM", "0.955"),
        ("DM", "0.910"),
        ("AM", "0.904"),
        ("FM", "0.910"),
        ("CM", "0.950"),
    ]:
        assert any(label in line and value in line for line in out.splitlines()), label
    assert "RWL 9.8 kg (origin)" in out
    assert "lifting index 1.54" in out
    assert "LI above 1.0" in out
    assert "Waters TR" in out


def test_niosh_json(cli):
    rc, out, _ = cli(*NIOSH, "--freq", "2", "--duration", "8h", "--coupling", "poor", "--json")
    assert rc == 0
    doc = json.loads(out)
    result = doc["result"]
    assert result["origin"]["multipliers"]["fm"] == pytest.approx(0.65)
    assert result["origin"]["multipliers"]["cm"] == pytest.approx(0.9)
    assert result["lifting_index"] == pytest.approx(15 / result["rwl_kg"])
    assert result["risk_level"] == "increased"
    assert {s["id"] for s in result["sources"]} >= {"waters-1993", "niosh-94-110"}


def test_niosh_destination_and_zero_rwl_in_json(cli):
    args = ("ergo", "niosh", "--load", "10", "--h", "30", "--v", "60", "--v-dest", "150")
    more = ("--h-dest", "70", "--freq", "1", "--duration", "2h", "--coupling", "good", "--json")
    rc, out, _ = cli(*args, *more)
    assert rc == 0
    result = json.loads(out)["result"]
    assert result["d_cm"] == 90.0
    assert result["destination"]["multipliers"]["hm"] == 0.0
    assert result["governing"] == "destination"
    assert result["rwl_kg"] == 0.0
    assert result["lifting_index"] is None  # infinite: no load is acceptable
    assert result["risk_level"] == "high"


def test_niosh_text_with_destination(cli):
    rc, out, _ = cli(*NIOSH[:-2], "--v-dest", "120", *FREQ)
    assert rc == 0
    assert "destination" in out
    assert "D [cm]" in out


@pytest.mark.parametrize(
    ("change", "option"),
    [
        (("--h", "-4"), "--h"),
        (("--v", "-1"), "--v"),
        (("--d", "-3"), "--d"),
        (("--a", "200"), "--a"),
        (("--load", "-2"), "--load"),
        (("--freq", "16"), "--freq"),
        (("--h", "nan"), "--h"),
    ],
)
def test_niosh_bad_input_names_the_option(cli, change, option):
    args = list(NIOSH) + list(FREQ)
    i = args.index(change[0])
    args[i + 1] = change[1]
    rc, out, err = cli(*args)
    assert rc == 2
    assert f"{option}:" in err
    assert "Traceback" not in err + out


def test_niosh_needs_a_travel_distance_or_destination(cli):
    rc, _, err = cli("ergo", "niosh", "--load", "5", "--h", "30", "--v", "60", *FREQ)
    assert rc == 2
    assert "--d" in err
    rc, _, err = cli(*NIOSH, *FREQ, "--h-dest", "30")
    assert rc == 2
    assert "--v-dest" in err


def test_niosh_unknown_duration_is_a_usage_error(cli):
    rc, _, err = cli(*NIOSH, "--freq", "2", "--duration", "3h", "--coupling", "fair")
    assert rc == 2
    assert "--duration" in err


LOAD = ("ergo", "load", "--mass", "75", "--height", "175")


def test_load_prints_forces_limits_and_both_disc_models(cli):
    rc, out, err = cli(*LOAD, "--trunk-flexion", "40", "--load", "10")
    assert rc == 0, err
    assert "compression [N]" in out
    assert "3400" in out
    assert "6400" in out
    assert "Wilke" in out
    assert "Nachemson" in out
    assert "below the action limit" in out
    assert "de Leva P" in out
    assert "2.2 times standing" in out


def test_load_json(cli):
    rc, out, _ = cli(*LOAD, "--trunk-flexion", "0", "--json")
    assert rc == 0
    doc = json.loads(out)
    assert 400 <= doc["l5s1"]["compression_n"] <= 500
    assert doc["l5s1"]["action_limit_n"] == 3400
    assert doc["disc_pressure"]["wilke1999"]["mpa"] == pytest.approx(0.5)
    assert doc["disc_pressure"]["wilke1999"]["x_lying"] == pytest.approx(5.0)
    assert doc["disc_pressure"]["nachemson1981"]["x_standing"] == pytest.approx(1.0)
    assert doc["article_claim"]["ratios"]["wilke1999"]["bent_to_lying"] == pytest.approx(11.0)
    ids = {s["id"] for s in doc["sources"]}
    assert {"wilke-1999", "nachemson-1981", "de-leva-1996", "niosh-1981"} <= ids


def test_load_heavy_stoop_lift_exceeds_the_action_limit(cli):
    rc, out, _ = cli(*LOAD, "--trunk-flexion", "80", "--load", "30", "--json")
    assert rc == 0
    doc = json.loads(out)
    assert doc["l5s1"]["compression_n"] > 3400
    assert doc["l5s1"]["verdict"] == "above the action limit"


def test_load_sitting_and_lying(cli):
    rc, out, _ = cli(*LOAD, "--trunk-flexion", "0", "--posture", "sitting", "--json")
    assert rc == 0
    assert json.loads(out)["disc_pressure"]["wilke1999"]["mpa"] == pytest.approx(0.46)
    rc, out, _ = cli(*LOAD, "--trunk-flexion", "0", "--posture", "lying-side", "--json")
    assert rc == 0
    doc = json.loads(out)
    assert doc["l5s1"] is None
    assert doc["disc_pressure"]["wilke1999"]["mpa"] == pytest.approx(0.12)
    rc, out, _ = cli(*LOAD, "--trunk-flexion", "0", "--posture", "lying-supine")
    assert rc == 0
    assert "not computed" in out


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("--mass", "-75", "--height", "175", "--trunk-flexion", "10"), "--mass"),
        (("--mass", "75", "--height", "500", "--trunk-flexion", "10"), "--height"),
        (("--mass", "75", "--height", "1.75", "--trunk-flexion", "10"), "--height"),
        (("--mass", "75", "--height", "175", "--trunk-flexion", "170"), "--trunk-flexion"),
        (("--mass", "75", "--height", "175", "--trunk-flexion", "10", "--load", "-1"), "--load"),
        (
            ("--mass", "75", "--height", "175", "--trunk-flexion", "10", "--elbow-flexion", "-5"),
            "--elbow-flexion",
        ),
    ],
)
def test_load_bad_input_names_the_option(cli, args, option):
    rc, out, err = cli("ergo", "load", *args)
    assert rc == 2
    assert f"{option}:" in err
    assert "Traceback" not in err + out
