"""One streaming pass from raw samples to compact per-second features.

Why per-second features
-----------------------
A week at 100 Hz is about 60 million samples (0.7 GB as float32 for three axes, another 0.5 GB of
float64 time). Nothing after this module needs them: calibration, non-wear, orientation and the
activity rules all work on one-second (or ten-second) summaries. So each chunk a reader yields is
reduced here, and dropped, before the next one is read; memory stays bounded by the chunk size
plus about 70 bytes per recorded second.

What happens to a chunk
-----------------------
1. **Second grid.** Samples are placed on an absolute grid of whole seconds counted from a common
   ``origin`` (so several sensors line up on wall-clock time). Second ``k`` holds the samples with
   ``origin + k <= t < origin + k + 1``; it is found by a binary search on the chunk's time stamps
   (no per-sample arithmetic).
2. **Resampling.** Each second's samples are split, in order, into ``R`` equal blocks (``R`` =
   the common rate, 25 Hz as in ActiPASS) and averaged: a block-average resampler that needs one
   pass (``np.add.reduceat``) and works for any native rate (50, 100, 128 Hz...). Empty blocks
   (gaps, rates below ``R``) hold the previous value for the filters and count as missing.
3. **Filters at the common rate**, with their state carried from chunk to chunk
   (``scipy.signal.sosfilt`` with ``zi``), so chunk boundaries leave no trace: a Butterworth
   low-pass for orientation (2 Hz), one for the activity SD (5 Hz, as Acti4) and a band-pass whose
   zero crossings count steps.
4. **Per-second reduction**: the mean of the orientation signal, the mean and variance of the
   activity signal, the mean and variance of the unfiltered blocks (for calibration and non-wear),
   the number of band-pass zero crossings of the segment's long axis and the raw sample count.
5. **Clipped samples** (quality control): samples with an axis at or beyond ``CLIP_FRACTION`` of
   the device's range. A chunk is scanned per sample only when its extreme values reach that
   level, so the common case costs two reductions per chunk.

A second that straddles two chunks is completed with the next chunk: its samples are kept aside
(at most one second of them) and joined with the head of the next chunk.

Calibration is applied afterwards, to these features (see :mod:`backcare.wearable.calibration`):
an affine correction ``c = offset + gain * a`` per axis commutes with averaging and with the
filters (unit gain at 0 Hz), so means map to ``offset + gain * mean``, variances scale by
``gain**2`` and zero-crossing counts of the band-passed signal do not change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import signal

from backcare.errors import InputError
from backcare.knowledge import load
from backcare.knowledge.wearable import PreprocessingDocument, ResamplingRules
from backcare.wearable.recording import Issue, Recording, RecordingInfo

__all__ = ["FeatureExtractor", "SecondFeatures", "extract_features", "preprocessing_rules"]

F32 = NDArray[np.float32]
#: A sample is clipped when an axis reaches this fraction of the device's range (this project's
#: quality-control rule: a sensor at its range limit reads the limit, give or take one step).
CLIP_FRACTION = 0.99
_RESET_GAP_S = 10  # a gap longer than this restarts the filters instead of holding values


def preprocessing_rules() -> PreprocessingDocument:
    """The preprocessing rules from the knowledge data."""
    doc: PreprocessingDocument = load("wearable/preprocessing.yaml", PreprocessingDocument)
    return doc


@dataclass(frozen=True)
class SecondFeatures:
    """Per-second features of one sensor on the absolute second grid.

    Row ``i`` is second ``first_second + i`` after ``origin``. Acceleration values are in g in
    the device's axes; arrays of shape ``(n, 3)`` are float32.

    Attributes
    ----------
    count
        Raw samples in the second.
    valid
        The second holds at least ``min_coverage`` of its nominal samples.
    raw_mean, raw_var
        Mean and variance [g, g^2] of the unfiltered block averages (common rate).
    angle_mean
        Mean of the orientation low-pass signal [g].
    act_mean, act_var
        Mean and variance of the activity low-pass signal [g, g^2].
    crossings
        Zero crossings of the step band-pass signal of the long (step) axis.
    clipped
        Samples in the second with an axis at the device's range limit (``None`` when the
        range is not known).
    """

    info: RecordingInfo
    origin: datetime | None
    first_second: int
    rate_hz: int
    count: NDArray[np.int32]
    valid: NDArray[np.bool_]
    raw_mean: F32
    raw_var: F32
    angle_mean: F32
    act_mean: F32
    act_var: F32
    crossings: NDArray[np.uint8]
    issues: tuple[Issue, ...] = ()
    calibration: dict[str, Any] = field(default_factory=dict)
    clipped: NDArray[np.int32] | None = None

    def __len__(self) -> int:
        return int(self.count.shape[0])

    @property
    def seconds(self) -> NDArray[np.int64]:
        """Second index of every row (relative to ``origin``)."""
        return np.arange(self.first_second, self.first_second + len(self), dtype=np.int64)

    def calibrated(
        self, offset: NDArray[np.float64], gain: NDArray[np.float64], report: dict[str, Any]
    ) -> SecondFeatures:
        """The features after ``c = offset + gain * a`` per axis (see the module docstring)."""
        o = np.asarray(offset, dtype=np.float32)
        g = np.asarray(gain, dtype=np.float32)
        g2 = g * g
        return replace(
            self,
            raw_mean=o + g * self.raw_mean,
            raw_var=g2 * self.raw_var,
            angle_mean=o + g * self.angle_mean,
            act_mean=o + g * self.act_mean,
            act_var=g2 * self.act_var,
            calibration=report,
        )

    def window(self, first_second: int, n: int) -> SecondFeatures:
        """The rows for seconds ``first_second .. first_second + n - 1``; rows outside the
        recording are empty (count 0, invalid, NaN)."""
        lo = first_second - self.first_second
        src_lo, src_hi = max(lo, 0), min(lo + n, len(self))
        dst_lo = src_lo - lo

        def take(a: np.ndarray[Any, Any], fill: Any) -> np.ndarray[Any, Any]:
            out = np.full((n, *a.shape[1:]), fill, dtype=a.dtype)
            if src_hi > src_lo:
                out[dst_lo : dst_lo + src_hi - src_lo] = a[src_lo:src_hi]
            return out

        return replace(
            self,
            first_second=first_second,
            count=take(self.count, 0),
            valid=take(self.valid, False),
            raw_mean=take(self.raw_mean, np.nan),
            raw_var=take(self.raw_var, np.nan),
            angle_mean=take(self.angle_mean, np.nan),
            act_mean=take(self.act_mean, np.nan),
            act_var=take(self.act_var, np.nan),
            crossings=take(self.crossings, 0),
            clipped=None if self.clipped is None else take(self.clipped, 0),
        )


def _sos(rules: ResamplingRules) -> tuple[np.ndarray[Any, Any], ...]:
    fs = rules.rate_hz
    return (
        signal.butter(rules.filter_order, rules.angle_lowpass_hz, fs=fs, output="sos"),
        signal.butter(rules.filter_order, rules.activity_lowpass_hz, fs=fs, output="sos"),
        signal.butter(2, list(rules.step_band_hz), btype="bandpass", fs=fs, output="sos"),
    )


class FeatureExtractor:
    """Streaming reducer: feed :class:`Recording` chunks in time order, then :meth:`finish`.

    Parameters
    ----------
    info
        Header of the recording (``fs_hz``, ``start``).
    origin
        Wall-clock time of second 0 of the common grid; default ``info.start`` floored to the
        second. Without a start time, the grid counts from ``time == 0``.
    rules
        Resampling rules; default from the knowledge data.
    step_axis
        Device axis (0, 1, 2 for x, y, z) along the segment, whose step band-pass zero
        crossings are counted.
    """

    def __init__(
        self,
        info: RecordingInfo,
        *,
        origin: datetime | None = None,
        rules: ResamplingRules | None = None,
        step_axis: int = 0,
    ) -> None:
        self.info = info
        if step_axis not in (0, 1, 2):
            raise InputError(f"must be 0, 1 or 2, got {step_axis}", where="step_axis")
        self._step_axis = step_axis
        self.rules = rules or preprocessing_rules().resampling
        if info.fs_hz <= 0:
            raise InputError(f"sample rate {info.fs_hz} Hz is not positive", where=info.path)
        if origin is None and info.start is not None:
            origin = info.start.replace(microsecond=0)
        self.origin = origin
        if origin is not None and info.start is not None:
            self._offset = (info.start - origin).total_seconds()
        else:
            self._offset = 0.0
        self._sos = _sos(self.rules)
        self._zi: list[np.ndarray[Any, Any]] | None = None
        self._last_block: np.ndarray[Any, Any] | None = None
        self._last_sign: bool | None = None
        self._buf = np.empty((16, 0))
        self._carry_t = np.zeros(0)
        self._carry_a = np.zeros((0, 3), dtype=np.float32)
        self._next_second: int | None = None
        self._parts: list[dict[str, np.ndarray[Any, Any]]] = []
        self._first: int | None = None
        self._issues: list[Issue] = []
        self.samples_seen = 0
        self._last_t = -np.inf
        range_g = info.range_g
        self._clip_at = None if not range_g or range_g <= 0 else CLIP_FRACTION * float(range_g)
        self._clip_parts: list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]] = []

    # -- public ---------------------------------------------------------------------------------
    def update(self, chunk: Recording) -> None:
        """Reduce one chunk (its time must continue the previous chunk's)."""
        self._issues.extend(i for i in chunk.info.issues if i not in self._issues)
        n = len(chunk)
        if n == 0:
            return
        self.samples_seen += n
        t = chunk.time
        if t[0] < self._last_t:
            raise InputError(
                f"time goes backwards between chunks ({self._last_t:.3f} s -> {t[0]:.3f} s)",
                where=self.info.path,
            )
        self._last_t = float(t[-1])
        a = chunk.accel
        if a.dtype != np.float32:
            a = a.astype(np.float32)
        off = self._offset
        if self._clip_at is not None and (a.max() >= self._clip_at or a.min() <= -self._clip_at):
            hit = np.flatnonzero((np.abs(a) >= self._clip_at).any(axis=1))
            sec, cnt = np.unique(np.floor(t[hit] + off).astype(np.int64), return_counts=True)
            self._clip_parts.append((sec, cnt))
        last_k = int(np.floor(t[-1] + off))
        # the head: samples of the second the carry belongs to
        if self._carry_t.size:
            carry_k = int(np.floor(self._carry_t[0] + off))
            head_end = int(np.searchsorted(t, carry_k + 1 - off, side="left"))
            ht = np.concatenate([self._carry_t, t[:head_end]])
            ha = np.concatenate([self._carry_a, a[:head_end]])
            t, a = t[head_end:], a[head_end:]
            if t.size == 0:  # the chunk did not complete the carried second
                self._carry_t, self._carry_a = ht, ha
                return
            self._reduce(ht, ha, carry_k, carry_k + 1)
        if t.size == 0:
            return
        k0 = int(np.floor(t[0] + off))
        tail = int(np.searchsorted(t, last_k - off, side="left"))
        if last_k > k0:
            self._reduce_runs(t[:tail], a[:tail], k0, last_k)
        self._carry_t = t[tail:].copy()
        self._carry_a = a[tail:].copy()

    def finish(self) -> SecondFeatures:
        """Flush the last second and return the features."""
        if self._carry_t.size:
            k = int(np.floor(self._carry_t[0] + self._offset))
            self._reduce(self._carry_t, self._carry_a, k, k + 1)
            self._carry_t = np.zeros(0)
            self._carry_a = np.zeros((0, 3), dtype=np.float32)
        if not self._parts or self._first is None:
            raise InputError("the recording holds no samples", where=self.info.path)
        cat = {key: np.concatenate([p[key] for p in self._parts]) for key in self._parts[0]}
        self._parts.clear()
        expected = self.info.fs_hz
        valid = cat["count"] >= self.rules.min_coverage * expected
        clipped = None
        if self._clip_at is not None:
            clipped = np.zeros(cat["count"].shape[0], dtype=np.int32)
            for sec, cnt in self._clip_parts:
                rows = sec - self._first
                keep = (rows >= 0) & (rows < clipped.shape[0])
                np.add.at(clipped, rows[keep], cnt[keep].astype(np.int32))
        return SecondFeatures(
            info=self.info,
            origin=self.origin,
            first_second=self._first,
            rate_hz=self.rules.rate_hz,
            count=cat["count"],
            valid=valid,
            raw_mean=cat["raw_mean"],
            raw_var=cat["raw_var"],
            angle_mean=cat["angle_mean"],
            act_mean=cat["act_mean"],
            act_var=cat["act_var"],
            crossings=cat["crossings"],
            issues=tuple(self._issues),
            clipped=clipped,
        )

    # -- internals ------------------------------------------------------------------------------
    def _gap(self, k_from: int, k_to: int) -> None:
        """Empty rows for seconds ``k_from .. k_to - 1`` (no samples at all)."""
        m = k_to - k_from
        nan3 = np.full((m, 3), np.nan, dtype=np.float32)
        self._parts.append(
            {
                "count": np.zeros(m, dtype=np.int32),
                "raw_mean": nan3,
                "raw_var": nan3,
                "angle_mean": nan3,
                "act_mean": nan3,
                "act_var": nan3,
                "crossings": np.zeros(m, dtype=np.uint8),
            }
        )

    def _reduce_runs(
        self, t: np.ndarray[Any, Any], a: np.ndarray[Any, Any], k0: int, k1: int
    ) -> None:
        """:meth:`_reduce` over each run of seconds that holds samples.

        A gap inside the chunk longer than ``_RESET_GAP_S`` seconds becomes empty rows and
        restarts the filters, as a gap between chunks does; so memory and time follow the
        samples present, not the span the timestamps claim, and the chunking does not change
        how a gap is treated.
        """
        sec = np.floor(t + self._offset).astype(np.int64)
        breaks = np.flatnonzero(np.diff(sec) > _RESET_GAP_S)
        start, ks = 0, k0
        for b in breaks:
            self._reduce(t[start : b + 1], a[start : b + 1], ks, int(sec[b]) + 1)
            start, ks = int(b) + 1, int(sec[b + 1])
        self._reduce(t[start:], a[start:], ks, k1)

    def _reduce(self, t: np.ndarray[Any, Any], a: np.ndarray[Any, Any], k0: int, k1: int) -> None:
        """Reduce samples that fill seconds ``k0 .. k1 - 1`` completely."""
        rate = self.rules.rate_hz
        off = self._offset
        nsec = k1 - k0
        if self._first is None:
            self._first = k0
            self._next_second = k0
        assert self._next_second is not None
        if k0 < self._next_second:
            raise InputError(
                f"time goes backwards (second {k0} after second {self._next_second - 1})",
                where=self.info.path,
            )
        if k0 > self._next_second:
            gap = k0 - self._next_second
            self._gap(self._next_second, k0)
            if gap > _RESET_GAP_S:
                self._zi = None
        edges = np.searchsorted(t, np.arange(k0, k1 + 1, dtype=np.float64) - off, side="left")
        edges[-1] = t.size
        counts = np.diff(edges).astype(np.int32)
        # rate blocks per second, split by sample order
        frac = np.arange(rate, dtype=np.int64)
        starts = edges[:-1, None] + (frac[None, :] * counts[:, None] + rate - 1) // rate
        ends = np.empty_like(starts)
        ends[:, :-1] = starts[:, 1:]
        ends[:, -1] = edges[1:]
        starts = starts.ravel()
        bcount = (ends.ravel() - starts).astype(np.float32)
        nonempty = bcount > 0
        if nonempty.all():
            blocks = np.add.reduceat(a, starts, axis=0)
        else:  # empty blocks stay 0 (never uninitialised memory) and are filled below
            blocks = np.zeros((starts.size, 3), dtype=np.float32)
            if nonempty.any():
                blocks[nonempty] = np.add.reduceat(a, starts[nonempty], axis=0)
        blocks /= np.maximum(bcount, 1)[:, None]
        nb = blocks.shape[0]
        # channel-first work buffer, reused from chunk to chunk (no page faults, contiguous
        # filter rows): raw, raw^2, angle, activity, activity^2, crossings
        if self._buf.shape[1] < nb:
            self._buf = np.empty((16, nb))
        buf = self._buf[:, :nb]
        x = buf[0:3]
        x[:] = blocks.T
        if not nonempty.all():
            # hold the last value through empty blocks (filters need a continuous signal)
            idx = np.where(nonempty, np.arange(nb), -1)
            np.maximum.accumulate(idx, out=idx)
            if self._last_block is not None:
                prev = self._last_block
            elif nonempty.any():
                prev = x[:, int(np.argmax(nonempty))].copy()
            else:
                prev = np.zeros(3)
            x[:] = np.where(idx[None, :] >= 0, x[:, np.maximum(idx, 0)], prev[:, None])
        if self._zi is None:
            x0 = x[:, 0]
            self._zi = [
                signal.sosfilt_zi(sos)[:, None, :] * x0[None, :, None] for sos in self._sos[:2]
            ]
            self._zi.append(np.zeros((self._sos[2].shape[0], 2)))
            self._last_sign = None
        np.multiply(x, x, out=buf[3:6])
        buf[6:9], self._zi[0] = signal.sosfilt(self._sos[0], x, axis=-1, zi=self._zi[0])
        buf[9:12], self._zi[1] = signal.sosfilt(self._sos[1], x, axis=-1, zi=self._zi[1])
        np.multiply(buf[9:12], buf[9:12], out=buf[12:15])
        k = self._step_axis
        y_band, self._zi[2] = signal.sosfilt(self._sos[2], x[k], axis=-1, zi=self._zi[2])
        self._last_block = x[:, -1].copy()
        # step band (long axis): sign changes, continuing from the previous block
        sign = y_band > 0
        prev_sign = self._last_sign if self._last_sign is not None else bool(sign[0])
        buf[15, 0] = sign[0] != prev_sign
        np.not_equal(sign[1:], sign[:-1], out=buf[15, 1:])
        self._last_sign = bool(sign[-1])
        per = buf.reshape(16, nsec, rate).sum(axis=-1)
        per[:15] /= rate
        raw_mean, act_mean = per[0:3].T, per[9:12].T
        part = {
            "count": counts,
            "raw_mean": raw_mean.astype(np.float32),
            "raw_var": np.maximum(per[3:6].T - raw_mean * raw_mean, 0.0).astype(np.float32),
            "angle_mean": per[6:9].T.astype(np.float32),
            "act_mean": act_mean.astype(np.float32),
            "act_var": np.maximum(per[12:15].T - act_mean * act_mean, 0.0).astype(np.float32),
            "crossings": per[15].astype(np.uint8),
        }
        empty = counts == 0
        if empty.any():
            for key in ("raw_mean", "raw_var", "angle_mean", "act_mean", "act_var"):
                part[key][empty] = np.nan
        self._parts.append(part)
        self._next_second = k1


def extract_features(
    chunks: Iterable[Recording],
    info: RecordingInfo,
    *,
    origin: datetime | None = None,
    rules: ResamplingRules | None = None,
    step_axis: int = 0,
    on_chunk: Callable[[Recording], None] | None = None,
) -> SecondFeatures:
    """Reduce a stream of chunks to :class:`SecondFeatures` (see the module docstring).

    Parameters
    ----------
    chunks
        The recording's chunks in time order (e.g. ``source.chunks(max_samples=...)``).
    info
        The recording's header.
    origin
        Common wall-clock origin of the second grid (multi-sensor alignment).
    rules
        Resampling rules; default from the knowledge data.
    step_axis
        Device axis along the segment (0, 1, 2), whose step-band crossings are counted.
    on_chunk
        Called after each chunk (progress reporting).
    """
    ex = FeatureExtractor(info, origin=origin, rules=rules, step_axis=step_axis)
    for chunk in chunks:
        ex.update(chunk)
        if on_chunk is not None:
            on_chunk(chunk)
    return ex.finish()
