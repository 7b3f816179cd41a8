"""``backcare text-pack``: install, list and withdraw a clinic's licensed questionnaire wording.

The same store the web app's "Questionnaire wording" page uses: a pack installed here is shown
by ``backcare assess`` and, on a server using the same database, by the web assessment.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import typer
from rich.markup import escape

from backcare.cli.console import console

__all__ = ["text_pack_app"]

text_pack_app = typer.Typer(
    # help texts hold units in brackets ("[kg]"): plain text, not Rich markup
    rich_markup_mode=None,
    help="Licensed questionnaire wording (text packs): install, list, withdraw.",
    no_args_is_help=True,
)


def install(path: Path = typer.Argument(..., help="A text pack file (YAML).")) -> None:
    """Check a text pack and install it as its questionnaire's new version."""
    from backcare.io.textpack import read_text_pack
    from backcare.store import open_database
    from backcare.store.text_packs import install_pack

    pack = read_text_pack(path)
    db = open_database()
    try:
        who = f"command line ({getpass.getuser()})"
        installed = install_pack(db, pack, installed_by=who)
    finally:
        db.dispose()
    console.print(
        f"Installed {escape(installed.title)} for {escape(installed.instrument)}, "
        f"version {installed.version}."
    )


def list_command() -> None:
    """Every installed version, newest first."""
    from rich.table import Table

    from backcare.store import open_database
    from backcare.store.text_packs import list_packs

    db = open_database()
    try:
        rows = list_packs(db)
    finally:
        db.dispose()
    if not rows:
        console.print("No text pack is installed.")
        return
    table = Table(title="Text packs")
    for col in ("questionnaire", "version", "title", "installed by", "when", "in use"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r.instrument,
            str(r.version),
            escape(r.title),
            escape(r.installed_by),
            r.installed_at.strftime("%Y-%m-%d %H:%M"),
            "yes" if r.active else "no",
        )
    console.print(table)


def withdraw(instrument: str = typer.Argument(..., help="Questionnaire id, e.g. odi.")) -> None:
    """Stop using a questionnaire's installed wording (kept for the record)."""
    from backcare.store import open_database
    from backcare.store.text_packs import withdraw_pack

    db = open_database()
    try:
        done = withdraw_pack(db, instrument)
    finally:
        db.dispose()
    console.print("Withdrawn." if done else f"No active text pack for {escape(instrument)}.")
