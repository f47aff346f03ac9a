"""A message that offers to undo what was just done, with one button.

The messages framework keeps only a message's text, level and extra tags across the
redirect, so the address the Undo button posts to travels in the extra tags
("undo:/generations/7/restore/"); `templates/_message.html` draws the button.
"""

from django.contrib import messages
from django.http import HttpRequest

PREFIX = "undo:"


def offer(request: HttpRequest, text: str, undo_url: str) -> None:
    """A success message with an Undo button that POSTs to `undo_url`."""
    messages.success(request, text, extra_tags=PREFIX + undo_url)


def url_of(message) -> str:
    """The address a message's Undo button posts to; "" when it offers none."""
    for tag in (message.extra_tags or "").split():
        if tag.startswith(PREFIX):
            return tag.removeprefix(PREFIX)
    return ""
