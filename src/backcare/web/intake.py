"""Receiving uploaded files: streamed to disk under a size limit, checked by name and content.

An upload is a ``multipart/form-data`` request. :func:`receive_upload` feeds the request body,
chunk by chunk, to a streaming multipart parser and writes each file part straight into the
person's upload folder under a random name, hashing it (SHA-256) on the way. Nothing is held in
memory beyond one chunk and the small text fields.

Checks, in the order they can fail:

1. the request is multipart and its declared length is not already past what the form may hold
   (413 before anything is written);
2. the ``csrf_token`` field arrives before the first file part and matches the session's token
   (403; the upload form puts it first), so no byte of a forged upload reaches the disk;
3. the file name's extension is one of :data:`SUFFIXES` and fits the form field (415);
4. the first bytes match that extension's signature (:func:`check_signature`; 415), checked as
   soon as they have arrived, so a mislabelled file is refused before the rest is written;
5. the size stays within the limit for its kind (413 as soon as the limit is passed);
6. after the body: a quick parse of the header (:func:`probe`): the wearable readers'
   ``open_recording(path).info``, PyAV for videos, Pillow for images (415 naming the problem).

Whatever fails, every file this request created is deleted before the error propagates.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, Literal, cast

import anyio
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from backcare.errors import InputError, redact_paths

__all__ = [
    "FILE_FIELDS",
    "SUFFIXES",
    "FileKind",
    "ParsedUpload",
    "StoredUpload",
    "UploadError",
    "check_signature",
    "kind_of",
    "probe",
    "receive_upload",
]

FileKind = Literal["wearable", "video", "image"]

#: Accepted extensions and the kind of file each names.
SUFFIXES: dict[str, FileKind] = {
    ".cwa": "wearable",
    ".bin": "wearable",
    ".h5": "wearable",
    ".gt3x": "wearable",
    ".csv": "wearable",
    ".mp4": "video",
    ".mov": "video",
    ".webm": "video",
    ".avi": "video",
    ".jpg": "image",
    ".jpeg": "image",
    ".png": "image",
}

#: The form fields that may carry a file, and the kinds each accepts.
FILE_FIELDS: dict[str, tuple[FileKind, ...]] = {
    "thigh_file": ("wearable",),
    "trunk_file": ("wearable",),
    "arm_file": ("wearable",),
    "media_file": ("video", "image"),
}

_CONTENT_TYPES: dict[str, str] = {
    ".cwa": "application/octet-stream",
    ".bin": "application/octet-stream",
    ".h5": "application/x-hdf5",
    ".gt3x": "application/zip",
    ".csv": "text/csv",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".avi": "video/x-msvideo",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}

_HEAD_BYTES = 4096
_MAX_FIELD_BYTES = 16 * 1024
_MAX_FIELDS_TOTAL = 64 * 1024
_MAX_FILES = len(FILE_FIELDS)
#: Body bytes gathered before the parser and the disk write run (in a worker thread, so that the
#: event loop stays free); bounds the memory an upload holds.
_BATCH_BYTES = 1024 * 1024
#: Room for the multipart framing and the text fields, on top of the files' limits.
_FORM_OVERHEAD = 256 * 1024


class UploadError(InputError):
    """An upload refused with an HTTP status (413 too large, 415 wrong type, 400, 403)."""

    def __init__(self, status_code: int, message: str, *, where: str | None = None) -> None:
        self.status_code = status_code
        super().__init__(message, where=where)


@dataclass(frozen=True)
class StoredUpload:
    """One file written to disk by :func:`receive_upload`."""

    field: str
    original_name: str
    path: Path
    size_bytes: int
    sha256: str
    kind: FileKind
    content_type: str
    info: dict[str, Any] = dc_field(default_factory=dict)


@dataclass(frozen=True)
class ParsedUpload:
    """The text fields and the stored files of one upload form."""

    fields: dict[str, str]
    files: tuple[StoredUpload, ...]

    def file(self, name: str) -> StoredUpload | None:
        return next((f for f in self.files if f.field == name), None)


def kind_of(filename: str) -> FileKind:
    """The kind a file name's extension names, or :class:`UploadError` (415)."""
    suffix = Path(filename).suffix.lower()
    kind = SUFFIXES.get(suffix)
    if kind is None:
        allowed = ", ".join(SUFFIXES)
        shown = suffix or "no extension"
        raise UploadError(
            415, f"{shown} files are not accepted; accepted: {allowed}", where=filename
        )
    return kind


def _text_like(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sniffed head is fine
        return exc.start >= len(head) - 3
    return True


_ISO_BOXES = (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot")


def check_signature(suffix: str, head: bytes) -> str | None:
    """Why ``head`` (the first bytes of a file) does not fit ``suffix``; ``None`` when it does.

    Signatures: AX3/AX6 ``.cwa`` blocks start with ``MD``; GENEActiv ``.bin`` with ``Device
    Identity``; HDF5 (APDM ``.h5``) with ``\\x89HDF\\r\\n\\x1a\\n``; ``.gt3x`` is a ZIP (``PK``);
    ``.csv`` is UTF-8 text without NUL bytes; JPEG ``FF D8 FF``; PNG ``\\x89PNG\\r\\n\\x1a\\n``;
    MP4/MOV an ISO media box (``ftyp``, for QuickTime also ``moov``, ``mdat``, ``wide``...) at
    offset 4; WebM the EBML header ``1A 45 DF A3``; AVI ``RIFF`` with ``AVI`` at offset 8.
    """
    suffix = suffix.lower()
    checks: dict[str, tuple[bool, str]] = {
        ".cwa": (head[:2] == b"MD", "an AX3/AX6 .cwa recording"),
        ".bin": (head.startswith(b"Device Identity"), "a GENEActiv .bin recording"),
        ".h5": (head[:8] == b"\x89HDF\r\n\x1a\n", "an HDF5 (APDM .h5) file"),
        ".gt3x": (head[:4] == b"PK\x03\x04", "an ActiGraph .gt3x file (a ZIP archive)"),
        ".csv": (bool(head) and _text_like(head), "a text (CSV) file"),
        ".jpg": (head[:3] == b"\xff\xd8\xff", "a JPEG image"),
        ".jpeg": (head[:3] == b"\xff\xd8\xff", "a JPEG image"),
        ".png": (head[:8] == b"\x89PNG\r\n\x1a\n", "a PNG image"),
        ".mp4": (head[4:8] == b"ftyp", "an MP4 video"),
        ".mov": (head[4:8] in _ISO_BOXES, "a QuickTime (.mov) video"),
        ".webm": (head[:4] == b"\x1a\x45\xdf\xa3", "a WebM video"),
        ".avi": (head[:4] == b"RIFF" and head[8:11] == b"AVI", "an AVI video"),
    }
    if suffix not in checks:
        return f"{suffix or 'no extension'} is not an accepted file type"
    ok, what = checks[suffix]
    if ok:
        return None
    if not head:
        return "the file is empty"
    return f"the content is not {what} (its first bytes do not match)"


def probe(path: Path, kind: FileKind, *, where: str) -> dict[str, Any]:
    """Parse the header of a stored file; returns a few facts or :class:`UploadError` (415).

    Wearable files go through :func:`backcare.wearable.readers.open_recording` (its ``info``),
    videos through PyAV (a decodable video stream), images through Pillow.
    """
    if kind == "wearable":
        from backcare.wearable.readers import open_recording

        try:
            src = open_recording(path)
            try:
                info = src.info
            finally:
                src.close()
        except InputError as exc:
            raise UploadError(
                415,
                f"not a readable sensor recording: {redact_paths(exc.problem)}",
                where=where,
            ) from None
        return {
            "device": info.device,
            "fs_hz": info.fs_hz,
            "start": info.start.isoformat() if info.start else None,
            "serial": info.serial,
        }
    if kind == "video":
        import av

        try:
            with av.open(str(path)) as container:
                streams = container.streams.video
                if not streams:
                    raise UploadError(415, "the file has no video stream", where=where)
                stream = streams[0]
                duration = (
                    float(container.duration) / 1e6 if container.duration is not None else None
                )
                return {
                    "codec": stream.codec_context.name,
                    "width": stream.codec_context.width,
                    "height": stream.codec_context.height,
                    "duration_s": duration,
                }
        except UploadError:
            raise
        except (av.error.FFmpegError, OSError, ValueError) as exc:
            raise UploadError(
                415, f"not a readable video: {redact_paths(str(exc))}", where=where
            ) from None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.verify()
            width, height = img.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UploadError(
            415, f"not a readable image: {redact_paths(str(exc))}", where=where
        ) from None
    return {"width": width, "height": height}


class _FilePart:
    """A file part being written: handle, hash, size and the sniffed head."""

    def __init__(
        self, field_name: str, filename: str, kind: FileKind, path: Path, limit: int
    ) -> None:
        self.field = field_name
        self.filename = filename
        self.kind = kind
        self.path = path
        self.limit = limit
        self.suffix = Path(filename).suffix.lower()
        self.fh: BinaryIO | None = path.open("xb")
        self.hash = hashlib.sha256()
        self.size = 0
        self.head = bytearray()
        self.sniffed = False

    def sniff(self) -> None:
        self.sniffed = True
        problem = check_signature(self.suffix, bytes(self.head))
        if problem is not None:
            raise UploadError(415, problem, where=self.filename)

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise UploadError(
                413,
                f"the file is larger than the {_mib(self.limit)} allowed for {self.kind} files",
                where=self.filename,
            )
        if not self.sniffed:
            self.head += data[: _HEAD_BYTES - len(self.head)]
            if len(self.head) >= _HEAD_BYTES:
                self.sniff()
        assert self.fh is not None
        self.fh.write(data)
        self.hash.update(data)

    def finish(self) -> None:
        if not self.sniffed:
            self.sniff()
        self.close()

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


def _mib(n: int) -> str:
    """A size for a message: ``1 GiB``, ``20 MiB``, ``29.3 KiB``, ``800 bytes``."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{round(n / size, 1):g} {unit}"
    return f"{n} bytes"


class _FormSink:
    """Callbacks of the streaming parser: text fields in memory, file parts to disk."""

    def __init__(
        self,
        dest_dir: Path,
        limits: Mapping[str, int],
        check_csrf: Callable[[str | None], bool] | None,
    ) -> None:
        self.dest_dir = dest_dir
        self.limits = limits
        self.check_csrf = check_csrf
        self.csrf_ok = check_csrf is None
        self.fields: dict[str, str] = {}
        self.done: list[_FilePart] = []
        self.created: list[Path] = []
        self.field_bytes = 0
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._headers: dict[str, bytes] = {}
        self._name: str | None = None
        self._value: bytearray | None = None
        self._file: _FilePart | None = None
        self._skip = False
        self.ended = False

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_end": self.end,
        }

    def end(self) -> None:
        self.ended = True

    def part_begin(self) -> None:
        self._headers = {}
        self._name = None
        self._value = None
        self._file = None
        self._skip = False

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def header_end(self) -> None:
        self._headers[bytes(self._header_field).decode("latin-1").lower()] = bytes(
            self._header_value
        )
        self._header_field.clear()
        self._header_value.clear()

    def headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get("content-disposition", b""))
        name = params.get(b"name", b"").decode("utf-8", "replace")
        self._name = name
        if b"filename" not in params:
            self._value = bytearray()
            return
        filename = Path(params[b"filename"].decode("utf-8", "replace")).name
        if not filename:
            self._skip = True  # a file input left empty
            return
        if not self.csrf_ok:
            raise UploadError(403, "the form's security token is missing or wrong", where="form")
        accepted = FILE_FIELDS.get(name)
        if accepted is None:
            raise UploadError(400, f"unexpected file field {name!r}", where="form")
        if any(p.field == name for p in self.done):
            raise UploadError(400, "one file per field", where=name)
        if len(self.done) >= _MAX_FILES:
            raise UploadError(400, f"at most {_MAX_FILES} files per upload", where="form")
        kind = kind_of(filename)
        if kind not in accepted:
            wanted = " or ".join(accepted)
            raise UploadError(
                415, f"this field takes a {wanted} file, not a {kind} file", where=filename
            )
        limit = int(self.limits[kind])
        path = self.dest_dir / f"{secrets.token_hex(16)}{Path(filename).suffix.lower()}"
        self.created.append(path)
        self._file = _FilePart(name, filename, kind, path, limit)

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self._skip:
            return
        chunk = data[start:end]
        if self._file is not None:
            self._file.write(chunk)
            return
        assert self._value is not None
        self.field_bytes += len(chunk)
        if len(self._value) + len(chunk) > _MAX_FIELD_BYTES or self.field_bytes > _MAX_FIELDS_TOTAL:
            raise UploadError(413, "a text field is too long", where=self._name or "form")
        self._value += chunk

    def part_end(self) -> None:
        if self._skip:
            return
        if self._file is not None:
            self._file.finish()
            self.done.append(self._file)
            self._file = None
            return
        if self._name and self._value is not None:
            value = bytes(self._value).decode("utf-8", "replace")
            self.fields[self._name] = value
            if self._name == "csrf_token" and self.check_csrf is not None:
                self.csrf_ok = self.check_csrf(value)

    def abort(self) -> None:
        if self._file is not None:
            self._file.close()
        for p in self.done:
            p.close()
        for path in self.created:
            path.unlink(missing_ok=True)


def _boundary(request: Request) -> bytes:
    ctype, params = parse_options_header(request.headers.get("content-type"))
    if ctype != b"multipart/form-data" or not params.get(b"boundary"):
        raise UploadError(400, "the upload must be sent as multipart/form-data", where="form")
    return params[b"boundary"]


async def receive_upload(
    request: Request,
    dest_dir: Path,
    limits: Mapping[str, int],
    *,
    csrf_token: str | None = None,
) -> ParsedUpload:
    """Stream the multipart body of ``request`` into ``dest_dir``; see the module docstring.

    Parameters
    ----------
    request
        The incoming request; its body has not been read.
    dest_dir
        The person's upload folder (created).
    limits
        Maximum size [bytes] per :data:`FileKind` (``"wearable"``, ``"video"``, ``"image"``).
    csrf_token
        The session's CSRF token: the ``csrf_token`` form field (or the ``X-CSRF-Token`` header)
        must match it before any file part is accepted. ``None`` skips the check.

    Raises
    ------
    UploadError
        With the HTTP status to answer; no file of this request is left on disk.
    """
    boundary = _boundary(request)
    declared = request.headers.get("content-length")
    ceiling = _MAX_FILES * max(int(v) for v in limits.values()) + _FORM_OVERHEAD
    if declared is not None and declared.isdigit() and int(declared) > ceiling:
        raise UploadError(
            413, f"the upload is larger than the {_mib(ceiling)} a form may hold", where="form"
        )
    check: Callable[[str | None], bool] | None = None
    if csrf_token is not None:
        expected = csrf_token

        def check(value: str | None) -> bool:
            return value is not None and hmac.compare_digest(value.strip(), expected)

    dest_dir.mkdir(parents=True, exist_ok=True)
    sink = _FormSink(dest_dir, limits, check)
    if check is not None and check(request.headers.get("x-csrf-token")):
        sink.csrf_ok = True
    parser = MultipartParser(boundary, cast(Any, sink.callbacks()))
    received = 0
    pending: list[bytes] = []
    pending_bytes = 0
    try:
        async for chunk in request.stream():
            if not chunk:
                continue
            received += len(chunk)
            if received > ceiling:
                raise UploadError(
                    413,
                    f"the upload is larger than the {_mib(ceiling)} a form may hold",
                    where="form",
                )
            pending.append(chunk)
            pending_bytes += len(chunk)
            if pending_bytes >= _BATCH_BYTES:
                await anyio.to_thread.run_sync(parser.write, b"".join(pending))
                pending, pending_bytes = [], 0
        if pending:
            await anyio.to_thread.run_sync(parser.write, b"".join(pending))
        parser.finalize()
        if not sink.ended:
            raise UploadError(400, "the upload ended before the form was complete", where="form")
        if not sink.csrf_ok:
            raise UploadError(403, "the form's security token is missing or wrong", where="form")
        stored = []
        for part in sink.done:
            info = await anyio.to_thread.run_sync(
                partial(probe, part.path, part.kind, where=part.filename)
            )
            stored.append(
                StoredUpload(
                    field=part.field,
                    original_name=part.filename,
                    path=part.path,
                    size_bytes=part.size,
                    sha256=part.hash.hexdigest(),
                    kind=part.kind,
                    content_type=_CONTENT_TYPES[part.suffix],
                    info=info,
                )
            )
    except BaseException:
        sink.abort()
        raise
    return ParsedUpload(fields=sink.fields, files=tuple(stored))
