"""Subtitles from the words a speech was made of: cues timed over the audio.

The API gives no word timing, so the timing is approximate: the text is cut into
sentences and lines, and each gets a share of the audio's duration in proportion to
its length. WebVTT for the players, SRT to download, mov_text samples for an MP4.
"""

import re
from dataclasses import dataclass

MAX_CUE_CHARS = 84  # two lines of a subtitle
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    end: float
    text: str

    def shifted(self, seconds: float) -> "Cue":
        return Cue(self.start + seconds, self.end + seconds, self.text)


def pieces(text: str) -> list[str]:
    """Sentences and lines, long ones cut at word boundaries into cue-sized parts."""
    found = []
    for sentence in SENTENCE_END.split(text):
        words, line = sentence.split(), ""
        for word in words:
            if line and len(line) + 1 + len(word) > MAX_CUE_CHARS:
                found.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        if line:
            found.append(line)
    return found


def cues(text: str, duration: float, *, offset: float = 0.0,
         until: float | None = None) -> list[Cue]:
    """`text` spread over `duration` seconds from `offset`, cut at `until`."""
    parts = pieces(text)
    total = sum(len(part) for part in parts)
    if not parts or duration <= 0:
        return []
    timed, at = [], offset
    for part in parts:
        length = duration * len(part) / total
        timed.append(Cue(round(at, 3), round(at + length, 3), part))
        at += length
    if until is not None:
        timed = [Cue(c.start, min(c.end, until), c.text) for c in timed if c.start < until]
    return timed


def clock(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02}:{minutes:02}:{secs:02}{separator}{millis:03}"


def webvtt(timed: list[Cue]) -> str:
    blocks = [f"{clock(c.start, '.')} --> {clock(c.end, '.')}\n{c.text}" for c in timed]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + ("\n" if blocks else "")


def srt(timed: list[Cue]) -> str:
    return "\n\n".join(f"{n}\n{clock(c.start, ',')} --> {clock(c.end, ',')}\n{c.text}"
                       for n, c in enumerate(timed, start=1)) + ("\n" if timed else "")


def mov_text_sample(text: str) -> bytes:
    """A 3GPP timed-text sample: the UTF-8 text after its 16-bit length."""
    encoded = text.encode()
    return len(encoded).to_bytes(2, "big") + encoded
