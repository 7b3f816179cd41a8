"""Cohort manifests (CSV, YAML) and folder scans: what they mean and how problems are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from backcare.batch.manifest import COLUMNS, load_cohort, read_manifest, scan_folder
from backcare.errors import InputError
from backcare.posture.angles import SensorAxes
from tests.batch.cohort import START, SUBJECTS, write_recording


def _touch(folder: Path, *names: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"placeholder")


@pytest.fixture(scope="module")
def real_files(tmp_path_factory):
    """One real recording (for reference windows resolved against the file's start)."""
    folder = tmp_path_factory.mktemp("real")
    subject = "w01"
    return write_recording(folder, subject, SUBJECTS[subject][1], seed=5)


def test_csv_manifest_with_every_column(tmp_path):
    _touch(tmp_path / "data", "a_t.cwa", "a_b.cwa", "a_arm.cwa", "b.cwa")
    manifest = tmp_path / "cohort.csv"
    manifest.write_text(
        "subject,day,group,thigh,trunk,arm,trunk_placement,arm_side,thigh_axes,arm_axes,"
        "work_hours\n"
        "A,d1,nurses,data/a_t.cwa,data/a_b.cwa,data/a_arm.cwa,chest,left,"
        '"down=-x,forward=-z",,7-15\n'
        "\n"  # blank lines are not rows
        "B,,,data/b.cwa,,,,,,,\n",
        encoding="utf-8",
    )
    cohort = read_manifest(manifest)
    a, b = cohort.recordings
    assert a.key == "A_d1"
    assert a.group == "nurses"
    assert a.row == "row 1"
    assert {s.site: s.placement for s in a.sensors} == {
        "thigh": "thigh", "trunk": "trunk_chest", "arm": "upper_arm",
    }  # fmt: skip
    assert a.sensors[0].axes == SensorAxes("-x", "-z")
    assert a.sensors[0].path == (tmp_path / "data" / "a_t.cwa").resolve()
    assert a.arm_side == "left"
    assert a.work_hours == (7.0, 15.0)
    assert b.key == "B"
    assert b.row == "row 2"
    assert b.group == ""
    assert [s.placement for s in b.sensors] == ["thigh"]
    assert b.work_hours is None
    assert b.reference_s is None
    assert cohort.groups == ["", "nurses"]


def test_yaml_manifest_means_the_same(tmp_path):
    _touch(tmp_path, "a_t.cwa", "a_b.cwa")
    (tmp_path / "cohort.yaml").write_text(
        "recordings:\n"
        "  - {subject: A, group: nurses, thigh: a_t.cwa, trunk: a_b.cwa, work_hours: 8-16}\n",
        encoding="utf-8",
    )
    (tmp_path / "cohort.csv").write_text(
        "subject,group,thigh,trunk,work_hours\nA,nurses,a_t.cwa,a_b.cwa,8-16\n", encoding="utf-8"
    )
    assert (
        load_cohort(tmp_path / "cohort.yaml").recordings
        == read_manifest(tmp_path / "cohort.csv").recordings
    )


def test_every_problem_names_its_row_and_column(tmp_path):
    _touch(tmp_path, "a.cwa", "b.cwa")
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "subject,day,thigh,trunk,trunk_placement,thigh_axes,work_hours,reference\n"
        "A,,a.cwa,missing.cwa,back,,,\n"  # row 1: missing trunk file
        "B,,b.cwa,,hip,down=+q,,\n"  # row 2: unknown trunk placement, bad axes
        "A,,b.cwa,,,,25-30,\n"  # row 3: duplicate subject, bad work hours
        "C/1,,a.cwa,,,,,1..x\n",  # row 4: bad subject id, bad reference
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_manifest(manifest)
    text = str(info.value)
    assert str(manifest) in text
    for expected in (
        "row 1, column 'trunk': file not found",
        "row 2, column 'trunk_placement': unknown trunk placement 'hip'",
        "row 2, column 'thigh_axes'",
        "row 3, column 'work_hours'",
        "row 4, column 'subject'",
    ):
        assert expected in text, expected
    assert "the cohort has 5 problems" in text


def test_duplicate_subject_and_day_names_both_rows(tmp_path):
    _touch(tmp_path, "a.cwa", "b.cwa", "c.cwa")
    manifest = tmp_path / "m.csv"
    manifest.write_text("subject,day,thigh\nA,1,a.cwa\nA,2,b.cwa\na,1,c.cwa\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 3, column 'day': duplicate subject 'a', day '1': "
                       r"already listed in row 1"):  # fmt: skip
        read_manifest(manifest)


def test_unknown_columns_and_placements_are_named(tmp_path):
    _touch(tmp_path, "a.cwa")
    csv_file = tmp_path / "m.csv"
    csv_file.write_text("subject,thigh,foot\nA,a.cwa,a.cwa\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"header, column 'foot': unknown column \(placements"):
        read_manifest(csv_file)
    yaml_file = tmp_path / "m.yaml"
    yaml_file.write_text("- {subject: A, thigh: a.cwa, wrist: a.cwa}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 1, column 'wrist': unknown column"):
        read_manifest(yaml_file)
    none = tmp_path / "none.csv"
    none.write_text("subject,group\nA,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 1, column 'thigh': no sensor file"):
        read_manifest(none)


def test_reference_windows_resolve_against_the_files_start(tmp_path, real_files):
    manifest = tmp_path / "m.csv"
    thigh, back = real_files["thigh"], real_files["back"]
    clock = f"{START:%H:%M}:10..{START:%H:%M}:40"
    manifest.write_text(
        "subject,day,thigh,trunk,reference\n"
        f"A,1,{thigh},{back},10..40\n"
        f"A,2,{thigh},{back},{clock}\n",
        encoding="utf-8",
    )
    first, second = read_manifest(manifest).recordings
    assert first.reference_s == (10.0, 40.0)
    assert second.reference_s == (10.0, 40.0)
    assert second.reference == clock
    manifest.write_text(f"subject,thigh,reference\nA,{thigh},40..10\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 1, column 'reference': the window ends before"):
        read_manifest(manifest)


def test_folder_convention(tmp_path):
    _touch(tmp_path, "w1_thigh.cwa", "w1_back.cwa", "site_7_2024-03-04_thigh.CWA", "notes.md")
    _touch(tmp_path / "nurses", "n1_d2_thigh.cwa", "n1_d2_chest.cwa", "n1_d2_arm.cwa")
    cohort = scan_folder(tmp_path)
    by_key = {r.key: r for r in cohort.recordings}
    assert set(by_key) == {"w1", "site_7_2024-03-04", "n1_d2"}
    assert by_key["site_7_2024-03-04"].subject == "site_7"
    assert by_key["site_7_2024-03-04"].day == "2024-03-04"
    nurse = by_key["n1_d2"]
    assert nurse.group == "nurses"
    assert nurse.subject == "n1"
    assert nurse.day == "d2"
    assert {s.placement for s in nurse.sensors} == {"thigh", "trunk_chest", "upper_arm"}
    assert {s.placement for s in by_key["w1"].sensors} == {"thigh", "trunk_back"}
    assert load_cohort(tmp_path).recordings == cohort.recordings


def test_folder_problems_name_the_file(tmp_path):
    _touch(tmp_path, "w1_thigh.cwa", "w1_foot.cwa", "w2.cwa", "w3_back.cwa", "w3_trunk.cwa")
    with pytest.raises(InputError) as info:
        scan_folder(tmp_path)
    text = str(info.value)
    assert "file w1_foot.cwa: unknown placement 'foot'" in text
    assert "file w2.cwa: unknown placement" in text
    assert "w3_trunk.cwa: a second trunk file for the same recording" in text
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="holds no sensor file"):
        scan_folder(empty)


def test_missing_manifest_and_unknown_kind(tmp_path):
    with pytest.raises(InputError, match="no such manifest"):
        load_cohort(tmp_path / "nope.csv")
    other = tmp_path / "m.json"
    other.write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match=r"a manifest is a \.csv"):
        load_cohort(other)


def test_columns_are_documented():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "batch.md").read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"`{column}`" in doc, column
