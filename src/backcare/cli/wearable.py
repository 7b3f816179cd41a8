"""``backcare wearable``: read, simulate, classify and analyse body-worn accelerometer files."""

from __future__ import annotations

import typer

__all__ = ["wearable_app"]

wearable_app = typer.Typer(
    # help texts hold units in brackets ("[kg]"): plain text, not Rich markup
    rich_markup_mode=None,
    help="Wearable inclinometry: sensor files to activity, trunk/arm angles and exposure.",
    no_args_is_help=True,
)
