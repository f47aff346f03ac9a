"""What the storyboard forms send, read as typed: the pages keep every word a person
typed and show each refusal beside its field; actions.py judges the values."""

from django.http import QueryDict

from studio.storyboards.models import (
    CROSSFADE_MAX,
    Storyboard,
    default_provider,
    default_voice,
)

STORYBOARD_FIELDS = ("title", "script", "look", "voice", "provider", "crossfade")
SETTINGS_FIELDS = ("title", "look", "voice", "provider", "crossfade")
SCENE_FIELDS = ("narration", "picture_prompt", "motion_prompt")
SCRIPT_EXAMPLE = """\
A lighthouse keeper wakes before dawn.
Picture: a lighthouse on a cliff at dawn
Motion: slow push in towards the lamp

He climbs the stairs with a lamp.

The light sweeps over the sea.
Motion: the beam turns across the waves"""


def blank_storyboard() -> dict[str, str]:
    return {"title": "", "script": "", "look": "", "voice": default_voice(),
            "provider": default_provider(), "crossfade": "0"}


def typed(data: QueryDict, names: tuple[str, ...]) -> dict[str, str]:
    return {name: data.get(name, "") for name in names if name in data}


def crossfade(value: str) -> tuple[float | None, str]:
    """Seconds from what was typed, or (None, the error to show beside the field)."""
    try:
        seconds = float((value or "0").replace(",", "."))
    except ValueError:
        return None, f"Seconds, 0 (a cut) to {CROSSFADE_MAX:g}: like 0.5."
    return seconds, ""


def position(value: str) -> int | None:
    """A 1-based place as shown, to the 0-based position actions.py takes."""
    try:
        return max(0, int(value) - 1)
    except (TypeError, ValueError):
        return None


def settings_of(storyboard: Storyboard) -> dict[str, str]:
    """The settings form's values as a page shows them."""
    return {"title": storyboard.title, "look": storyboard.look, "voice": storyboard.voice,
            "provider": storyboard.provider, "crossfade": f"{storyboard.crossfade:g}"}


def at_char(value: str, saved: str, typed: str | None) -> int | None:
    """The cursor's place in the narration as saved, from its place in the narration
    as typed (saving drops the spaces in front); None when no cursor was sent."""
    try:
        cursor = int(value)
    except (TypeError, ValueError):
        return None
    if typed is not None:
        cursor -= len(typed) - len(typed.lstrip())
    return max(0, min(cursor, len(saved)))
