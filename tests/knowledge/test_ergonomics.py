"""Schema of the REBA/RULA knowledge files: shapes, monotonicity and consistency are enforced."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from pydantic import ValidationError

from backcare.knowledge import load
from backcare.knowledge.ergonomics import (
    Band,
    RebaTables,
    RulaTables,
    Scale,
    ScoreTable,
    SeriesRules,
)
from backcare.knowledge.loader import load_text

SRC = ("hignett-2000",)


def test_the_three_files_load_and_cite_the_method_papers():
    reba = load("ergonomics/reba.yaml", RebaTables)
    rula = load("ergonomics/rula.yaml", RulaTables)
    rules = load("ergonomics/series-rules.yaml", SeriesRules)
    assert reba.table_c.shape == (12, 12)
    assert rula.table_a.shape == (6, 3, 4, 2)
    assert "hignett-2000" in reba.method.sources
    assert "mcatamney-1993" in rula.method.sources
    assert rules.twisted.rationale


def test_rula_file_says_which_table_a_it_uses():
    text = load_text("ergonomics/rula.yaml")
    assert "McAtamney & Corlett 1993" in text
    assert "CURULA" in text


def scale(scores, edges, shape="valley"):
    bands = [Band(score=s, up_to=e) for s, e in zip(scores, [*edges, None], strict=True)]
    return Scale(unit="deg", shape=shape, bands=tuple(bands), sources=SRC)


def test_scale_scores_band_edges_both_ways():
    s = Scale(
        unit="kg",
        shape="increasing",
        bands=(Band(score=0, up_to=5, inclusive=False), Band(score=1, up_to=10), Band(score=2)),
        sources=SRC,
    )
    got = s.score_array(np.array([0, 4.99, 5, 10, 10.01, np.nan]))
    assert got.tolist() == [0, 0, 1, 1, 2, 0]


@pytest.mark.parametrize(
    ("scores", "edges", "shape", "match"),
    [
        ([1, 2, 3], [20, 10], "increasing", "increase strictly"),
        ([1, 3, 2], [10, 20], "increasing", "must not decrease"),
        ([2, 1, 2, 1], [0, 10, 20], "valley", "one minimum"),
    ],
)
def test_bad_scales_are_rejected(scores, edges, shape, match):
    with pytest.raises(ValidationError, match=match):
        scale(scores, edges, shape)


def test_open_last_band_is_required():
    with pytest.raises(ValidationError, match="last band must be open"):
        Scale(unit="deg", shape="increasing", bands=(Band(score=1, up_to=3),), sources=SRC)


def test_tables_must_fill_their_shape_and_never_decrease():
    ScoreTable(axes=("a", "b"), shape=(2, 2), values=((1, 2), (2, 3)), sources=SRC)
    with pytest.raises(ValidationError, match="do not fill"):
        ScoreTable(axes=("a", "b"), shape=(2, 3), values=((1, 2), (2, 3)), sources=SRC)
    with pytest.raises(ValidationError, match="decrease along axis 'a'"):
        ScoreTable(axes=("a", "b"), shape=(2, 2), values=((1, 2), (1, 1)), sources=SRC)
    with pytest.raises(ValidationError, match="at least 1"):
        ScoreTable(axes=("a",), shape=(2,), values=((0, 1),), sources=SRC)


def _reba_raw():
    return yaml.safe_load(load_text("ergonomics/reba.yaml"))


def test_a_damaged_reba_table_fails_validation():
    raw = _reba_raw()
    raw["table_a"]["values"][1] = [2, 3, 5, 4]  # neck 1, trunk 2: legs 4 below legs 3
    with pytest.raises(ValidationError, match="decrease along axis 'legs'"):
        RebaTables.model_validate(raw)


def test_reba_consistency_checks():
    raw = _reba_raw()
    raw["adjustments"]["points"]["shoulder_raised"] = 2  # upper arm could reach 7
    with pytest.raises(ValidationError, match="upper arm scores run 1..7"):
        RebaTables.model_validate(raw)
    raw = _reba_raw()
    raw["action_levels"]["levels"][-1]["max_score"] = 14
    with pytest.raises(ValidationError, match="highest REBA score is 15"):
        RebaTables.model_validate(raw)
    raw = _reba_raw()
    del raw["coupling"]["points"]["unacceptable"]
    with pytest.raises(ValidationError, match="coupling must name exactly"):
        RebaTables.model_validate(raw)
