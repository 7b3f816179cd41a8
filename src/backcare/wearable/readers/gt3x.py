"""ActiGraph ``.gt3x`` reader (zip archive), streaming, on ActiGraph's own ``pygt3x`` parsers.

``pygt3x.reader.FileReader`` reads a whole file into memory, so this reader uses pygt3x's parts
instead: :class:`pygt3x.components.Info` for ``info.txt``, :class:`pygt3x.reader.LogReader` and
:class:`pygt3x.components.RawEvent` (with its checksum) to walk ``log.bin`` one event at a time,
and pygt3x's payload decoders for ``ACTIVITY`` (type 0, 12-bit packed, stored y-x-z),
``ACTIVITY2`` (26, int16) and ``ACTIVITY3`` (27, 12-bit packed). Each activity event holds one
second of samples at its (whole-second) timestamp. Counts are divided by ``Acceleration Scale``
from ``info.txt`` (pygt3x's own rule for files marked calibrated; files needing ActiGraph's
calibration method 2 are calibrated with pygt3x's ``CalibrationV2Service``). Old (NHANES) files
with ``activity.bin`` are streamed in 9-byte groups (two samples) with pygt3x's unpacker.

The event timestamps are the device's local wall-clock time (seconds since 1970): ``info.start``
is naive, or carries the ``TimeZone`` of ``info.txt`` when it has one.

Archive members are never read whole without a bound: ``info.txt`` and ``calibration.json`` are
read up to a small cap, and every member's declared size and compression ratio are checked
before it is opened (``zipfile`` never yields more than the declared size), so a zip bomb is
refused in milliseconds with a clear error.

Problems: events with a bad checksum, unknown payload sizes and seconds that go backwards are
skipped and reported; missing seconds (including idle sleep mode, which pygt3x would fill with
the last value) are left as gaps and reported. The per-event loop runs in Python (about 10^5
events per minute of decoding): fine for gt3x files, which are not this project's bulk format.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from backcare.errors import InputError, MissingExtraError
from backcare.wearable.readers._base import DEFAULT_CHUNK_SAMPLES, RecordingSource
from backcare.wearable.recording import Issue, Recording, RecordingInfo

__all__ = ["Gt3xSource"]

_TICKS_AT_EPOCH = 621_355_968_000_000_000  # .NET ticks (100 ns since 0001-01-01) at 1970-01-01
_ACTIVITY, _ACTIVITY2, _ACTIVITY3 = 0, 26, 27
_MAX_ISSUES = 200
_EPOCH = datetime(1970, 1, 1)
#: Caps on archive members (uncompressed bytes) and on their compression ratio. A week at 100 Hz
#: is about 0.3 GB of log.bin; sensor data compresses a few times, never hundreds of times.
MAX_TEXT_BYTES = 1 << 16
MAX_JSON_BYTES = 1 << 20
MAX_DATA_BYTES = 16 << 30
MAX_RATIO = 200
_RATIO_FROM_BYTES = 1 << 20  # smaller members are harmless whatever their ratio
_ZIP_ERRORS = (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError, zlib.error)


def _pygt3x() -> Any:
    try:
        import pygt3x.activity_payload as payload
        import pygt3x.components as components
        import pygt3x.reader as reader
    except ImportError as exc:  # pragma: no cover - the extra is part of the lock
        raise MissingExtraError("gt3x", "Reading ActiGraph .gt3x files") from exc
    return payload, components, reader


def _ticks_to_datetime(ticks: int) -> datetime | None:
    if ticks <= _TICKS_AT_EPOCH:
        return None
    return _EPOCH + timedelta(microseconds=(ticks - _TICKS_AT_EPOCH) // 10)


def _tz(text: str | None) -> timezone | None:
    m = re.fullmatch(r"\s*([+-]?)(\d{1,2}):(\d{2})(?::\d{2})?\s*", text or "")
    if not m:
        return None
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    if minutes > 14 * 60:
        return None
    return timezone(timedelta(minutes=-minutes if m.group(1) == "-" else minutes))


class Gt3xSource(RecordingSource):
    """An ActiGraph ``.gt3x`` file (see module doc)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._where = str(path)
        _, components, _ = _pygt3x()
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                if "info.txt" not in names:
                    raise InputError(
                        "not a .gt3x file (no info.txt in the archive)", where=self._where
                    )
                text = _read_member(zf, "info.txt", MAX_TEXT_BYTES, self._where)
                self._info_raw = components.Info.read_zip(_Members({"info.txt": text}))
                self._calibration = self._json(zf, "calibration.json", self._where)
                data_name = "log.bin" if "log.bin" in names else "activity.bin"
                self._data_bytes = (
                    _check_member(zf, data_name, MAX_DATA_BYTES, self._where).file_size
                    if data_name in names
                    else 0
                )
        except InputError:
            raise
        except zipfile.BadZipFile as exc:
            raise InputError(f"not a .gt3x (zip) file: {exc}", where=self._where) from None
        except (NotImplementedError, RuntimeError, EOFError, zlib.error) as exc:
            raise InputError(f"damaged archive: {exc}", where=self._where) from None
        except (ValueError, UnicodeDecodeError, KeyError) as exc:
            raise InputError(f"unreadable info.txt: {exc}", where=self._where) from None
        except OSError as exc:
            raise InputError(f"cannot read the archive: {exc}", where=self._where) from None
        self._nhanes = "log.bin" not in names
        if self._nhanes and "activity.bin" not in names:
            raise InputError("the archive has neither log.bin nor activity.bin", where=self._where)
        raw = self._info_raw
        self._fs = float(raw.sample_rate)
        if self._fs <= 0:
            raise InputError("info.txt gives no positive 'Sample Rate'", where=self._where)
        self._issues: list[Issue] = []
        self._scale = float(raw.acceleration_scale)
        if self._scale <= 0:
            self._scale = 341.0
            self._issues.append(
                Issue(
                    f"{self.path.name}: info.txt",
                    "no 'Acceleration Scale'; 341 counts per g assumed (older ActiGraph devices)",
                )
            )
        self._tzinfo = _tz(raw.timezone)
        self._start_info = _ticks_to_datetime(int(raw.start_date))
        self._info: RecordingInfo | None = None

    @staticmethod
    def _json(zf: zipfile.ZipFile, name: str, where: str) -> dict[str, Any] | None:
        if name not in zf.namelist():
            return None
        try:
            raw = _read_member(zf, name, MAX_JSON_BYTES, where)
        except KeyError:
            return None
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None

    @property
    def info(self) -> RecordingInfo:
        if self._info is None:
            raw = self._info_raw
            start = self._start_info
            if start is not None and self._tzinfo is not None:
                start = start.replace(tzinfo=self._tzinfo)
            self._info = RecordingInfo(
                path=str(self.path),
                device="ActiGraph",
                fs_hz=self._fs,
                start=start,
                serial=raw.serial_number,
                range_g=float(raw.acceleration_max) if raw.acceleration_max else None,
                placement=raw.limb or None,
                extra={
                    "device_type": raw.device_type,
                    "firmware": raw.firmware,
                    "acceleration_scale": self._scale,
                    "layout": "nhanes" if self._nhanes else "log.bin",
                    "time_zone": raw.timezone,
                },
                issues=tuple(self._issues),
            )
        return self._info

    def _calibrate(self, counts: NDArray[Any]) -> NDArray[np.float32]:
        cal = self._calibration
        if cal is not None and cal.get("isCalibrated") is False:
            if cal.get("calibrationMethod") == 2:
                from pygt3x.calibration import CalibrationV2Service

                try:
                    out = CalibrationV2Service(cal, int(self._fs)).calibrate_samples(counts)
                except (KeyError, ValueError, TypeError) as exc:
                    raise InputError(
                        f"unusable calibration.json: {exc}", where=self._where
                    ) from None
                return np.asarray(out, dtype=np.float32)
            raise InputError(
                f"unknown calibration method {cal.get('calibrationMethod')!r} in calibration.json",
                where=self._where,
            )
        return (np.asarray(counts, dtype=np.float64) / self._scale).astype(np.float32)

    def sample_capacity(self) -> int:
        """The densest payload packs two samples in nine bytes."""
        return self._data_bytes * 2 // 9

    def chunks(self, max_samples: int = DEFAULT_CHUNK_SAMPLES) -> Iterator[Recording]:
        if max_samples < 1:
            raise InputError("max_samples must be at least 1", where="chunks(max_samples)")
        return self.bounded(self._stream(max_samples))

    def _stream(self, max_samples: int) -> Iterator[Recording]:
        try:
            with zipfile.ZipFile(self.path) as zf:
                if self._nhanes:
                    yield from self._chunks_nhanes(zf, int(max_samples))
                else:
                    yield from self._chunks_log(zf, int(max_samples))
        except _ZIP_ERRORS as exc:
            raise InputError(f"damaged archive: {exc}", where=self._where) from None

    # -- log.bin -------------------------------------------------------------------------------
    def _chunks_log(self, zf: zipfile.ZipFile, max_samples: int) -> Iterator[Recording]:
        payload, _, reader = _pygt3x()
        base: float | None = None
        if self._start_info is not None:
            base = (self._start_info - _EPOCH).total_seconds()
        times: list[NDArray[np.float64]] = []
        counts: list[NDArray[Any]] = []
        issues: list[Issue] = []
        n = 0
        n_issues = 0
        last_second: float | None = None
        fs = self._fs

        def note(where: str, problem: str, t0: float | None, t1: float | None) -> None:
            nonlocal n_issues
            n_issues += 1
            if n_issues <= _MAX_ISSUES:
                issues.append(Issue(f"{self.path.name}: log.bin {where}", problem, t0, t1))

        size = zf.getinfo("log.bin").file_size
        with zf.open("log.bin") as fh:
            log = reader.LogReader(fh)
            index = -1
            while True:
                before = fh.tell()
                try:
                    event = log.read_event()
                except (ValueError, OSError, zipfile.BadZipFile) as exc:
                    note(
                        f"event {index + 1}", f"unreadable event ({exc}); rest ignored", None, None
                    )
                    break
                if event is None:
                    if before < size:
                        note(
                            f"offset {before}",
                            f"log.bin ends inside an event ({size - before} bytes ignored)",
                            None,
                            None,
                        )
                    break
                index += 1
                etype = event.header.event_type
                if etype not in (_ACTIVITY, _ACTIVITY2, _ACTIVITY3):
                    continue
                ts = float(event.header.timestamp)
                if base is None:
                    base = ts
                rel = ts - base
                if not event.is_checksum_valid:
                    note(f"event {index}", "bad checksum; second skipped", rel, rel + 1)
                    continue
                data = self._decode_event(payload, etype, event.payload, ts)
                if data is None or data.shape[0] == 0:
                    if data is None:
                        note(f"event {index}", "payload size does not fit its type", rel, rel + 1)
                    continue
                if last_second is not None:
                    if rel <= last_second:
                        note(f"event {index}", "time goes backwards; second skipped", rel, rel + 1)
                        continue
                    if rel > last_second + 1:
                        note(
                            f"event {index}",
                            f"gap of {rel - last_second - 1:g} s (no data, e.g. idle sleep mode)",
                            last_second + 1,
                            rel,
                        )
                last_second = rel
                k = data.shape[0]
                times.append(rel + np.arange(k) / fs)
                counts.append(data)
                n += k
                if n >= max_samples:
                    yield self._emit(times, counts, issues)
                    times, counts, issues, n = [], [], [], 0
        if n_issues > _MAX_ISSUES:
            issues.append(Issue(self.path.name, f"{n_issues - _MAX_ISSUES} more problems"))
        yield self._emit(times, counts, issues)

    def _decode_event(
        self, payload: Any, etype: int, data: bytes, ts: float
    ) -> NDArray[Any] | None:
        if etype == _ACTIVITY2:
            if len(data) % 6:
                return None
            return np.frombuffer(data, dtype="<i2").reshape(-1, 3).astype(np.float64)
        if len(data) % 9 not in (0, 5):  # 36 bits per sample: 4.5 bytes
            return None
        read = (
            payload.read_activity1_payload if etype == _ACTIVITY else payload.read_activity3_payload
        )
        try:
            arr = read(data, ts, self._fs)
        except ValueError:
            return None
        return np.asarray(arr[:, 1:4], dtype=np.float64)

    def _emit(
        self, times: list[NDArray[np.float64]], counts: list[NDArray[Any]], issues: list[Issue]
    ) -> Recording:
        info = dataclasses.replace(self.info, issues=tuple(issues))
        if not times:
            return Recording(time=np.zeros(0), accel=np.zeros((0, 3), np.float32), info=info)
        return Recording(
            time=np.concatenate(times),
            accel=self._calibrate(np.concatenate(counts)),
            info=info,
        )

    # -- NHANES activity.bin ---------------------------------------------------------------------
    def _chunks_nhanes(self, zf: zipfile.ZipFile, max_samples: int) -> Iterator[Recording]:
        payload, _, _ = _pygt3x()
        per_read = max(2, max_samples - max_samples % 2)
        done = 0
        with zf.open("activity.bin") as fh:
            while True:
                data = _read_exact(fh, per_read // 2 * 9)
                if not data:
                    break
                samples = payload.unpack_bitpack_acceleration(data).reshape(-1, 3)
                samples = samples[: (len(data) * 2) // 9][:, [1, 0, 2]]
                k = samples.shape[0]
                time = (done + np.arange(k)) / self._fs
                done += k
                yield Recording(
                    time=time,
                    accel=(samples / self._scale).astype(np.float32),
                    info=dataclasses.replace(self.info, issues=()),
                )


class _Members:
    """Just enough of ``zipfile.ZipFile`` for pygt3x's ``Info.read_zip``: already-read members."""

    def __init__(self, members: dict[str, bytes]) -> None:
        self._members = members

    def open(self, name: str, mode: str = "r") -> IO[bytes]:
        return io.BytesIO(self._members[name])


def _check_member(zf: zipfile.ZipFile, name: str, limit: int, where: str) -> zipfile.ZipInfo:
    """The member's entry, after checking its declared size and compression ratio."""
    entry = zf.getinfo(name)
    if entry.file_size > limit:
        raise InputError(
            f"archive member {name} claims {entry.file_size:,} bytes uncompressed, more than the "
            f"{limit:,} allowed",
            where=where,
        )
    ratio = entry.file_size / max(entry.compress_size, 1)
    if entry.file_size > _RATIO_FROM_BYTES and ratio > MAX_RATIO:
        raise InputError(
            f"archive member {name} expands {ratio:,.0f} times ({entry.compress_size:,} to "
            f"{entry.file_size:,} bytes), more than the {MAX_RATIO} times sensor data can; "
            "the archive is damaged or built to exhaust memory",
            where=where,
        )
    return entry


def _read_member(zf: zipfile.ZipFile, name: str, limit: int, where: str) -> bytes:
    """A small member, read with a cap (never more than ``limit`` bytes are held)."""
    _check_member(zf, name, limit, where)
    with zf.open(name) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:  # pragma: no cover - zipfile stops at the declared size
        raise InputError(f"archive member {name} is larger than {limit:,} bytes", where=where)
    return data


def _read_exact(fh: IO[bytes], n: int) -> bytes:
    parts = []
    while n > 0:
        block = fh.read(n)
        if not block:
            break
        parts.append(block)
        n -= len(block)
    return b"".join(parts)
