"""Generic CSV reader: columns ``time,x,y,z`` (header row required; other columns ignored).

* ``time``: seconds (numbers) or ISO 8601 timestamps. Numbers above 946684800 (2000-01-01 as a
  Unix time) are taken as Unix times (UTC); smaller numbers as seconds since an unknown origin
  (``info.start`` is then ``None``). ISO timestamps give ``info.start`` (aware when they carry an
  offset).
* ``x, y, z``: acceleration in ``units`` (``"g"`` or ``"m/s2"``). When ``units`` is omitted it is
  detected from the median of the per-sample vector magnitudes in the first chunk (rule and
  bands in ``knowledge/data/wearable_formats/readers.yaml``): about 1 means g, about 9.8 means
  m/s^2, anything else is an error asking the user to declare the units.
* The sample rate is the median spacing of the first chunk's times.

The file is read ``max_samples`` rows at a time (pandas chunks), so memory is bounded. Rows with
unreadable or missing values and rows whose time goes backwards are excluded and reported; gaps
longer than two sample periods (and at least 0.5 s) are reported.
"""

from __future__ import annotations

import dataclasses
import gzip
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from backcare.errors import InputError
from backcare.knowledge import load
from backcare.knowledge.wearable_formats import ReaderRules
from backcare.wearable.readers._base import DEFAULT_CHUNK_SAMPLES, RecordingSource
from backcare.wearable.recording import Issue, Recording, RecordingInfo

__all__ = ["CsvSource", "detect_units"]

_UNIX_2000 = 946_684_800.0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UNITS = {"g": 1.0, "m/s2": None, "m/s^2": None, "mps2": None}
_MAX_ISSUES = 200
_COLUMNS = ("time", "x", "y", "z")
#: The header line may hold at most this many bytes and columns: files with more are refused
#: before any parsing (a sensor export has a handful of columns).
MAX_HEADER_BYTES = 8192
MAX_COLUMNS = 256
_MIN_ROW_BYTES = 8
_GZIP_RATIO = 50


def _rules() -> ReaderRules:
    rules: ReaderRules = load("wearable_formats/readers.yaml", ReaderRules)
    return rules


def detect_units(accel: NDArray[Any], *, where: str) -> str:
    """``"g"`` or ``"m/s2"`` from the median vector magnitude (raises when ambiguous)."""
    rules = _rules()
    mag = np.linalg.norm(np.asarray(accel, dtype=np.float64), axis=1)
    mag = mag[np.isfinite(mag)]
    if mag.size == 0:
        raise InputError("no numeric acceleration rows to detect the units from", where=where)
    med = float(np.median(mag))
    g_lo, g_hi = rules.units_detection.g_band
    if g_lo <= med <= g_hi:
        return "g"
    if g_lo * rules.standard_gravity <= med <= g_hi * rules.standard_gravity:
        return "m/s2"
    raise InputError(
        f"cannot tell the acceleration units: the median magnitude is {med:.3g}, neither about "
        f"1 (g) nor about {rules.standard_gravity:.2f} (m/s^2); declare them as units g or "
        "m/s2",
        where=where,
    )


class CsvSource(RecordingSource):
    """A ``time,x,y,z`` CSV file (see module doc)."""

    def __init__(self, path: Path, *, units: str | None = None) -> None:
        super().__init__(path)
        self._where = str(path)
        if units is not None and units.lower() not in _UNITS:
            raise InputError(f"units {units!r} must be 'g' or 'm/s2'", where="units")
        self._units_given = units.lower() if units else None
        self._gzip = path.name.lower().endswith(".gz")
        try:
            self._size = path.stat().st_size
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror}", where=self._where) from None
        self._check_header_line()
        try:
            head = pd.read_csv(path, nrows=0, encoding_errors="replace")
        except (
            pd.errors.ParserError,
            pd.errors.EmptyDataError,
            UnicodeDecodeError,
            ValueError,
        ) as exc:
            raise InputError(f"not a readable CSV file: {exc}", where=self._where) from None
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc}", where=self._where) from None
        names = {str(c).strip().lower(): c for c in head.columns}
        missing = [c for c in _COLUMNS if c not in names]
        if missing:
            raise InputError(
                f"missing column(s) {', '.join(missing)}; the header must name time, x, y, z "
                f"(found: {', '.join(map(str, head.columns)) or 'none'})",
                where=self._where,
            )
        self._cols = [names[c] for c in _COLUMNS]
        self._probe: dict[str, Any] | None = None
        self._info: RecordingInfo | None = None

    def _check_header_line(self) -> None:
        """Refuse an over-long or over-wide header before pandas parses it."""
        try:
            opener = gzip.open if self._gzip else open
            with opener(self.path, "rb") as fh:
                line = fh.readline(MAX_HEADER_BYTES + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"cannot read the file: {exc}", where=self._where) from None
        if len(line) > MAX_HEADER_BYTES and not line.endswith(b"\n"):
            raise InputError(
                f"the first line (the header) is longer than {MAX_HEADER_BYTES:,} bytes; a sensor "
                "CSV names its columns time, x, y, z (and a few more) in a short header",
                where=self._where,
            )
        columns = line.count(b",") + 1
        if columns > MAX_COLUMNS:
            raise InputError(
                f"the header has {columns:,} columns, more than the {MAX_COLUMNS} allowed; "
                "a sensor CSV needs time, x, y, z",
                where=self._where,
            )

    # -- probing the first rows ------------------------------------------------------------------
    def _reader(self, rows: int) -> Any:
        return pd.read_csv(
            self.path,
            usecols=self._cols,
            dtype=str,
            chunksize=rows,
            skipinitialspace=True,
            encoding_errors="replace",
            on_bad_lines="skip",
        )

    @staticmethod
    def _parse_time(values: pd.Series, kind: str, origin: float | int) -> NDArray[np.float64]:
        """Times -> seconds since ``origin``, NaN where unreadable.

        ``origin`` is in seconds for numbers and in integer nanoseconds since 1970 for ISO
        timestamps, which are subtracted as integers so that sub-millisecond steps survive.
        """
        if kind == "number":
            return pd.to_numeric(values, errors="coerce").to_numpy(np.float64) - float(origin)
        ts = pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")
        ns = ts.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]")
        rel = (ns.astype(np.int64) - np.int64(origin)).astype(np.float64) / 1e9
        return np.where(ts.isna().to_numpy(), np.nan, rel)

    def _probe_rows(self) -> dict[str, Any]:
        if self._probe is not None:
            return self._probe
        try:
            with self._reader(50_000) as reader:
                first = next(iter(reader), None)
        except (
            pd.errors.ParserError,
            pd.errors.EmptyDataError,
            UnicodeDecodeError,
            ValueError,
        ) as exc:
            raise InputError(f"not a readable CSV file: {exc}", where=self._where) from None
        if first is None or first.empty:
            raise InputError("the file has a header but no data rows", where=self._where)
        tcol = first[self._cols[0]].dropna()
        numeric = pd.to_numeric(tcol, errors="coerce")
        kind = "number" if numeric.notna().mean() > 0.5 else "iso"
        tz: Any = None
        if kind == "iso":
            sample = str(tcol.iloc[0]) if len(tcol) else ""
            parsed = pd.to_datetime(pd.Series([sample]), errors="coerce", format="ISO8601")
            if parsed.isna().all():
                raise InputError(
                    f"time column holds neither numbers nor ISO 8601 timestamps ({sample!r})",
                    where=self._where,
                )
            tz = parsed.iloc[0].tzinfo
        t = self._parse_time(first[self._cols[0]], kind, 0)
        xyz = first[self._cols[1:]].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
        ok = np.isfinite(t) & np.isfinite(xyz).all(axis=1)
        if not ok.any():
            raise InputError("no row with a readable time and x, y, z", where=self._where)
        units = self._units_given or detect_units(xyz[ok], where=self._where)
        t0: float | int = float(t[ok][0])
        if kind == "iso":  # the origin in exact integer nanoseconds
            ts = pd.to_datetime(first[self._cols[0]][ok], utc=True, format="ISO8601")
            t0 = int(ts.dt.tz_localize(None).to_numpy("datetime64[ns]").astype(np.int64)[0])
            t = self._parse_time(first[self._cols[0]], kind, t0)
        steps = np.diff(t[ok])
        steps = steps[steps > 0]
        fs = float(1.0 / np.median(steps)) if steps.size else 0.0
        absolute = kind == "iso" or t0 >= _UNIX_2000
        self._probe = {"kind": kind, "units": units, "fs": fs, "t0": t0, "abs": absolute, "tz": tz}
        return self._probe

    @property
    def info(self) -> RecordingInfo:
        if self._info is None:
            p = self._probe_rows()
            start: datetime | None = None
            if p["abs"]:
                if p["kind"] == "iso":
                    start = _EPOCH + timedelta(microseconds=p["t0"] // 1000)
                else:
                    start = _EPOCH + timedelta(seconds=p["t0"])
                if p["tz"] is not None:
                    start = start.astimezone(p["tz"])
            self._info = RecordingInfo(
                path=str(self.path),
                device="CSV",
                fs_hz=round(p["fs"], 6),
                start=start,
                extra={
                    "units": p["units"],
                    "units_detected": self._units_given is None,
                    "time_format": p["kind"],
                },
            )
        return self._info

    # -- samples -------------------------------------------------------------------------------
    def sample_capacity(self) -> int:
        """Each data row takes at least ``t,x,y,z`` and a line end: 8 bytes (compressed files:
        at most :data:`_GZIP_RATIO` times their size once expanded)."""
        size = self._size * (_GZIP_RATIO if self._gzip else 1)
        return size // _MIN_ROW_BYTES

    def chunks(self, max_samples: int = DEFAULT_CHUNK_SAMPLES) -> Iterator[Recording]:
        if max_samples < 1:
            raise InputError("max_samples must be at least 1", where="chunks(max_samples)")
        return self.bounded(self._stream(max_samples))

    def _stream(self, max_samples: int) -> Iterator[Recording]:
        info = self.info
        p = self._probe_rows()
        try:
            with self._reader(int(max_samples)) as reader:
                yield from self._frames(reader, info, p)
        except (
            pd.errors.ParserError,
            pd.errors.EmptyDataError,
            UnicodeDecodeError,
            ValueError,
        ) as exc:
            raise InputError(f"unreadable CSV: {exc}", where=self._where) from None

    def _frames(self, reader: Any, info: RecordingInfo, p: dict[str, Any]) -> Iterator[Recording]:
        scale = 1.0 if p["units"] == "g" else 1.0 / _rules().standard_gravity
        origin = p["t0"]
        period = 1.0 / p["fs"] if p["fs"] > 0 else 0.0
        last = -np.inf
        row0 = 0
        n_issues = 0
        for frame in reader:
            t = self._parse_time(frame[self._cols[0]], p["kind"], origin)
            xyz = frame[self._cols[1:]].apply(pd.to_numeric, errors="coerce")
            a = xyz.to_numpy(np.float64)
            issues: list[Issue] = []
            readable = np.isfinite(t) & np.isfinite(a).all(axis=1)
            prev = np.maximum.accumulate(
                np.concatenate([[last], np.where(readable, t, -np.inf)[:-1]])
            )
            forward = t >= prev
            for mask, what in (
                (~readable, "unreadable or missing values"),
                (readable & ~forward, "time going backwards"),
            ):
                bad = np.flatnonzero(mask)
                if bad.size and n_issues < _MAX_ISSUES:
                    n_issues += 1
                    issues.append(
                        Issue(
                            f"{self.path.name}: data rows {row0 + bad[0] + 1}-{row0 + bad[-1] + 1}",
                            f"{bad.size} rows with {what} excluded",
                        )
                    )
            keep = readable & forward
            t, a = t[keep], a[keep]
            if t.size and period:
                steps = (
                    np.diff(np.concatenate([[last], t]))
                    if np.isfinite(last)
                    else np.diff(t, prepend=t[0])
                )
                gaps = np.flatnonzero(steps > max(2.0 * period, 0.5))
                for g in gaps:
                    if n_issues >= _MAX_ISSUES:
                        break
                    n_issues += 1
                    issues.append(
                        Issue(
                            f"{self.path.name}: data row near {row0 + int(g) + 1}",
                            f"gap of {float(steps[g]):.3f} s in time; no samples there",
                            float(t[g] - steps[g]),
                            float(t[g]),
                        )
                    )
            if t.size:
                last = float(t[-1])
            row0 += len(frame)
            yield Recording(
                time=t,
                accel=(a * scale).astype(np.float32),
                info=dataclasses.replace(info, issues=tuple(issues)),
            )
