from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from backcare.camera.video import (
    AnnotatedVideoWriter,
    VideoReader,
    choose_encoder,
    media_kind,
    read_image,
)
from backcare.errors import InputError

from .media import write_clip


def _ramp(i: int) -> np.ndarray:
    img = np.zeros((120, 160, 3), dtype=np.uint8)
    img[:, : 10 + i] = 200
    return img


def test_variable_frame_rate_keeps_the_real_timestamps(tmp_path: Path):
    times = [0.0, 0.033, 0.1, 0.5, 0.52, 1.7, 1.75]
    clip = write_clip(tmp_path / "vfr.mp4", _ramp, len(times), times=times)
    frames = list(VideoReader(clip))
    assert [f.time_s for f in frames] == pytest.approx(times, abs=1e-3)
    assert [f.index for f in frames] == list(range(len(times)))


def test_every_and_fps_sampling(tmp_path: Path):
    clip = write_clip(tmp_path / "c.mp4", _ramp, 60, fps=30)
    assert [f.index for f in VideoReader(clip, every=10)] == [0, 10, 20, 30, 40, 50]
    at_5 = [f.time_s for f in VideoReader(clip, fps=5)]
    assert len(at_5) == 10
    assert np.diff(at_5) == pytest.approx(0.2, abs=0.04)
    with pytest.raises(InputError, match="either"):
        VideoReader(clip, every=2, fps=5)
    with pytest.raises(InputError, match="every"):
        VideoReader(clip, every=0)


def test_truncated_video_keeps_the_decoded_part_and_says_so(tmp_path: Path):
    clip = write_clip(tmp_path / "full.mp4", _ramp, 90, options={"movflags": "+faststart"})
    data = clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.5)])
    reader = VideoReader(cut)
    frames = list(reader)
    assert 0 < len(frames) < 90
    assert reader.issues
    assert "truncated" in " ".join(reader.issues)


def test_non_media_and_missing_files_are_input_errors(tmp_path: Path):
    text = tmp_path / "notes.txt"
    text.write_text("not a video at all\n" * 20)
    with pytest.raises(InputError, match="notes.txt"):
        media_kind(text)
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"\x00" * 1000)
    with pytest.raises(InputError, match="fake.mp4"):
        VideoReader(fake)
    with pytest.raises(InputError, match="no such file"):
        media_kind(tmp_path / "absent.mp4")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    with pytest.raises(InputError, match="broken.png"):
        read_image(broken)


def test_phone_rotation_is_applied(tmp_path: Path):
    clip = write_clip(tmp_path / "rot.mp4", _ramp, 3, rotation=90)
    frame = next(iter(VideoReader(clip)))
    assert frame.rgb.shape == (160, 120, 3)  # displayed upright: portrait


def test_annotated_writer_makes_a_browser_codec_file(tmp_path: Path):
    enc = choose_encoder()
    assert enc is not None
    assert enc.codec in {"libx264", "libopenh264", "libvpx-vp9"}
    times = [0.0, 0.05, 0.3, 0.35]
    with AnnotatedVideoWriter(tmp_path / "out", 161, 121, 20.0) as writer:
        for t in times:
            writer.write(np.full((121, 161, 3), 128, dtype=np.uint8), t)
    assert writer.path.suffix == enc.suffix
    with av.open(str(writer.path)) as c:
        stream = c.streams.video[0]
        assert stream.codec_context.name in {"h264", "vp9", "libvpx-vp9"}
        assert (stream.width, stream.height) == (160, 120)  # even sizes for 4:2:0
        got = [float(f.pts * f.time_base) for f in c.decode(stream)]
    assert got == pytest.approx(times, abs=1e-3)
