"""A small picture of a sound: the peaks of a speech clip, drawn for its card.

Decoded frame by frame and folded into short windows as it goes, so a long clip
is never held in memory: only one peak per window is kept (a few kilobytes for
an hour of speech). The file is judged first (media_limits: an MP3 or WAV within
the limits), and decoding stops at the limit of seconds whatever the file says.
"""

from __future__ import annotations

import io
from array import array
from typing import BinaryIO

import av
from PIL import Image, ImageDraw

from studio.lib import media_limits

WIDTH, HEIGHT = 600, 160
BAR, GAP = 4, 2  # pixels: 100 bars across the picture
# Mid violet at 85%: reads on the light theme's white and the dark theme's near-black.
COLOUR = (124, 111, 240, 217)
RATE = 8000  # samples a second are enough to see where the words are
WINDOW = 400  # samples of RATE per kept peak: 20 a second
FULL_SCALE = 32768


def picture(audio: BinaryIO | str) -> bytes:
    """A WebP of the clip's loudness, WIDTH x HEIGHT on transparency; ValueError
    when `audio` holds no sound that can be decoded."""
    return draw(peaks(audio))


def peaks(audio: BinaryIO | str) -> array:
    """The loudest sample of each WINDOW, 0 to 1, from start to end."""
    if isinstance(audio, str):
        with open(audio, "rb") as file:
            return peaks(file)
    stated = media_limits.sound(audio, "The speech")
    found = array("f")
    carry = array("h")
    most = media_limits.limits().seconds * RATE
    try:
        with media_limits.open_av(audio, "The speech") as container:
            mono = av.AudioResampler(format="s16", layout="mono", rate=RATE)
            for frame in container.decode(audio=0):
                for chunk in mono.resample(frame):
                    carry.extend(samples(chunk))
                    carry = fold(carry, found)
                if len(found) * WINDOW > most:
                    raise media_limits.past_the_limit("The speech", stated.duration_seconds)
            for chunk in mono.resample(None):
                carry.extend(samples(chunk))
            carry = fold(carry, found)
    except media_limits.Refused:
        raise
    except (av.error.FFmpegError, OSError) as error:
        raise ValueError(f"not audio that can be decoded: {error}") from None
    if carry:
        found.append(loudest(carry))
    if not found:
        raise ValueError("the clip has no samples")
    return found


def samples(chunk: av.AudioFrame) -> array:
    values = array("h")
    values.frombytes(bytes(chunk.planes[0])[:chunk.samples * 2])
    return values


def fold(carry: array, found: array) -> array:
    """Append the peak of each whole window in `carry`; what is left over."""
    whole = len(carry) - len(carry) % WINDOW
    for start in range(0, whole, WINDOW):
        found.append(loudest(carry[start:start + WINDOW]))
    return carry[whole:]


def loudest(window: array) -> float:
    return min(1.0, max(max(window), -min(window)) / FULL_SCALE)


def draw(levels: array) -> bytes:
    """Bars mirrored about the middle, scaled to the loudest moment of the clip."""
    bars = WIDTH // (BAR + GAP)
    columns = [max(levels[i * len(levels) // bars:max((i + 1) * len(levels) // bars,
                                                     i * len(levels) // bars + 1)],
                   default=0.0) for i in range(bars)]
    top = max(columns) or 1.0
    scale = 2  # drawn large and scaled down, for soft ends on the bars
    image = Image.new("RGBA", (WIDTH * scale, HEIGHT * scale), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    middle = HEIGHT * scale / 2
    for i, level in enumerate(columns):
        half = max(BAR * scale / 2, (level / top) ** 0.8 * (middle - scale))
        left = (i * (BAR + GAP) + GAP / 2) * scale
        pen.rounded_rectangle((left, middle - half, left + BAR * scale, middle + half),
                              radius=BAR * scale / 2, fill=COLOUR)
    image = image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "WEBP", quality=85, method=4)
    return out.getvalue()
