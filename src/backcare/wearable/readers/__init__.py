"""Sensor file readers: one entry point, one module per format.

Usage::

    from backcare.wearable.readers import open_recording

    with open_recording("subject1.cwa") as src:
        print(src.info.device, src.info.fs_hz, src.info.start)
        for chunk in src.chunks(max_samples=1_000_000):   # bounded memory
            chunk.time      # float64 [s] relative to src.info.start, non-decreasing
            chunk.accel     # float32 (n, 3) [g], device axes
            chunk.gyro      # float32 (n, 3) [deg/s] or None
            chunk.info.issues  # problems found in this chunk's span (gaps, skipped blocks)
        whole = src.read()  # everything at once, all issues merged

``open_recording(path, *, fmt=None, sensor=None, units=None) -> RecordingSource``

* ``fmt``: ``"cwa"``, ``"geneactiv"``, ``"apdm"``, ``"gt3x"`` or ``"csv"``; by default chosen from
  the file's first bytes (magic) and then its extension.
* ``sensor``: which sensor of a multi-sensor file (APDM: label such as ``"Lumbar"`` or the sensor
  id); required when the file has more than one.
* ``units``: CSV acceleration units, ``"g"`` or ``"m/s2"`` (detected when omitted).

Chunks are block/page aligned, so a chunk may hold fewer than ``max_samples`` samples (never
more); chunk boundaries carry no meaning. The ``.cwa`` reader also takes ``workers=`` (threads
decoding ahead; default 1, 0 = in the caller's thread). The default chunk is 2^19 samples.

Every reader raises :class:`~backcare.errors.InputError` naming the file (and the block or offset)
for a file it cannot read at all, and otherwise excludes damaged spans and reports them as
:class:`~backcare.wearable.recording.Issue` in ``info.issues``.
"""

from __future__ import annotations

from pathlib import Path

from backcare.errors import InputError
from backcare.wearable.readers._base import (
    DEFAULT_CHUNK_SAMPLES,
    RecordingSource,
    concat_recordings,
)

__all__ = [
    "DEFAULT_CHUNK_SAMPLES",
    "FORMATS",
    "RecordingSource",
    "concat_recordings",
    "detect_format",
    "open_recording",
]

#: Format names and the file extensions that select them.
FORMATS: dict[str, tuple[str, ...]] = {
    "cwa": (".cwa",),
    "geneactiv": (".bin",),
    "apdm": (".h5", ".hdf5"),
    "gt3x": (".gt3x",),
    "csv": (".csv", ".txt", ".csv.gz"),
}


def detect_format(path: Path) -> str:
    """The format of ``path`` from its first bytes, else from its extension."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", where=str(path)) from exc
    if not head:
        raise InputError("the file is empty", where=str(path))
    if head[:2] == b"MD":
        return "cwa"
    if head[:8] == b"\x89HDF\r\n\x1a\n":
        return "apdm"
    if head[:4] == b"PK\x03\x04":
        return "gt3x"
    if head.startswith(b"Device Identity"):
        return "geneactiv"
    name = path.name.lower()
    for fmt, exts in FORMATS.items():
        if any(name.endswith(ext) for ext in exts):
            return fmt
    raise InputError(
        "unknown sensor file type (expected .cwa, .bin, .h5, .gt3x or .csv)", where=str(path)
    )


def open_recording(
    path: str | Path,
    *,
    fmt: str | None = None,
    sensor: str | None = None,
    units: str | None = None,
) -> RecordingSource:
    """Open a sensor file for streaming (see the module docstring)."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", where=str(path))
    if path.is_dir():
        raise InputError("is a directory, not a sensor file", where=str(path))
    fmt = fmt.lower() if fmt else detect_format(path)
    if fmt == "cwa":
        from backcare.wearable.readers.cwa import CwaSource

        return CwaSource(path)
    if fmt == "geneactiv":
        from backcare.wearable.readers.geneactiv import GeneactivSource

        return GeneactivSource(path)
    if fmt == "apdm":
        from backcare.wearable.readers.apdm import ApdmSource

        return ApdmSource(path, sensor=sensor)
    if fmt == "gt3x":
        from backcare.wearable.readers.gt3x import Gt3xSource

        return Gt3xSource(path)
    if fmt == "csv":
        from backcare.wearable.readers.csv import CsvSource

        return CsvSource(path, units=units)
    raise InputError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}", where="fmt")
