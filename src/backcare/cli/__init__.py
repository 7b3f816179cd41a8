"""Command line (Typer + Rich). Thin: parses options, calls the core and adapters, prints."""
