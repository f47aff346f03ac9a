"""Reading MP4s back: what a video holds, and its first frame as a poster."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import av

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
    try:
        container = av.open(str(source) if isinstance(source, Path) else source, "r")
    except av.error.InvalidDataError as error:
        raise ValueError(f"not a video that can be decoded: {error}") from None
    if not container.streams.video:
        container.close()
        raise ValueError("the file has no video stream")
    return container


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


def poster_frame(path_or_file: VideoSource, max_width: int = 640) -> bytes:
    """The first frame as a JPEG, no wider than `max_width`, for a card's poster."""
    with _open_video(path_or_file) as container:
        first = next(container.decode(video=0), None)
    if first is None:
        raise ValueError("the video has no frames")
    # Scaled while converting, so no full-size RGB copy of the frame is ever made.
    width = min(first.width, max_width)
    height = max(1, round(first.height * width / first.width))
    image = first.to_image(width=width, height=height, interpolation="AREA")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=POSTER_JPEG_QUALITY)
    return buffer.getvalue()


@dataclass(frozen=True)
class VideoFacts:
    width: int
    height: int
    fps: float
    frame_count: int
    duration_seconds: float


def facts(source: VideoSource) -> VideoFacts:
    """Size, rate, frames and length from the container's index, without decoding."""
    with _open_video(source) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate or stream.guessed_rate or 0)
        if stream.duration is not None:
            duration = float(stream.duration * stream.time_base)
        else:
            duration = (container.duration or 0) / av.time_base
        frames = stream.frames or round(duration * rate)
        return VideoFacts(stream.width, stream.height, rate, frames, duration)
