"""PostureSeries <-> Parquet (pyarrow). Metadata travels as JSON in the schema metadata."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from backcare.errors import InputError
from backcare.posture.series import PostureSeries, SeriesMeta

__all__ = ["read_series", "write_series"]

_META_KEY = b"backcare.series_meta"
_FORMAT_KEY = b"backcare.format"
_FORMAT = b"posture-series/1"


def write_series(series: PostureSeries, path: str | Path) -> Path:
    """Write ``series`` to ``path`` (Parquet, zstd). Returns the path."""
    path = Path(path)
    table = pa.Table.from_pandas(series.to_frame(), preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[_META_KEY] = series.meta.model_dump_json().encode()
    meta[_FORMAT_KEY] = _FORMAT
    table = table.replace_schema_metadata(meta)
    tmp = path.with_suffix(path.suffix + ".tmp")
    pq.write_table(table, tmp, compression="zstd")
    tmp.replace(path)  # never leave a half-written file under the real name
    return path


def read_series(path: str | Path) -> PostureSeries:
    """Read a series written by :func:`write_series`."""
    path = Path(path)
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"not a readable Parquet file ({exc})", where=str(path)) from exc
    meta = table.schema.metadata or {}
    if meta.get(_FORMAT_KEY) != _FORMAT:
        raise InputError("not a backcare posture series (format tag missing)", where=str(path))
    series_meta = SeriesMeta.model_validate_json(meta[_META_KEY])
    try:
        return PostureSeries.from_frame(table.to_pandas(), meta=series_meta)
    except InputError as exc:
        raise InputError(exc.problem, where=f"{path}: {exc.where}") from exc
