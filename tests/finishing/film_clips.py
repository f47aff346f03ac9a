"""Clips of one flat colour (and a steady tone, or silence) made with PyAV, so what a
join does to their pictures and sound can be read back exactly."""

import array
import math
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image

FPS = 24
RATE = 48_000


def colour_clip(path: Path, rgb: tuple[int, int, int], seconds: float, *,
                size: tuple[int, int] = (320, 240), tone: float = 0.0, pitch: float = 440.0,
                then: tuple[int, int, int] | None = None) -> Path:
    """`seconds` of `rgb` at 24 fps (its second half `then`, if given); with `tone`,
    a sine of `pitch` Hz and that amplitude."""
    width, height = size
    with av.open(str(path), "w", format="mp4") as out:
        picture = out.add_stream("libx264", rate=FPS, options={"preset": "ultrafast"})
        picture.width, picture.height, picture.pix_fmt = width, height, "yuv420p"
        sound = out.add_stream("aac", rate=RATE, layout="mono") if tone else None
        frames = round(seconds * FPS)
        for number in range(frames):
            frame = flat_frame(then if then and number >= frames / 2 else rgb, size)
            frame.pts, frame.time_base = number, Fraction(1, FPS)
            for packet in picture.encode(frame):
                out.mux(packet)
        for packet in picture.encode(None):
            out.mux(packet)
        if sound is not None:
            write_tone(out, sound, tone, pitch, seconds)
    return path


def flat_frame(rgb, size):
    return av.VideoFrame.from_image(Image.new("RGB", size, rgb)).reformat(format="yuv420p")


def write_tone(out, sound, amplitude: float, pitch: float, seconds: float) -> None:
    total, at = round(seconds * RATE), 0
    while at < total:
        count = min(1024, total - at)
        samples = array.array("f", (amplitude * math.sin(2 * math.pi * pitch * (at + n) / RATE)
                                    for n in range(count)))
        frame = av.AudioFrame(format="fltp", layout="mono", samples=count)
        frame.sample_rate = RATE
        frame.planes[0].update(samples.tobytes())
        frame.pts, frame.time_base = at, Fraction(1, RATE)
        at += count
        for packet in sound.encode(frame):
            out.mux(packet)
    for packet in sound.encode(None):
        out.mux(packet)


def colour_at(path, seconds: float) -> tuple[int, int, int]:
    """The colour at the middle of the picture shown at `seconds`."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        shown = None
        for frame in container.decode(stream):
            if frame.time > seconds + 1e-6:
                break
            shown = frame
        image = shown.to_image()
        return image.getpixel((image.width // 2, image.height // 2))
