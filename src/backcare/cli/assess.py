"""``backcare assess`` and ``backcare history``.

Interactive by default: red-flag questions first (an emergency stops everything and says what to
do now), then the pain episode, then questionnaires. Questionnaire items whose wording backcare
may not ship are asked by item number, to be copied from the paper form, unless a licensed text
pack is given with ``--text-pack``. ``--answers FILE.json`` runs it without questions.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape

from backcare.cli.assessment_view import render_assessment, render_changes
from backcare.cli.console import console
from backcare.cli.main import app
from backcare.clinical.answers import TriageQuestion, triage_questions
from backcare.clinical.assessment import AssessmentResult, answers_schema, assess, compare
from backcare.clinical.instruments import instrument
from backcare.clinical.phase import make_cutoffs
from backcare.clinical.triage import triage
from backcare.errors import InputError
from backcare.io.answers import read_answers
from backcare.io.textpack import read_text_pack
from backcare.knowledge.instruments import TextPack

__all__ = ["assess_command", "history_command"]

_YES = {"y", "yes", "j", "ja", "1", "true"}
_NO = {"n", "no", "nein", "0", "false"}
_UNKNOWN = {"?", "", "dk", "don't know", "skip"}


def _ask_raw(prompt: str) -> str:
    try:
        return console.input(prompt).strip()
    except EOFError:
        raise InputError("input ended before the assessment was complete", where="stdin") from None


def _ask_bool(text: str) -> bool | None:
    while True:
        raw = _ask_raw(f"{escape(text)} [dim](y/n, ? = don't know)[/] ").lower()
        if raw in _YES:
            return True
        if raw in _NO:
            return False
        if raw in _UNKNOWN:
            return None
        console.print("[yellow]Please answer y, n or ?[/]")


def _ask_number(
    text: str, lo: float | None, hi: float | None, *, integer: bool, unit: str | None = None
) -> float | int | None:
    rng = f"{lo:g}–{hi:g}" if lo is not None and hi is not None else "a number"
    hint = f"{rng}{' ' + unit if unit else ''}, Enter = skip"
    while True:
        raw = _ask_raw(f"{escape(text)} [dim]({escape(hint)})[/] ")
        if raw in _UNKNOWN:
            return None
        try:
            value: float | int = int(raw) if integer else float(raw.replace(",", "."))
        except ValueError:
            console.print(f"[yellow]Please enter {'a whole number' if integer else 'a number'}[/]")
            continue
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            console.print(f"[yellow]Please enter a value within {rng}[/]")
            continue
        return value


def _ask_choice(text: str, choices: tuple[str, ...]) -> str | None:
    listing = ", ".join(f"{n}={c}" for n, c in enumerate(choices, start=1))
    while True:
        raw = _ask_raw(f"{escape(text)} [dim]({escape(listing)}, ? = don't know)[/] ")
        if raw in _UNKNOWN:
            return None
        if raw in choices:
            return raw
        if raw.isdigit() and 1 <= int(raw) <= len(choices):
            return choices[int(raw) - 1]
        console.print("[yellow]Please pick one of the numbers shown[/]")


def _ask_question(q: TriageQuestion) -> object:
    text = q.text + (f" ({q.help})" if q.help else "")
    if q.type == "boolean":
        return _ask_bool(text)
    if q.type == "choice":
        return _ask_choice(text, q.choices or ())
    return _ask_number(text, q.minimum, q.maximum, integer=q.type == "integer", unit=q.unit)


def _interactive_triage(answers: dict[str, object]) -> bool:
    """Ask the triage/profile/pain questions; True if an emergency stopped the assessment."""
    asked: set[str] = set()
    section = None
    while True:
        pending = [q for q in triage_questions(answers) if q.id not in asked]
        if not pending:
            return False
        q = pending[0]
        asked.add(q.id)
        if q.section != section:
            section = q.section
            console.print(f"\n[bold]{escape(section.replace('_', ' ').capitalize())}[/]")
        answers[q.id] = _ask_question(q)
        if answers[q.id] is not None and triage(answers).stop:
            return True


def _instruments_for(region: object) -> list[tuple[str, bool]]:
    """(instrument, asked by default) in asking order for a pain region."""
    neck = region in ("neck", "both")
    back = region in ("low_back", "both", None)
    out = [("nrs", True)]
    if back:
        out += [("startback", True), ("odi", True), ("rmdq", False), ("orebro", False)]
    if neck:
        out.append(("ndi", True))
    return out


def _interactive_instruments(answers: dict[str, object], packs: dict[str, TextPack]) -> None:
    for inst_id, default in _instruments_for(answers.get("pain.region")):
        doc = instrument(inst_id)
        pack = packs.get(inst_id)
        default_hint = "Y/n" if default else "y/N"
        raw = _ask_raw(f"\nFill in the {escape(doc.name)}? [dim]({default_hint})[/] ").lower()
        if not (raw in _YES or (raw == "" and default)):
            continue
        console.print(f"[dim]{escape(doc.licence.copyright)}[/]")
        worded = doc.licence.wording_shipped or pack is not None
        if not worded:
            console.print(
                "backcare may not show this questionnaire's wording. Copy each item's score from "
                "your paper form (Enter skips an item)."
            )
        if doc.variants and doc.variant_key:
            labels = tuple(v.id for v in doc.variants)
            choice = _ask_choice("Which version of the form do you have?", labels)
            if choice is not None:
                answers[doc.variant_key] = choice
        for n, item in enumerate(doc.items, start=1):
            wording = pack.item(item.id) if pack else None
            text = (wording.text if wording else None) or item.text
            options = (wording.options if wording and wording.options else None) or item.options
            if text is None:
                text = f"{doc.short_name} item {n} ({item.topic}): item score"
            for opt in options:
                console.print(f"   [dim]{opt.value} = {escape(opt.label)}[/]")
            answers[item.id] = _ask_number(text, item.min, item.max, integer=True)


def _read_packs(paths: list[Path]) -> dict[str, TextPack]:
    packs: dict[str, TextPack] = {}
    for path in paths:
        pack = read_text_pack(path)
        packs[pack.instrument] = pack
    return packs


def _store(answers: dict[str, object], result: AssessmentResult) -> int:
    from backcare.store import open_database
    from backcare.store.assessments import ScoreRow, local_person_id, save_assessment

    db = open_database()
    try:
        stored = save_assessment(
            db,
            local_person_id(db),
            answers=answers,
            result=result.model_dump(mode="json"),
            urgency=result.triage.urgency,
            phase=result.phase.phase if result.phase else None,
            scores=[ScoreRow(k, r.total, r.category) for k, r in result.scores.items()],
            knowledge_version=result.knowledge_version,
        )
    finally:
        db.dispose()
    return stored.id


@app.command("assess")
def assess_command(
    answers_file: Path | None = typer.Option(
        None, "--answers", help="JSON file of answers {id: value|null}; no questions asked."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    schema: bool = typer.Option(False, "--schema", help="Print the JSON Schema of the answers."),
    save: bool = typer.Option(True, "--save/--no-save", help="Store the result locally."),
    text_pack: list[Path] = typer.Option(
        [], "--text-pack", help="Licensed questionnaire wording (see docs/text-packs.md)."
    ),
    acute_below: float = typer.Option(6.0, help="Acute phase below this many weeks."),
    chronic_above: float = typer.Option(12.0, help="Chronic phase above this many weeks."),
) -> None:
    """Assess back or neck pain: triage first, then scores, phase and a plan with sources."""
    if schema:
        console.print(json.dumps(answers_schema(), indent=2), markup=False)
        return
    cutoffs = make_cutoffs(acute_below, chronic_above)
    if answers_file is not None:
        answers = read_answers(answers_file)
        try:
            result = assess(answers, cutoffs=cutoffs)
        except InputError as exc:
            raise InputError(exc.problem, where=f"{answers_file}: {exc.where}") from exc
    else:
        packs = _read_packs(text_pack)
        console.print(
            "[bold]backcare assessment[/]\nbackcare informs and triages; it never diagnoses. "
            "Answer y (yes), n (no) or ? (don't know); '?' is never taken as 'no'.\n"
            "[bold]Warning signs first.[/]"
        )
        answers = {}
        if not _interactive_triage(answers):
            _interactive_instruments(answers, packs)
        result = assess(answers, cutoffs=cutoffs)
    stored_id = _store(answers, result) if save else None
    if as_json:
        payload = {"assessment_id": stored_id, **result.model_dump(mode="json")}
        console.print(json.dumps(payload, indent=2, ensure_ascii=False), markup=False)
        return
    render_assessment(result, console)
    if stored_id is not None:
        console.print(f"[dim]Saved as assessment {stored_id} (see `backcare history`).[/]")


@app.command("history")
def history_command(
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Stored assessments, and whether the change between the last two is meaningful."""
    from rich.table import Table

    from backcare.store import open_database
    from backcare.store.assessments import list_assessments, local_person_id

    db = open_database()
    try:
        rows = list_assessments(db, local_person_id(db))
    finally:
        db.dispose()
    changes = {}
    if len(rows) >= 2:
        changes = compare(
            AssessmentResult.model_validate(rows[-2].result),
            AssessmentResult.model_validate(rows[-1].result),
        )
    if as_json:
        payload = {
            "assessments": [
                {
                    "id": r.id,
                    "created_at": r.created_at.isoformat(),
                    "urgency": r.urgency,
                    "phase": r.phase,
                    "scores": {
                        s.instrument: {"total": s.total, "category": s.category} for s in r.scores
                    },
                    "knowledge_version": r.knowledge_version,
                }
                for r in rows
            ],
            "change": {k: v.model_dump(mode="json") for k, v in changes.items()},
        }
        console.print(json.dumps(payload, indent=2), markup=False)
        return
    if not rows:
        console.print("No assessments stored yet. Run `backcare assess`.")
        return
    table = Table(title="Assessments")
    for col in ("#", "date", "urgency", "phase", "scores"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r.id),
            r.created_at.strftime("%Y-%m-%d %H:%M"),
            r.urgency.replace("_", " "),
            r.phase or "—",
            ", ".join(
                f"{s.instrument} {s.total:g}" + (f" ({s.category})" if s.category else "")
                for s in r.scores
            ),
        )
    console.print(table)
    if len(rows) >= 2:
        render_changes(changes, console)
