"""One form per kind, every field and limit read from the catalog."""

from django import forms

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
    widget = (forms.Textarea(attrs={"rows": 4})
              if (param.max_length or 0) > LONG_TEXT else forms.TextInput)
    return forms.CharField(min_length=param.min_length, max_length=param.max_length,
                           strip=True, widget=widget, **common)


class GenerationForm(forms.Form):
    """Base of every kind's form; `kind` names its catalog entry."""

    kind: catalog.Kind

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for param in self.kind.params:
            self.fields[param.name] = field_for(param)

    def api_params(self) -> dict:
        """The cleaned values as the API wants them, defaults filled in."""
        return self.kind.with_defaults(self.cleaned_data)

    def clean(self) -> dict:
        cleaned = super().clean()
        for name, problem in self.kind.violations(self.kind.with_defaults(cleaned)).items():
            if name not in self.errors:
                self.add_error(name if name in self.fields else None, problem)
        return cleaned


def form_class(kind: catalog.Kind) -> type[GenerationForm]:
    name = kind.slug.capitalize() + "Form"
    return type(name, (GenerationForm,), {"kind": kind})


FORMS: dict[str, type[GenerationForm]] = {
    kind.endpoint_type: form_class(kind) for kind in catalog.KINDS.values()
}
