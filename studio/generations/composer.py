"""The composer at the top of the gallery: a tab per kind, the prompt first."""

from django.http import HttpRequest


def context(request: HttpRequest) -> dict:
    """What the gallery page needs to draw the composer."""
    return {}
