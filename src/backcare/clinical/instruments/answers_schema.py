"""JSON Schema of the answers mapping, for forms, APIs and the assessment command."""

from __future__ import annotations

from typing import Any

from backcare.knowledge.instruments import InstrumentDocument, ItemSpec

from .scoring import instrument, instrument_ids

__all__ = ["answers_json_schema"]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _item_schema(doc: InstrumentDocument, spec: ItemSpec) -> dict[str, Any]:
    description = f"{doc.short_name}, {spec.topic}: whole number {spec.min}-{spec.max}"
    if spec.reversed:
        description += " as circled on the form (backcare reverses it when scoring)"
    description += "; null = unanswered."
    out: dict[str, Any] = {
        "type": ["integer", "null"],
        "minimum": spec.min,
        "maximum": spec.max,
        "title": spec.text or f"{doc.short_name} {spec.id.split('.', 1)[1]}: {spec.topic}",
        "description": description,
    }
    if spec.options:
        out["examples"] = [opt.value for opt in spec.options]
        out["x-backcare-option-labels"] = {str(o.value): o.label for o in spec.options}
    return out


def answers_json_schema(instrument_id: str | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an answers object.

    Parameters
    ----------
    instrument_id
        One instrument, or ``None`` for every instrument backcare scores.

    Returns
    -------
    dict
        An object schema with one property per item id (``integer`` within the item's range, or
        ``null`` for unanswered) plus the variant keys (``odi.variant``). Other keys are allowed
        (``additionalProperties: true``) because an assessment keeps other answers in the same
        object. The schema and the scorer agree on values: ``2.0`` is an integer in JSON Schema
        and is scored as 2. The scorer additionally rejects unknown ids that use an
        instrument's prefix (``odi.11``) and applies the missing-item rules.
    """
    ids = [instrument_id] if instrument_id is not None else list(instrument_ids())
    properties: dict[str, Any] = {}
    notices: dict[str, str] = {}
    for iid in ids:
        doc = instrument(iid)
        notices[doc.id] = doc.licence.copyright
        for spec in doc.items:
            properties[spec.id] = _item_schema(doc, spec)
        if doc.variant_key:
            properties[doc.variant_key] = {
                "type": ["string", "null"],
                "enum": [*(v.id for v in doc.variants), None],
                "default": doc.default_variant,
                "title": f"{doc.short_name} variant",
                "description": "; ".join(f"{v.id}: {v.label}" for v in doc.variants),
            }
    title = (
        f"backcare answers: {instrument(instrument_id).name}"
        if instrument_id is not None
        else "backcare questionnaire answers"
    )
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": title,
        "description": (
            "Item scores keyed '<instrument>.<item number>' as on the published form; "
            "null means unanswered. Scoring needs no item wording."
        ),
        "type": "object",
        "properties": properties,
        "additionalProperties": True,
        "x-backcare-copyright": notices,
    }
