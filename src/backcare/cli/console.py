"""The Rich consoles every command prints through (stdout for results, stderr for problems)."""

from __future__ import annotations

from rich.console import Console

__all__ = ["console", "err_console"]

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)
