"""Every ``backcare`` command, added to the root app in one place.

Command modules define plain functions (and their group's ``typer.Typer``); nothing registers
itself on import, so each module imports on its own and the order below is the order ``--help``
lists them (single commands first, then groups, as Typer shows them). Command modules keep
their module-level imports light: what ``--help`` needs (Typer, Rich, small enums); pandas,
SciPy, matplotlib, the knowledge catalog, the database and the web app load inside the
command that uses them.
"""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add every command and command group to the root ``app``."""
    from backcare.cli import (
        assess,
        batch,
        camera,
        ergo,
        ergo_load,
        ergo_scores,
        facts,
        info,
        score,
        serve,
        text_pack,
        wearable,
        wearable_analyze,
        wearable_files,
        worker,
    )

    # -- single commands -----------------------------------------------------------------------
    app.command("assess")(assess.assess_command)
    app.command("history")(assess.history_command)
    app.command("facts")(facts.facts)
    app.command("doctor")(info.doctor)
    app.command("score")(score.score_command)
    app.command("serve")(serve.serve_command)
    app.command("worker")(worker.worker_command)

    # -- command groups ------------------------------------------------------------------------
    batch.batch_app.command("wearable")(batch.wearable_command)
    batch.batch_app.command("camera")(batch.camera_command)
    app.add_typer(batch.batch_app, name="batch")

    camera.camera_app.command("analyze")(camera.analyze)
    camera.camera_app.command("people")(camera.people_command)
    app.add_typer(camera.camera_app, name="camera")

    ergo.ergo_app.command("niosh")(ergo_load.niosh_command)
    ergo.ergo_app.command("load")(ergo_load.load_command)
    ergo.ergo_app.command("reba")(ergo_scores.reba_command)
    ergo.ergo_app.command("rula")(ergo_scores.rula_command)
    app.add_typer(ergo.ergo_app, name="ergo")

    text_pack.text_pack_app.command("install")(text_pack.install)
    text_pack.text_pack_app.command("list")(text_pack.list_command)
    text_pack.text_pack_app.command("withdraw")(text_pack.withdraw)
    app.add_typer(text_pack.text_pack_app, name="text-pack")

    wearable.wearable_app.command("analyze")(wearable_analyze.analyze_command)
    wearable.wearable_app.command("classify")(wearable_analyze.classify_command)
    wearable.wearable_app.command("info")(wearable_files.info_command)
    wearable.wearable_app.command("simulate")(wearable_files.simulate_command)
    app.add_typer(wearable.wearable_app, name="wearable")
