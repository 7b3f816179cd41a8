"""Answers files: JSON objects only; errors name the file."""

from __future__ import annotations

import pytest

from backcare.errors import InputError
from backcare.io.answers import read_answers


def test_reads_an_object(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{"odi.1": 2, "odi.2": null}', encoding="utf-8")
    assert read_answers(path) == {"odi.1": 2, "odi.2": None}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('{"odi.1": 2,', "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"odi.1": 2, "odi.1": 3}', "'odi.1' is given twice"),
    ],
)
def test_bad_files_name_the_file(tmp_path, text, fragment):
    path = tmp_path / "a.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=fragment) as err:
        read_answers(path)
    assert err.value.where == str(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read the answers file"):
        read_answers(tmp_path / "none.json")
