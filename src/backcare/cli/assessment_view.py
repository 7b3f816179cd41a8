"""Rich rendering of an assessment result: urgency first, then scores, phase and the plan.

Every statement printed carries numbered references; the numbered list of full citations follows
at the end, so a person or a clinician can check each line.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from backcare.errors import InputError

if TYPE_CHECKING:  # the clinical core and the knowledge catalog load when a result is shown
    from backcare.clinical.assessment import AssessmentResult
    from backcare.clinical.instruments import ChangeResult
    from backcare.clinical.plan import PlanLine

__all__ = [
    "References",
    "render_assessment",
    "render_changes",
    "render_summary",
    "write_report",
]

_URGENCY_STYLE = {
    "emergency": "bold white on red",
    "same_day": "bold red",
    "within_week": "bold yellow",
    "routine": "yellow",
    "self_care": "green",
}


class References:
    """Numbers source ids in order of first use and prints the full list."""

    def __init__(self) -> None:
        self._ids: list[str] = []

    def cite(self, ids: Iterable[str]) -> str:
        numbers = []
        for sid in ids:
            if sid not in self._ids:
                self._ids.append(sid)
            numbers.append(str(self._ids.index(sid) + 1))
        return f"[dim][{', '.join(numbers)}][/]" if numbers else ""

    def render(self, console: Console) -> None:
        if not self._ids:
            return
        from backcare.knowledge import source

        console.print("\n[bold]Sources[/]")
        for n, sid in enumerate(self._ids, start=1):
            src = source(sid)
            link = f"https://doi.org/{src.doi}" if src.doi else src.url
            console.print(f"  [{n}] {escape(src.citation)} {escape(str(link))}")


def _lines(console: Console, refs: References, title: str, lines: Iterable[PlanLine]) -> None:
    items = list(lines)
    if not items:
        return
    console.print(f"\n[bold underline]{title}[/]")
    for line in items:
        console.print(
            f"• [bold]{escape(line.title)}[/] — {escape(line.verdict_label)} "
            f"[dim]({escape(line.grading)})[/] {refs.cite(line.sources)}"
        )
        console.print(f"  {escape(line.text)}")
        if line.why:
            console.print(f"  [italic]Why not:[/] {escape(line.why)}")
        if line.disagreement:
            console.print(f"  [italic]Guidelines disagree:[/] {escape(line.disagreement)}")


def render_assessment(result: AssessmentResult, console: Console) -> None:
    """Print the whole result."""
    refs = References()
    tri = result.triage
    style = _URGENCY_STYLE.get(tri.urgency, "bold")
    body = [f"[{style}]{escape(tri.urgency_label)}[/]", escape(tri.what_to_do)]
    for flag in tri.fired:
        body.append(
            f"• [bold]{escape(flag.label)}[/]: {escape(flag.action)} {refs.cite(flag.sources)}"
        )
    console.print(
        Panel("\n".join(body), title="Urgency", border_style=style.split()[-1]), soft_wrap=False
    )
    plan = result.plan
    if plan.status == "emergency":
        refs.render(console)
        console.print(f"\n[dim]{escape(plan.disclaimer)}[/]")
        return
    if tri.unknown:
        console.print(
            "[yellow]Not checked (questions not answered — this is not a 'no'):[/] "
            + ", ".join(escape(u.label) for u in tri.unknown)
        )
    if result.phase is not None:
        ph = result.phase
        console.print(
            f"\n[bold]Phase:[/] {escape(ph.label)} — {escape(ph.description)} "
            f"{refs.cite(ph.sources)}"
        )
    if result.scores:
        table = Table(title="Questionnaire scores", show_lines=False)
        for col in ("instrument", "score", "range", "category", "missing"):
            table.add_column(col)
        for res in result.scores.values():
            lo, hi = res.total_range
            table.add_row(
                f"{escape(res.name)} {refs.cite(res.sources)}",
                f"{res.total:g}" + (f" ({res.percent:g} %)" if res.percent is not None else ""),
                f"{lo:g}–{hi:g}",
                escape(res.category_label or res.category or "—"),
                ", ".join(res.missing) or "—",
            )
        console.print(table, soft_wrap=False)
        for res in result.scores.values():
            console.print(f"[dim]{escape(res.name)}: {escape(res.copyright)}[/]")
            for rule in res.rule_notes:
                console.print(f"[dim]  · {escape(rule)}[/]")
    for note in result.notes:
        console.print(f"[dim]Note: {escape(note)}[/]")
    if plan.first_step:
        console.print(
            Panel(escape(plan.first_step), title="First", border_style="red"), soft_wrap=False
        )
    _lines(console, refs, "Recommended", plan.recommended)
    _lines(console, refs, "Prevention", plan.prevention)
    _lines(console, refs, "Guidelines disagree", plan.disputed)
    _lines(console, refs, "Not recommended (and why)", plan.not_recommended)
    if plan.until_visit:
        console.print("\n[bold underline]Until you are seen[/]")
        for safe in plan.until_visit:
            console.print(f"• {escape(safe.text)} {refs.cite(safe.sources)}")
        console.print("[bold]Act at once if[/]")
        for safe in plan.watch_for:
            console.print(f"• {escape(safe.text)} {refs.cite(safe.sources)}")
        for item in plan.tell_the_doctor:
            console.print(f"[bold]Tell the doctor:[/] {escape(item)}")
    for sign in tri.unchecked_signs:
        console.print(
            f"[yellow]Not checked:[/] {escape(sign.sign)}. How to check: "
            f"{escape(sign.how_to_check)}"
        )
    if plan.held_back:
        console.print("\n[bold underline]After your visit, you can ask about[/]")
        for held in plan.held_back:
            console.print(f"• {escape(held.title)}: {escape(held.reason)}")
    if plan.corrected_claims:
        from backcare.clinical.facts import VERDICT_LABELS as CLAIM_LABELS

        console.print("\n[bold underline]What the article got wrong[/]")
        for claim in plan.corrected_claims:
            console.print(
                f"• “{escape(claim.claim)}” — [bold]{escape(CLAIM_LABELS[claim.verdict])}[/]: "
                f"{escape(claim.summary)} {refs.cite(claim.sources)}"
            )
    if plan.practitioner:
        pr = plan.practitioner
        console.print(f"\n[bold underline]{escape(pr.title)}[/]\n{escape(pr.intro)}")
        for point in pr.look_for:
            console.print(f"  ✓ {escape(point.text)} {refs.cite(point.sources)}")
        for point in pr.be_wary_of:
            console.print(f"  ✗ {escape(point.text)} {refs.cite(point.sources)}")
    for note in plan.notes:
        console.print(f"[dim]{escape(note)}[/]")
    refs.render(console)
    console.print(f"\n[dim]{escape(plan.disclaimer)}[/]")


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + (dot.strip() or "")


def render_summary(result: AssessmentResult, console: Console, *, max_signs: int = 5) -> None:
    """What to do, first and short (under 300 words for a typical result); the rest on demand."""
    tri = result.triage
    plan = result.plan
    style = _URGENCY_STYLE.get(tri.urgency, "bold")
    console.print(
        Panel(
            f"[{style}]{escape(tri.urgency_label)}[/]\n{escape(tri.what_to_do)}",
            title="What to do",
            border_style=style.split()[-1],
        ),
        soft_wrap=False,
    )
    if plan.status == "emergency":
        for action in plan.emergency.actions if plan.emergency else ():
            console.print(f"• {escape(action)}")
        return
    signs = tri.unchecked_signs
    if signs:
        console.print("\n[bold]Warning signs not checked yet[/] (a 'don't know' is not a 'no')")
        for sign in signs[:max_signs]:
            console.print(f"• {escape(sign.sign)}. How to check: {escape(sign.how_to_check)}")
        if len(signs) > max_signs:
            console.print(f"  …and {len(signs) - max_signs} more (see --more).")
    flagged = [f for f in tri.fired if f.urgency != "self_care"]
    for flag in flagged:
        console.print(f"• [bold]{escape(flag.label)}[/]")
    if plan.status == "see_clinician_first":
        console.print("\n[bold]Until you are seen[/]")
        for point in plan.until_visit:
            console.print(f"• {escape(point.text)}")
        console.print("[bold]Act at once if[/]")
        for point in plan.watch_for:
            console.print(f"• {escape(point.text)}")
        return
    if plan.recommended:
        console.print("\n[bold]Your plan[/]")
        for line in plan.recommended[:5]:
            console.print(f"• [bold]{escape(line.title)}[/]: {escape(_first_sentence(line.text))}")
    if plan.not_recommended:
        titles = ", ".join(ln.title for ln in plan.not_recommended[:4])
        console.print(f"\n[bold]Best avoided[/]: {escape(titles)}, and more (see --more).")


def write_report(result: AssessmentResult, path: Path) -> None:
    """The whole result (as :func:`render_assessment` prints it) as a plain text file."""
    from rich.console import Console as _Console

    try:
        with path.open("w", encoding="utf-8") as handle:
            render_assessment(result, _Console(file=handle, width=100, no_color=True))
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror}", where=str(path)) from exc


def render_changes(changes: dict[str, ChangeResult], console: Console) -> None:
    """Print the change per instrument between two assessments."""
    if not changes:
        console.print("No questionnaire was scored in both of the last two assessments.")
        return
    table = Table(title="Change since the previous assessment")
    for col in ("instrument", "before", "after", "change", "meaningful?", "rule"):
        table.add_column(col)
    for name, ch in changes.items():
        table.add_row(
            name,
            f"{ch.before:g}",
            f"{ch.after:g}",
            f"{ch.change:+g}",
            ch.classification.replace("_", " "),
            escape(ch.rule),
        )
    console.print(table)
