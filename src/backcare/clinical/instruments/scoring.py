"""Exact scoring of questionnaires from item answers.

Answers are a mapping ``{item_id: value | None}`` with ids ``<instrument>.<n>`` (``n`` = the item
number on the published form; the pain NRS uses named ids such as ``nrs.average_week``). Values
are whole numbers within the item's range; ``None`` means unanswered. Everything an instrument
needs (ranges, reversals, answer maps, bands, the missing rule) comes from its knowledge file;
the code here only knows the three algorithms (``sum``, ``startback``, ``single_item``).

Arithmetic is exact (:class:`fractions.Fraction`) until the result is built, so a score that lies
exactly on a band boundary (9 of 45 ODI points = 20 %) is banded exactly. Bad input raises
:class:`~backcare.errors.InputError` naming the item and the rule; there is no partial score.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from fractions import Fraction

from backcare.errors import InputError
from backcare.knowledge.instruments import (
    InstrumentDocument,
    ItemSpec,
    StartBackRule,
    instrument_definitions,
)

from .results import InstrumentResult

__all__ = ["instrument", "instrument_ids", "score", "score_all"]

_ITEM_LIKE = re.compile(r"([a-z][a-z0-9_]*)\.(\d+)")


def instrument_ids() -> tuple[str, ...]:
    """Ids of every instrument backcare can score."""
    return tuple(instrument_definitions())


def instrument(instrument_id: str) -> InstrumentDocument:
    """The knowledge definition of one instrument; unknown ids raise ``InputError``."""
    defs = instrument_definitions()
    if instrument_id in defs:
        return defs[instrument_id]
    guess = _guess(instrument_id)
    hint = f"; did you mean {guess!r}?" if guess else ""
    raise InputError(
        f"unknown instrument{hint} (known: {', '.join(defs)})", where=repr(instrument_id)
    )


def _guess(prefix: str) -> str | None:
    """The instrument a misspelt or alias prefix probably means, if any."""
    names: dict[str, str] = {}
    for doc in instrument_definitions().values():
        names[doc.id] = doc.id
        for alias in doc.aliases:
            names[alias] = doc.id
    if prefix in names:
        return names[prefix]
    close = difflib.get_close_matches(prefix, list(names), n=1, cutoff=0.75)
    return names[close[0]] if close else None


# -- answer validation ---------------------------------------------------------------------------
def _item_value(spec: ItemSpec, raw: object) -> int | None:
    """A validated answer, ``None`` when unanswered; raises ``ValueError`` with the problem."""
    rule = f"{spec.id} takes a whole number {spec.min}-{spec.max} or null"
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError(f"got a boolean ({str(raw).lower()}); {rule}")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if not raw.is_integer():
            raise ValueError(f"got {raw!r}, which is not a whole number; {rule}")
        value = int(raw)
    else:
        raise ValueError(f"got {type(raw).__name__} {raw!r}; {rule}")
    if value not in spec.values:
        raise ValueError(f"{value} is out of range; {rule}")
    return value


def _variant(doc: InstrumentDocument, answers: Mapping[str, object], given: str | None) -> str:
    known = [v.id for v in doc.variants]
    if not doc.variants:
        if given is not None:
            raise InputError(f"{doc.short_name} has no variants", where="variant")
        return ""
    key = doc.variant_key or ""
    raw = answers.get(key)
    if raw is not None and (not isinstance(raw, str) or raw not in known):
        raise InputError(f"got {raw!r}; the variant must be one of {known}", where=key)
    if given is not None and given not in known:
        raise InputError(f"got {given!r}; the variant must be one of {known}", where="variant")
    if given is not None and raw is not None and given != raw:
        raise InputError(
            f"the answers say {raw!r} but {given!r} was requested; give one", where=key
        )
    chosen = given if given is not None else raw
    return str(chosen) if chosen is not None else str(doc.default_variant)


def _validated(doc: InstrumentDocument, answers: Mapping[str, object]) -> dict[str, int | None]:
    """Every item's validated answer (``None`` = unanswered); all problems raised together."""
    problems: list[tuple[str, str]] = []
    values: dict[str, int | None] = {}
    for spec in doc.items:
        try:
            values[spec.id] = _item_value(spec, answers.get(spec.id))
        except ValueError as exc:
            problems.append((spec.id, str(exc)))
    prefix = doc.id + "."
    known = set(doc.item_ids) | {doc.variant_key}
    ids = doc.item_ids
    listing = ", ".join(ids) if len(ids) <= 3 else f"{ids[0]}..{ids[-1]}"
    for key in answers:
        if isinstance(key, str) and key.startswith(prefix) and key not in known:
            problems.append((key, f"unknown item id; {doc.short_name} items are {listing}"))
    _raise(problems, doc)
    return values


def _raise(problems: list[tuple[str, str]], doc: InstrumentDocument) -> None:
    if len(problems) == 1:
        where, message = problems[0]
        raise InputError(message, where=where)
    if problems:
        listing = "; ".join(f"{where}: {message}" for where, message in problems)
        raise InputError(f"{len(problems)} problems: {listing}", where=f"{doc.id} answers")


def _check_missing(doc: InstrumentDocument, missing: list[str]) -> None:
    rule = doc.missing
    n = len(doc.items)
    if rule.method == "score_item":
        required = rule.required[0]
        if required in missing:
            raise InputError(f"is required (rule: {rule.statement})", where=required)
        return
    if len(missing) > rule.max_missing:
        listed = ", ".join(missing)
        allowed = "no unanswered items" if rule.max_missing == 0 else f"at most {rule.max_missing}"
        message = (
            f"{len(missing)} of {n} items unanswered ({listed}); {doc.short_name} allows "
            f"{allowed} (rule: {rule.statement})"
        )
        raise InputError(message, where=missing[0] if len(missing) == 1 else doc.id)


# -- algorithms ----------------------------------------------------------------------------------
def _startback(rule: StartBackRule, total: Fraction, subscale: Fraction) -> str:
    if subscale >= rule.high_subscale_min:
        return "high"
    return "low" if total <= rule.low_total_max else "medium"


def score(
    instrument_id: str, answers: Mapping[str, object], *, variant: str | None = None
) -> InstrumentResult:
    """Score one instrument.

    Parameters
    ----------
    instrument_id
        One of :func:`instrument_ids` (``odi``, ``rmdq``, ``ndi``, ``startback``, ``orebro``,
        ``nrs``).
    answers
        ``{item_id: whole number | None}``. Keys of other instruments are ignored, so the answers
        of a whole assessment can be passed. ODI's section-8 variant may be given as
        ``answers["odi.variant"]`` (``"sex_life"`` or ``"employment"``).
    variant
        The variant, as an alternative to the answer key (they must agree when both are given).

    Returns
    -------
    InstrumentResult

    Raises
    ------
    InputError
        Unknown instrument or item id, a value of the wrong type or out of range, or more
        unanswered items than the instrument's missing rule allows; the message names the item
        and the rule.
    """
    doc = instrument(instrument_id)
    chosen_variant = _variant(doc, answers, variant)
    values = _validated(doc, answers)
    missing = [item_id for item_id, v in values.items() if v is None]
    _check_missing(doc, missing)
    item_scores = {
        item_id: doc.item(item_id).score(v) for item_id, v in values.items() if v is not None
    }
    notes = [doc.missing.statement]
    if missing and doc.missing.method == "prorate":
        notes.append(
            f"{len(missing)} unanswered ({', '.join(missing)}): each counted as the mean of the "
            f"{len(item_scores)} answered items."
        )

    sum_min, sum_max = doc.sum_range
    if doc.algorithm == "single_item":
        total = Fraction(item_scores[doc.missing.required[0]])
        prorated = total
    else:
        prorated = Fraction(sum(item_scores.values()) * len(doc.items), len(item_scores))
        total = prorated
        if doc.total_kind == "percent_of_max":
            total = (prorated - sum_min) / (sum_max - sum_min) * 100
    percent = (prorated - sum_min) / (sum_max - sum_min) * 100 if doc.report_percent else None

    subscales: dict[str, Fraction] = {}
    for sub in doc.subscales:
        if all(item_id in item_scores for item_id in sub.items):
            subscales[sub.name] = Fraction(sum(item_scores[i] for i in sub.items))

    category: str | None = None
    label: str | None = None
    if doc.classification is not None:
        rule = doc.classification
        category = _startback(rule, total, subscales[rule.subscale])
        label = f"{category} risk"
        notes.append(rule.statement)
    elif doc.banding is not None:
        banded = percent if doc.banding.scale == "percent" else total
        if banded is None:  # excluded by the schema checks
            raise AssertionError("percent bands need a percentage")
        band = doc.banding.band_for(banded)
        category, label = band.name, band.label
        notes.append(doc.banding.statement)
    reversed_items = [spec.id for spec in doc.items if spec.reversed]
    if reversed_items:
        notes.append(f"Reversed items (scored min + max - answer): {', '.join(reversed_items)}.")
    mapped = [spec.id for spec in doc.items if spec.score_map is not None]
    if mapped:
        notes.append(f"Answers mapped to item scores by the instrument's key: {', '.join(mapped)}.")
    if chosen_variant:
        desc = next(v for v in doc.variants if v.id == chosen_variant)
        notes.append(f"Variant {chosen_variant}: {desc.label}. {desc.note}")

    return InstrumentResult(
        instrument=doc.id,
        name=doc.name,
        instrument_version=doc.instrument_version,
        variant=chosen_variant or None,
        total=float(total),
        total_range=doc.scale_range(),
        percent=None if percent is None else float(percent),
        category=category,
        category_label=label,
        subscales={name: float(v) for name, v in subscales.items()},
        item_scores=item_scores,
        answered=len(item_scores),
        missing=missing,
        rule_notes=notes,
        sources=list(doc.sources),
        copyright=doc.licence.copyright,
        knowledge_version=doc.version,
    )


def score_all(answers: Mapping[str, object]) -> dict[str, InstrumentResult]:
    """Score every instrument that has at least one answered key in ``answers``.

    Keys are grouped by their prefix (the part before the first dot). Prefixes that are not
    instruments are ignored (other parts of an assessment keep their answers in the same
    mapping), except keys that look like a mistyped instrument item: ``<prefix>.<number>`` whose
    prefix is an alias or a near-miss of an instrument id (``oswestry.1``, ``rmq.3``,
    ``startbak.2``). Those raise ``InputError`` naming the keys and the likely instrument.
    An instrument whose keys are all null is skipped.

    Returns
    -------
    dict[str, InstrumentResult]
        In knowledge-file order (ids as keys).
    """
    defs = instrument_definitions()
    strays: dict[str, list[str]] = {}
    for key in answers:
        if not isinstance(key, str):
            continue
        match = _ITEM_LIKE.fullmatch(key)
        if match and match.group(1) not in defs and _guess(match.group(1)):
            strays.setdefault(match.group(1), []).append(key)
    if strays:
        parts = [
            f"{prefix!r} ({', '.join(keys)}) looks like {_guess(prefix)!r}"
            for prefix, keys in strays.items()
        ]
        first_key = next(iter(strays.values()))[0]
        raise InputError(
            "unknown instrument prefix: " + "; ".join(parts) + f" (known: {', '.join(defs)})",
            where=first_key,
        )
    out: dict[str, InstrumentResult] = {}
    for doc in defs.values():
        prefix = doc.id + "."
        if any(
            isinstance(key, str)
            and key.startswith(prefix)
            and key != doc.variant_key
            and value is not None
            for key, value in answers.items()
        ):
            out[doc.id] = score(doc.id, answers)
    return out
