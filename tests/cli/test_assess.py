"""`backcare assess` and `backcare history` end to end (in-process and as a real process)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backcare.clinical.answers import triage_questions
from backcare.clinical.assessment import answers_schema, assess

NO_FLAGS = {
    q.id: False for q in triage_questions() if q.type == "boolean" and q.id.startswith("triage.")
}

BASE = {
    **NO_FLAGS,
    "pain.region": "low_back",
    "pain.duration_weeks": 3,
    "pain.recurrent": False,
    "profile.age": 40,
    "nrs.now": 5,
    "nrs.average_week": 6,
    "nrs.worst_week": 8,
    **{f"odi.{i}": 3 for i in range(1, 11)},
}


def write(tmp_path: Path, answers: dict, name: str = "answers.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(answers))
    return path


def test_answers_file_json_result_is_stored_and_sourced(cli, tmp_path):
    rc, out, err = cli("assess", "--answers", str(write(tmp_path, BASE)), "--json")
    assert rc == 0, err
    data = json.loads(out)
    assert data["triage"]["urgency"] == "self_care"
    assert data["phase"]["phase"] == "acute"
    assert data["scores"]["odi"]["total"] == 60.0
    assert data["scores"]["odi"]["category"] == "severe"
    assert data["assessment_id"] >= 1
    plan = data["plan"]
    assert plan["status"] == "self_management"
    for line in plan["recommended"] + plan["not_recommended"] + plan["prevention"]:
        assert line["sources"], line["id"]
    assert all(line["verdict"] != "dont" for line in plan["recommended"])


def test_emergency_stops_everything(cli, tmp_path):
    answers = {**BASE, "triage.saddle_numbness": True}
    rc, out, _ = cli("assess", "--answers", str(write(tmp_path, answers)), "--json")
    assert rc == 0
    data = json.loads(out)
    assert data["triage"]["urgency"] == "emergency"
    assert data["plan"]["status"] == "emergency"
    assert data["scores"] == {}
    assert data["plan"]["recommended"] == []


def test_emergency_text_output_shows_what_to_do(cli, tmp_path):
    answers = {**BASE, "triage.chest_pain": True, "triage.chest_breathless": True}
    rc, out, _ = cli("assess", "--answers", str(write(tmp_path, answers)), "--no-save")
    assert rc == 0
    assert "Emergency" in out or "emergency" in out
    assert "Recommended" not in out


@pytest.mark.parametrize(
    ("answers", "where"),
    [
        ({**BASE, "odi.3": 9}, "odi.3"),
        ({**BASE, "foo.1": 2}, "foo.1"),
        ({**BASE, "triage.fever": "maybe"}, "triage.fever"),
    ],
)
def test_bad_answers_name_file_and_item_and_store_nothing(cli, tmp_path, answers, where):
    path = write(tmp_path, answers)
    rc, _, err = cli("assess", "--answers", str(path))
    assert rc == 2
    assert str(path) in err
    assert where in err
    rc, out, _ = cli("history", "--json")
    assert json.loads(out)["assessments"] == []


def test_not_json_is_a_clear_error(cli, tmp_path):
    path = tmp_path / "a.json"
    path.write_text("{not json")
    rc, _, err = cli("assess", "--answers", str(path))
    assert rc == 2
    assert "not valid JSON" in err


def test_history_classifies_meaningful_change(cli, tmp_path):
    cli("assess", "--answers", str(write(tmp_path, BASE)))
    better = {**BASE, **{f"odi.{i}": 1 for i in range(1, 11)}, "nrs.average_week": 2}
    cli("assess", "--answers", str(write(tmp_path, better, "b.json")))
    rc, out, _ = cli("history", "--json")
    assert rc == 0
    data = json.loads(out)
    assert len(data["assessments"]) == 2
    assert data["change"]["odi"]["classification"] == "improved"
    assert data["change"]["nrs"]["classification"] == "improved"
    rc, out, _ = cli("history")
    assert "improved" in out


def test_schema_lists_every_answer_id(cli):
    rc, out, _ = cli("assess", "--schema")
    assert rc == 0
    schema = json.loads(out)
    assert {"odi.1", "startback.9", "triage.saddle_numbness", "pain.region"} <= set(
        schema["properties"]
    )
    assert schema == answers_schema()


def test_assess_pure_facade_matches_cli(tmp_path):
    result = assess(BASE)
    assert result.scores["odi"].total == 60.0
    assert result.plan.status == "self_management"


def _triage_script(replies: dict[str, tuple[str, object]]) -> list[str]:
    """Lines a person types for the triage questions, following the same conditional order as
    the command (questions appear or vanish as answers come in); unlisted questions get 'n'."""
    answers: dict[str, object] = {}
    asked: set[str] = set()
    lines: list[str] = []
    while pending := [q for q in triage_questions(answers) if q.id not in asked]:
        q = pending[0]
        asked.add(q.id)
        typed, value = replies.get(q.id, ("n", False))
        lines.append(typed)
        answers[q.id] = value
    return lines


ABOUT = {
    "pain.region": ("1", "low_back"),
    "pain.duration_weeks": ("3", 3.0),
    "pain.recurrent": ("n", False),
    "profile.age": ("40", 40),
    "pain.onset_age": ("?", None),
}


def _interactive_lines(emergency: bool) -> list[str]:
    if emergency:
        return ["1", "3", "n", "40", "?", "y"]  # saddle numbness (first red flag) -> stop
    lines = _triage_script(ABOUT)
    lines += ["", "5", "6", "8"]  # NRS (default yes): now, average, worst
    lines += ["n"]  # STarT Back: no
    lines += ["", "1", *["2"] * 10]  # ODI: yes, variant 1, ten items
    lines += ["", ""]  # RMDQ, Orebro: default no
    return lines


def test_interactive_run_through_stdin(cli, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(_interactive_lines(False)) + "\n"))
    rc, out, err = cli("assess")
    assert rc == 0, err + out
    assert "Self-care" in out
    assert "Oswestry" in out
    assert "Sources" in out
    rc, out, _ = cli("history", "--json")
    (stored,) = json.loads(out)["assessments"]
    assert stored["scores"]["odi"]["total"] == 40.0


def test_interactive_emergency_real_process(tmp_path):
    """The installed `backcare` command, driven through a pipe like a terminal user."""
    exe = Path(sys.executable).parent / "backcare"
    env = {**os.environ, "BACKCARE_DATA_DIR": str(tmp_path), "COLUMNS": "100"}
    proc = subprocess.run(
        [str(exe), "assess"],
        input="\n".join(_interactive_lines(True)) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Emergency" in proc.stdout
    assert "Fill in" not in proc.stdout  # no questionnaire after an emergency


def test_input_ending_early_is_a_clear_error(cli, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("1\n3\n"))
    rc, _, err = cli("assess")
    assert rc == 2
    assert "input ended" in err
