"""The finishing forms: a mix of a video and a speech, and a join of clips. Their
fields are ids of the team's finished gallery items, offered as lists to choose from."""

import math
from dataclasses import dataclass, field

from django import forms
from django.urls import reverse

from studio.finishing import joining, parts
from studio.finishing.mixing import FITS
from studio.generations.models import Generation, Status
from studio.generations.templatetags.generations import duration as duration_label
from studio.lib.converters import parse_id
from studio.multimodal import catalog

CHOICES_SHOWN = 200
MISMATCH_SECONDS = 0.5


def finished(team, kinds: list[str]):
    return (Generation.objects.for_team(team).in_gallery().filter(kind__in=kinds,
                                                                  status=Status.SUCCEEDED)
            .exclude(media="").order_by("-id"))


def choice_label(item: Generation) -> str:
    words = item.summary[:60] + ("…" if len(item.summary) > 60 else "")
    length = f" ({duration_label(item.duration_ms)})" if item.duration_ms else ""
    return f"#{item.pk} · {words or item.get_kind_display()}{length}"


class ItemField(forms.TypedChoiceField):
    """An id of one of the team's finished items; a clear message for any other."""

    def __init__(self, *, what: str, **kwargs) -> None:
        super().__init__(coerce=int, empty_value=None, **kwargs)
        self.error_messages["invalid_choice"] = (
            f"Choose a finished {what} of this team's gallery (not one in the trash).")
        self.error_messages["required"] = f"Choose the {what}."


class RangeInput(forms.NumberInput):
    """A slider: a number within the field's min and max, never blank."""

    input_type = "range"


class MixForm(forms.Form):
    video = ItemField(what="video", label="Video")
    speech = ItemField(what="speech", label="Speech",
                       help_text="The voice-over: a speech item of the gallery.")
    offset = forms.FloatField(label="Voice starts after (seconds)", min_value=0,
                              max_value=600, initial=0, required=False,
                              widget=forms.NumberInput(attrs={"step": "0.1"}))
    fit = forms.ChoiceField(label="When the lengths differ", choices=FITS.items(),
                            initial="shortest")
    volume = forms.FloatField(label="Voice volume", min_value=0, max_value=2, initial=1,
                              required=False, help_text="1 is as recorded; 0 to 2.",
                              widget=RangeInput(attrs={"step": "0.05", "data-mix-volume": ""}))
    subtitles = forms.BooleanField(label="Subtitle track in the MP4", required=False,
                                   initial=True,
                                   help_text="From the speech's text, timed "
                                             "approximately over its length.")

    def __init__(self, *args, team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = {}
        for name, kinds in (("video", parts.VIDEO_KINDS), ("speech", [catalog.TTS])):
            found = list(finished(team, kinds)[:CHOICES_SHOWN])
            self.items.update({item.pk: item for item in found})
            self.fields[name].choices = [("", "Choose…")] + [
                (item.pk, choice_label(item)) for item in found]
            self.fields[name].widget.attrs["data-durations"] = ",".join(
                f"{item.pk}:{item.duration_ms or 0}" for item in found)

    def preview_media(self) -> dict[int, dict]:
        """What the page's preview plays of each item it offers: its media, poster and
        length (for the script, as JSON)."""
        return {pk: {"media": reverse("generation_media", args=[pk]),
                     "poster": reverse("generation_poster", args=[pk]) if item.poster else "",
                     "seconds": (item.duration_ms or 0) / 1000, "name": choice_label(item)}
                for pk, item in self.items.items()}

    def chosen(self, name: str) -> Generation | None:
        value = self[name].value()
        try:
            return self.items.get(int(value))
        except (TypeError, ValueError):
            return None

    @property
    def mismatch(self) -> str:
        """A warning when the chosen video and voice differ by more than half a second."""
        video, speech = self.chosen("video"), self.chosen("speech")
        if not (video and speech and video.duration_ms and speech.duration_ms):
            return ""
        try:
            offset = typed_seconds(str(self["offset"].value() or "")) or 0.0
        except ValueError:  # its own error is shown beside it
            return ""
        gap = (offset * 1000 + speech.duration_ms - video.duration_ms) / 1000
        if abs(gap) <= MISMATCH_SECONDS:
            return ""
        longer = "voice" if gap > 0 else "video"
        return f"The {longer} runs {abs(gap):.1f} s longer."

    def params(self) -> dict:
        data = self.cleaned_data
        speech = self.items[data["speech"]]
        return {"video": data["video"], "speech": data["speech"],
                "offset": data["offset"] or 0, "fit": data["fit"],
                "volume": 1.0 if data["volume"] is None else data["volume"],
                "subtitles": data["subtitles"], "text": speech.params.get("text", ""),
                "speech_ms": speech.duration_ms or 0}


# The join's timing, as the editor lets a person set it.
CROSSFADE_MAX = 5.0  # seconds a clip may dissolve into the one before it
SHORTEST_KEPT = 0.2  # seconds of a clip a trim must keep
END_SLACK = 0.05  # a clip's stated length is rounded to the millisecond
TIMING_FIELDS = ("trim_in", "trim_out", "crossfade")
PICKER_SHOWN = 48


def typed_seconds(text: str) -> float | None:
    """Seconds a person typed: None when blank; ValueError when not a number >= 0."""
    text = (text or "").strip()
    if not text:
        return None
    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise ValueError(text)
    return value


def seconds_label(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + " s"


@dataclass
class Clip:
    """One clip of the timeline as typed: the strings are kept, so nothing a person
    typed is lost when the page comes back with errors or after an edit."""

    item: Generation
    trim_in: str = ""
    trim_out: str = ""
    crossfade: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float | None:
        return self.item.duration_ms / 1000 if self.item.duration_ms else None

    @property
    def kept(self) -> tuple[float, float | None]:
        """(in, out) as far as they read as numbers; out None is the clip's end."""
        try:
            start = typed_seconds(self.trim_in) or 0.0
        except ValueError:
            start = 0.0
        try:
            end = typed_seconds(self.trim_out)
        except ValueError:
            end = None
        return start, end

    @property
    def kept_seconds(self) -> float:
        start, end = self.kept
        end = self.seconds if end is None else end
        return max(0.0, (end or 0.0) - start)

    @property
    def fade(self) -> float:
        try:
            return typed_seconds(self.crossfade) or 0.0
        except ValueError:
            return 0.0


class JoinForm(forms.Form):
    """The clips in the order they are to play, each with its trim and the crossfade
    into it from the clip before (the page is a timeline). The timing comes as lists
    beside `parts`, one entry per clip in the same order: `trim_in`, `trim_out`
    (seconds on the clip's own clock; blank: its start, its end) and `crossfade`
    (seconds; blank or 0: a cut; the first clip's is ignored)."""

    parts = forms.TypedMultipleChoiceField(coerce=int, label="Clips")

    def __init__(self, data=None, *, team, query=None, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.items = {item.pk: item for item in finished(team, parts.VIDEO_KINDS)}
        self.fields["parts"].choices = [(pk, choice_label(item))
                                        for pk, item in self.items.items()]
        self.fields["parts"].error_messages["invalid_choice"] = (
            "Only finished videos and mixes of this team's gallery can be joined "
            "(#%(value)s is not one).")
        if data is not None:
            self.clips = self.typed(data, "parts")
        else:
            self.clips = self.typed(query, "ids") if query is not None else []

    def typed(self, data, ids_name: str) -> list[Clip]:
        ids = data.getlist(ids_name)
        timing = {name: data.getlist(name) for name in TIMING_FIELDS}
        clips = []
        for n, value in enumerate(ids):
            item = self.items.get(parse_id(str(value)) or 0)
            if item is not None:
                clips.append(Clip(item, **{name: (values[n] if n < len(values) else "")
                                           for name, values in timing.items()}))
        return clips

    @property
    def pickable(self) -> list[Generation]:
        return list(self.items.values())[:PICKER_SHOWN]

    @property
    def total_seconds(self) -> float:
        """The joined length: the clips as trimmed, less the crossfades' overlaps."""
        kept = [clip.kept_seconds for clip in self.clips]
        return sum(kept) - sum(clip.fade for clip in self.clips[1:])

    def clean_parts(self) -> list[int]:
        chosen = self.cleaned_data["parts"]
        if not 2 <= len(chosen) <= joining.MAX_PARTS:
            raise forms.ValidationError(
                f"Choose 2 to {joining.MAX_PARTS} clips to join (this is {len(chosen)}).")
        return chosen

    def clean(self) -> dict:
        cleaned = super().clean()
        if "parts" not in cleaned:
            return cleaned
        trims = [self.trim_of(clip) for clip in self.clips]
        fades = [0.0] + [self.fade_of(clip) for clip in self.clips[1:]]
        lengths = [None if trim is None else (trim[1] or clip.seconds or 0) - trim[0]
                   for clip, trim in zip(self.clips, trims)]
        self.check_overlaps(fades, lengths)
        if any(clip.errors for clip in self.clips):
            raise forms.ValidationError(
                "Some clips' timing needs a fix: see the marks beside them.")
        cleaned["trims"] = [[start, end] for start, end in trims]
        cleaned["crossfades"] = fades
        return cleaned

    def trim_of(self, clip: Clip) -> tuple[float, float | None] | None:
        """(in, out or None for the clip's end), or None after noting what is wrong."""
        try:
            start = typed_seconds(clip.trim_in) or 0.0
        except ValueError:
            clip.errors.append("In: give the seconds to start from, e.g. 1.5.")
            return None
        try:
            end = typed_seconds(clip.trim_out)
        except ValueError:
            clip.errors.append("Out: give the seconds to stop at, e.g. 4.")
            return None
        length = clip.seconds
        if length is not None and end is not None and end > length + END_SLACK:
            clip.errors.append(f"Out ({seconds_label(end)}) is past the clip's end "
                               f"({seconds_label(length)}).")
            return None
        if length is not None and end is not None and end >= length - END_SLACK:
            end = None  # to the end: the clip's own length, whatever rounding said
        stop = end if end is not None else length
        if stop is not None and stop - start < SHORTEST_KEPT:
            clip.errors.append(
                f"In ({seconds_label(start)}) must be at least {seconds_label(SHORTEST_KEPT)} "
                f"before Out ({seconds_label(stop)}).")
            return None
        return start, end

    def fade_of(self, clip: Clip) -> float:
        try:
            fade = typed_seconds(clip.crossfade) or 0.0
        except ValueError:
            clip.errors.append("Crossfade: give seconds, or 0 for a cut.")
            return 0.0
        if fade > CROSSFADE_MAX:
            clip.errors.append(f"A crossfade lasts at most {seconds_label(CROSSFADE_MAX)} "
                               f"(this is {seconds_label(fade)}).")
            return 0.0
        return fade

    def check_overlaps(self, fades: list[float], lengths: list[float | None]) -> None:
        """A crossfade must fit inside both clips it joins, and a clip's two crossfades
        must not eat all of it."""
        for n, clip in enumerate(self.clips):
            fade, length, before = fades[n], lengths[n], lengths[n - 1] if n else None
            if length is None or not fade:
                continue
            if fade >= length:
                clip.errors.append(f"The {seconds_label(fade)} crossfade is longer than this "
                                   f"clip ({seconds_label(length)} as trimmed).")
            elif before is not None and fade >= before:
                clip.errors.append(f"The {seconds_label(fade)} crossfade is longer than the "
                                   f"clip before ({seconds_label(before)} as trimmed).")
            elif n + 1 < len(fades) and fade + fades[n + 1] >= length:
                clip.errors.append(
                    f"Its crossfades ({seconds_label(fade)} in, {seconds_label(fades[n + 1])} "
                    f"out) take all of its {seconds_label(length)}: shorten one.")

    def params(self) -> dict:
        data = self.cleaned_data
        return {"parts": data["parts"], "trims": data["trims"],
                "crossfades": data["crossfades"]}

    def edited(self, edit: str, added: list[str]) -> None:
        """A change made without JavaScript: `up:N`, `down:N`, `remove:N` (N from 0) or
        `add` (the ids ticked in the picker, at the end)."""
        action, _, where = edit.partition(":")
        n = parse_id(where) if where else None
        clips = self.clips
        if action == "add":
            clips.extend(Clip(self.items[pk]) for pk in map(parse_id, added)
                         if pk in self.items)
        elif n is None or n >= len(clips):
            return
        elif action == "remove":
            del clips[n]
        elif action == "up" and n > 0:
            clips[n - 1], clips[n] = clips[n], clips[n - 1]
        elif action == "down" and n + 1 < len(clips):
            clips[n], clips[n + 1] = clips[n + 1], clips[n]

    def ordered(self, ids: list[int]) -> list[Generation]:
        return [self.items[pk] for pk in ids if pk in self.items]
