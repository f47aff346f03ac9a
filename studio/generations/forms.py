"""One form per kind, every field and limit read from the catalog."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from studio.lib.images import check_image_url, check_upload
from studio.multimodal import catalog

LONG_TEXT = 300  # above this many characters a field gets a text area


def field_for(param: catalog.Param) -> forms.Field:
    common = {"label": param.label, "help_text": param.help,
              "required": param.required, "initial": param.default}
    if param.choices is not None:
        choices = [(c, str(c).replace("_", " ")) for c in param.choices]
        coerce = param.type if param.type is not str else str
        return forms.TypedChoiceField(choices=choices, coerce=coerce,
                                      empty_value=param.default, **common)
    if param.type is int:
        return forms.IntegerField(min_value=param.min, max_value=param.max, **common)
    if param.type is float:
        return forms.FloatField(min_value=param.min, max_value=param.max,
                                widget=forms.NumberInput(attrs={"step": "0.5"}),
                                **common)
    if param.name.endswith("_url"):
        widget = forms.URLInput(attrs={"placeholder": "https://…"})
    elif (param.max_length or 0) > LONG_TEXT:
        widget = forms.Textarea(attrs={"rows": 4})
    else:
        widget = forms.TextInput
    return forms.CharField(min_length=param.min_length, max_length=param.max_length,
                           strip=True, widget=widget, **common)


class GenerationForm(forms.Form):
    """Base of every kind's form; `kind` names its catalog entry."""

    kind: catalog.Kind

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        for param in self.kind.params:
            self.fields[param.name] = field_for(param)

    def api_params(self) -> dict:
        """The cleaned values as the API wants them, defaults filled in."""
        return self.kind.with_defaults(
            {name: self.cleaned_data.get(name) for name in self.api_names()})

    def api_names(self) -> list[str]:
        return [param.name for param in self.kind.params]

    @property
    def cost_preview(self) -> int:
        """What the form's current values would cost."""
        chosen = {name: self[name].value() for name in self.fields}
        try:
            return self.kind.cost_for(chosen)
        except KeyError:
            return self.kind.cost

    def clean(self) -> dict:
        cleaned = super().clean()
        for name, problem in self.kind.violations(self.checked_params(cleaned)).items():
            if name not in self.errors:
                self.add_error(name if name in self.fields else None, problem)
        return cleaned

    def checked_params(self, cleaned: dict) -> dict:
        return self.kind.with_defaults(cleaned)


class I2vForm(GenerationForm):
    """Image to video: the picture comes from the gallery, an upload, or a URL."""

    kind = catalog.get(catalog.VIDEO_I2V)
    SIGNED_LATER = "https://signed-link.invalid/"  # stands in while validating

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, team=team, **kwargs)
        self.fields["source"] = forms.ModelChoiceField(
            queryset=gallery_images(team), required=False, label="From the gallery",
            empty_label="— choose an image —",
            help_text="Any finished image of your team.")
        self.fields["source"].label_from_instance = describe_image
        self.fields["image_file"] = forms.FileField(
            required=False, label="Or upload an image",
            help_text="JPEG, PNG or WebP, up to "
                      f"{settings.STUDIO_MAX_UPLOAD_BYTES // 1_000_000} MB.",
            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        self.fields["image_url"].required = False
        self.fields["image_url"].label = "Or a public image URL"
        self.fields["provider"].widget = forms.RadioSelect(
            choices=self.fields["provider"].choices)
        self.order_fields(["source", "image_file", "image_url", "motion_prompt", "provider"])

    def clean_image_file(self):
        upload = self.cleaned_data.get("image_file")
        if upload:
            self.upload_extension = check_upload(upload)
        return upload

    def clean(self) -> dict:
        cleaned = super().clean()
        given = [name for name in ("source", "image_file", "image_url") if cleaned.get(name)]
        if not given and not self.has_error("image_file") and not self.has_error("image_url"):
            self.add_error("source", "Choose a gallery image, upload one, or give its URL.")
        elif len(given) > 1:
            self.add_error(given[1], "Give only one picture: a gallery image, an upload "
                                     "or a URL.")
        elif given == ["image_url"] and not self.has_error("image_url"):
            try:
                check_image_url(cleaned["image_url"])
            except ValidationError as exc:
                self.add_error("image_url", exc)
        return cleaned

    def checked_params(self, cleaned: dict) -> dict:
        stand_in = cleaned.get("image_url") or self.SIGNED_LATER
        return self.kind.with_defaults({**cleaned, "image_url": stand_in})

    def api_names(self) -> list[str]:
        names = super().api_names()
        if not self.cleaned_data.get("image_url"):
            names.remove("image_url")  # the task signs a link to the team's image
        return names


class TtsForm(GenerationForm):
    """Speech; as a voice-over it remembers the video it narrates."""

    kind = catalog.get(catalog.TTS)

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, team=team, **kwargs)
        self.fields["source"] = forms.ModelChoiceField(
            queryset=team_media(team, "video"), required=False,
            widget=forms.HiddenInput)


def describe_image(generation) -> str:
    return f"#{generation.pk} · {generation.summary[:70]}"


def gallery_images(team):
    return team_media(team, "image")


def team_media(team, media: str):
    """The team's finished, not deleted generations of one media type."""
    from studio.generations.models import Generation, Status

    if team is None:
        return Generation.objects.none()
    kinds = [k.endpoint_type for k in catalog.KINDS.values() if k.media == media]
    return Generation.objects.filter(team=team, kind__in=kinds, status=Status.SUCCEEDED,
                                     deleted_at=None).order_by("-created_at")


def form_class(kind: catalog.Kind) -> type[GenerationForm]:
    if kind.endpoint_type == catalog.VIDEO_I2V:
        return I2vForm
    if kind.endpoint_type == catalog.TTS:
        return TtsForm
    name = kind.slug.capitalize() + "Form"
    return type(name, (GenerationForm,), {"kind": kind})


FORMS: dict[str, type[GenerationForm]] = {
    kind.endpoint_type: form_class(kind) for kind in catalog.KINDS.values()
}
