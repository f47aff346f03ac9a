"""Reading MP4s back: what a video holds, and its first frame as a poster. Every
file is judged by media_limits (an MP4 within the limits, by its header) before a
frame of it is decoded."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import av

from studio.lib import media_limits
from studio.lib.media_limits import VideoFacts

POSTER_JPEG_QUALITY = 80


@dataclass(frozen=True)
class RenderedVideo:
    path: Path
    width: int
    height: int
    fps: int
    frame_count: int
    duration_seconds: float


VideoSource = Path | str | BinaryIO


def _open_video(source: VideoSource) -> av.container.InputContainer:
    container = media_limits.open_av(source, "The video")
    if not container.streams.video:
        container.close()
        raise ValueError("the file has no video stream")
    return container


@contextlib.contextmanager
def as_file(source: VideoSource) -> Iterator[BinaryIO]:
    if hasattr(source, "read"):
        yield source
    else:
        with open(source, "rb") as file:
            yield file


def probe(path: Path) -> RenderedVideo:
    """What the MP4 at `path` really holds; frames are decoded and counted."""
    with _open_video(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        frame_count = sum(1 for _ in container.decode(stream))
        if stream.duration is not None:
            duration = float(stream.duration * stream.time_base)
        else:
            duration = (container.duration or 0) / av.time_base
        rate = stream.average_rate or stream.guessed_rate or 0
        return RenderedVideo(
            path, stream.width, stream.height, round(float(rate)), frame_count, duration
        )


def poster_frame(path_or_file: VideoSource, max_width: int = 640,
                 what: str = "The video") -> bytes:
    """The first frame as a JPEG, no wider than `max_width`, for a card's poster;
    media_limits.Refused (a ValueError) when the file is not a video within the limits
    or its first frame cannot be decoded."""
    with as_file(path_or_file) as file:
        media_limits.video(file, what)
        try:
            with media_limits.open_av(file, what) as container:
                first = next(container.decode(video=0), None)
        except media_limits.Refused:
            raise
        except Exception as exc:  # the decoder's words for a broken first frame
            raise media_limits.Refused(f"{what}'s first frame cannot be decoded "
                                       f"({media_limits.describe_error(exc)}).") from None
    if first is None:
        raise media_limits.Refused(f"{what} has no frames.")
    # Scaled while converting, so no full-size RGB copy of the frame is ever made.
    width = min(first.width, max_width)
    height = max(1, round(first.height * width / first.width))
    image = first.to_image(width=width, height=height, interpolation="AREA")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=POSTER_JPEG_QUALITY)
    return buffer.getvalue()


def facts(source: VideoSource, what: str = "The video") -> VideoFacts:
    """Size, rate, frames and length from the container's header, without decoding;
    media_limits.Refused (a ValueError) for a file outside the limits."""
    with as_file(source) as file:
        return media_limits.video(file, what)
