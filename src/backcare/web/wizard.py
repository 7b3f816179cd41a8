"""The assessment wizard's steps, form parsing and draft state (pure: no I/O, no clock).

The wizard asks what ``backcare assess`` asks, one page at a time:

1. **Triage, the pain episode and backcare's own everyday questions**, one section of
   :func:`triage_questions` per page, in the knowledge file's order (region, age and duration,
   then the warning signs, then the rest). Every yes/no question needs an answer: yes, no or
   "don't know"; none can be skipped silently. After every page the questions are re-evaluated
   against the answers so far: a follow-up whose condition became false vanishes (and any
   answer it had is dropped), one whose condition became true appears. Within a section,
   questions whose condition is true or absent come first; questions whose condition is still
   unknown follow on the next page.
   After every page the answers are triaged: an emergency ends the wizard at once.
2. **Which questionnaires**: only those whose wording a person can read: the pain rating scale
   (backcare's own wording) and the questionnaires for which a clinic installed a licensed text
   pack. Without packs this page is skipped and only the pain rating is asked.
3. **One page per questionnaire**: each item as its wording with one radio button per answer,
   with the instrument's copyright notice. A page left blank skips the questionnaire; a partly
   filled one is scored at once, so a missing-items rule is reported on that page.

The draft (:class:`Draft`) is JSON so the web layer can keep it server-side between requests.
Parsing errors come back per field (answer id -> message) together with the raw values, so a
page with a bad value is shown again with the error next to the field and nothing lost.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from backcare.clinical.answers import (
    DURATION_UNITS,
    derive_facts,
    evaluate,
    to_weeks,
    triage_knowledge,
    triage_questions,
    validate_answers,
)
from backcare.clinical.assessment import offered_instruments
from backcare.clinical.instruments import instrument, score
from backcare.clinical.triage import triage
from backcare.errors import InputError
from backcare.knowledge.clinical import condition_facts
from backcare.knowledge.instruments import TextPack

__all__ = [
    "INSTRUMENT_PAGE",
    "SELECT_PAGE",
    "UNIT_SUFFIX",
    "UNKNOWN",
    "Draft",
    "Field",
    "Outcome",
    "Step",
    "current_step",
    "default_instruments",
    "go_back",
    "instruments_for",
    "prefill",
    "submit",
]

SELECT_PAGE = "select"
INSTRUMENT_PAGE = "instrument:"
UNKNOWN = "unknown"
#: A duration field's unit comes in ``<field id>__unit``.
UNIT_SUFFIX = "__unit"
_UNIT_LABELS = (("days", "days"), ("weeks", "weeks"), ("months", "months"), ("years", "years"))

Packs = Mapping[str, TextPack]

FieldKind = Literal[
    "boolean", "integer", "number", "choice", "scale", "duration", "item", "instruments"
]


@dataclass(frozen=True)
class Field:
    """One form field of a step."""

    id: str
    kind: FieldKind
    label: str
    help: str | None = None
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    #: ``(value, label)`` pairs for choices, yes/no and the questionnaire list.
    choices: tuple[tuple[str, str], ...] = ()
    #: Labels of a questionnaire item's answer values (``(value, label)``), where shipped.
    anchors: tuple[tuple[int, str], ...] = ()
    #: An answer is required (yes / no / don't know for every yes/no question).
    required: bool = False


@dataclass(frozen=True)
class Step:
    """One page of the wizard."""

    id: str
    kind: Literal["triage", "select", "instrument", "finish"]
    title: str
    fields: tuple[Field, ...] = ()
    #: Copyright notice and licence remarks for a questionnaire page.
    notices: tuple[str, ...] = ()
    #: Page number so far and the section name, for "step n" headings.
    number: int = 1


@dataclass
class Draft:
    """The wizard's state between requests (JSON via :meth:`to_json` / :meth:`from_json`)."""

    answers: dict[str, Any] = field(default_factory=dict)
    #: Answer ids already shown to the person (answered or left as "don't know").
    asked: list[str] = field(default_factory=list)
    #: Questionnaires chosen (``None``: not chosen yet).
    instruments: list[str] | None = None
    #: Questionnaire pages submitted.
    completed: list[str] = field(default_factory=list)
    #: Pages submitted, in order, with the ids each one asked (for "back").
    history: list[tuple[str, list[str]]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "answers": dict(self.answers),
            "asked": list(self.asked),
            "instruments": None if self.instruments is None else list(self.instruments),
            "completed": list(self.completed),
            "history": [[sid, list(ids)] for sid, ids in self.history],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Draft:
        if not data:
            return cls()
        inst = data.get("instruments")
        return cls(
            answers=dict(data.get("answers") or {}),
            asked=[str(x) for x in data.get("asked") or []],
            instruments=None if inst is None else [str(x) for x in inst],
            completed=[str(x) for x in data.get("completed") or []],
            history=[(str(h[0]), [str(x) for x in h[1]]) for h in data.get("history") or []],
        )


@dataclass(frozen=True)
class Outcome:
    """What :func:`submit` did."""

    draft: Draft
    #: Answer id (or ``"instruments"``) -> message; empty when the page was accepted.
    errors: dict[str, str]
    #: The raw submitted values, to show the page again after an error.
    raw: dict[str, str]
    emergency: bool = False
    finished: bool = False


# -- triage pages ----------------------------------------------------------------------------------


def _facts(answers: Mapping[str, Any]) -> dict[str, bool | None]:
    return derive_facts(validate_answers(_triage_part(answers)))


def _triage_part(answers: Mapping[str, Any]) -> dict[str, Any]:
    prefixes = ("triage.", "profile.", "pain.")
    return {k: v for k, v in answers.items() if k.startswith(prefixes)}


def _prune(draft: Draft) -> None:
    """Drop answers (and 'asked' marks) of triage questions that no longer apply."""
    while True:
        live = {q.id for q in triage_questions(_triage_part(draft.answers))}
        stale = [k for k in _triage_part(draft.answers) if k not in live]
        if not stale:
            break
        for key in stale:
            draft.answers.pop(key, None)
    live = {q.id for q in triage_questions(_triage_part(draft.answers))}
    draft.asked = [a for a in draft.asked if a in live or not a.startswith(("triage.", "pain."))]


def _conditions() -> dict[str, Any]:
    return {item.id: item.ask_if for item in triage_knowledge().answers}


def _triage_fields(draft: Draft) -> tuple[str, list[Field]] | None:
    pending = [
        q
        for q in triage_questions(_triage_part(draft.answers), interactive=True)
        if q.id not in draft.asked
    ]
    if not pending:
        return None
    section = pending[0].section_title
    in_section = [q for q in pending if q.section_title == section]
    facts = _facts(draft.answers)
    conds = _conditions()
    waiting = {q.id for q in pending}

    def decided_now(qid: str) -> bool:
        # shown now only when its condition is true and rests on no question still to come
        cond = conds[qid]
        if cond is None:
            return True
        if any(f in waiting for f in condition_facts(cond)):
            return False
        return evaluate(cond, facts) is True

    decided = [q for q in in_section if decided_now(q.id)]
    chosen = decided or in_section
    fields: list[Field] = []
    for q in chosen:
        if q.type == "boolean":
            fields.append(
                Field(
                    id=q.id,
                    kind="boolean",
                    label=q.text,
                    help=q.help,
                    choices=(("yes", "Yes"), ("no", "No"), (UNKNOWN, "Don't know")),
                    required=True,
                )
            )
        elif q.type == "choice":
            labels = tuple(zip(q.choices or (), q.labels or (), strict=True))
            fields.append(
                Field(
                    id=q.id,
                    kind="choice",
                    label=q.text,
                    help=q.help,
                    choices=(*labels, (UNKNOWN, "Don't know")),
                    required=True,
                )
            )
        elif q.labels is not None and q.minimum is not None:
            values = range(int(q.minimum), int(q.minimum) + len(q.labels))
            fields.append(
                Field(
                    id=q.id,
                    kind="scale",
                    label=q.text,
                    help=q.help,
                    choices=(
                        *((str(v), lab) for v, lab in zip(values, q.labels, strict=True)),
                        (UNKNOWN, "Don't know"),
                    ),
                    minimum=q.minimum,
                    maximum=q.maximum,
                    required=True,
                )
            )
        else:
            kind: FieldKind = "number"
            if q.type == "duration":
                kind = "duration"
            elif q.type == "integer":
                kind = "integer"
            fields.append(
                Field(
                    id=q.id,
                    kind=kind,
                    label=q.text,
                    help=q.help,
                    unit=None if q.type == "duration" else q.unit,
                    minimum=q.minimum,
                    maximum=q.maximum,
                    choices=_UNIT_LABELS if q.type == "duration" else (),
                )
            )
    return section, fields


# -- questionnaires --------------------------------------------------------------------------------


def instruments_for(region: object, packs: Packs | None = None) -> list[tuple[str, bool]]:
    """(instrument id, asked by default): only those a person can read (see
    :func:`backcare.clinical.assessment.offered_instruments`)."""
    return offered_instruments(region, tuple(packs or ()))


def _chosen_instruments(draft: Draft, packs: Packs | None) -> list[str] | None:
    if draft.instruments is not None:
        return draft.instruments
    offered = instruments_for(draft.answers.get("pain.region"), packs)
    if [i for i, _ in offered] == ["nrs"]:
        return ["nrs"]  # nothing to choose between: no select page
    return None


def _select_step(draft: Draft, number: int, packs: Packs | None) -> Step:
    options = instruments_for(draft.answers.get("pain.region"), packs)
    choices = tuple((i, instrument(i).name) for i, _ in options)
    return Step(
        id=SELECT_PAGE,
        kind="select",
        title="Questionnaires",
        fields=(
            Field(
                id="instruments",
                kind="instruments",
                label="Which questionnaires do you want to fill in?",
                help="The ones ticked are the usual set for your pain region; the others are "
                "optional.",
                choices=choices,
            ),
        ),
        number=number,
    )


def default_instruments(draft: Draft, packs: Packs | None = None) -> list[str]:
    """The questionnaires ticked by default for the draft's region."""
    region = draft.answers.get("pain.region")
    return [i for i, default in instruments_for(region, packs) if default]


def _instrument_step(inst_id: str, number: int, packs: Packs | None) -> Step:
    doc = instrument(inst_id)
    pack = (packs or {}).get(inst_id)
    fields: list[Field] = []
    if doc.variants and doc.variant_key and pack is not None and pack.variant is None:
        fields.append(
            Field(
                id=doc.variant_key,
                kind="choice",
                label="Which version of the form is this?",
                choices=tuple((v.id, v.label) for v in doc.variants),
            )
        )
    items = doc.items
    if doc.algorithm == "single_item" and doc.missing.required:
        items = tuple(it for it in doc.items if it.id in doc.missing.required)
    for item in items:
        wording = pack.item(item.id) if pack is not None else None
        text = (wording.text if wording else None) or item.text or ""
        labels = {o.value: o.label for o in item.options}
        if wording is not None and wording.options:
            labels = {o.value: o.label for o in wording.options}
        values = range(int(item.min), int(item.max) + 1)
        fields.append(
            Field(
                id=item.id,
                kind="item",
                label=text,
                minimum=item.min,
                maximum=item.max,
                choices=tuple(
                    (str(v), f"{v}: {labels[v]}" if v in labels else str(v)) for v in values
                ),
            )
        )
    notices = [doc.licence.copyright]
    if pack is not None:
        notices.append(f"Wording: {pack.title}. {pack.licence_statement}")
    return Step(
        id=INSTRUMENT_PAGE + inst_id,
        kind="instrument",
        title=pack.title if pack is not None else doc.name,
        fields=tuple(fields),
        notices=tuple(notices),
        number=number,
    )


def current_step(draft: Draft, packs: Packs | None = None) -> Step:
    """The page to show next for ``draft`` (``packs``: installed licensed wording by
    instrument id)."""
    number = len(draft.history) + 1
    got = _triage_fields(draft)
    if got is not None:
        title, fields = got
        sid = next(i.section for i in triage_knowledge().answers if i.id == fields[0].id)
        return Step(
            id=f"triage:{sid}:{fields[0].id}",
            kind="triage",
            title=title,
            fields=tuple(fields),
            number=number,
        )
    chosen = _chosen_instruments(draft, packs)
    if chosen is None:
        return _select_step(draft, number, packs)
    for inst_id in chosen:
        if inst_id not in draft.completed:
            return _instrument_step(inst_id, number, packs)
    return Step(id="finish", kind="finish", title="Finish", number=number)


# -- parsing ---------------------------------------------------------------------------------------


def _parse_field(f: Field, raw: str, unit: str = "") -> object:
    """The answer value of one field; raises ``InputError`` naming the field."""
    text = raw.strip()
    if f.kind == "boolean":
        if text == "" and f.required:
            raise InputError("choose yes, no or don't know", where=f.id)
        if text in ("", UNKNOWN):
            return None
        if text in ("yes", "no"):
            return text == "yes"
        raise InputError("choose yes, no or don't know", where=f.id)
    if f.kind in ("choice", "scale", "item"):
        if text == "" and f.required:
            raise InputError("choose one of the answers (or don't know)", where=f.id)
        if text in ("", UNKNOWN):
            return None
        if text not in {c for c, _ in f.choices}:
            raise InputError("choose one of the answers", where=f.id)
        return text if f.kind == "choice" else int(text)
    if text == "":
        return None
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise InputError("enter a number", where=f.id) from None
    if not math.isfinite(number):
        raise InputError("enter a finite number", where=f.id)
    if f.kind == "duration":
        if unit not in DURATION_UNITS:
            raise InputError("choose days, weeks, months or years", where=f.id)
        if number < 0:
            raise InputError("enter a length of time of 0 or more", where=f.id)
        weeks = to_weeks(number, unit)
        if f.maximum is not None and weeks > f.maximum:
            raise InputError("that is more than 100 years; check the number", where=f.id)
        return weeks
    unit_text = f" {f.unit}" if f.unit else ""
    if f.kind == "integer":
        if not number.is_integer():
            raise InputError("enter a whole number", where=f.id)
        value: float | int = int(number)
    else:
        value = number
    if f.minimum is not None and value < f.minimum:
        raise InputError(f"must be at least {f.minimum:g}{unit_text}", where=f.id)
    if f.maximum is not None and value > f.maximum:
        raise InputError(f"must be at most {f.maximum:g}{unit_text}", where=f.id)
    return value


def _parse_fields(
    step: Step, form: Mapping[str, str]
) -> tuple[dict[str, object], dict[str, str], dict[str, str]]:
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    raw: dict[str, str] = {}
    for f in step.fields:
        text = str(form.get(f.id, "") or "")
        raw[f.id] = text
        unit = ""
        if f.kind == "duration":
            unit = str(form.get(f.id + UNIT_SUFFIX, "") or "")
            raw[f.id + UNIT_SUFFIX] = unit
        try:
            values[f.id] = _parse_field(f, text, unit)
        except InputError as exc:
            errors[f.id] = exc.problem
    return values, errors, raw


def _copy(draft: Draft) -> Draft:
    return Draft.from_json(draft.to_json())


def submit(
    draft: Draft, step_id: str, form: Mapping[str, str] | Any, packs: Packs | None = None
) -> Outcome:
    """Apply one submitted page to a copy of ``draft``.

    ``form`` maps field names to strings; for the questionnaire list it must offer
    ``getlist("instruments")`` (a multi-dict) or hold a list under ``"instruments"``. A
    ``step_id`` that is not the current page (a form submitted twice, or an old tab) changes
    nothing and comes back without errors.
    """
    new = _copy(draft)
    step = current_step(new, packs)
    if step_id != step.id:
        return Outcome(draft=new, errors={}, raw={})
    if step.kind == "select":
        return _submit_select(new, form, packs)
    if step.kind == "finish":
        return Outcome(draft=new, errors={}, raw={}, finished=True)
    values, errors, raw = _parse_fields(step, form)
    if step.kind == "triage":
        for key, value in values.items():
            new.answers[key] = value
        if errors:
            return Outcome(draft=new, errors=errors, raw=raw)
        new.asked.extend(f.id for f in step.fields)
        new.history.append((step.id, [f.id for f in step.fields]))
        _prune(new)
        stop = triage(_triage_part(new.answers)).stop
        if stop:
            return Outcome(draft=new, errors={}, raw=raw, emergency=True)
        return Outcome(draft=new, errors={}, raw=raw)
    inst_id = step.id.removeprefix(INSTRUMENT_PAGE)
    if errors:
        return Outcome(draft=new, errors=errors, raw=raw)
    if new.instruments is None:
        new.instruments = _chosen_instruments(new, packs)
    doc = instrument(inst_id)
    items = {k: v for k, v in values.items() if k != doc.variant_key}
    for key in [*items, *([doc.variant_key] if doc.variant_key else [])]:
        new.answers.pop(key, None)
    if any(v is not None for v in items.values()):
        try:
            score(inst_id, items, variant=_variant(values, doc.variant_key))
        except InputError as exc:
            where = exc.where if exc.where in items else "instrument"
            return Outcome(draft=draft, errors={where: exc.problem}, raw=raw)
        new.answers.update(values)
        if doc.variant_key and values.get(doc.variant_key) is None:
            new.answers.pop(doc.variant_key, None)
    new.completed.append(inst_id)
    new.history.append((step.id, []))
    finished = current_step(new, packs).kind == "finish"
    return Outcome(draft=new, errors={}, raw=raw, finished=finished)


def _variant(values: Mapping[str, object], key: str | None) -> str | None:
    value = values.get(key) if key else None
    return value if isinstance(value, str) else None


def _submit_select(new: Draft, form: Mapping[str, str] | Any, packs: Packs | None) -> Outcome:
    if hasattr(form, "getlist"):
        chosen = [str(x) for x in form.getlist("instruments")]
    else:
        got: object = form.get("instruments", [])
        if isinstance(got, str):
            chosen = [got]
        elif isinstance(got, list | tuple):
            chosen = [str(x) for x in got]
        else:
            chosen = []
    allowed = [i for i, _ in instruments_for(new.answers.get("pain.region"), packs)]
    unknown = [c for c in chosen if c not in allowed]
    if unknown:
        return Outcome(
            draft=new,
            errors={"instruments": f"not offered for this pain region: {', '.join(unknown)}"},
            raw={"instruments": ",".join(chosen)},
        )
    new.instruments = [i for i in allowed if i in chosen]
    new.history.append((SELECT_PAGE, []))
    return Outcome(
        draft=new,
        errors={},
        raw={"instruments": ",".join(chosen)},
        finished=current_step(new, packs).kind == "finish",
    )


def go_back(draft: Draft) -> Draft:
    """The draft one page earlier (answers kept to prefill the page)."""
    new = _copy(draft)
    if not new.history:
        return new
    step_id, ids = new.history.pop()
    if step_id == SELECT_PAGE:
        new.instruments = None
    elif step_id.startswith(INSTRUMENT_PAGE):
        inst = step_id.removeprefix(INSTRUMENT_PAGE)
        if inst in new.completed:
            new.completed.remove(inst)
    else:
        new.asked = [a for a in new.asked if a not in ids]
    return new


def prefill(step: Step, draft: Draft, packs: Packs | None = None) -> dict[str, str]:
    """Form values for ``step`` from the answers in ``draft`` (for back and reload)."""
    out: dict[str, str] = {}
    for f in step.fields:
        if f.kind == "instruments":
            chosen = draft.instruments if draft.instruments is not None else None
            defaults = default_instruments(draft, packs)
            out[f.id] = ",".join(chosen if chosen is not None else defaults)
            continue
        value = draft.answers.get(f.id)
        if f.kind == "duration":
            out[f.id + UNIT_SUFFIX] = "weeks"
        if value is None:
            asked = f.id in draft.asked and f.required
            out[f.id] = UNKNOWN if asked and f.kind != "item" else ""
        elif isinstance(value, bool):
            out[f.id] = "yes" if value else "no"
        elif isinstance(value, float) and value.is_integer() and f.kind != "number":
            out[f.id] = str(int(value))
        else:
            out[f.id] = f"{value:g}" if isinstance(value, float) else str(value)
    return out
