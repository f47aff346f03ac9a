"""One form per kind, every field and limit read from the catalog."""

import json
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

from studio.generations import alternatives, frames, sources
from studio.generations.models import Generation, Lane
from studio.lib.converters import parse_id
from studio.multimodal import catalog

LONG_TEXT = 300  # above this many characters a field gets a text area
STYLES_OFFERED = 20


def parse_int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def field_for(param: catalog.Param) -> forms.Field:
    common = {"label": param.label, "help_text": param.help,
              "required": param.required, "initial": param.default}
    if is_words(param):
        common["help_text"] = f"{param.help} {alternatives.WORDS_HELP}".lstrip()
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
    elif is_words(param):
        widget = forms.Textarea(attrs={"rows": 4, "placeholder": param.help})
    else:
        widget = forms.TextInput
    return TypedText(min_length=param.min_length, max_length=param.max_length,
                     strip=True, widget=widget, **common)


def is_words(param: catalog.Param) -> bool:
    """The prompt, text or motion prompt: what a person writes, shown first and large."""
    return (param.type is str and param.choices is None and not param.name.endswith("_url")
            and (param.max_length or 0) > LONG_TEXT)


class WithinLength(MaxLengthValidator):
    """max_length, saying by how much a text is over (with separators: "6,000")."""

    message = ("This is %(length)s characters, %(over)s over the limit of %(limit)s. "
               "Shorten it; nothing was cut.")

    def __call__(self, value: str) -> None:
        if len(value) > self.limit_value:
            raise ValidationError(self.message, code=self.code, params={
                "length": f"{len(value):,}", "limit": f"{self.limit_value:,}",
                "over": f"{len(value) - self.limit_value:,}"})


class TypedText(forms.CharField):
    """Typed text: never cut short in the browser (the widget gets no `maxlength`,
    a pasted script arrives whole and the error says what is over) and counted as
    the page counts it (a browser sends each newline as CR LF)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [WithinLength(self.max_length) if isinstance(v, MaxLengthValidator)
                           else v for v in self.validators]

    def widget_attrs(self, widget: forms.Widget) -> dict:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs

    def to_python(self, value) -> str:
        return super().to_python(value).replace("\r\n", "\n")


@dataclass(frozen=True)
class Count:
    """A text's length against its limit, as the counter under the field shows it."""

    length: int
    limit: int
    NEAR = 0.8  # a one-line field shows its counter from this share of the limit on

    @property
    def over(self) -> int:
        return max(0, self.length - self.limit)

    @property
    def near(self) -> bool:
        return self.length >= self.NEAR * self.limit


class FieldWithCount(forms.BoundField):
    """Describes its control by the help, the character limit (the counter under
    it, generations/_field.html) and the error, by the ids that template gives them."""

    @property
    def count(self) -> Count | None:
        limit = getattr(self.field, "max_length", None)
        if not limit or not isinstance(self.field, TypedText):
            return None
        text = str(self.value() or "").replace("\r\n", "\n").strip()
        return Count(len(text), limit)

    @property
    def suggestion(self) -> str:
        """Words offered for an empty field (GenerationForm.offer_suggestion)."""
        return self.field.widget.attrs.get("data-suggestion", "")

    @property
    def aria_describedby(self) -> str | None:
        if self.field.widget.attrs.get("aria-describedby") or not self.auto_id \
                or self.is_hidden:
            return None
        parts = [self.help_text and f"{self.auto_id}_helptext",
                 self.count and f"{self.auto_id}-limit",
                 self.errors and f"{self.auto_id}-error"]
        return " ".join(filter(None, parts))


class GenerationForm(forms.Form):
    """A kind's form, built from its catalog entry: its parameters, and the source
    fields when it is made from an item of the gallery (sources.py)."""

    kind: catalog.Kind
    bound_field_class = FieldWithCount

    def __init__(self, *args, team=None, may_rush: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        for param in self.kind.params:
            self.fields[param.name] = field_for(param)
        if self.kind.providers:
            self.fields["provider"].widget = forms.RadioSelect(
                choices=self.fields["provider"].choices)
        if self.kind.source:
            sources.add_fields(self, self.kind.source, team)
            self.offer_suggestion()
        if team is not None and "style" in self.fields:
            self.offer_styles(team)
        self.frame_range = frames.Range.of(self.kind)
        if self.frame_range:
            self.add_frame_fields()
        self.fields["count"] = forms.IntegerField(
            label="How many", min_value=1, max_value=alternatives.MAX_COUNT, initial=1,
            widget=forms.NumberInput(attrs={"data-digest-skip": "1",
                                            "data-digest-prefix": "×"}),
            required=False, help_text=f"Each a generation of its own, 1 to "
            f"{alternatives.MAX_COUNT}. Alternatives written {{dawn|dusk}} make one each.")
        lanes = [lane for lane in Lane if may_rush or lane != Lane.URGENT]
        self.fields["lane"] = forms.TypedChoiceField(
            label="Lane", choices=[(lane.value, lane.label) for lane in lanes],
            widget=forms.Select(attrs={"data-digest-skip": Lane.NORMAL}),
            initial=Lane.NORMAL, required=False, empty_value=Lane.NORMAL,
            help_text="Background work goes only when nothing else of its kind waits"
                      + ("; urgent work goes first." if may_rush else "."))

    def offer_styles(self, team) -> None:
        """The styles the team has used for this kind, most used first, offered as
        the field is typed in (a datalist: any other style can still be typed)."""
        field = self.fields["style"]
        field.suggestions = list(
            Generation.objects.for_team(team).filter(kind=self.kind.endpoint_type)
            .exclude(params__style="").exclude(params__style=None)
            .values_list("params__style", flat=True).annotate(uses=models.Count("id"))
            .order_by("-uses", "params__style")[:STYLES_OFFERED])
        if field.suggestions:
            field.widget.attrs["list"] = f"{self['style'].auto_id}-styles"

    def add_frame_fields(self) -> None:
        """Shape and size, before width and height: choosing them sets both (here, and
        in the page as they change); "Custom" keeps the pixels typed."""
        allowed = self.frame_range
        typed = {**(self.initial or {})}
        aspect, size = frames.named(allowed, parse_int(typed.get("width"), 1024),
                                    parse_int(typed.get("height"), 1024))
        fields = {
            "aspect": forms.ChoiceField(
                label="Shape", required=False, initial=aspect,
                choices=[(name, name) for name, _, _ in frames.ASPECTS]
                + [(frames.CUSTOM, "Custom")],
                widget=forms.RadioSelect(attrs={"data-frames": json.dumps(
                    frames.table(allowed))})),
            "size": forms.ChoiceField(label="Size", required=False, initial=size,
                                      choices=frames.SIZES, widget=forms.RadioSelect),
        }
        order = list(self.fields)
        at = order.index("width")
        self.fields = {name: (fields | dict(self.fields))[name]
                       for name in [*order[:at], *fields, *order[at:]]}

    def offer_suggestion(self) -> None:
        """The source's words, offered beside the empty field (a voice-over starts
        empty: the video's prompt describes the picture, not what to say)."""
        words = str((self.initial or {}).get("suggest", ""))[:2000]
        name = self.kind.source.suggest
        if words and name in self.fields:
            self.fields[name].widget.attrs["data-suggestion"] = words

    @property
    def words_fields(self) -> list[forms.BoundField]:
        """The prompt or text: first and large."""
        return [self[p.name] for p in self.kind.params if is_words(p)]

    @property
    def source_fields(self) -> list[forms.BoundField]:
        """Where the picture comes from: a gallery item, an upload or a URL."""
        rule = self.kind.source
        if rule is None or not rule.param:
            return []
        return [self[name] for name in ("source", "image_file", rule.param)
                if name in self.fields]

    @property
    def setting_fields(self) -> list[forms.BoundField]:
        """Everything else, folded away under "Settings"."""
        shown = {f.name for f in self.words_fields + self.source_fields}
        return [field for field in self.visible_fields() if field.name not in shown]

    def api_params(self) -> dict:
        """The cleaned values as the API wants them, defaults filled in; a source
        from the gallery is signed for each call instead (sources.api_params)."""
        left_out = sources.signed_later(self.kind.source, self.cleaned_data)
        return self.kind.with_defaults({p.name: self.cleaned_data.get(p.name)
                                        for p in self.kind.params if p.name not in left_out})

    @property
    def cost_preview(self) -> int:
        """What the form's current values would cost."""
        chosen = {name: self[name].value() for name in self.fields}
        try:
            return self.kind.cost_for(chosen)
        except KeyError:
            return self.kind.cost

    @property
    def hidden_source(self):
        """The gallery item a lineage-only source names (a voice-over's video), if any."""
        field = self.fields.get("source")
        if field is None or not isinstance(field.widget, forms.HiddenInput):
            return None
        chosen = parse_id(str(self["source"].value() or ""))
        return field.queryset.filter(pk=chosen).first() if chosen else None

    def clean_image_file(self):
        upload = self.cleaned_data.get("image_file")
        self.upload_extension = sources.clean_upload(upload)
        return upload

    @property
    def count(self) -> int:
        return self.cleaned_data.get("count") or 1

    def clean(self) -> dict:
        cleaned = super().clean()
        self.apply_frame(cleaned)
        if self.kind.source:
            sources.clean(self, self.kind.source, cleaned)
        checked = self.kind.with_defaults(
            sources.checked_params(self.kind.source, cleaned) if self.kind.source else cleaned)
        if wrong := alternatives.brace_errors(self.kind, checked):
            for name, problem in wrong.items():
                self.add_error(name if name in self.fields else None, problem)
            return cleaned
        if refusal := alternatives.too_many(self.kind, checked, self.count):
            self.add_error(self.words_fields[0].name if self.words_fields else None, refusal)
            return cleaned
        for variant in alternatives.expand(self.kind, checked, 1).params:
            for name, problem in self.kind.violations(variant).items():
                if name not in self.errors:
                    self.add_error(name if name in self.fields else None,
                                   self.variant_problem(name, checked, problem))
        return cleaned

    def apply_frame(self, cleaned: dict) -> None:
        """A shape chosen (not Custom) sets width and height; none sent (a script, an
        older page) means the pixels as sent."""
        aspect = cleaned.get("aspect")
        if not self.frame_range or aspect in (None, "", frames.CUSTOM):
            return
        cleaned["width"], cleaned["height"] = frames.dimensions(
            self.frame_range, aspect, cleaned.get("size") or "small")
        for name in ("width", "height"):
            self.errors.pop(name, None)

    def variant_problem(self, name: str, checked: dict, problem: str) -> str:
        """The API's rule, said of the alternative that breaks it when there are some."""
        written = checked.get(name)
        if isinstance(written, str) and alternatives.how_many(written) > 1:
            return f"One of the alternatives: {problem}"
        return problem


FORMS: dict[str, type[GenerationForm]] = {
    kind.endpoint_type: type(f"{kind.slug.capitalize()}Form", (GenerationForm,),
                             {"kind": kind})
    for kind in catalog.KINDS.values()
}
