"""Where a note points: a moment or a range of a clip, or a point of a picture.

One check for every door (the pages, the REST API, an outside link): a time only on
what plays (video, mix, sequence, speech), within its length when that is known; a
point only on a picture, as fractions of its width and height from the top left.
"""

from dataclasses import dataclass

from django.dispatch import Signal

from studio.generations.models import Generation

# Sent with `comment` once a note (a comment, with or without a moment) is made, by a
# member or through an outside link: mentions, notifications and webhooks listen.
note_made = Signal()

TIMED_MEDIA = ("video", "audio")
TEXT_LIMIT = 2000


@dataclass(frozen=True)
class Moment:
    at: float | None = None
    until: float | None = None
    point: tuple[float, float] | None = None

    @property
    def fields(self) -> dict:
        x, y = self.point if self.point else (None, None)
        return {"at": self.at, "until": self.until, "point_x": x, "point_y": y}


NOWHERE = Moment()  # a note on the whole item


def is_timed(generation: Generation) -> bool:
    return generation.kind_spec.media in TIMED_MEDIA


def is_picture(generation: Generation) -> bool:
    return generation.kind_spec.media == "image"


def length_seconds(generation: Generation) -> float | None:
    return generation.duration_ms / 1000 if generation.duration_ms else None


def text_problem(text: str) -> str:
    """What is wrong with a note's words (already stripped), or ""."""
    if not text:
        return "Write something first."
    if len(text) > TEXT_LIMIT:
        return f"A comment is at most {TEXT_LIMIT:,} characters; this is {len(text):,}."
    return ""


def first_problem(generation: Generation, text: str, moment: Moment) -> str:
    """The first thing wrong with a note (its words, then where it points), or ""."""
    return text_problem(text) or next(iter(problems(generation, moment).values()), "")


def problems(generation: Generation, moment: Moment) -> dict[str, str]:
    """Field name ("at", "until", "point") -> what is wrong with it; empty when fine."""
    found = {}
    if moment.at is not None or moment.until is not None:
        found |= time_problems(generation, moment.at, moment.until)
    if moment.point is not None:
        found |= point_problems(generation, moment.point)
    return found


def time_problems(generation: Generation, at: float | None, until: float | None) -> dict:
    if not is_timed(generation):
        return {"at": "Only a clip or speech has moments; a picture's note takes a point."}
    if at is None:
        return {"at": "Say where the range starts."}
    if at < 0:
        return {"at": "A moment is 0 seconds or later."}
    length = length_seconds(generation)
    if length is not None and at > length:
        return {"at": f"It is only {length:g} seconds long."}
    if until is not None and until <= at:
        return {"until": "A range ends after it starts."}
    if until is not None and length is not None and until > length:
        return {"until": f"It is only {length:g} seconds long."}
    return {}


def point_problems(generation: Generation, point: tuple[float, float]) -> dict:
    if not is_picture(generation):
        return {"point": "Only a picture's note takes a point; a clip's takes a time."}
    if not all(0 <= value <= 1 for value in point):
        return {"point": "A point is given as fractions of the width and height, 0 to 1."}
    return {}


def clock_label(seconds: float) -> str:
    """1.5 -> 0:01.5, 65 -> 1:05: as a player shows it, tenths when there are some."""
    minutes, rest = divmod(seconds, 60)
    whole = f"{int(minutes)}:{int(rest):02d}"
    tenths = round((rest - int(rest)) * 10)
    return f"{whole}.{tenths}" if tenths and tenths < 10 else whole
