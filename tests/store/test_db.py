from __future__ import annotations

from sqlalchemy import inspect, select

from backcare.store.models import Assessment, InstrumentScore, Person


def test_migrations_create_schema_and_are_idempotent(db):
    tables = set(inspect(db.engine).get_table_names())
    assert {"persons", "assessments", "instrument_scores", "alembic_version"} <= tables
    db.migrate()  # second run is a no-op


def test_round_trip_and_cascade(db):
    with db.session() as s:
        p = Person(display_name="me", mass_kg=75.0)
        a = Assessment(
            person=p,
            answers={"odi.1": 2},
            result={"x": [1, 2]},
            urgency="self_care",
            phase="acute",
            knowledge_version="test",
        )
        a.scores.append(InstrumentScore(instrument="odi", total=20.0, category="minimal"))
        s.add(p)
    with db.session() as s:
        got = s.scalars(select(Assessment)).one()
        assert got.answers == {"odi.1": 2}
        assert got.result == {"x": [1, 2]}
        assert got.scores[0].total == 20.0
        s.delete(got.person)
    with db.session() as s:
        assert s.scalars(select(InstrumentScore)).all() == []
