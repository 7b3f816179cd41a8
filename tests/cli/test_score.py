"""``backcare score`` end to end (in-process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

PACK = Path(__file__).resolve().parents[1] / "io" / "data" / "fictional-ndi-pack.yaml"


def _answers(tmp_path: Path, data: dict, name: str = "answers.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


ODI = {f"odi.{n}": v for n, v in enumerate([2, 2, 3, 1, 2, 2, 1, None, 2, 1], start=1)}


def test_score_prints_a_table(cli, tmp_path):
    rc, out, err = cli("score", "odi", "--answers", _answers(tmp_path, ODI))
    assert rc == 0, err
    assert "35.6" in out  # 16 / 45 x 100
    assert "moderate disability" in out
    assert "odi.8" in out
    assert "Jeremy Fairbank" in out
    assert "at least 8 of the 10 sections" in out


def test_score_json(cli, tmp_path):
    rc, out, _ = cli("score", "odi", "--answers", _answers(tmp_path, ODI), "--json")
    assert rc == 0
    data = json.loads(out)
    assert data["instrument"] == "odi"
    assert data["total"] == pytest.approx(1600 / 45)
    assert data["category"] == "moderate"
    assert data["missing"] == ["odi.8"]
    assert data["rule_notes"]


def test_score_all(cli, tmp_path):
    answers = {**ODI, "nrs.average_week": 6, "nrs.now": 4, "other.thing": "kept apart"}
    rc, out, _ = cli("score", "all", "-a", _answers(tmp_path, answers), "--json")
    assert rc == 0
    assert set(json.loads(out)) == {"odi", "nrs"}
    rc, out, _ = cli("score", "all", "-a", _answers(tmp_path, answers))
    assert rc == 0
    assert "Pain NRS" in out
    assert "ODI" in out


def test_variant_option(cli, tmp_path):
    path = _answers(tmp_path, ODI)
    rc, out, _ = cli("score", "odi", "-a", path, "--variant", "employment", "--json")
    assert rc == 0
    assert json.loads(out)["variant"] == "employment"


def test_list_shows_instruments_and_notices(cli):
    rc, out, _ = cli("score", "--list")
    assert rc == 0
    for fragment in (
        "startback",
        "orebro",
        "ODI (c) Jeremy Fairbank",
        "Keele University",
        "Howard Vernon",
        "public domain",
    ):
        assert fragment in out
    rc, out, _ = cli("score", "--list", "--json")
    assert {row["id"] for row in json.loads(out)} == {
        "startback",
        "odi",
        "rmdq",
        "ndi",
        "nrs",
        "orebro",
    }


def test_schema_and_template(cli):
    rc, out, _ = cli("score", "--schema")
    assert rc == 0
    props = json.loads(out)["properties"]
    assert "startback.9" in props
    assert "orebro.1" in props
    rc, out, _ = cli("score", "ndi", "--schema")
    assert set(json.loads(out)["properties"]) == {f"ndi.{n}" for n in range(1, 11)}
    rc, out, _ = cli("score", "odi", "--template")
    template = json.loads(out)
    assert template["odi.variant"] == "sex_life"
    assert template["odi.10"] is None


def test_text_pack_wording_is_shown(cli, tmp_path):
    ndi = {f"ndi.{n}": 1 for n in range(1, 11)}
    rc, out, err = cli("score", "ndi", "-a", _answers(tmp_path, ndi), "--text-pack", str(PACK))
    assert rc == 0, err
    assert "Fictional item one" in out
    assert "a little (fictional)" in out
    assert "Example Clinic (fictional)" in out


def test_bad_json_names_the_file(cli, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"odi.1": ', encoding="utf-8")
    rc, _, err = cli("score", "odi", "--answers", str(path))
    assert rc == 2
    assert "broken.json" in err
    assert "not valid JSON" in err
    assert "Traceback" not in err


def test_bad_value_names_file_item_and_rule(cli, tmp_path):
    path = _answers(tmp_path, {**ODI, "odi.4": "2"}, name="mine.json")
    rc, _, err = cli("score", "odi", "--answers", path)
    assert rc == 2
    assert "mine.json" in err
    assert "odi.4" in err
    assert "whole number 0-5" in err


def test_missing_arguments_and_unknown_instrument(cli, tmp_path):
    rc, _, err = cli("score")
    assert rc == 2
    assert "name an instrument" in err
    rc, _, err = cli("score", "odi")
    assert rc == 2
    assert "--answers" in err
    rc, _, err = cli("score", "oswestry", "-a", _answers(tmp_path, ODI))
    assert rc == 2
    assert "did you mean 'odi'" in err
    rc, _, err = cli("score", "all", "-a", _answers(tmp_path, {"x.y": 1}))
    assert rc == 2
    assert "no instrument has an answered item" in err
    rc, _, err = cli("score", "odi", "-a", _answers(tmp_path, ODI), "--text-pack", str(PACK))
    assert rc == 2
    assert "not 'odi'" in err
