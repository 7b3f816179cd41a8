"""``backcare assess`` and ``backcare history``.

Interactive by default: red-flag questions first (an emergency stops everything and says what to
do now), then the pain episode, then questionnaires. Questionnaire items whose wording backcare
may not ship are asked by item number, to be copied from the paper form, unless a licensed text
pack is given with ``--text-pack``. ``--answers FILE.json`` runs it without questions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from backcare.cli.console import console
from backcare.errors import InputError

if TYPE_CHECKING:  # the clinical core and the knowledge catalog load inside the commands
    from backcare.clinical.answers import TriageQuestion
    from backcare.clinical.assessment import AssessmentResult
    from backcare.knowledge.instruments import TextPack

__all__ = ["assess_command", "history_command"]

_YES = {"y", "yes", "j", "ja", "true"}
_NO = {"n", "no", "nein", "false"}
_UNKNOWN = {"?", "dk", "don't know", "dont know", "not sure"}


def _ask_raw(prompt: str) -> str:
    try:
        return console.input(prompt).strip()
    except EOFError:
        raise InputError("input ended before the assessment was complete", where="stdin") from None


def _ask_bool(text: str) -> bool | None:
    while True:
        raw = _ask_raw(f"{escape(text)} [dim](y/n/?)[/] ").lower()
        if raw in _YES:
            return True
        if raw in _NO:
            return False
        if raw in _UNKNOWN:
            return None
        console.print("Please type y, n or ? (don't know).")


def _ask_number(
    text: str, lo: float | None, hi: float | None, *, integer: bool, unit: str | None = None
) -> float | int | None:
    rng = f"{lo:g} to {hi:g}" if lo is not None and hi is not None else "a number"
    hint = f"{rng}{' ' + unit if unit else ''}, or ?"
    while True:
        raw = _ask_raw(f"{escape(text)} [dim]({escape(hint)})[/] ")
        if raw.lower() in _UNKNOWN:
            return None
        try:
            value: float | int = int(raw) if integer else float(raw.replace(",", "."))
        except ValueError:
            console.print(f"Please type {'a whole number' if integer else 'a number'}, or ?.")
            continue
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            console.print(f"Please type a number from {rng}, or ?.")
            continue
        return value


def _ask_labelled(text: str, values: list[object], labels: list[str]) -> object | None:
    """One of several answers, picked by number (1, 2, ...) or ? for don't know."""
    console.print(escape(text))
    for n, label in enumerate(labels, start=1):
        console.print(f"   {n} = {escape(label)}")
    while True:
        raw = _ask_raw(f"[dim](1 to {len(labels)}, or ?)[/] ").lower()
        if raw in _UNKNOWN:
            return None
        if raw.isdigit() and 1 <= int(raw) <= len(labels):
            return values[int(raw) - 1]
        console.print(f"Please type a number from 1 to {len(labels)}, or ?.")


def _ask_duration(text: str) -> float | None:
    from backcare.clinical.answers import parse_duration

    while True:
        raw = _ask_raw(f"{escape(text)} [dim](for example 10 days, 3 weeks, 2 months, or ?)[/] ")
        if raw.lower() in _UNKNOWN:
            return None
        try:
            return parse_duration(raw)
        except InputError as exc:
            console.print(f"Please {escape(exc.problem)}, or ?.")


def _ask_checklist(lead: str, questions: list[TriageQuestion]) -> dict[str, bool | None]:
    console.print(escape(lead))
    for n, q in enumerate(questions, start=1):
        console.print(f"   {n} = {escape(q.short or q.text)}")
    while True:
        raw = _ask_raw(
            "[dim](the numbers that are true, e.g. 1 3; 0 = none; ? = not sure)[/] "
        ).lower()
        if raw in _UNKNOWN:
            return {q.id: None for q in questions}
        parts = raw.replace(",", " ").split()
        if parts == ["0"]:
            return {q.id: False for q in questions}
        if parts and all(p.isdigit() and 1 <= int(p) <= len(questions) for p in parts):
            chosen = {int(p) for p in parts}
            return {q.id: n in chosen for n, q in enumerate(questions, start=1)}
        console.print(f"Please type numbers from 1 to {len(questions)}, 0 or ?.")


def _ask_question(q: TriageQuestion) -> object:
    text = q.text + (f" ({q.help})" if q.help else "")
    if q.type == "boolean":
        return _ask_bool(text)
    if q.type == "choice":
        return _ask_labelled(text, list(q.choices or ()), list(q.labels or ()))
    if q.type == "duration":
        return _ask_duration(q.text)
    if q.labels is not None and q.minimum is not None:
        values: list[object] = list(range(int(q.minimum), int(q.minimum) + len(q.labels)))
        return _ask_labelled(text, values, list(q.labels))
    return _ask_number(text, q.minimum, q.maximum, integer=q.type == "integer", unit=q.unit)


def _interactive_triage(answers: dict[str, object]) -> bool:
    """Ask the interview's questions in order; True if an emergency stopped the assessment."""
    from backcare.clinical.answers import triage_questions
    from backcare.clinical.triage import triage

    asked: set[str] = set()
    section = None
    while True:
        pending = [q for q in triage_questions(answers, interactive=True) if q.id not in asked]
        if not pending:
            return False
        q = pending[0]
        if q.section_title != section:
            section = q.section_title
            console.print(f"\n[bold]{escape(section)}[/]")
        if q.checklist:
            group = [p for p in pending if p.checklist == q.checklist]
            asked.update(p.id for p in group)
            answers.update(_ask_checklist(q.checklist_text or "", group))
        else:
            asked.add(q.id)
            answers[q.id] = _ask_question(q)
        if triage(answers).stop:
            return True


def _interactive_instruments(answers: dict[str, object], packs: dict[str, TextPack]) -> None:
    """The pain rating (one question), then any questionnaire whose wording is installed."""
    from backcare.clinical.assessment import offered_instruments
    from backcare.clinical.instruments import instrument

    pain = instrument("nrs")
    for item in pain.items:
        if item.id in pain.missing.required:
            answers[item.id] = _ask_number(item.text or "", item.min, item.max, integer=True)
    for inst_id, default in offered_instruments(answers.get("pain.region"), tuple(packs)):
        pack = packs.get(inst_id)
        if inst_id == "nrs" or pack is None:
            continue
        doc = instrument(inst_id)
        default_hint = "Y/n" if default else "y/N"
        raw = _ask_raw(f"\nFill in the {escape(pack.title)}? [dim]({default_hint})[/] ").lower()
        if not (raw in _YES or (raw == "" and default)):
            continue
        console.print(f"[dim]{escape(doc.licence.copyright)} {escape(pack.licence_statement)}[/]")
        if pack.variant and doc.variant_key:
            answers[doc.variant_key] = pack.variant
        for item in doc.items:
            wording = pack.item(item.id)
            labels = {o.value: o.label for o in (wording.options if wording else ())}
            console.print(escape(wording.text if wording else item.id))
            for value in range(item.min, item.max + 1):
                label = labels.get(value)
                console.print(f"   {value}" + (f" = {escape(label)}" if label else ""))
            answers[item.id] = _ask_number("Your answer", item.min, item.max, integer=True)


def _read_packs(paths: list[Path]) -> dict[str, TextPack]:
    """Packs installed in the local database, then those given with --text-pack (which win)."""
    from backcare.io.textpack import read_text_pack
    from backcare.store import open_database
    from backcare.store.text_packs import active_packs

    db = open_database()
    try:
        packs: dict[str, TextPack] = dict(active_packs(db))
    finally:
        db.dispose()
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
    more: bool = typer.Option(
        False, "--more", help="Print everything: scores, the whole plan and its evidence."
    ),
    report: Path | None = typer.Option(
        None, "--report", help="Also write everything (plan and evidence) to this text file."
    ),
) -> None:
    """Assess back or neck pain: triage first, then scores, phase and a plan with sources."""
    from backcare.cli.assessment_view import render_assessment, render_summary, write_report
    from backcare.clinical.assessment import answers_schema, assess
    from backcare.clinical.phase import make_cutoffs
    from backcare.io.answers import read_answers

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
            "[bold]backcare assessment[/] (it informs; it never diagnoses)\n"
            "Answer y for yes, n for no, ? if you don't know. ? never counts as no."
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
    if more:
        render_assessment(result, console)
    else:
        render_summary(result, console)
    if report is not None:
        write_report(result, report)
        console.print(f"[dim]The whole plan with its evidence is in {escape(str(report))}.[/]")
    elif not more:
        console.print("[dim]For the whole plan with its evidence, run again with --more.[/]")
    if stored_id is not None:
        console.print(f"[dim]Saved as assessment {stored_id} (see `backcare history`).[/]")


def history_command(
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Stored assessments, and whether the change between the last two is meaningful."""
    from rich.table import Table

    from backcare.cli.assessment_view import render_changes
    from backcare.clinical.assessment import AssessmentResult, compare
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
