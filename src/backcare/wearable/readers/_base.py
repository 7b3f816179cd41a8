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
    "RecordingSource",
    "concat_recordings",
    "merge_issue_runs",
]

#: Default chunk size: 2^19 samples (6 MB of float32 acceleration + 4 MB of time).
DEFAULT_CHUNK_SAMPLES = 1 << 19


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
