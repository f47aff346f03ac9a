from django import template

from studio.finishing import exports, parts

register = template.Library()


@register.filter
def has_subtitles(generation) -> bool:
    """Whether the item carries words to subtitle (speech, a mix, a sequence of them)."""
    return bool(parts.cues_of(generation))


@register.filter
def export_formats(generation) -> tuple:
    return exports.formats_of(generation)
