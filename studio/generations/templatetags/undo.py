from django import template

from studio.lib import undo

register = template.Library()


@register.filter
def undo_url(message) -> str:
    """`{% with url=message|undo_url %}`: where the message's Undo button posts."""
    return undo.url_of(message)
