"""Bad answers: every error names the item and the rule; nothing is scored partially."""

from __future__ import annotations

import pytest

from backcare.clinical.instruments import score
from backcare.errors import InputError

from .helpers import numbered, odi_with_sum


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (6, "6 is out of range"),
        (-1, "-1 is out of range"),
        ("2", "got str '2'"),
        (2.5, "not a whole number"),
        (True, "boolean"),
        (False, "boolean"),
        ([2], "got list"),
        (float("nan"), "not a whole number"),
    ],
)
def test_bad_value_names_item_and_rule(value, fragment):
    answers = {**odi_with_sum(10), "odi.3": value}
    with pytest.raises(InputError) as err:
        score("odi", answers)
    assert err.value.where == "odi.3"
    assert fragment in err.value.problem
    assert "whole number 0-5" in err.value.problem


def test_integral_float_is_accepted_as_json_schema_does():
    answers = {**odi_with_sum(10), "odi.3": 2.0}
    assert score("odi", answers).item_scores["odi.3"] == 2


def test_unknown_item_id_of_the_instrument():
    with pytest.raises(InputError, match=r"unknown item id; ODI items are odi.1..odi.10") as err:
        score("odi", {**odi_with_sum(10), "odi.11": 3})
    assert err.value.where == "odi.11"


def test_several_problems_are_reported_together():
    answers = {**odi_with_sum(10), "odi.2": 7, "odi.4": "x"}
    with pytest.raises(InputError, match="2 problems") as err:
        score("odi", answers)
    assert "odi.2:" in str(err.value)
    assert "odi.4:" in str(err.value)


def test_unknown_instrument_suggests_the_right_one():
    with pytest.raises(InputError, match="did you mean 'odi'"):
        score("oswestry", {})
    with pytest.raises(InputError, match="unknown instrument"):
        score("nothing-like-it", {})


def test_other_instruments_keys_are_ignored_by_score():
    answers = {**odi_with_sum(10), "ndi.1": 99, "rmdq.30": "x"}
    assert score("odi", answers).total == 20.0


def test_an_empty_form_is_refused_not_scored_as_zero():
    with pytest.raises(InputError, match="10 of 10 items unanswered"):
        score("odi", {})
    with pytest.raises(InputError, match="24 of 24"):
        score("rmdq", numbered("rmdq", [None] * 24))
