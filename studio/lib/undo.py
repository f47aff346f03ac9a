"""A message that offers to undo what was just done, with one button.

The messages framework keeps only a message's text, level and extra tags across the
redirect, so the address the Undo button posts to travels in the extra tags
("undo:/generations/7/restore/"); `templates/_message.html` draws the button.
"""

from django.contrib import messages
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

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


def back_to(request: HttpRequest, fallback: str) -> str:
    """Where a form asked to go back to (its `next` field, a path on this site), or
    `fallback`: an undo returns to the page it was pressed on."""
    wanted = request.POST.get("next", "")
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return fallback
