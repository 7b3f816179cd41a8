"""Axivity AX3/AX6 ``.cwa`` reader (Open Movement continuous wave accelerometer format).

Format facts used (Open Movement ``cwa.h`` / AX3 technical documentation; all little-endian):

* a 1024-byte header block ``"MD"``: hardware type (0x64 = AX6, else AX3) @4, device id @5
  (upper 16 bits @11, 0xffff meaning 0), session id @7, sensor config @35 (AX6 gyroscope range
  8000/2^n deg/s in the low nibble), sampling-rate code @36 (rate 3200/2^(15 - (code & 15)) Hz,
  range 16 >> (code >> 6) g), firmware @41, URL-encoded metadata @64 (448 bytes);
* then 512-byte data blocks ``"AX"`` (length 508): fractional time @4 (top bit set: 15-bit
  fraction of a second), session @6, sequence @10, packed date-time @14
  (``YYYYYYMM MMDDDDDh hhhhmmmm mmssssss``, year + 2000), light/scales @18 (top 3 bits: unpacked
  accel scale 1/2^(8+n) g; next 3 bits: gyro range 8000/2^n deg/s), temperature @20 (10 bits),
  rate code @24, axes/packing @25 (high nibble 3/6/9 axes, low nibble 0 = packed, 2 = 16-bit),
  timestamp offset @26 (int16), sample count @28, 480 bytes of samples @30 and a checksum @510
  that makes the 16-bit word sum of the block zero;
* packed samples are one 32-bit word ``eezzzzzz zzzzyyyy yyyyyyxx xxxxxxxx``: three signed 10-bit
  values shifted left by the 2-bit exponent, in units of 1/256 g (120 per block);
* unpacked samples are int16 triplets (80 per block), or for AX6 gyro xyz then accel xyz
  (40 per block).

Time
----
Each block carries a whole-second timestamp ``T``, a fraction ``f`` (1/65536 s) and an offset
``o``. The instant ``T + f`` belongs to sample index ``o + floor(f * rate / 65536)`` (the device
shifted ``o`` so that readers ignoring ``f`` stay within a sample). This reader uses the fraction:
the first sample of each block is at ``T + f - index / rate``, and samples inside a block are
spaced evenly up to the next block's first sample (the device's real rate), or at the nominal
rate at gaps and at the end. The device clock has no time zone: ``info.start`` is a naive
:class:`~datetime.datetime` in the device's local time. (scikit-digital-health ignores ``f`` and
stretches blocks to keep them contiguous; its times differ from these by up to ~2 samples.)

Temperature [degC] is ``(raw - 171) / 3.142`` per block (see ``knowledge/data/wearable_formats``).

Problems are handled per block, vectorised over the whole file: a bad checksum, a block that is
not a data block, a changed format or rate, an impossible timestamp, time going backwards (more
than 10 % of a block), or samples beyond the recorded range exclude the block and become an
:class:`~backcare.wearable.recording.Issue` (consecutive blocks with the same problem are one
issue); gaps in time are reported and left as gaps (no samples are invented).
"""

from __future__ import annotations

import dataclasses
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import numpy as np
from numpy.typing import NDArray

from backcare.errors import InputError
from backcare.knowledge import load
from backcare.knowledge.wearable_formats import ReaderRules
from backcare.wearable.readers._base import (
    DEFAULT_CHUNK_SAMPLES,
    RecordingSource,
    merge_issue_runs,
)
from backcare.wearable.recording import Issue, Recording, RecordingInfo

__all__ = [
    "BLOCK_DTYPE",
    "BLOCK_SIZE",
    "HEADER_SIZE",
    "CwaSource",
    "decode_timestamps",
    "encode_timestamp",
    "rate_code",
    "temperature_c",
]

HEADER_SIZE = 1024
BLOCK_SIZE = 512
_MD = 0x444D  # "MD"
_AX = 0x5841  # "AX"
_EPOCH = datetime(1970, 1, 1)

#: One data block as a NumPy structured type (fields at their byte offsets; itemsize 512).
BLOCK_DTYPE = np.dtype(
    {
        "names": [
            "header",
            "length",
            "fractional",
            "session",
            "sequence",
            "timestamp",
            "light_scale",
            "temperature",
            "events",
            "battery",
            "rate",
            "axes_bps",
            "offset",
            "count",
            "checksum",
        ],
        "formats": [
            "<u2",
            "<u2",
            "<u2",
            "<u4",
            "<u4",
            "<u4",
            "<u2",
            "<u2",
            "u1",
            "u1",
            "u1",
            "u1",
            "<i2",
            "<u2",
            "<u2",
        ],
        "offsets": [0, 2, 4, 6, 10, 14, 18, 20, 22, 23, 24, 25, 26, 28, 510],
        "itemsize": BLOCK_SIZE,
    }
)

# problem codes (0 = block accepted)
_OK = 0
_NOT_DATA = 1
_ERASED = 2
_CHECKSUM = 3
_FORMAT = 4
_RATE = 5
_TIMESTAMP = 6
_BACKWARDS = 7
_RANGE = 8
_EMPTY = 9
_PROBLEMS = {
    _NOT_DATA: "not a data block",
    _ERASED: "unwritten (erased) block",
    _CHECKSUM: "bad checksum",
    _FORMAT: "sample format or count differs from the file's",
    _RATE: "sample rate code differs from the header's",
    _TIMESTAMP: "impossible or inconsistent timestamp",
    _BACKWARDS: "time goes backwards (block overlaps earlier data)",
    _RANGE: "values beyond the recorded range",
    _EMPTY: "block holds no samples",
}
_MAX_ISSUES = 200
_SLAB_BLOCKS = 1 << 13  # header pass: 4 MB at a time


def rate_code(rate_hz: float, range_g: int) -> int:
    """The sampling-rate byte for ``rate_hz`` (3200/2^k Hz) and ``range_g`` (2, 4, 8 or 16 g)."""
    low = 15 - round(float(np.log2(3200.0 / rate_hz)))
    if not 0 <= low <= 15 or abs(3200.0 / (1 << (15 - low)) - rate_hz) > 1e-9:
        raise InputError(f"rate {rate_hz} Hz is not 3200/2^k Hz (e.g. 25, 50, 100, 200)")
    ranges = {16: 0, 8: 1, 4: 2, 2: 3}
    if range_g not in ranges:
        raise InputError(f"range {range_g} g is not one of 2, 4, 8, 16")
    return (ranges[range_g] << 6) | low


def _rate_hz(code: NDArray[Any] | int) -> Any:
    return 3200.0 / (1 << (15 - (np.asarray(code, dtype=np.int64) & 15)))


def _range_g(code: int) -> float:
    return float(16 >> (code >> 6))


def temperature_c(raw: NDArray[Any]) -> NDArray[np.float32]:
    """Block temperature field -> degrees Celsius (low 10 bits; rule in wearable_formats)."""
    rule = load("wearable_formats/readers.yaml", ReaderRules).cwa_temperature
    celsius = (np.asarray(raw).astype(np.float64) % 1024 - rule.offset) / rule.divisor
    result: NDArray[np.float32] = celsius.astype(np.float32)
    return result


def _days_from_civil(y: NDArray[np.int64], m: NDArray[np.int64], d: NDArray[np.int64]) -> Any:
    """Days since 1970-01-01 of a proleptic Gregorian date (vectorised integer arithmetic)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def decode_timestamps(packed: NDArray[Any]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Packed CWA date-times -> (seconds since 1970 of the device clock, valid mask)."""
    v = np.asarray(packed).astype(np.int64)
    year = ((v >> 26) & 0x3F) + 2000
    month = (v >> 22) & 0x0F
    day = (v >> 17) & 0x1F
    hour = (v >> 12) & 0x1F
    minute = (v >> 6) & 0x3F
    second = v & 0x3F
    month_ok = (month >= 1) & (month <= 12)
    m = np.where(month_ok, month, 1)
    days = _days_from_civil(year, m, np.where(day >= 1, day, 1))
    next_month = _days_from_civil(year + (m == 12), np.where(m == 12, 1, m + 1), np.ones_like(m))
    month_days = next_month - _days_from_civil(year, m, np.ones_like(m))
    valid = (
        month_ok
        & (day >= 1)
        & (day <= month_days)
        & (hour <= 23)
        & (minute <= 59)
        & (second <= 59)
        & (v != 0)
    )
    return days * 86400 + hour * 3600 + minute * 60 + second, valid


def encode_timestamp(when: datetime) -> int:
    """A (naive, device-local) datetime -> packed CWA date-time (whole seconds)."""
    if not 2000 <= when.year <= 2063:
        raise InputError(f"year {when.year} cannot be stored in a CWA file (2000-2063)")
    return (
        ((when.year - 2000) << 26)
        | (when.month << 22)
        | (when.day << 17)
        | (when.hour << 12)
        | (when.minute << 6)
        | when.second
    )


def _parse_metadata(raw: bytes) -> dict[str, str]:
    text = raw.rstrip(b"\x00\xff ").decode("utf-8", errors="replace").strip()
    if not text:
        return {}
    return {k: v for k, v in parse_qsl(text.lstrip("&"), keep_blank_values=True)}


@dataclasses.dataclass
class _Layout:
    axes: int  # 3, 6 or 9
    packed: bool
    capacity: int  # samples a full block holds
    axes_bps: int


@dataclasses.dataclass
class _Table:
    """Per-block facts for the whole file (about 20 bytes per 512-byte block)."""

    code: NDArray[np.uint8]  # problem code per block (0 = accepted)
    t0: NDArray[np.float64]  # first-sample time [s] relative to the base
    dt: NDArray[np.float64]  # sample spacing [s] (accepted blocks)
    count: NDArray[np.uint16]
    accepted: NDArray[np.int64]  # indices of accepted blocks
    issues: list[Issue]  # block problems (not range problems: found while decoding)


class CwaSource(RecordingSource):
    """An Axivity ``.cwa`` file, memory-mapped and decoded block-vectorised (see module doc)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._where = str(path)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror}", where=self._where) from exc
        if size < HEADER_SIZE:
            raise InputError(
                f"file is {size} bytes: too short for a CWA header (1024 bytes)", where=self._where
            )
        with path.open("rb") as fh:
            head = fh.read(HEADER_SIZE)
        if int.from_bytes(head[0:2], "little") != _MD:
            raise InputError("not an Axivity CWA file (no 'MD' header block)", where=self._where)
        self._size = size
        self._n_blocks = (size - HEADER_SIZE) // BLOCK_SIZE
        self._tail = (size - HEADER_SIZE) % BLOCK_SIZE
        self._head = head
        self._rate_code = head[36]
        self._hw = head[4]
        self._sensor_config = head[35]
        self._table: _Table | None = None
        self._layout: _Layout | None = None
        self._base: float | None = None  # device-clock epoch seconds of time 0
        self._info: RecordingInfo | None = None
        self._fd: int | None = None

    # -- file access -------------------------------------------------------------------------
    def _blocks(self, first: int, count: int) -> NDArray[np.uint8]:
        """Raw bytes of blocks ``[first, first + count)`` as a read-only (count, 512) array.

        Positional reads (no memory map) keep the resident memory at what is being decoded;
        they are safe to issue from several threads at once.
        """
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        data = os.pread(self._fd, count * BLOCK_SIZE, HEADER_SIZE + first * BLOCK_SIZE)
        n = len(data) // BLOCK_SIZE
        return np.frombuffer(data, dtype=np.uint8, count=n * BLOCK_SIZE).reshape(n, BLOCK_SIZE)

    def close(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)
            self._fd = None

    def __del__(self) -> None:
        self.close()

    def _block_where(self, first: int, last: int) -> str:
        if first == last:
            return f"{self.path.name}: block {first} (offset {HEADER_SIZE + first * BLOCK_SIZE})"
        return (
            f"{self.path.name}: blocks {first}-{last} "
            f"(offsets {HEADER_SIZE + first * BLOCK_SIZE}-{HEADER_SIZE + last * BLOCK_SIZE})"
        )

    # -- header ------------------------------------------------------------------------------
    @property
    def fs_hz(self) -> float:
        return float(_rate_hz(self._rate_code))

    def _first_valid(self) -> tuple[int, NDArray[Any]] | None:
        """The first block that passes the block checks (slab by slab; usually the first)."""
        for a in range(0, self._n_blocks, 4096):
            raw = self._blocks(a, min(4096, self._n_blocks - a))
            idx = np.flatnonzero(self._valid_mask(raw))
            if idx.size:
                return a + int(idx[0]), raw[idx[0]].copy()
        return None

    def _valid_mask(self, raw: NDArray[np.uint8]) -> NDArray[np.bool_]:
        rec = raw.reshape(-1).view(BLOCK_DTYPE)
        words = raw.view("<u2")
        csum_ok = np.add.reduce(words, axis=1, dtype=np.uint16) == 0
        _, ts_ok = decode_timestamps(rec["timestamp"])
        ok: NDArray[np.bool_] = (rec["header"] == _AX) & (rec["length"] == 508) & csum_ok & ts_ok
        return ok

    @staticmethod
    def _layout_of(axes_bps: int) -> _Layout | None:
        axes = axes_bps >> 4
        packing = axes_bps & 0x0F
        if axes not in (3, 6, 9) or packing not in (0, 2) or (packing == 0 and axes != 3):
            return None
        capacity = 120 if packing == 0 else 480 // (2 * axes)
        return _Layout(axes=axes, packed=packing == 0, capacity=capacity, axes_bps=axes_bps)

    @staticmethod
    def _block_t0(rec: NDArray[Any], base_s: int) -> NDArray[np.float64]:
        """First-sample time of each block [s] relative to ``base_s`` (whole seconds)."""
        secs, _ = decode_timestamps(rec["timestamp"])
        frac_raw = rec["fractional"].astype(np.int64)
        has_frac = (frac_raw & 0x8000) != 0
        frac = np.where(has_frac, (frac_raw & 0x7FFF) << 1, 0)
        fs = _rate_hz(rec["rate"])
        index = rec["offset"].astype(np.float64) + np.floor(frac * fs / 65536.0)
        t0: NDArray[np.float64] = (secs - base_s).astype(np.float64) + frac / 65536.0 - index / fs
        return t0

    @property
    def info(self) -> RecordingInfo:
        if self._info is not None:
            return self._info
        head = self._head
        issues: list[Issue] = []
        if int.from_bytes(head[2:4], "little") != 1020:
            issues.append(Issue(f"{self.path.name}: header", "unexpected header length field"))
        if self._tail:
            issues.append(
                Issue(
                    f"{self.path.name}: offset {self._size - self._tail}",
                    f"file ends inside a block ({self._tail} bytes); the partial block is ignored",
                )
            )
        device_id = int.from_bytes(head[5:7], "little")
        upper = int.from_bytes(head[11:13], "little")
        serial = device_id | ((0 if upper == 0xFFFF else upper) << 16)
        meta = _parse_metadata(head[64:512])
        first = self._first_valid()
        start: datetime | None = None
        extra: dict[str, Any] = {
            "session_id": int.from_bytes(head[7:11], "little"),
            "hardware_type": self._hw,
            "firmware": head[41],
            "n_blocks": self._n_blocks,
            "metadata": meta,
        }
        if first is not None:
            rec = first[1].view(BLOCK_DTYPE)
            secs, _ = decode_timestamps(rec["timestamp"])
            base_s = int(secs[0])
            t0 = float(self._block_t0(rec, base_s)[0])
            self._base = base_s + t0
            start = _EPOCH + timedelta(seconds=self._base)
            self._layout = self._layout_of(int(rec["axes_bps"][0]))
        if self._layout is not None:
            extra.update(
                packing="packed" if self._layout.packed else "unpacked",
                axes=self._layout.axes,
                samples_per_block=self._layout.capacity,
                n_samples_max=self._layout.capacity * self._n_blocks,
            )
        gyro_range = self._gyro_range_dps()
        if gyro_range is not None:
            extra["gyro_range_dps"] = gyro_range
        if start is not None:
            extra["start_epoch_s"] = self._base
        self._info = RecordingInfo(
            path=str(self.path),
            device="AX6" if self._hw == 0x64 else "AX3",
            fs_hz=self.fs_hz,
            start=start,
            serial=str(serial),
            range_g=_range_g(self._rate_code),
            placement=meta.get("_p") or None,
            extra=extra,
            issues=tuple(issues),
        )
        return self._info

    def _gyro_range_dps(self) -> float | None:
        cfg = self._sensor_config
        if cfg in (0, 0xFF) or (cfg & 0x0F) == 0:
            return None
        return 8000.0 / (1 << (cfg & 0x0F))

    # -- pass 1: the block table -------------------------------------------------------------
    def _build_table(self) -> _Table:
        if self._table is not None:
            return self._table
        self.info  # noqa: B018 - finds the first valid block (time base and layout)
        if self._base is None or self._layout is None:
            raise InputError(
                f"no valid data block in {self._n_blocks} blocks (bad checksums, headers or "
                "timestamps)",
                where=self._where,
            )
        layout = self._layout
        base_s = int(np.floor(self._base))
        n = self._n_blocks
        code = np.zeros(n, np.uint8)
        t0 = np.zeros(n, np.float64)
        count = np.zeros(n, np.uint16)
        for a in range(0, n, _SLAB_BLOCKS):
            m = min(_SLAB_BLOCKS, n - a)
            raw = self._blocks(a, m)
            rec = raw.reshape(-1).view(BLOCK_DTYPE)
            words = raw.view("<u2")
            c = np.zeros(m, np.uint8)
            cnt = rec["count"]
            _, ts_ok = decode_timestamps(rec["timestamp"])
            c[(cnt == 0)] = _EMPTY
            c[~ts_ok] = _TIMESTAMP
            c[(rec["axes_bps"] != layout.axes_bps) | (cnt > layout.capacity)] = _FORMAT
            c[rec["rate"] != self._rate_code] = _RATE
            c[np.add.reduce(words, axis=1, dtype=np.uint16) != 0] = _CHECKSUM
            not_data = (rec["header"] != _AX) | (rec["length"] != 508)
            c[not_data] = _NOT_DATA
            erased = not_data & (raw[:, 0] == 0xFF) & (raw[:, 1] == 0xFF) & (raw[:, 2] == 0xFF)
            c[erased] = _ERASED
            code[a : a + m] = c
            count[a : a + m] = np.where(c == 0, cnt, 0)
            t0[a : a + m] = self._block_t0(rec, base_s) - (self._base - base_s)
        fs = self.fs_hz
        good = np.flatnonzero(code == 0)
        dur = count[good] / fs
        # a lone block whose clock jumps away and back (corrupt time that passed the checksum)
        if good.size >= 3:
            tg = t0[good]
            prev_end = np.concatenate([[tg[0]], tg[:-1] + dur[:-1]])
            nxt = np.concatenate([tg[1:], [tg[-1] + dur[-1]]])
            jump = np.abs(tg - prev_end) > 3600.0
            back = np.abs(nxt - prev_end - dur) < 2.0 * dur + 1.0
            lone = jump & back
            lone[0] = lone[-1] = False
            code[good[lone]] = _TIMESTAMP
            good = good[~lone]
            dur = count[good] / fs
        # time going backwards: a block starting before the latest end so far (10 % slack)
        if good.size >= 2:
            tg = t0[good]
            ends = np.maximum.accumulate(tg + dur)
            prev_max = np.concatenate([[-np.inf], ends[:-1]])
            backwards = tg < prev_max - 0.1 * dur
            if backwards.any():
                code[good[backwards]] = _BACKWARDS
                good = good[~backwards]
                dur = count[good] / fs
        if good.size == 0:
            raise InputError(
                f"no valid data block in {n} blocks (bad checksums, headers or timestamps)",
                where=self._where,
            )
        # sample spacing: up to the next block's first sample when consistent, else nominal
        dt = np.full(n, 1.0 / fs)
        issues: list[Issue] = []
        if good.size >= 2:
            tg = t0[good]
            step = np.diff(tg)
            ratio = step / dur[:-1]
            interp = (ratio >= 0.9) & (ratio <= 1.1)
            dt[good[:-1][interp]] = step[interp] / count[good[:-1][interp]]
            # a gap right after skipped blocks is already reported with them
            adjacent = np.diff(good) == 1
            gaps = np.flatnonzero((ratio > 1.1) & adjacent)
            for g in gaps[:_MAX_ISSUES]:
                i, j = int(good[g]), int(good[g + 1])
                end = float(tg[g] + dur[g])
                issues.append(
                    Issue(
                        self._block_where(i, j),
                        f"gap of {float(tg[g + 1]) - end:.3f} s in time between blocks; "
                        "no samples there",
                        end,
                        float(tg[g + 1]),
                    )
                )
            if gaps.size > _MAX_ISSUES:
                issues.append(
                    Issue(self.path.name, f"{gaps.size - _MAX_ISSUES} more gaps not listed")
                )
        issues.extend(self._run_issues(code, t0, count, good))
        self._table = _Table(
            code=code,
            t0=t0,
            dt=dt,
            count=count,
            accepted=good,
            issues=sorted(issues, key=_issue_block),
        )
        return self._table

    def _run_issues(
        self,
        code: NDArray[np.uint8],
        t0: NDArray[np.float64],
        count: NDArray[np.uint16],
        good: NDArray[np.int64],
    ) -> list[Issue]:
        bad = np.flatnonzero(code != 0)
        runs = merge_issue_runs(bad, code[bad])
        out: list[Issue] = []
        fs = self.fs_hz
        cap = self._layout.capacity if self._layout else 0
        for first, last, c in runs[:_MAX_ISSUES]:
            k = int(np.searchsorted(good, first))
            start = float(t0[good[k - 1]] + count[good[k - 1]] / fs) if k > 0 else None
            end = float(t0[good[k]]) if k < good.size else None
            nblk = last - first + 1
            out.append(
                Issue(
                    self._block_where(first, last),
                    f"{_PROBLEMS[c]}; {nblk} block{'s' if nblk > 1 else ''} skipped "
                    f"(up to {nblk * cap} samples)",
                    start,
                    end,
                )
            )
        if len(runs) > _MAX_ISSUES:
            rest = sum(b - a + 1 for a, b, _ in runs[_MAX_ISSUES:])
            out.append(
                Issue(self.path.name, f"{rest} more skipped blocks in {len(runs) - 200} runs")
            )
        return out

    # -- pass 2: samples ---------------------------------------------------------------------
    def chunks(
        self, max_samples: int = DEFAULT_CHUNK_SAMPLES, *, workers: int | None = None
    ) -> Iterator[Recording]:
        """Stream the samples; ``workers`` threads decode the next chunks ahead.

        With the default (one worker) the next chunk is decoded while the caller works on the
        current one (NumPy releases the GIL), which uses a second core; ``workers=0`` decodes in
        the caller's thread. At most ``workers + 1`` chunks are in memory at once.
        """
        return self.bounded(self._stream(max_samples, workers))

    def sample_capacity(self) -> int:
        """Blocks present times the samples a block of this layout holds."""
        self._build_table()
        assert self._layout is not None
        return self._layout.capacity * self._n_blocks

    def _stream(self, max_samples: int, workers: int | None) -> Iterator[Recording]:
        table = self._build_table()
        layout = self._layout
        assert layout is not None
        if max_samples < 1:
            raise InputError("max_samples must be at least 1", where="chunks(max_samples)")
        per_chunk = max(1, int(max_samples) // layout.capacity)
        good = table.accepted
        issues = table.issues
        issue_blocks = np.array([_issue_block(i) for i in issues], dtype=np.int64)
        plan: list[tuple[NDArray[np.int64], list[Issue]]] = []
        prev_last = -1
        for a in range(0, good.size, per_chunk):
            idx = good[a : a + per_chunk]
            last_block = int(idx[-1]) if a + per_chunk < good.size else self._n_blocks
            sel = (issue_blocks > prev_last) & (issue_blocks <= last_block)
            plan.append((idx, [issues[i] for i in np.flatnonzero(sel)]))
            prev_last = last_block
        n_workers = 1 if workers is None else max(0, int(workers))
        if n_workers == 0 or len(plan) == 1:
            for idx, chunk_issues in plan:
                yield self._decode(idx, table, layout, chunk_issues)
            return
        with ThreadPoolExecutor(max_workers=n_workers) as pool:
            pending: deque[Future[Recording]] = deque()
            for idx, chunk_issues in plan:
                pending.append(pool.submit(self._decode, idx, table, layout, chunk_issues))
                if len(pending) > n_workers:  # keep n_workers chunks decoding ahead
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    def _decode(
        self, idx: NDArray[np.int64], table: _Table, layout: _Layout, issues: list[Issue]
    ) -> Recording:
        lo, hi = int(idx[0]), int(idx[-1]) + 1
        region = self._blocks(lo, hi - lo)
        contiguous = idx.size == hi - lo
        raw = region if contiguous else region[idx - lo]
        rec = raw.reshape(-1).view(BLOCK_DTYPE)
        m = idx.size
        cap = layout.capacity
        counts = table.count[idx].astype(np.int64)
        payload = np.ascontiguousarray(raw[:, 30:510])
        gyro: NDArray[np.float32] | None = None
        range_g = _range_g(self._rate_code)
        if layout.packed:
            words = payload.view("<u4")  # (m, 120)
            accel, over = _unpack_packed(words.reshape(-1), range_g)
            bad = np.zeros(m, bool)
            bad[np.unique(over // cap)] = True
        else:
            vals = payload.view("<i2")[:, : cap * layout.axes].reshape(m, cap, layout.axes)
            shift = (rec["light_scale"].astype(np.int64) >> 13) & 0x07
            ascale = (1.0 / (1 << (8 + shift))).astype(np.float32)
            first = 0 if layout.axes == 3 else 3
            av = vals[:, :, first : first + 3]
            accel = (av.astype(np.float32) * ascale[:, None, None]).reshape(-1, 3)
            bad = (np.abs(av.astype(np.int32)).max(axis=(1, 2)) * ascale) > range_g * 1.001
            if layout.axes >= 6:
                gsel = (rec["light_scale"].astype(np.int64) >> 10) & 0x07
                header_range = self._gyro_range_dps()
                grange = np.where(
                    gsel > 0, 8000.0 / (1 << gsel), header_range if header_range else 2000.0
                )
                gscale = (grange / 32768.0).astype(np.float32)
                gyro = (vals[:, :, 0:3].astype(np.float32) * gscale[:, None, None]).reshape(-1, 3)
        temp_block = temperature_c(rec["temperature"])
        full = bool((counts == cap).all())
        keep_blocks = ~bad
        t0 = table.t0[idx]
        dt = table.dt[idx]
        time = (t0[:, None] + np.arange(cap, dtype=np.float64)[None, :] * dt[:, None]).reshape(-1)
        temperature = np.repeat(temp_block, cap)
        if full and keep_blocks.all():
            sample_keep: NDArray[np.bool_] | None = None
        else:
            sample_keep = (
                (np.arange(cap)[None, :] < counts[:, None]) & keep_blocks[:, None]
            ).reshape(-1)
        if sample_keep is not None:
            time = time[sample_keep]
            accel = accel[sample_keep]
            temperature = temperature[sample_keep]
            if gyro is not None:
                gyro = gyro[sample_keep]
        if bad.any():
            issues = list(issues) + self._range_issues(idx[bad], table)
        info = dataclasses.replace(self.info, issues=tuple(issues))
        return Recording(time=time, accel=accel, info=info, gyro=gyro, temperature=temperature)

    def _range_issues(self, blocks: NDArray[np.int64], table: _Table) -> list[Issue]:
        out = []
        runs = merge_issue_runs(blocks, np.zeros(blocks.size, np.int64))
        for first, last, _ in runs[:_MAX_ISSUES]:
            out.append(
                Issue(
                    self._block_where(first, last),
                    f"{_PROBLEMS[_RANGE]} (beyond +-{_range_g(self._rate_code):g} g); "
                    f"{last - first + 1} block(s) skipped",
                    float(table.t0[first]),
                    float(table.t0[last] + table.count[last] * table.dt[last]),
                )
            )
        return out


def _issue_block(issue: Issue) -> int:
    """The first block number named in an issue's ``where`` (-1 for file-level issues)."""
    text = issue.where
    for key in (": block ", ": blocks "):
        pos = text.find(key)
        if pos >= 0:
            digits = text[pos + len(key) :].split("-")[0].split(" ")[0]
            return int(digits)
    return -1


def _unpack_packed(
    words: NDArray[np.uint32], range_g: float
) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """Packed words -> (n, 3) accel [g] and the indices of samples beyond ``range_g``.

    Only samples whose exponent allows a value beyond the range are checked (a real sensor at its
    range limit never needs them), which keeps the range check off the hot path.
    """
    n = words.size
    exp = words >> np.uint32(30)
    shift = (np.uint32(22) - exp).view(np.int32)
    out = np.empty((n, 3), np.float32)
    top10 = np.uint32(0xFFC00000)
    scale = np.float32(1.0 / 256.0)
    np.multiply(
        (words << np.uint32(22)).view(np.int32) >> shift, scale, out=out[:, 0], dtype=np.float32
    )
    for axis, left in ((1, 12), (2, 2)):
        comp = ((words << np.uint32(left)) & top10).view(np.int32) >> shift
        np.multiply(comp, scale, out=out[:, axis], dtype=np.float32)
    limit = range_g + 8.0 / 256.0  # one step of the largest exponent
    e_min = next((e for e in range(4) if 511 * (1 << e) / 256.0 > limit), 4)
    if e_min > 3:
        return out, np.zeros(0, np.int64)
    cand = np.flatnonzero(exp >= e_min)
    if cand.size == 0:
        return out, cand
    over = np.abs(out[cand]).max(axis=1) > limit
    return out, cand[over]
