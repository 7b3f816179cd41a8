"""``backcare doctor``: check the installation, the knowledge files and the database."""

from __future__ import annotations

from rich.table import Table

from backcare.cli.console import console


def doctor() -> None:
    """Validate every knowledge file and open (and migrate) the database."""
    from backcare.config import database_url
    from backcare.knowledge import load_all, source_registry
    from backcare.store import open_database

    docs = load_all()
    table = Table(title="knowledge files", show_lines=False)
    table.add_column("file")
    table.add_column("kind")
    table.add_column("version")
    for rel, doc in docs.items():
        table.add_row(rel, doc.kind, doc.version)
    console.print(table)
    console.print(f"{len(source_registry())} sources registered; all citations resolve.")
    url = database_url()
    db = open_database(url)
    db.dispose()
    console.print(
        f"database ok: {db.engine.url.render_as_string(hide_password=True)}", markup=False
    )
