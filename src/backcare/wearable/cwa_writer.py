"""Streaming writer of Axivity AX3 ``.cwa`` files (packed or unpacked 3-axis samples).

Used by the simulator and by tests. Blocks are built many at a time with NumPy structured arrays
(no per-block Python loop), so a 7-day, 100 Hz file is written in seconds with memory bounded by
what each :meth:`CwaWriter.write` call is given.

Timestamps: every block stores its first sample's time as whole seconds plus a 15-bit fraction
(top bit of the ``deviceFractional`` field set) and a timestamp offset of
``-floor(fraction * rate)``, so that readers using the fraction place the first sample exactly
(to 1/32768 s) and readers ignoring it are off by less than one sample. Samples are evenly spaced
at the nominal rate (an ideal clock).

Packed samples (the default, 120 per block, as devices record by default for AX3) keep 10 bits and
a shared 2-bit exponent per sample: steps of 1/256 g below 2 g, 2/256 g below 4 g, 4/256 g below
8 g and 8/256 g above. Unpacked samples are int16 in 1/256 g (80 per block).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO
from urllib.parse import urlencode

import numpy as np
from numpy.typing import ArrayLike, NDArray

from backcare.errors import InputError
from backcare.wearable.readers.cwa import (
    BLOCK_DTYPE,
    BLOCK_SIZE,
    HEADER_SIZE,
    encode_timestamp,
    rate_code,
)

__all__ = ["CwaWriter", "pack_samples"]

_EPOCH = datetime(1970, 1, 1)


def pack_samples(accel_g: NDArray[Any], clip_g: float | None = None) -> NDArray[np.uint32]:
    """(n, 3) acceleration [g] -> packed 32-bit words (10-bit mantissas, shared exponent).

    The exponent is the smallest that keeps all three rounded mantissas within -512..511;
    ``clip_g`` first clips the values like a sensor saturating at its range.
    """
    scaled = np.asarray(accel_g, dtype=np.float32) * np.float32(256.0)
    if clip_g is not None:
        np.clip(scaled, -256.0 * clip_g, 256.0 * clip_g, out=scaled)
    mag = np.abs(scaled)
    peak = np.maximum(np.maximum(mag[:, 0], mag[:, 1]), mag[:, 2])
    exp = (
        (peak >= 511.5).astype(np.uint32)
        + (peak >= 1023.0).astype(np.uint32)
        + (peak >= 2046.0).astype(np.uint32)
    )
    inv = np.array([1.0, 0.5, 0.25, 0.125], np.float32)[exp]
    mant = np.rint(scaled * inv[:, None]).astype(np.int32)
    np.clip(mant, -512, 511, out=mant)
    m = mant.view(np.uint32) & np.uint32(0x3FF)
    word: NDArray[np.uint32] = (
        (exp << np.uint32(30)) | (m[:, 2] << np.uint32(20)) | (m[:, 1] << np.uint32(10)) | m[:, 0]
    )
    return word


class CwaWriter:
    """Write an AX3 ``.cwa`` file sample chunk by sample chunk.

    Parameters
    ----------
    path
        Output file (written in place; ``close()`` finishes it).
    rate_hz
        Sample rate, 3200/2^k Hz (6.25 ... 3200; 100 for 100 Hz).
    range_g
        Recorded range (2, 4, 8 or 16 g); samples are clipped to it like a saturating sensor.
    start
        Time of the first sample on the device clock (naive, device-local; an aware datetime is
        written as its own wall-clock time).
    packed
        Packed samples (120 per block, 10-bit) or unpacked int16 (80 per block).
    device_id, session_id
        Identifiers stored in the header and blocks.
    metadata
        Name-value pairs URL-encoded into the header's metadata area (at most 448 bytes).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        rate_hz: float,
        range_g: int = 8,
        start: datetime,
        packed: bool = True,
        device_id: int = 12345,
        session_id: int = 1,
        metadata: dict[str, str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.rate_hz = float(rate_hz)
        self.range_g = int(range_g)
        self._code = rate_code(self.rate_hz, self.range_g)
        self.start = start.replace(tzinfo=None)
        self.packed = packed
        self.capacity = 120 if packed else 80
        self.device_id = device_id & 0xFFFFFFFF
        self.session_id = session_id & 0xFFFFFFFF
        self._meta = urlencode(metadata or {}).encode()
        if len(self._meta) > 448:
            raise InputError("metadata longer than 448 bytes once encoded", where="metadata")
        self._pending = np.zeros((0, 3), np.float32)
        self._pending_temp = np.zeros(0, np.float32)
        self._samples = 0  # samples already written
        self._blocks = 0
        self._fh: BinaryIO | None = self.path.open("wb")
        self._fh.write(self._header())

    # -- header ------------------------------------------------------------------------------
    def _header(self) -> bytes:
        h = bytearray(b"\xff" * HEADER_SIZE)
        h[0:2] = b"MD"
        h[2:4] = (HEADER_SIZE - 4).to_bytes(2, "little")
        h[4] = 0x00  # AX3
        h[5:7] = (self.device_id & 0xFFFF).to_bytes(2, "little")
        h[7:11] = self.session_id.to_bytes(4, "little")
        h[11:13] = (self.device_id >> 16).to_bytes(2, "little")
        h[13:17] = b"\x00\x00\x00\x00"  # logging start: immediately
        h[17:21] = b"\xff\xff\xff\xff"  # logging end: never
        h[21:25] = b"\x00\x00\x00\x00"  # capacity: unlimited
        h[26] = 0
        h[35] = 0x00  # accelerometer only
        h[36] = self._code
        h[37:41] = encode_timestamp(self.start).to_bytes(4, "little")
        h[41] = 45
        h[42:44] = b"\xff\xff"  # time zone unknown
        meta = self._meta.ljust(448, b" ")
        h[64:512] = meta
        return bytes(h)

    # -- samples -----------------------------------------------------------------------------
    def write(self, accel_g: ArrayLike, temperature_c: ArrayLike | float = 25.0) -> None:
        """Append samples: ``accel_g`` (n, 3) [g]; ``temperature_c`` per sample or constant."""
        if self._fh is None:
            raise InputError("the writer is closed", where=str(self.path))
        a = np.asarray(accel_g, dtype=np.float32)
        if a.ndim != 2 or a.shape[1] != 3:
            raise InputError(f"accel must have shape (n, 3), got {a.shape}", where="accel_g")
        t = np.broadcast_to(np.asarray(temperature_c, dtype=np.float32), (a.shape[0],))
        if self._pending.shape[0]:
            a = np.concatenate([self._pending, a])
            t = np.concatenate([self._pending_temp, t])
        full = (a.shape[0] // self.capacity) * self.capacity
        if full:
            self._emit(a[:full], t[:full])
        self._pending = a[full:].copy()
        self._pending_temp = np.array(t[full:], dtype=np.float32)

    def _emit(self, a: NDArray[np.float32], temp: NDArray[np.float32], count: int = 0) -> None:
        """Write whole blocks for ``a`` (a multiple of the capacity; ``count`` for the last)."""
        assert self._fh is not None
        cap = self.capacity
        m = a.shape[0] // cap
        first = self._samples + np.arange(m, dtype=np.int64) * cap
        t_first = first / self.rate_hz  # seconds since start
        base = (self.start - _EPOCH).total_seconds()
        abs_t = base + t_first
        whole = np.floor(abs_t)
        frac15 = np.rint((abs_t - whole) * 32768.0).astype(np.int64)
        carry = frac15 >= 32768
        whole = whole + carry
        frac15 = np.where(carry, 0, frac15)
        # packed date-time of each block's whole second (vectorised via datetime64)
        secs = whole.astype("datetime64[s]")
        stamps = _pack_datetimes(secs)
        frac16 = frac15 << 1
        offset = -np.floor(frac16 * self.rate_hz / 65536.0).astype(np.int64)

        blocks = np.zeros(m, dtype=BLOCK_DTYPE)
        blocks["header"] = 0x5841
        blocks["length"] = 508
        blocks["fractional"] = (0x8000 | frac15).astype(np.uint16)
        blocks["session"] = self.session_id
        blocks["sequence"] = (self._blocks + np.arange(m)).astype(np.uint32)
        blocks["timestamp"] = stamps
        blocks["light_scale"] = 0
        tblock = temp.reshape(m, cap).mean(axis=1)
        blocks["temperature"] = np.clip(np.rint(tblock * 3.142 + 171.0), 0, 1023).astype(np.uint16)
        blocks["battery"] = 200
        blocks["rate"] = self._code
        blocks["axes_bps"] = 0x30 if self.packed else 0x32
        blocks["offset"] = offset.astype(np.int16)
        blocks["count"] = cap
        if count:
            blocks["count"][-1] = count
        raw = blocks.view(np.uint8).reshape(m, BLOCK_SIZE)
        if self.packed:
            payload = pack_samples(a, clip_g=self.range_g).reshape(m, cap).view(np.uint8)
        else:
            clipped = np.clip(a, -self.range_g, self.range_g)
            ints = np.clip(np.rint(clipped * 256.0), -32768, 32767).astype("<i2")
            payload = ints.reshape(m, cap * 3).view(np.uint8)
        raw[:, 30:510] = payload
        words = raw.view("<u2")
        total = np.add.reduce(words[:, :255], axis=1, dtype=np.uint16)
        words[:, 255] = (np.uint16(0) - total).astype(np.uint16)
        self._fh.write(raw.data)
        self._samples += m * cap
        self._blocks += m

    def close(self) -> None:
        """Flush the last (partial) block and close the file."""
        if self._fh is None:
            return
        n = self._pending.shape[0]
        if n:
            pad = self.capacity - n
            a = np.concatenate([self._pending, np.zeros((pad, 3), np.float32)])
            t = np.concatenate([self._pending_temp, np.full(pad, self._pending_temp[-1])])
            self._emit(a, t, count=n)
            self._samples -= pad
        self._pending = np.zeros((0, 3), np.float32)
        self._fh.close()
        self._fh = None

    @property
    def samples_written(self) -> int:
        return self._samples + self._pending.shape[0]

    def __enter__(self) -> CwaWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _pack_datetimes(secs: NDArray[Any]) -> NDArray[np.uint32]:
    """datetime64[s] whole seconds -> packed CWA date-times (vectorised)."""
    days = secs.astype("datetime64[D]")
    years = secs.astype("datetime64[Y]")
    months = secs.astype("datetime64[M]")
    year = years.astype(np.int64) + 1970
    month = (months - years).astype(np.int64) + 1
    day = (days - months).astype(np.int64) + 1
    sod = (secs - days).astype(np.int64)
    hour, rem = np.divmod(sod, 3600)
    minute, second = np.divmod(rem, 60)
    if (year < 2000).any() or (year > 2063).any():
        raise InputError("times must fall in 2000-2063 to be stored in a CWA file", where="start")
    packed: NDArray[np.uint32] = (
        ((year - 2000) << 26) | (month << 22) | (day << 17) | (hour << 12) | (minute << 6) | second
    ).astype(np.uint32)
    return packed
