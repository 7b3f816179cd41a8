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
    """Lines a person types for the interview, following the same conditional order as the
    command (questions appear or vanish as answers come in); unlisted yes/no questions get 'n',
    checklists '0' (none), choices and scales their first answer."""
    answers: dict[str, object] = {}
    asked: set[str] = set()
    lines: list[str] = []
    while pending := [q for q in triage_questions(answers, interactive=True) if q.id not in asked]:
        q = pending[0]
        if q.checklist:
            group = [p for p in pending if p.checklist == q.checklist]
            asked.update(p.id for p in group)
            lines.append("0")
            answers.update(dict.fromkeys((p.id for p in group), False))
            continue
        asked.add(q.id)
        if q.id in replies:
            typed, value = replies[q.id]
        elif q.type == "boolean":
            typed, value = "n", False
        elif q.type == "choice":
            typed, value = "1", (q.choices or ("",))[0]
        elif q.labels is not None:
            typed, value = "1", int(q.minimum or 0)
        else:
            raise AssertionError(f"no reply for {q.id}")
        lines.append(typed)
        answers[q.id] = value
    return lines


ABOUT = {
    "pain.region": ("1", "low_back"),
    "pain.duration_weeks": ("3 weeks", 3.0),
    "profile.age": ("40", 40),
}
ODI_PACK = Path(__file__).resolve().parents[1] / "io" / "data" / "fictional-odi-pack.yaml"


def _interactive_lines(emergency: bool) -> list[str]:
    if emergency:
        return ["1", "40", "3 weeks", "y"]  # saddle numbness (first red flag) -> stop
    lines = _triage_script(ABOUT)
    lines += ["6"]  # pain over the past week
    lines += ["", *["2"] * 10]  # the ODI (licensed wording given): yes, ten items
    return lines


def test_interactive_run_through_stdin(cli, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(_interactive_lines(False)) + "\n"))
    rc, out, err = cli("assess", "--text-pack", str(ODI_PACK), "--more")
    assert rc == 0, err + out
    assert "Self-care" in out
    assert "Fictional section 1" in out
    assert "Sources" in out
    rc, out, _ = cli("history", "--json")
    (stored,) = json.loads(out)["assessments"]
    assert stored["scores"]["odi"]["total"] == 40.0


def test_typical_person_needs_at_most_25_prompts_and_4_minutes(cli, monkeypatch):
    """A 40-year-old with 2 weeks of low back pain after gardening and no warning signs."""
    lines = [*_triage_script(ABOUT), "4"]
    assert len(lines) <= 25
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    rc, out, err = cli("assess", "--no-save")
    assert rc == 0, err + out
    questions, _, result = out.partition("What to do")
    assert "item score" not in questions
    assert "_" not in questions.replace("__", "")  # no ids or enum names
    # silent reading at 238 words a minute (Brysbaert 2019, adults, non-fiction) plus two
    # seconds to type each answer
    seconds = len(questions.split()) / 238 * 60 + 2 * len(lines)
    assert seconds < 240, seconds
    assert len(result.split()) < 300
    assert result.index("Self-care") < result.index("Your plan")
    assert "--more" in result


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
    monkeypatch.setattr(sys, "stdin", io.StringIO("1\n30\n"))
    rc, _, err = cli("assess")
    assert rc == 2
    assert "input ended" in err


def test_text_pack_install_list_withdraw_and_the_interview_uses_it(cli, monkeypatch):
    rc, out, err = cli("text-pack", "install", str(ODI_PACK))
    assert rc == 0, err
    assert "version 1" in out
    rc, out, _ = cli("text-pack", "list")
    assert "odi" in out
    assert "command line" in out
    # installed packs are offered by the interview without --text-pack
    lines = [*_triage_script(ABOUT), "6", "", *["1"] * 10]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    rc, out, err = cli("assess", "--no-save")
    assert rc == 0, err + out
    assert "Fictional section 10" in out
    rc, out, _ = cli("text-pack", "withdraw", "odi")
    assert "Withdrawn" in out
    bad = Path(__file__).resolve().parents[1] / "io" / "data" / "fictional-ndi-pack.yaml"
    rc, _, err = cli("text-pack", "install", str(bad.with_name("missing.yaml")))
    assert rc == 2
