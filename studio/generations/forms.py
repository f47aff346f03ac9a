"""One form per kind, every field and limit read from the catalog."""

from django import forms

from studio.generations import sources
from studio.lib.converters import parse_id
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
    """A kind's form, built from its catalog entry: its parameters, and the source
    fields when it is made from an item of the gallery (sources.py)."""

    kind: catalog.Kind

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        for param in self.kind.params:
            self.fields[param.name] = field_for(param)
        if self.kind.providers:
            self.fields["provider"].widget = forms.RadioSelect(
                choices=self.fields["provider"].choices)
        if self.kind.source:
            sources.add_fields(self, self.kind.source, team)

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
        return field.queryset.filter(pk=parse_id(str(self["source"].value() or ""))).first()

    def clean_image_file(self):
        upload = self.cleaned_data.get("image_file")
        self.upload_extension = sources.clean_upload(upload)
        return upload

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.kind.source:
            sources.clean(self, self.kind.source, cleaned)
        checked = self.kind.with_defaults(
            sources.checked_params(self.kind.source, cleaned) if self.kind.source else cleaned)
        for name, problem in self.kind.violations(checked).items():
            if name not in self.errors:
                self.add_error(name if name in self.fields else None, problem)
        return cleaned


FORMS: dict[str, type[GenerationForm]] = {
    kind.endpoint_type: type(f"{kind.slug.capitalize()}Form", (GenerationForm,),
                             {"kind": kind})
    for kind in catalog.KINDS.values()
}
