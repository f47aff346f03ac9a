"""Forms drawn once and kept: a key made of everything a form's fields draw from.

Django draws every widget through a template, and a page's forms were a third of the
gallery's time (the composer's panel, the filters). Drawn with `{% cache %}` under
`drawing_key`, a form is drawn again only when something it shows changed: the
values, errors, labels, help, widget attributes and every choice (read from the
database as drawing them would). A widget that draws what the key cannot see (a
source picker's grid of the team's items) says `drawable = False`: its form is drawn
each time.
"""

import hashlib

from django import forms


def drawing_key(form: forms.Form) -> str:
    """A digest of what the form's fields draw, or "" when it must be drawn each time."""
    if not all(getattr(field.widget, "drawable", True) for field in form.fields.values()):
        return ""
    parts = [type(form).__module__, type(form).__qualname__, form.auto_id, form.prefix,
             form.is_bound, form.errors.get_json_data() if form.is_bound else None]
    parts.extend(field_parts(form[name]) for name in form.fields)
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def field_parts(bound: forms.BoundField) -> tuple:
    field, widget = bound.field, bound.field.widget
    choices = getattr(widget, "choices", None)  # only what the widget draws
    if choices is not None and not isinstance(choices, list):
        # Read once, a drawing reuses them; through iter(), since list() would ask a
        # model choice's len() first: a COUNT query before the rows.
        widget.choices = choices = list(iter(choices))
    return (bound.name, type(field).__name__, type(widget).__name__, str(bound.label),
            str(field.help_text), field.required, field.disabled, str(bound.value()),
            sorted((key, str(value)) for key, value in widget.attrs.items()),
            [(str(value), str(label)) for value, label in choices or ()],
            getattr(field, "suggestions", None))
