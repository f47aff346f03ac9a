"""The finishing forms: a mix of a video and a speech, and a join of clips. Their
fields are ids of the team's finished gallery items, offered as lists to choose from."""

from django import forms

from studio.finishing import joining, parts
from studio.finishing.mixing import FITS
from studio.generations.models import Generation, Status
from studio.generations.templatetags.generations import duration as duration_label
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


class MixForm(forms.Form):
    video = ItemField(what="video", label="Video")
    speech = ItemField(what="speech", label="Speech",
                       help_text="The voice-over: a speech item of the gallery.")
    offset = forms.FloatField(label="Voice starts after (seconds)", min_value=0,
                              max_value=600, initial=0, required=False)
    fit = forms.ChoiceField(label="When the lengths differ", choices=FITS.items(),
                            initial="shortest")
    volume = forms.FloatField(label="Voice volume", min_value=0, max_value=2, initial=1,
                              required=False, help_text="1 is as recorded; 0 to 2.",
                              widget=forms.NumberInput(attrs={"step": "0.1"}))
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
        offset = float(self["offset"].value() or 0)
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


class JoinForm(forms.Form):
    """The clips in the order they are to play (the page lets a person reorder them)."""

    parts = forms.TypedMultipleChoiceField(coerce=int, label="Clips")

    def __init__(self, *args, team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = {item.pk: item for item in finished(team, parts.VIDEO_KINDS)}
        self.fields["parts"].choices = [(pk, choice_label(item))
                                        for pk, item in self.items.items()]
        self.fields["parts"].error_messages["invalid_choice"] = (
            "Only finished videos and mixes of this team's gallery can be joined "
            "(#%(value)s is not one).")

    def clean_parts(self) -> list[int]:
        chosen = self.cleaned_data["parts"]
        if not 2 <= len(chosen) <= joining.MAX_PARTS:
            raise forms.ValidationError(
                f"Choose 2 to {joining.MAX_PARTS} clips to join (this is {len(chosen)}).")
        return chosen

    def ordered(self, ids: list[int]) -> list[Generation]:
        return [self.items[pk] for pk in ids if pk in self.items]
