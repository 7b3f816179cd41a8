from __future__ import annotations

import pytest

from backcare.errors import InputError
from backcare.store.assessments import (
    ScoreRow,
    delete_person,
    list_assessments,
    local_person_id,
    save_assessment,
)


def test_save_and_list_round_trip(db):
    pid = local_person_id(db)
    assert local_person_id(db) == pid  # stable
    first = save_assessment(
        db,
        pid,
        answers={"odi.1": 3},
        result={"urgency": "self_care"},
        urgency="self_care",
        phase="acute",
        scores=[ScoreRow("odi", 30.0, "moderate")],
        knowledge_version="k1",
    )
    save_assessment(
        db,
        pid,
        answers={"odi.1": 1},
        result={},
        urgency="self_care",
        phase="subacute",
        scores=[ScoreRow("odi", 10.0, "minimal"), ScoreRow("nrs.now", 2.0, None)],
        knowledge_version="k1",
    )
    rows = list_assessments(db, pid)
    assert [r.id for r in rows] == sorted(r.id for r in rows)
    assert rows[0].id == first.id
    assert rows[0].answers == {"odi.1": 3}
    assert rows[1].scores == (ScoreRow("odi", 10.0, "minimal"), ScoreRow("nrs.now", 2.0, None))
    delete_person(db, pid)
    assert list_assessments(db, pid) == []


def test_unknown_person_is_an_error_and_nothing_is_written(db):
    with pytest.raises(InputError, match="no such person"):
        save_assessment(
            db,
            999,
            answers={},
            result={},
            urgency="x",
            phase=None,
            scores=[],
            knowledge_version="k",
        )
