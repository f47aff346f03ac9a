"""The one checked redirect for every `next` the studio honours: a path on this site,
never another host (`https://evil.example`, `//evil.example`, `/\\evil.example`)."""

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where the form's (or link's) `next` asked to go back to, when that is a path on
    this site; else `fallback` (a URL name or a path)."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if is_local_path(request, wanted):
        return wanted
    return resolve_url(fallback)


def is_local_path(request: HttpRequest, wanted: str) -> bool:
    return (wanted.startswith("/") and not wanted.startswith(("//", "/\\"))
            and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()))


def back(request: HttpRequest, fallback: str = "gallery") -> HttpResponseRedirect:
    return redirect(safe_next(request, fallback))
