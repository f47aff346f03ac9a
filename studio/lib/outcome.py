"""What an action did, and how a page says it.

Every change a person or a token makes is one function (the apps' `actions`
modules) returning a `Done`; the pages turn it into a message and a redirect
(`on_page`), the REST API into JSON or a problem. A refusal of permission is
`PermissionDenied` for both.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from studio.lib import redirects


@dataclass(frozen=True)
class Done:
    """`ok`; the sentence a person reads; when not ok, a short `code` (what the REST
    API's problem says: "too_late", "not_waiting", "invalid"...); `result`, what the
    action made or changed, for the door to show."""

    ok: bool
    message: str
    code: str = ""
    result: Any = None


def refused(message: str, code: str) -> Done:
    return Done(False, message, code)


def on_page(request: HttpRequest, done: Done, fallback: str = "gallery") -> HttpResponseRedirect:
    """The outcome as a message, then back where the form asked (a path on this site)."""
    (messages.success if done.ok else messages.error)(request, done.message)
    return redirects.back(request, fallback)


def on_page_or_text(request: HttpRequest, done: Done, fallback: str) -> HttpResponse:
    """A script that asks for text (a drag or a drop) gets the sentence alone; a form,
    the message and a redirect (`on_page`)."""
    if request.headers.get("Accept") == "text/plain":
        return HttpResponse(done.message, status=200 if done.ok else 400,
                            content_type="text/plain")
    return on_page(request, done, fallback)
