from dataclasses import dataclass

from django import template
from django.urls import reverse

from studio.finishing import exports, parts

register = template.Library()


@register.filter
def has_subtitles(generation) -> bool:
    """Whether the item carries words to subtitle (speech, a mix, a sequence of them)."""
    return bool(parts.cues_of(generation))


@dataclass(frozen=True)
class ExportLink:
    format: exports.Format
    url: str
    direct: bool  # downloaded at once; else the page where the worker makes it


@register.filter
def export_links(generation) -> list[ExportLink]:
    """Each format offered: a download, or (heavy media) the page of the worker's export."""
    by_worker = exports.heavy(generation)
    return [ExportLink(fmt, reverse("export_page" if by_worker else "export",
                                    args=[generation.pk, fmt.name]), not by_worker)
            for fmt in exports.formats_of(generation)]
