"""``backcare ergo``: manual ergonomics calculators for ergonomists who enter angles by hand."""

from __future__ import annotations

import typer

__all__ = ["ergo_app"]

ergo_app = typer.Typer(
    # help texts hold units in brackets ("[kg]"): plain text, not Rich markup
    rich_markup_mode=None,
    help="Ergonomic calculators: REBA, RULA, NIOSH lifting equation, spinal load.",
    no_args_is_help=True,
)
