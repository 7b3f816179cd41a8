"""Image and video input, and browser-playable annotated video output.

Input
-----
:func:`media_kind` tells images from videos (by suffix, then by content). :func:`read_image`
returns an RGB array with the photo's EXIF orientation applied. :class:`VideoReader` decodes a
video with PyAV and yields :class:`Frame` objects carrying the frame's **own** presentation
timestamp (variable frame rate clips keep their real timing), the display rotation a phone
recorded (portrait clips come out upright), and optional frame sampling (``every`` n-th decoded
frame, or at most ``fps`` frames per second of video time). A decoding error part-way through
(a truncated or damaged file) ends the iteration and is recorded in :attr:`VideoReader.issues`
with the frame and the time where it happened, so the readable part is still analysed and the
result says it is partial.

Output
------
:class:`AnnotatedVideoWriter` writes H.264 in MP4 (``libx264``, ``yuv420p``, ``+faststart``) which
every current browser plays; when the FFmpeg build bundled with PyAV lacks ``libx264`` it falls
back to ``libopenh264`` (MP4) and then to VP9 in WebM (``libvpx-vp9``). The timestamps written are
the source frames' timestamps (millisecond time base), so a variable frame rate survives.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from backcare.errors import InputError, MissingExtraError

__all__ = [
    "IMAGE_SUFFIXES",
    "VIDEO_SUFFIXES",
    "AnnotatedVideoWriter",
    "Frame",
    "VideoEncoder",
    "VideoInfo",
    "VideoReader",
    "choose_encoder",
    "media_kind",
    "prefetch",
    "read_image",
    "write_image",
]

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"})
VIDEO_SUFFIXES = frozenset(
    {".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".ts", ".3gp", ".wmv"}
)

MediaKind = Literal["image", "video"]


def _import_av() -> Any:
    try:
        import av
    except ImportError as exc:
        raise MissingExtraError("camera", "Reading and writing video (PyAV)") from exc
    return av


def media_kind(path: str | Path) -> MediaKind:
    """``"image"`` or ``"video"``; raises :class:`InputError` for anything else."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", where=str(path))
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.verify()
        return "image"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        pass
    av = _import_av()
    try:
        with av.open(str(path)) as container:
            if container.streams.video:
                return "video"
    except (av.FFmpegError, OSError, UnicodeDecodeError):
        pass
    raise InputError(
        "not an image or a video that can be read (expected e.g. .jpg, .png, .mp4, .mov, .webm)",
        where=str(path),
    )


def read_image(path: str | Path) -> NDArray[np.uint8]:
    """RGB ``uint8`` array ``(height, width, 3)``, upright as the camera meant (EXIF)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.load()
            upright = ImageOps.exif_transpose(img)
            return np.asarray(upright.convert("RGB"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"cannot be read as an image ({exc})", where=str(path)) from exc


def write_image(path: str | Path, rgb: NDArray[np.uint8]) -> Path:
    """Write an RGB array as PNG or JPEG (by suffix)."""
    from PIL import Image

    path = Path(path)
    Image.fromarray(np.ascontiguousarray(rgb)).save(path)
    return path


@dataclass(frozen=True)
class Frame:
    """One decoded frame: its index among decoded frames, its timestamp [s] and its pixels."""

    index: int
    time_s: float
    rgb: NDArray[np.uint8]


@dataclass(frozen=True)
class VideoInfo:
    """What the container declares about its first video stream."""

    width: int
    height: int
    rate_hz: float | None
    declared_duration_s: float | None
    declared_frames: int | None
    codec: str


def _scaled_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    if not max_side or max(width, height) <= max_side:
        return width, height
    scale = max_side / max(width, height)
    return max(2, round(width * scale)), max(2, round(height * scale))


_I420 = frozenset({"yuv420p", "yuvj420p"})


def _optional_cv2() -> Any | None:
    try:
        import cv2
    except ImportError:
        return None
    return cv2


def _to_rgb(frame: Any, max_side: int | None) -> NDArray[np.uint8]:
    """RGB pixels of a decoded frame, downscaled to ``max_side``.

    4:2:0 frames (nearly every phone and camera video) are converted by OpenCV from their raw
    planes, an order of magnitude faster than FFmpeg's generic RGB conversion (0.15 against
    2.5 ms for 640x480); both use the BT.601 matrix, so the pixels agree to about one level.
    """
    w, h = _scaled_size(frame.width, frame.height, max_side)
    cv2 = _optional_cv2()
    if cv2 is not None and frame.format.name in _I420 and w % 2 == 0 and h % 2 == 0:
        if (w, h) != (frame.width, frame.height):
            frame = frame.reformat(width=w, height=h)
        planes = frame.to_ndarray()
        return np.asarray(cv2.cvtColor(planes, cv2.COLOR_YUV2RGB_I420), dtype=np.uint8)
    return np.asarray(frame.to_ndarray(format="rgb24", width=w, height=h), dtype=np.uint8)


@dataclass
class VideoReader:
    """Decode a video's frames with their real timestamps.

    Parameters
    ----------
    path
        The video file.
    every
        Keep every ``every``-th decoded frame (1 = all).
    fps
        Keep at most ``fps`` frames per second of video time (by timestamp, so a variable frame
        rate is handled); exclusive with ``every``.
    max_side
        Downscale frames whose longer side exceeds this many pixels before analysis (the pose
        model works at 256 px anyway; this only saves conversion time). ``None`` keeps the size.
    """

    path: Path
    every: int | None = None
    fps: float | None = None
    max_side: int | None = 1280
    issues: list[str] = field(default_factory=list)
    decoded: int = 0
    last_time_s: float | None = None

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if self.every is not None and self.fps is not None:
            raise InputError("give either every or fps, not both", where="every/fps")
        if self.every is not None and self.every < 1:
            raise InputError("must be a whole number >= 1", where="every")
        if self.fps is not None and not (self.fps > 0 and math.isfinite(self.fps)):
            raise InputError("must be a positive number of frames per second", where="fps")
        self._av = _import_av()
        self.info = self._probe()

    def _open(self) -> Any:
        av = self._av
        try:
            container = av.open(str(self.path))
        except (av.FFmpegError, OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot be opened as a video ({exc})", where=str(self.path)) from exc
        if not container.streams.video:
            container.close()
            raise InputError("has no video stream", where=str(self.path))
        return container

    def _probe(self) -> VideoInfo:
        with self._open() as container:
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate
            duration = None
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration = container.duration / 1_000_000
            return VideoInfo(
                width=int(stream.codec_context.width or 0),
                height=int(stream.codec_context.height or 0),
                rate_hz=float(rate) if rate else None,
                declared_duration_s=duration,
                declared_frames=int(stream.frames) if stream.frames else None,
                codec=str(stream.codec_context.name),
            )

    def _keep(self, index: int, time_s: float, next_slot: list[float]) -> bool:
        if self.every is not None:
            return index % self.every == 0
        if self.fps is not None:
            if time_s + 1e-9 >= next_slot[0]:
                step = 1.0 / self.fps
                next_slot[0] = (math.floor(time_s / step + 1e-9) + 1) * step
                return True
            return False
        return True

    def __iter__(self) -> Iterator[Frame]:
        av = self._av
        self.issues.clear()
        self.decoded = 0
        self.last_time_s = None
        next_slot = [-math.inf]
        with self._open() as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            start = stream.start_time if stream.start_time is not None else 0
            base = stream.time_base or Fraction(1, 1000)
            frames = container.decode(stream)
            prev_t = -math.inf
            while True:
                try:
                    frame = next(frames)
                except StopIteration:
                    break
                except (av.FFmpegError, OSError) as exc:
                    where = f"frame {self.decoded}" + (
                        f" (after {self.last_time_s:.2f} s)" if self.last_time_s is not None else ""
                    )
                    self.issues.append(
                        f"decoding stopped at {where}: {exc}; results cover the frames decoded "
                        "before it"
                    )
                    break
                pts = frame.pts if frame.pts is not None else frame.dts
                if pts is None:
                    t = prev_t + (1.0 / self.info.rate_hz if self.info.rate_hz else 1 / 30)
                    t = max(t, 0.0)
                else:
                    t = float((pts - start) * base)
                if t <= prev_t:  # a repeated or out-of-order timestamp cannot be placed in time
                    self.issues.append(
                        f"frame {self.decoded} repeats or precedes the time of the frame before "
                        f"it ({t:.3f} s); skipped"
                    )
                    self.decoded += 1
                    continue
                index = self.decoded
                self.decoded += 1
                prev_t = t
                self.last_time_s = t
                if not self._keep(index, t, next_slot):
                    continue
                rgb = _to_rgb(frame, self.max_side)
                rotation = int(getattr(frame, "rotation", 0) or 0)
                if rotation % 360:
                    rgb = np.ascontiguousarray(np.rot90(rgb, k=round(rotation / 90) % 4))
                yield Frame(index=index, time_s=t, rgb=rgb)
        self._check_complete()

    def _check_complete(self) -> None:
        if self.decoded == 0:
            if not self.issues:
                self.issues.append("the video stream holds no decodable frame")
            return
        info = self.info
        if info.declared_frames and self.decoded < 0.98 * info.declared_frames - 1:
            self.issues.append(
                f"only {self.decoded} of the {info.declared_frames} frames the file declares "
                "could be decoded (truncated or damaged file); results cover the decoded part"
            )
        elif (
            info.declared_duration_s
            and self.last_time_s is not None
            and info.rate_hz
            and self.last_time_s < info.declared_duration_s - 3.0 / info.rate_hz - 0.5
        ):
            self.issues.append(
                f"decoded frames end at {self.last_time_s:.2f} s but the file declares "
                f"{info.declared_duration_s:.2f} s (truncated or damaged file); results cover "
                "the decoded part"
            )


def prefetch(frames: Iterable[Frame], depth: int = 4) -> Iterator[Frame]:
    """Iterate ``frames`` while a background thread decodes the next ``depth`` ahead.

    Decoding and colour conversion release the GIL, as does the pose model, so on a machine with
    a free core the decoding of frame i+1 overlaps the pose estimation of frame i. Exceptions
    raised by the producer are re-raised here; closing the iterator early stops the thread.
    """
    import queue
    import threading

    q: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for frame in frames:
                while not stop.is_set():
                    try:
                        q.put(("frame", frame), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(("end", None))
        except BaseException as exc:  # handed over to the consumer
            q.put(("error", exc))

    thread = threading.Thread(target=produce, name="backcare-decode", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = q.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.05)


@dataclass(frozen=True)
class VideoEncoder:
    """A browser-playable encoder available in the bundled FFmpeg."""

    codec: str
    suffix: str
    pix_fmt: str
    options: dict[str, str]


_ENCODER_PREFERENCE = (
    VideoEncoder("libx264", ".mp4", "yuv420p", {"preset": "veryfast", "crf": "23"}),
    VideoEncoder("libopenh264", ".mp4", "yuv420p", {}),
    VideoEncoder("libvpx-vp9", ".webm", "yuv420p", {"deadline": "realtime", "cpu-used": "8"}),
)


def choose_encoder() -> VideoEncoder | None:
    """The first of H.264 (libx264, libopenh264) or VP9 (libvpx-vp9) that PyAV's FFmpeg has."""
    av = _import_av()
    for enc in _ENCODER_PREFERENCE:
        try:
            av.codec.Codec(enc.codec, "w")
        except (av.FFmpegError, ValueError):
            continue
        return enc
    return None


class AnnotatedVideoWriter:
    """Write RGB frames at their own timestamps into a browser-playable file.

    ``path`` is given without a suffix: the encoder's (``.mp4`` or ``.webm``) is appended;
    :attr:`path` holds the file actually written.
    """

    def __init__(self, path: str | Path, width: int, height: int, rate_hz: float | None) -> None:
        av = _import_av()
        enc = choose_encoder()
        if enc is None:
            raise MissingExtraError(
                "camera", "Writing an annotated video (an FFmpeg with libx264 or libvpx-vp9)"
            )
        self.encoder = enc
        base = Path(path)
        self.path = base.with_name(base.name + enc.suffix)
        self._tmp = base.with_name(base.name + ".part" + enc.suffix)
        self.width = width - width % 2  # 4:2:0 chroma needs even sizes
        self.height = height - height % 2
        options = {"movflags": "+faststart"} if enc.suffix == ".mp4" else {}
        self._container = av.open(str(self._tmp), mode="w", format=enc.suffix[1:], options=options)
        rate = Fraction(rate_hz).limit_denominator(1001) if rate_hz else Fraction(30, 1)
        self._stream = self._container.add_stream(enc.codec, rate=rate)
        self._stream.width = self.width
        self._stream.height = self.height
        self._stream.pix_fmt = enc.pix_fmt
        self._stream.time_base = Fraction(1, 1000)
        self._stream.codec_context.time_base = Fraction(1, 1000)
        self._stream.options = dict(enc.options)
        self._av = av
        self._last_pts = -1
        self.frames = 0

    def write(self, rgb: NDArray[np.uint8], time_s: float) -> None:
        """Append one frame shown from ``time_s`` [s] (frames must come in time order)."""
        img = rgb[: self.height, : self.width]
        if img.shape[0] != self.height or img.shape[1] != self.width:
            pad = np.zeros((self.height, self.width, 3), dtype=np.uint8)
            pad[: img.shape[0], : img.shape[1]] = img
            img = pad
        frame = self._av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
        pts = max(round(time_s * 1000), self._last_pts + 1)
        frame.pts = pts
        frame.time_base = Fraction(1, 1000)
        self._last_pts = pts
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames += 1

    def close(self) -> Path:
        """Flush and finish the file; returns its path."""
        for packet in self._stream.encode():
            self._container.mux(packet)
        self._container.close()
        self._tmp.replace(self.path)
        return self.path

    def abort(self) -> None:
        """Close and delete a partly written file."""
        try:
            self._container.close()
        finally:
            self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> AnnotatedVideoWriter:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
