"""Read a clinic's licensed questionnaire wording (a text pack) from a YAML file.

backcare ships no wording for ODI, RMDQ, NDI, OMPSQ-10 or STarT Back. A clinic that holds a
licence writes the wording into a pack (format: ``docs/text-packs.md``; schema:
:class:`backcare.knowledge.instruments.TextPack`) and points backcare at it at run time. The pack
only labels items and answers; it never changes how an instrument is scored.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import ValidationError

from backcare.clinical.instruments import instrument
from backcare.errors import InputError
from backcare.io.answers import read_user_text
from backcare.knowledge.instruments import TextPack, text_pack_problems

__all__ = ["MAX_PACK_BYTES", "parse_text_pack", "read_text_pack"]

#: A pack is a few dozen items of text: anything larger is refused before it is parsed.
MAX_PACK_BYTES = 256 * 1024


def _field(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def read_text_pack(path: str | Path, *, instrument_id: str | None = None) -> TextPack:
    """Read and check a text pack.

    Parameters
    ----------
    path
        A YAML file in the ``backcare-text-pack/1`` format.
    instrument_id
        When given, the pack must be for this instrument.

    Raises
    ------
    InputError
        The file cannot be read, is not YAML, or a field is missing or wrong; the error names
        the file and the field (``items[3].options``).
    """
    path = Path(path)
    return parse_text_pack(
        read_user_text(path, "the text pack"), where=str(path), instrument_id=instrument_id
    )


def parse_text_pack(text: str, *, where: str, instrument_id: str | None = None) -> TextPack:
    """Check a text pack given as YAML text (an uploaded file); errors name ``where``."""
    if len(text.encode()) > MAX_PACK_BYTES:
        raise InputError(
            f"a text pack is at most {MAX_PACK_BYTES // 1024} KB; this one is larger", where=where
        )
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", where=where) from exc
    if not isinstance(raw, dict):
        raise InputError(
            "a text pack is a YAML mapping (format, instrument, items...)", where=where
        )
    try:
        pack = TextPack.model_validate(raw)
    except ValidationError as exc:
        problems = [f"field {_field(err['loc'])}: {err['msg']}" for err in exc.errors()[:10]]
        raise InputError("invalid text pack: " + "; ".join(problems), where=where) from exc
    if instrument_id is not None and pack.instrument != instrument_id:
        raise InputError(
            f"field instrument: the pack is for {pack.instrument!r}, not {instrument_id!r}",
            where=where,
        )
    try:
        definition = instrument(pack.instrument)
    except InputError as exc:
        raise InputError(f"field instrument: {exc}", where=where) from exc
    found = [f"field {field}: {problem}" for field, problem in text_pack_problems(pack, definition)]
    if found:
        raise InputError("invalid text pack: " + "; ".join(found), where=where)
    return pack
