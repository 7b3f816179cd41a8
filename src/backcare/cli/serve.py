"""``backcare serve``: the web app on uvicorn (one process), optionally with a demo account."""

from __future__ import annotations

import typer
from rich.markup import escape

from backcare.cli.console import console, err_console

__all__ = ["serve_command", "uvicorn_options"]


def uvicorn_options(trusted_proxies: tuple[str, ...]) -> dict[str, object]:
    """Proxy-header handling for uvicorn: forwarding headers are believed only from the proxies
    named in ``BACKCARE_TRUSTED_PROXIES`` (uvicorn's own default trusts 127.0.0.1, which would let
    any local client choose its address, and so reset per-address rate limits)."""
    if not trusted_proxies:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(trusted_proxies)}


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port (0: any free)."),
    demo: bool = typer.Option(
        False, "--demo", help="Create a demo account with sample results (printed) first."
    ),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
) -> None:
    """Start the web app (database migrated at start; BACKCARE_DATABASE_URL selects another)."""
    import uvicorn

    from backcare.store.db import open_database
    from backcare.web.app import create_app
    from backcare.web.settings import WebSettings

    settings = WebSettings.from_env()
    application = create_app(settings)  # imports the pages, which register their demo seeders
    if demo:
        from backcare.web.demo import seed_demo

        db = open_database(settings.database_url)
        try:
            account = seed_demo(db, settings)
        finally:
            db.dispose()
        console.print(
            f"Demo account: [bold]{account.email}[/] / password [bold]{account.password}[/]"
            f"  (clinician: {account.clinician_email}, same password)"
        )
        for note in account.notes:
            err_console.print(f"[yellow]{escape(note)}[/]")
    if host not in {"127.0.0.1", "localhost", "::1"} and not settings.cookie_secure:
        err_console.print(
            "[yellow]warning:[/] listening beyond this machine over plain HTTP; put it behind "
            "HTTPS and set BACKCARE_COOKIE_SECURE=1"
        )
    shown = f"[{host}]" if ":" in host else host
    console.print(f"backcare is at [bold]http://{shown}:{port}/[/]  (Ctrl+C stops it)")
    uvicorn.run(
        application,
        host=host,
        port=port,
        workers=1,
        log_level=log_level,
        **uvicorn_options(settings.trusted_proxies),  # type: ignore[arg-type]
    )
