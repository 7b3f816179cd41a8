"""Load and validate knowledge files shipped in ``backcare/knowledge/data``.

Loading is the only I/O this package does, it reads files that ship inside the package, and it
happens once per file (cached). A malformed file raises :class:`~backcare.errors.KnowledgeError`
naming the file and the field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import PurePosixPath
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from backcare.errors import KnowledgeError
from backcare.knowledge.schema import Document, Source, SourcesDocument

__all__ = [
    "check_citations",
    "cited_ids",
    "data_files",
    "fingerprint",
    "load",
    "load_text",
    "parse",
    "source",
    "source_registry",
]

D = TypeVar("D", bound=Document)

_DATA = "backcare.knowledge"


def _data_root() -> Any:
    return resources.files(_DATA).joinpath("data")


def data_files(suffix: str = ".yaml") -> list[str]:
    """Relative paths (POSIX) of every knowledge file, sorted."""

    def walk(node: Any, prefix: PurePosixPath) -> Iterator[str]:
        for child in node.iterdir():
            rel = prefix / child.name
            if child.is_dir():
                yield from walk(child, rel)
            elif child.name.endswith(suffix):
                yield str(rel)

    return sorted(walk(_data_root(), PurePosixPath()))


def load_text(relpath: str) -> str:
    """The raw text of a knowledge file (``relpath`` under ``knowledge/data``)."""
    node = _data_root().joinpath(*PurePosixPath(relpath).parts)
    try:
        return str(node.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise KnowledgeError(f"knowledge file {relpath!r} does not exist") from exc


def _format_loc(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def parse(text: str, model: type[D], *, name: str) -> D:
    """Parse YAML ``text`` into ``model``; errors name ``name`` and the failing field."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{name}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{name}: expected a mapping at the top level")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        lines = [
            f"{name}: field {_format_loc(err['loc'])}: {err['msg']}" for err in exc.errors()[:20]
        ]
        raise KnowledgeError("invalid knowledge file\n  " + "\n  ".join(lines)) from exc


@cache
def load(relpath: str, model: type[D]) -> D:
    """Load, validate and cache one knowledge file, checking its citations."""
    doc = parse(load_text(relpath), model, name=relpath)
    if model is not SourcesDocument:
        check_citations(doc, name=relpath)
    return doc


@cache
def source_registry() -> dict[str, Source]:
    """All sources from ``data/sources/*.yaml``; a duplicated id is an error."""
    registry: dict[str, Source] = {}
    for rel in data_files():
        if not rel.startswith("sources/"):
            continue
        for src in load(rel, SourcesDocument).sources:
            if src.id in registry:
                raise KnowledgeError(f"{rel}: source id {src.id!r} is defined twice")
            registry[src.id] = src
    return registry


def source(source_id: str) -> Source:
    """One source by id."""
    try:
        return source_registry()[source_id]
    except KeyError:
        raise KnowledgeError(f"unknown source id {source_id!r}") from None


def cited_ids(obj: object) -> Iterator[tuple[str, str]]:
    """Yield ``(location, source_id)`` for every ``sources`` field inside a model tree."""

    def walk(node: object, loc: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, BaseModel):
            for field in type(node).model_fields:
                value = getattr(node, field)
                sub = f"{loc}.{field}" if loc else field
                if field == "sources" and isinstance(value, tuple | list):
                    for sid in value:
                        yield sub, str(sid)
                else:
                    yield from walk(value, sub)
        elif isinstance(node, tuple | list):
            for i, item in enumerate(node):
                yield from walk(item, f"{loc}[{i}]")
        elif isinstance(node, dict):
            for key, item in node.items():
                yield from walk(item, f"{loc}[{key!r}]")

    yield from walk(obj, "")


def check_citations(doc: BaseModel, *, name: str) -> None:
    """Raise if any source id cited in ``doc`` is not in the registry."""
    registry = source_registry()
    dangling = [f"{loc} -> {sid!r}" for loc, sid in cited_ids(doc) if sid not in registry]
    if dangling:
        raise KnowledgeError(f"{name}: unknown source ids: " + "; ".join(dangling))


@cache
def fingerprint() -> str:
    """Provenance of the knowledge in use: ``<newest file version>+<content hash>``.

    Stored with every result so that a report can say which knowledge produced it.
    """
    digest = hashlib.sha256()
    newest = "0000-00-00"
    for rel in data_files():
        text = load_text(rel)
        digest.update(rel.encode() + b"\0" + text.encode() + b"\0")
        raw = yaml.safe_load(text)
        if isinstance(raw, dict) and isinstance(raw.get("version"), str):
            newest = max(newest, raw["version"])
    return f"{newest}+{digest.hexdigest()[:12]}"
