"""``backcare score``: score a questionnaire from a JSON file of item answers.

Examples::

    backcare score odi --answers odi.json            # Rich table
    backcare score all --answers assessment.json --json
    backcare score --list                            # instruments and copyright notices
    backcare score odi --schema                      # JSON Schema of the answers
    backcare score odi --template > odi.json         # an answers file to fill in
    backcare score odi --answers odi.json --text-pack clinic-odi-en.yaml
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from backcare.cli.console import console
from backcare.errors import InputError

if TYPE_CHECKING:  # the instruments (knowledge catalog) load inside the command
    from backcare.clinical.instruments import InstrumentResult
    from backcare.knowledge.instruments import TextPack

__all__ = ["score_command"]

ALL = "all"


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _instrument_list() -> list[dict[str, Any]]:
    from backcare.clinical.instruments import instrument, instrument_ids

    out = []
    for iid in instrument_ids():
        doc = instrument(iid)
        low, high = doc.scale_range()
        out.append(
            {
                "id": doc.id,
                "name": doc.name,
                "version": doc.instrument_version,
                "items": len(doc.items),
                "score_range": [low, high],
                "bands": [b.name for b in doc.banding.bands] if doc.banding else None,
                "wording_shipped": doc.licence.wording_shipped,
                "copyright": doc.licence.copyright,
                "terms": doc.licence.terms,
            }
        )
    return out


def _print_list(as_json: bool) -> None:
    rows = _instrument_list()
    if as_json:
        _echo_json(rows)
        return
    table = Table(title="Questionnaires backcare scores")
    for col in ("id", "name", "version", "items", "score", "wording"):
        table.add_column(col, overflow="fold")
    for row in rows:
        low, high = row["score_range"]
        table.add_row(
            row["id"],
            escape(row["name"]),
            escape(row["version"]),
            str(row["items"]),
            f"{low:g}-{high:g}",
            "shipped" if row["wording_shipped"] else "text pack / paper form",
        )
    console.print(table)
    console.print("[bold]Copyright notices and terms[/]")
    for row in rows:
        console.print(f"- {row['id']}: {row['copyright']} {row['terms']}", markup=False)
    console.print(
        "Instruments without shipped wording score from item numbers: enter each item's score "
        "from the paper form, or load a licensed text pack with --text-pack."
    )


def _template(instrument_id: str) -> dict[str, Any]:
    from backcare.clinical.instruments import instrument, instrument_ids

    ids = instrument_ids() if instrument_id == ALL else (instrument(instrument_id).id,)
    out: dict[str, Any] = {}
    for iid in ids:
        doc = instrument(iid)
        if doc.variant_key:
            out[doc.variant_key] = doc.default_variant
        out.update(dict.fromkeys(doc.item_ids))
    return out


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:g}"


def _print_result(
    result: InstrumentResult, answers: Mapping[str, object], pack: TextPack | None
) -> None:
    from backcare.clinical.instruments import instrument

    doc = instrument(result.instrument)
    title = f"{doc.short_name}: {result.name} ({result.instrument_version})"
    if result.variant:
        title += f", variant {result.variant}"
    summary = Table(title=title, show_header=False)
    summary.add_column("what")
    summary.add_column("value", overflow="fold")
    low, high = result.total_range
    summary.add_row("score", f"{_fmt(result.total)} (range {low:g}-{high:g})")
    if result.percent is not None:
        summary.add_row("percent", f"{_fmt(result.percent)} %")
    summary.add_row("category", result.category_label or result.category or "no bands")
    for name, value in result.subscales.items():
        summary.add_row(f"subscale {name}", _fmt(value))
    summary.add_row("answered", f"{result.answered} of {len(doc.items)}")
    summary.add_row("missing", ", ".join(result.missing) or "none")
    console.print(summary)

    items = Table(title="items")
    items.add_column("item")
    items.add_column("wording" if pack else "topic", overflow="fold")
    items.add_column("answer")
    items.add_column("item score")
    for spec in doc.items:
        answer = answers.get(spec.id)
        text = escape(spec.text or spec.topic)
        if pack is not None and (worded := pack.item(spec.id)) is not None:
            text = escape(worded.text)
            labels = {o.value: o.label for o in worded.options}
            if isinstance(answer, int) and answer in labels:
                text += f"\n[dim]-> {escape(labels[answer])}[/]"
        scored = result.item_scores.get(spec.id)
        items.add_row(
            spec.id,
            text,
            "-" if answer is None else str(answer),
            "-" if scored is None else str(scored),
        )
    console.print(items)
    console.print("[bold]Rules applied[/]")
    for note in result.rule_notes:
        console.print(f"- {note}", markup=False)
    console.print(f"[dim]{escape(doc.licence.copyright)}[/]")
    if pack is not None:
        wording = f"Wording: {pack.title} ({pack.language}), {pack.licence_holder}. "
        console.print(f"[dim]{escape(wording + pack.licence_statement)}[/]")
    console.print(f"[dim]Sources: {', '.join(result.sources)}[/]")


def score_command(
    instrument_id: str | None = typer.Argument(
        None,
        metavar="INSTRUMENT",
        help=f"Instrument id (odi, rmdq, ndi, startback, orebro, nrs; see --list) or '{ALL}'.",
        show_default=False,
    ),
    answers: Path | None = typer.Option(
        None, "--answers", "-a", help="JSON file of answers {item_id: value or null}."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
    list_instruments: bool = typer.Option(
        False, "--list", help="List the instruments with their copyright notices."
    ),
    schema: bool = typer.Option(
        False, "--schema", help="Print the JSON Schema of the answers (all instruments if none)."
    ),
    template: bool = typer.Option(
        False, "--template", help="Print an answers file to fill in (every item null)."
    ),
    text_pack: Path | None = typer.Option(
        None, "--text-pack", help="A licensed wording pack (YAML) to show beside the items."
    ),
    variant: str | None = typer.Option(
        None, "--variant", help="Instrument variant (ODI: sex_life or employment)."
    ),
) -> None:
    """Score a questionnaire from item answers; list instruments; print the answers schema."""
    from backcare.clinical.instruments import answers_json_schema, instrument, score, score_all
    from backcare.io.answers import read_answers
    from backcare.io.textpack import read_text_pack

    if list_instruments:
        _print_list(as_json)
        return
    if schema:
        _echo_json(answers_json_schema(None if instrument_id in (None, ALL) else instrument_id))
        return
    if instrument_id is None:
        raise InputError("name an instrument (or 'all'), or use --list", where="INSTRUMENT")
    if instrument_id != ALL:
        instrument(instrument_id)  # an unknown id is reported as such, before any file is read
    if template:
        _echo_json(_template(instrument_id))
        return
    if answers is None:
        raise InputError("scoring needs an answers file", where="--answers")
    if instrument_id == ALL and variant is not None:
        raise InputError("give the variant inside the answers (odi.variant)", where="--variant")
    if text_pack is not None and instrument_id == ALL:
        raise InputError("a text pack belongs to one instrument", where="--text-pack")
    data = read_answers(answers)
    try:
        results = (
            score_all(data)
            if instrument_id == ALL
            else {instrument_id: score(instrument_id, data, variant=variant)}
        )
    except InputError as exc:
        raise InputError(exc.problem, where=f"{answers}: {exc.where}") from exc
    if not results:
        raise InputError("no instrument has an answered item", where=str(answers))
    pack = None
    if text_pack is not None:
        pack = read_text_pack(text_pack, instrument_id=instrument_id)
    if as_json:
        dumped = {iid: r.model_dump(mode="json") for iid, r in results.items()}
        _echo_json(dumped if instrument_id == ALL else dumped[instrument_id])
        return
    for result in results.values():
        _print_result(result, data, pack)
