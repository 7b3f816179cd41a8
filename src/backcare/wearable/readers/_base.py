"""The reader contract shared by every sensor format.

A :class:`RecordingSource` is an opened sensor file. It offers

* ``info``: what the header says (device, rate, range, start), read without decoding the data;
* ``chunks(max_samples=...)``: the samples as a stream of :class:`~backcare.wearable.recording.
  Recording` pieces of at most ``max_samples`` samples each; memory is bounded by the chunk size;
  every chunk's ``time`` is relative to the same ``info.start``; problems found in a chunk's span
  are listed in that chunk's ``info.issues`` (file-level problems found while reading the header
  are in ``source.info.issues`` only);
* ``read()``: the whole file as one :class:`Recording` (all issues merged);
* ``scan()``: the header info completed by one pass over the data (sample count, duration and
  every issue), without keeping the samples.

Bounded by the bytes present
----------------------------
Everything after a reader works on a grid of seconds, so the time a file *claims* to span costs
memory and time even where it holds no samples. Each reader therefore states
:meth:`RecordingSource.sample_capacity`, an upper bound of the samples its bytes can hold
(computed from the file size and the format's smallest sample), and :meth:`RecordingSource.bounded`
refuses a stream whose time stamps span more than :data:`SPAN_FACTOR` times what that many
samples cover at the file's rate (and at least :data:`SPAN_FLOOR_S`): a damaged clock or time
column then gives an :class:`~backcare.errors.InputError` naming the jump, its size and the
sample where it happens, instead of gigabytes of empty seconds. Ordinary gaps (a night off the
body, a device in sleep mode) stay well inside the bound and are reported as issues.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType

import numpy as np

from backcare.errors import InputError
from backcare.wearable.recording import Issue, Recording, RecordingInfo

__all__ = [
    "DEFAULT_CHUNK_SAMPLES",
    "SPAN_FACTOR",
    "SPAN_FLOOR_S",
    "RecordingSource",
    "concat_recordings",
    "describe_seconds",
    "merge_issue_runs",
]

#: Default chunk size: 2^19 samples (6 MB of float32 acceleration + 4 MB of time).
DEFAULT_CHUNK_SAMPLES = 1 << 19

#: A file may span at most this many times the duration its bytes can hold ...
SPAN_FACTOR = 3.0
#: ... and always at least one day (short recordings with a long break stay readable).
SPAN_FLOOR_S = 86_400.0
#: Rates below this count as this rate when turning a sample capacity into a duration, so that
#: a file cannot claim a long span by declaring (or implying) an absurdly low rate.
_SPAN_MIN_RATE_HZ = 1.0


def describe_seconds(seconds: float) -> str:
    """A duration in words for messages: ``"11.6 days"``, ``"3.2 hours"``, ``"42 s"``."""
    s = abs(float(seconds))
    if s >= 2 * 86_400:
        return f"{s / 86_400:.1f} days"
    if s >= 2 * 3600:
        return f"{s / 3600:.1f} hours"
    if s >= 120:
        return f"{s / 60:.1f} minutes"
    return f"{s:.3g} s"


class RecordingSource(ABC):
    """An opened sensor file (see the module docstring for the contract)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    @abstractmethod
    def info(self) -> RecordingInfo:
        """Header information (no sample data is decoded)."""

    @abstractmethod
    def chunks(self, max_samples: int = DEFAULT_CHUNK_SAMPLES) -> Iterator[Recording]:
        """Stream the samples in pieces of at most ``max_samples`` samples."""

    def sample_capacity(self) -> int | None:
        """An upper bound of the samples the file's bytes can hold (``None``: no bound known)."""
        return None

    def span_limit_s(self) -> float | None:
        """The longest time span the file may cover (see the module docstring)."""
        capacity = self.sample_capacity()
        if capacity is None:
            return None
        fs = max(float(self.info.fs_hz or 0.0), _SPAN_MIN_RATE_HZ)
        return max(SPAN_FLOOR_S, SPAN_FACTOR * capacity / fs)

    def bounded(self, parts: Iterator[Recording]) -> Iterator[Recording]:
        """Pass ``parts`` through, refusing a span beyond :meth:`span_limit_s`."""
        limit = self.span_limit_s()
        first: float | None = None
        last: float | None = None
        seen = 0
        for part in parts:
            if limit is not None and len(part):
                t = part.time
                if first is None:
                    first = float(t[0])
                if float(t[-1]) - first > limit:
                    self._span_error(t, first, last, seen, limit)
                last = float(t[-1])
                seen += len(part)
            yield part

    def _span_error(
        self, t: np.ndarray, first: float, last: float | None, seen: int, limit: float
    ) -> None:
        over = int(np.argmax(t - first > limit))
        prior = np.concatenate([[last if last is not None else t[0]], t[: over + 1]])
        steps = np.diff(prior)
        k = int(np.argmax(steps))
        jump = float(steps[k])
        at = seen + k  # index of the first sample after the jump
        capacity = self.sample_capacity() or 0
        held = capacity / max(float(self.info.fs_hz or 0.0), _SPAN_MIN_RATE_HZ)
        raise InputError(
            f"the time stamps jump by {describe_seconds(jump)} at sample {at + 1:,} "
            f"({describe_seconds(float(prior[k]) - first)} into the recording), so the file "
            f"would span more than {describe_seconds(limit)} although its size holds at most "
            f"about {describe_seconds(held)} of samples; the clock or time column looks damaged "
            "(split the file at the jump or correct the times)",
            where=str(self.path),
        )

    def read(self) -> Recording:
        """Decode the whole file into one :class:`Recording`."""
        parts = list(self.chunks())
        return concat_recordings(parts, self.info, where=str(self.path))

    def scan(self) -> RecordingInfo:
        """Header info plus what one pass over the data finds: samples, duration, issues."""
        n = 0
        issues: list[Issue] = []
        first: float | None = None
        last: float | None = None
        has_gyro = False
        for part in self.chunks():
            issues.extend(part.info.issues)
            if len(part):
                n += len(part)
                first = float(part.time[0]) if first is None else first
                last = float(part.time[-1])
                has_gyro = has_gyro or part.gyro is not None
        info = self.info
        extra = dict(info.extra)
        extra["n_samples"] = n
        extra["duration_s"] = (last - first) if (first is not None and last is not None) else 0.0
        extra["sensors"] = ["accelerometer", "gyroscope"] if has_gyro else ["accelerometer"]
        return dataclasses.replace(info, extra=extra, issues=info.issues + tuple(issues))

    def close(self) -> None:  # noqa: B027 - an optional hook, not abstract
        """Release the file (a no-op for readers that open it per call)."""

    def __enter__(self) -> RecordingSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def concat_recordings(parts: Sequence[Recording], info: RecordingInfo, *, where: str) -> Recording:
    """Join chunks into one recording; the issues of every chunk are kept, in order."""
    issues: list[Issue] = list(info.issues)
    for p in parts:
        issues.extend(p.info.issues)
    full = [p for p in parts if len(p)]
    if not full:
        detail = "; ".join(f"{i.where}: {i.problem}" for i in issues[:5])
        raise InputError(
            "the file holds no readable samples" + (f" ({detail})" if detail else ""), where=where
        )
    time = np.concatenate([p.time for p in full])
    accel = np.concatenate([p.accel for p in full])
    gyro = (
        np.concatenate([p.gyro for p in full if p.gyro is not None])
        if all(p.gyro is not None for p in full)
        else None
    )
    temp = (
        np.concatenate([p.temperature for p in full if p.temperature is not None])
        if all(p.temperature is not None for p in full)
        else None
    )
    return Recording(
        time=time,
        accel=accel,
        info=dataclasses.replace(info, issues=tuple(issues)),
        gyro=gyro,
        temperature=temp,
    )


def merge_issue_runs(index: np.ndarray, codes: np.ndarray) -> list[tuple[int, int, int]]:
    """Group sorted item ``index`` values with problem ``codes`` into runs.

    Returns ``(first_index, last_index, code)`` for each run of consecutive indices sharing a code.
    """
    if index.size == 0:
        return []
    breaks = np.flatnonzero((np.diff(index) != 1) | (np.diff(codes) != 0)) + 1
    starts = np.concatenate([[0], breaks])
    ends = np.concatenate([breaks - 1, [index.size - 1]])
    return [
        (int(index[s]), int(index[e]), int(codes[s])) for s, e in zip(starts, ends, strict=True)
    ]
