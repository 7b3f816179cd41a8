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


def test_head_revision_is_alembics_head(db):
    from alembic.script import ScriptDirectory

    from backcare.store.db import HEAD_REVISION, alembic_config

    assert ScriptDirectory.from_config(alembic_config(db.engine)).get_heads() == [HEAD_REVISION]
    assert db.revision() == HEAD_REVISION


def test_an_older_schema_is_upgraded_and_a_current_one_opens_without_alembic(tmp_path):
    import subprocess
    import sys

    from alembic import command

    from backcare.store.db import HEAD_REVISION, alembic_config, open_database

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = open_database(url, migrate=False)
    command.upgrade(alembic_config(old.engine), "0005")
    assert old.revision() == "0005"
    old.migrate()  # the shortcut must not skip a real upgrade
    assert old.revision() == HEAD_REVISION
    old.dispose()
    code = (
        "import sys\n"
        "from backcare.store.db import open_database\n"
        f"db = open_database({url!r})\n"
        "print('alembic' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
