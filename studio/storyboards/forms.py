"""What the storyboard forms send, read as typed: the pages keep every word a person
typed and show each refusal beside its field; actions.py judges the values."""

from django.http import QueryDict

from studio.storyboards.models import CROSSFADE_MAX, default_provider, default_voice

STORYBOARD_FIELDS = ("title", "script", "look", "voice", "provider", "crossfade")
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
