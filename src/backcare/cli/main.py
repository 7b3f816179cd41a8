"""The ``backcare`` command: the root Typer app and the error boundary.

Each command (or command group) lives in its own module; :mod:`backcare.cli.commands` adds them
all to the root app in one explicit list. Command modules import only what their ``--help``
needs; pandas, SciPy, the knowledge catalog, the database and the web app load inside the
commands, so ``backcare --version`` and ``--help`` start at once. Every :class:`BackcareError`
reaching this boundary is printed as one clear message (no traceback) with exit status 2.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer
from rich.markup import escape

from backcare import __version__
from backcare.cli.commands import register
from backcare.cli.console import err_console
from backcare.errors import BackcareError

__all__ = ["app", "main", "run"]

app = typer.Typer(
    # help texts hold units in brackets ("[kg]"): plain text, not Rich markup
    rich_markup_mode=None,
    name="backcare",
    help=(
        "Understand, measure and prevent back pain. "
        "backcare informs and triages; it never diagnoses."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"backcare {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """backcare command line."""


# -- every command, added in one place (backcare.cli.commands) -----------------------------------
register(app)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    try:
        result = app(args=list(argv) if argv is not None else None, standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        err_console.print("[yellow]Aborted.[/]")
        return 130
    except typer.TyperException as exc:  # usage errors and bad parameters (click's, vendored)
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}")
        return int(getattr(exc, "exit_code", 2))
    except BackcareError as exc:
        from backcare.cli.flags import error_text

        err_console.print(f"[bold red]error:[/] {escape(error_text(exc))}")
        return 2
    except KeyboardInterrupt:
        err_console.print("[yellow]Interrupted.[/]")
        return 130
    return int(result) if isinstance(result, int) else 0


def run() -> None:  # pragma: no cover - console-script entry point
    sys.exit(main())
