"""Errors as RFC 9457 problem details: a status, a title, and a detail a person can
act on."""

import json

from django.http import HttpResponse

TITLES = {400: "Bad request", 401: "Unauthorized", 402: "Payment required",
          403: "Forbidden", 404: "Not found", 409: "Conflict", 422: "Unprocessable content",
          429: "Too many requests"}


class Problem(Exception):
    def __init__(self, status: int, detail: str, **extra) -> None:
        super().__init__(detail)
        self.status, self.detail, self.extra = status, detail, extra


def response(status: int, detail: str, headers: dict | None = None, **extra) -> HttpResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status,
            "detail": detail, **extra}
    answer = HttpResponse(json.dumps(body), status=status,
                          content_type="application/problem+json")
    for name, value in (headers or {}).items():
        answer[name] = value
    return answer
