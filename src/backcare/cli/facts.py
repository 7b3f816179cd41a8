"""``backcare facts``: the seed article's claims, checked against evidence, with full citations."""

from __future__ import annotations

import json

import typer
from rich.markup import escape

from backcare.cli.console import console

__all__ = ["facts"]

_STYLE = {
    "roughly_right": "yellow",
    "misleading": "yellow",
    "unproven": "yellow",
    "unsupported": "red",
    "no_evidence_found": "yellow",
    "against_one_trial": "yellow",
    "contradicted": "red",
    "false": "bold red",
}


def facts(
    as_json: bool = typer.Option(False, "--json", help="Print the claims as JSON."),
) -> None:
    """List the article's claims with verdicts, evidence and full citations."""
    from backcare.clinical.facts import claims

    checks = claims()
    if as_json:
        payload = {"claims": [c.model_dump(mode="json") for c in checks]}
        console.print(json.dumps(payload, indent=2, ensure_ascii=False), markup=False)
        return
    console.print(
        "[bold]Claims from the seed article 'Why does my back hurt', checked against evidence[/]"
    )
    for n, c in enumerate(checks, start=1):
        style = _STYLE.get(c.verdict, "bold")
        console.print()
        console.print(f"[bold]{n}. {escape(c.claim)}[/] [dim]({escape(c.said_by)})[/]")
        console.print(f"   Verdict: [{style}]{escape(c.verdict_label)}[/]. {escape(c.summary)}")
        console.print(f"   Evidence: {escape(c.evidence)}")
        console.print("   Sources:")
        for src in c.sources:
            console.print(f"   - {escape(src.citation)} {escape(src.link)}")
    console.print()
    console.print(
        "[dim]backcare informs; it does not diagnose. Verdicts and sources are versioned "
        "knowledge data (clinical/claims.yaml).[/]"
    )
