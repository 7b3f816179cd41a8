"""GENEActiv ``.bin`` reader (text header + hex-encoded data pages).

Format facts used (GENEActiv binary file documentation, as read by GENEAread, GGIR and
scikit-digital-health):

* the file is text: a header of ``Key:Value`` lines in sections (``Device Identity``,
  ``Configuration Info`` with ``Measurement Frequency`` and ``Time Zone``, ``Subject Info`` with
  ``Device Location Code``, ``Calibration Data`` with ``x gain``/``x offset`` ... ``Volts``,
  ``Lux``, ``Memory Status`` with ``Number of Pages``);
* then pages, each ``Recorded Data`` followed by ``Key:Value`` lines (``Sequence Number``,
  ``Page Time`` as ``YYYY-MM-DD hh:mm:ss:mmm``, ``Temperature``, ``Measurement Frequency``) and
  one line of hex digits, 12 per sample (300 samples per page): x, y, z as signed 12-bit
  integers, then 10 bits of light, a button bit and a reserved bit;
* acceleration [g] = (raw * 100 - offset) / gain per axis.

Time: each page's first sample is at its ``Page Time`` and the samples follow at the measurement
frequency (the convention of the reference decode). A page time further on than the previous
page's samples reach is reported as a gap; a page time before it (by more than half a page) as
time going backwards, and that page is skipped. ``info.start`` is the first page's time, with the
header's time zone when it gives one.

Pages are read one after another (a bounded number at a time) and the hex of many pages is
decoded at once with a lookup table.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from numpy.typing import NDArray

from backcare.errors import InputError
from backcare.wearable.readers._base import DEFAULT_CHUNK_SAMPLES, RecordingSource
from backcare.wearable.recording import Issue, Recording, RecordingInfo

__all__ = ["GeneactivSource", "decode_hex_samples"]

_PAGE = b"Recorded Data"
_HEX = np.full(256, 255, np.uint8)
for _i, _c in enumerate(b"0123456789ABCDEF"):
    _HEX[_c] = _i
for _i, _c in enumerate(b"abcdef"):
    _HEX[_c] = 10 + _i
_TZ = re.compile(r"GMT\s*([+-])\s*(\d{1,2}):?(\d{2})?")
_MAX_ISSUES = 200
_MAX_LINE = 1 << 16  # longer lines are not GENEActiv text


def decode_hex_samples(hexdata: bytes) -> tuple[NDArray[np.int16], NDArray[np.bool_]]:
    """12 hex digits per sample -> (n, 3) signed 12-bit raw xyz and a per-sample valid mask."""
    buf = np.frombuffer(hexdata, dtype=np.uint8)
    n = buf.size // 12
    nib = _HEX[buf[: n * 12]].reshape(n, 12)
    valid = (nib != 255).all(axis=1)
    nib = np.where(nib == 255, 0, nib).astype(np.int16)
    x = (nib[:, 0] << 8) | (nib[:, 1] << 4) | nib[:, 2]
    y = (nib[:, 3] << 8) | (nib[:, 4] << 4) | nib[:, 5]
    z = (nib[:, 6] << 8) | (nib[:, 7] << 4) | nib[:, 8]
    raw = np.stack([x, y, z], axis=1)
    raw = np.where(raw >= 2048, raw - 4096, raw).astype(np.int16)
    return raw, valid


def _parse_time(text: str) -> datetime | None:
    try:
        day, clock = text.strip().split(" ")
        parts = clock.split(":")
        if len(parts) == 4:
            ms = int(parts[3].ljust(3, "0")[:3])
            base = datetime.strptime(f"{day} {':'.join(parts[:3])}", "%Y-%m-%d %H:%M:%S")
            return base + timedelta(milliseconds=ms)
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


@dataclasses.dataclass
class _Page:
    number: int  # page index in the file
    line: int  # line number of its "Recorded Data"
    time: datetime | None
    temperature: float
    frequency: float | None
    hexdata: bytes


class GeneactivSource(RecordingSource):
    """A GENEActiv ``.bin`` file (see module doc)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._where = str(path)
        self._header, self._data_line = self._read_header()
        h = self._header
        try:
            self._fs = float(h["Measurement Frequency"].split()[0])
            self._gain = np.array([float(h[f"{a} gain"]) for a in "xyz"])
            self._offset = np.array([float(h[f"{a} offset"]) for a in "xyz"])
        except (KeyError, ValueError, IndexError) as exc:
            raise InputError(
                f"header lacks a usable {exc} (measurement frequency and x/y/z gain and offset "
                "are required)",
                where=self._where,
            ) from None
        calibration = np.concatenate([self._gain, self._offset])
        if not (0 < self._fs < 1e5 and np.all(self._gain != 0) and np.isfinite(calibration).all()):
            raise InputError(
                "header has an impossible frequency or calibration (zero, infinite or NaN)",
                where=self._where,
            )
        self._tz = self._timezone(h.get("Time Zone", ""))
        self._info: RecordingInfo | None = None

    # -- header ------------------------------------------------------------------------------
    def _open(self) -> BinaryIO:
        try:
            return self.path.open("rb")
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror}", where=self._where) from exc

    def _read_header(self) -> tuple[dict[str, str], int]:
        header: dict[str, str] = {}
        with self._open() as fh:
            first = fh.readline(_MAX_LINE)
            if not first.startswith(b"Device Identity"):
                raise InputError(
                    "not a GENEActiv .bin file (it does not start with 'Device Identity')",
                    where=self._where,
                )
            line_no = 1
            for line in iter(lambda: fh.readline(_MAX_LINE), b""):
                line_no += 1
                text = line.rstrip(b"\r\n")
                if text == _PAGE:
                    return header, line_no
                key, sep, value = text.decode("latin-1").partition(":")
                if sep:
                    header[key.strip()] = value.strip()
        raise InputError("no data pages ('Recorded Data') in the file", where=self._where)

    @staticmethod
    def _timezone(text: str) -> timezone | None:
        m = _TZ.search(text)
        if not m:
            return None
        minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
        if minutes > 14 * 60:
            return None
        return timezone(timedelta(minutes=minutes if m.group(1) == "+" else -minutes))

    def _pages(self) -> Iterator[_Page]:
        """Every page, in file order (bounded memory: one page at a time)."""
        with self._open() as fh:
            line_no = 0
            number = -1
            fields: dict[str, str] = {}
            start_line = 0
            in_page = False
            for line in iter(lambda: fh.readline(_MAX_LINE), b""):
                line_no += 1
                text = line.rstrip(b"\r\n")
                if text == _PAGE:
                    in_page, fields, start_line = True, {}, line_no
                    number += 1
                    continue
                if not in_page:
                    continue
                key, sep, value = text.partition(b":")
                if sep and not _is_hex(text):
                    fields[key.decode("latin-1").strip()] = value.decode("latin-1").strip()
                    continue
                in_page = False
                yield self._page(number, start_line, fields, text)
            if in_page:  # a page header without its data line (truncated file)
                yield self._page(number, start_line, fields, b"")

    @staticmethod
    def _page(number: int, line: int, fields: dict[str, str], hexdata: bytes) -> _Page:
        def num(key: str) -> float | None:
            try:
                return float(fields[key])
            except (KeyError, ValueError):
                return None

        temp = num("Temperature")
        return _Page(
            number=number,
            line=line,
            time=_parse_time(fields.get("Page Time", "")),
            temperature=float("nan") if temp is None else temp,
            frequency=num("Measurement Frequency"),
            hexdata=hexdata,
        )

    @property
    def info(self) -> RecordingInfo:
        if self._info is not None:
            return self._info
        h = self._header
        first = next(
            (p.time for p in self._pages() if p.time is not None),
            None,
        )
        start = first.replace(tzinfo=self._tz) if first is not None and self._tz else first
        rng = h.get("Accelerometer Range", "")
        range_g = None
        m = re.search(r"(\d+(?:\.\d+)?)\s*$", rng)
        if m:
            range_g = float(m.group(1))
        extra: dict[str, Any] = {
            "model": h.get("Device Model"),
            "firmware": h.get("Device Firmware Version"),
            "n_pages": _int(h.get("Number of Pages")),
            "calibration": {
                "gain": self._gain.tolist(),
                "offset": self._offset.tolist(),
                "volts": h.get("Volts"),
                "lux": h.get("Lux"),
            },
            "time_zone": h.get("Time Zone"),
            "subject": h.get("Subject Code"),
        }
        n_pages = extra["n_pages"]
        if n_pages:
            extra["n_samples_max"] = 300 * n_pages
        self._info = RecordingInfo(
            path=str(self.path),
            device="GENEActiv",
            fs_hz=self._fs,
            start=start,
            serial=h.get("Device Unique Serial Code"),
            range_g=range_g,
            placement=h.get("Device Location Code") or None,
            extra=extra,
        )
        return self._info

    # -- samples -----------------------------------------------------------------------------
    def sample_capacity(self) -> int:
        """Twelve hex digits per sample: the file size bounds the samples it holds."""
        try:
            return self.path.stat().st_size // 12
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror}", where=self._where) from exc

    def chunks(self, max_samples: int = DEFAULT_CHUNK_SAMPLES) -> Iterator[Recording]:
        if max_samples < 1:
            raise InputError("max_samples must be at least 1", where="chunks(max_samples)")
        return self.bounded(self._stream(max_samples))

    def _stream(self, max_samples: int) -> Iterator[Recording]:
        info = self.info
        if info.start is None:
            raise InputError("no page has a readable 'Page Time'", where=self._where)
        base = info.start.replace(tzinfo=None)
        fs = self._fs
        batch: list[tuple[float, _Page, NDArray[np.int16]]] = []
        issues: list[Issue] = []
        n_batch = 0
        reach = -np.inf  # time just after the last accepted sample
        n_issues = 0
        for page in self._pages():
            problem = self._check(page)
            raw = np.zeros((0, 3), np.int16)
            if problem is None:
                assert page.time is not None
                raw, valid = decode_hex_samples(page.hexdata)
                if raw.shape[0] == 0:
                    problem = "page holds no samples"
                elif not valid.all():
                    problem = "page data holds characters that are not hex digits"
                elif len(page.hexdata) % 12:
                    problem = f"page data is cut short ({len(page.hexdata)} hex digits)"
            t0 = (page.time - base).total_seconds() if page.time else float("nan")
            if problem is None and t0 < reach - 0.5 * raw.shape[0] / fs:
                problem = f"time goes backwards by {reach - t0:.3f} s; page skipped"
            where = f"{self.path.name}: page {page.number} (line {page.line})"
            note: str | None = None
            if problem is None and np.isfinite(reach):
                if t0 - reach > max(0.25, 2.0 / fs):
                    note = f"gap of {t0 - reach:.3f} s before this page"
                elif t0 < reach:  # small clock jitter: keep time non-decreasing
                    if reach - t0 > 1.0 / fs:
                        note = f"page time {reach - t0:.3f} s early; placed after the previous"
                    t0 = reach
            if problem is not None:
                problem += "" if "skipped" in problem else "; page skipped"
            message = problem or note
            if message is not None:
                n_issues += 1
                if n_issues <= _MAX_ISSUES:
                    start = float(reach) if np.isfinite(reach) else None
                    issues.append(Issue(where, message, start, None if problem else t0))
            if problem is not None:
                continue
            reach = max(reach, t0 + raw.shape[0] / fs)
            batch.append((t0, page, raw))
            n_batch += raw.shape[0]
            if n_batch + 300 > max_samples:
                yield self._emit(batch, issues)
                batch, issues, n_batch = [], [], 0
        if n_issues > _MAX_ISSUES:
            issues.append(Issue(self.path.name, f"{n_issues - _MAX_ISSUES} more problems"))
        if batch or issues:
            yield self._emit(batch, issues)

    def _check(self, page: _Page) -> str | None:
        if page.time is None:
            return "missing or unreadable 'Page Time'"
        if page.frequency is not None and abs(page.frequency - self._fs) > 1e-6:
            return f"measurement frequency {page.frequency} Hz differs from the header's"
        if not page.hexdata:
            return "page has no data line"
        return None

    def _emit(
        self, batch: list[tuple[float, _Page, NDArray[np.int16]]], issues: list[Issue]
    ) -> Recording:
        info = dataclasses.replace(self.info, issues=tuple(issues))
        if not batch:
            return Recording(time=np.zeros(0), accel=np.zeros((0, 3), np.float32), info=info)
        fs = self._fs
        counts = np.array([r.shape[0] for _, _, r in batch])
        raw = np.concatenate([r for _, _, r in batch]).astype(np.float64)
        accel = ((raw * 100.0 - self._offset) / self._gain).astype(np.float32)
        t0 = np.repeat(np.array([t for t, _, _ in batch]), counts)
        first = np.repeat(np.cumsum(counts) - counts, counts)
        time = t0 + (np.arange(counts.sum()) - first) / fs
        temp = np.repeat(np.array([p.temperature for _, p, _ in batch], np.float32), counts)
        return Recording(time=time, accel=accel, info=info, temperature=temp)


def _is_hex(text: bytes) -> bool:
    return len(text) >= 12 and bool(re.fullmatch(rb"[0-9A-Fa-f]+", text[:24]))


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
