"""One JSON form for every result backcare writes or stores.

:func:`json_ready` turns results into plain JSON values, the same way everywhere (files, the
database, exports, web pages): NaN and infinity become ``None``, NumPy scalars and arrays become
Python numbers and lists, mapping keys become strings (a whole float key such as ``20.0`` is
written ``"20"``), dataclasses become mappings, dates and times ISO 8601 text and paths their
text. :func:`dumps` writes JSON text with it.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

__all__ = ["dumps", "json_key", "json_ready"]


def _numpy() -> Any:
    # a value can only be a NumPy value once NumPy is loaded: importing this module stays cheap
    return sys.modules.get("numpy")


def json_key(key: Any) -> str:
    """A mapping key as JSON text: ``20.0`` -> ``"20"``, ``2.5`` -> ``"2.5"``."""
    np = _numpy()
    if np is not None and isinstance(key, np.generic):
        key = key.item()
    if isinstance(key, float) and key.is_integer():
        return str(int(key))
    return str(key)


def json_ready(value: Any, *, digits: int | None = None) -> Any:
    """``value`` as plain JSON values (see the module docstring).

    Parameters
    ----------
    value
        Any nesting of mappings, sequences, dataclasses, NumPy values and scalars.
    digits
        Round floats to this many decimals (``None``: keep them as they are).
    """
    if isinstance(value, Mapping):
        return {json_key(k): json_ready(v, digits=digits) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return json_ready(
            {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, digits=digits
        )
    if isinstance(value, list | tuple | set | frozenset):
        return [json_ready(v, digits=digits) for v in value]
    np = _numpy()
    if np is not None:
        if isinstance(value, np.ndarray):
            return [json_ready(v, digits=digits) for v in value.tolist()]
        if isinstance(value, np.generic):
            value = value.item()
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return round(value, digits) if digits is not None else value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    return value


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """JSON text of ``json_ready(value)``; anything still unknown is written as text."""
    return json.dumps(json_ready(value), indent=indent, default=str)
