"""Errors as RFC 9457 problem details: a `type` URI that says what went wrong (each
documented at that URI, /api/v1/problems/<slug>), a status, a title, and a detail a
person can act on.

A new operation raises `Problem(slug, detail)` or answers `response(slug, detail)`
with one of TYPES' slugs; a bare status (`Problem(404, ...)`) gets that status's
generic type. Answers under /api/v1/ that are not problems yet (Django's 405, a
missing path) become one in `middleware`.
"""

import json
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpResponse

DOCUMENTED_AT = "/api/v1/problems/"
# The scheme and host of the request being answered: `type` URIs are absolute.
ORIGIN: ContextVar[str] = ContextVar("problem_origin", default="")


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: str
    description: str


TYPES: dict[str, ProblemType] = {t.slug: t for t in (
    ProblemType("bad-request", 400, "Bad request",
                "The request cannot be read: fix it before sending it again."),
    ProblemType("bad-idempotency-key", 400, "Bad Idempotency-Key",
                "An Idempotency-Key is 1 to 255 characters."),
    ProblemType("unauthorized", 401, "Unauthorized",
                "No valid, unrevoked token was sent: `Authorization: Bearer <token>`."),
    ProblemType("insufficient-credits", 402, "Insufficient credits",
                "The team's credits at the API, less what queued work has reserved, "
                "cannot cover this. A team admin tops up with the API's provider."),
    ProblemType("team-budget-exceeded", 402, "Team budget exceeded",
                "The team's monthly budget would be exceeded; an admin can raise it."),
    ProblemType("member-cap-exceeded", 402, "Member cap exceeded",
                "The token's member has a monthly cap this would exceed; an admin can "
                "raise it."),
    ProblemType("token-cap-exceeded", 402, "Token cap exceeded",
                "This token's own monthly cap would be exceeded; its owner or an admin "
                "can raise it."),
    ProblemType("forbidden", 403, "Forbidden",
                "The token's member may not do this (their role)."),
    ProblemType("missing-scope", 403, "Missing scope",
                "The token lacks the scope this operation needs; make one with it."),
    ProblemType("not-found", 404, "Not found",
                "No such item in this team (another team's items are not found either)."),
    ProblemType("no-such-endpoint", 404, "No such endpoint",
                "No operation answers this path; see /api/v1/docs."),
    ProblemType("link-expired", 410, "Link expired",
                "The signed media link is past its time; ask for a new one "
                "(GET /api/v1/generations/{id}/media-link)."),
    ProblemType("method-not-allowed", 405, "Method not allowed",
                "This path does not take this method; `Allow` lists those it takes."),
    ProblemType("conflict", 409, "Conflict",
                "The item is not in a state where this can be done."),
    ProblemType("not-ready", 409, "Not ready",
                "The generation has no media yet: it is waiting, running, or did not "
                "succeed. Wait for `succeeded` (or `Prefer: wait`)."),
    ProblemType("too-late-to-cancel", 409, "Too late to cancel",
                "The generation finished, or its call went out to the API: it can no "
                "longer be canceled."),
    ProblemType("not-waiting", 409, "Not waiting",
                "Only waiting work can be paused, moved or changed."),
    ProblemType("not-paused", 409, "Not paused", "Only paused work can be resumed."),
    ProblemType("not-held", 409, "Not held",
                "The set is not waiting for an admin's approval."),
    ProblemType("nothing-failed", 409, "Nothing failed",
                "No item of the set failed: there is nothing to retry."),
    ProblemType("not-variable", 409, "Cannot be varied",
                "Only generated work outside the trash can be varied."),
    ProblemType("pending", 409, "Still pending",
                "It is still queued or running: cancel it first."),
    ProblemType("in-trash", 409, "In the trash", "It is already in the trash."),
    ProblemType("not-in-trash", 409, "Not in the trash",
                "It is in the gallery, not in the trash: there is nothing to restore."),
    ProblemType("nothing-to-make", 409, "Nothing to make",
                "Every part of the storyboard is made and unchanged, and so is its film."),
    ProblemType("mixed-set", 409, "Parts of a piece",
                "The set made parts that wait for each other (a storyboard's): make the "
                "storyboard again, which re-makes what failed."),
    ProblemType("idempotency-in-progress", 409, "Idempotent request in progress",
                "The first request with this Idempotency-Key is still being answered, "
                "or failed; send it again shortly."),
    ProblemType("over-limit", 402, "Over a credit limit",
                "A credit limit (balance, budget or cap) refused the work."),
    ProblemType("too-large", 413, "Too large", "The body is larger than allowed."),
    ProblemType("unsupported-media-type", 415, "Unsupported media type",
                "The body's Content-Type is not one this operation takes."),
    ProblemType("range-not-satisfiable", 416, "Range not satisfiable",
                "The Range asks for bytes past the end of the file; `Content-Range` "
                "says its size."),
    ProblemType("validation", 422, "Validation failed",
                "The request does not match the API's schema or rules; `errors` names "
                "each field (dotted, e.g. `params.voice`) and what is wrong."),
    ProblemType("idempotency-key-reused", 422, "Idempotency-Key reused",
                "This key was used for another request; use a new key for a new "
                "request."),
    ProblemType("rate-limited", 429, "Rate limited",
                "Too many requests for this token; wait `Retry-After` seconds."),
    ProblemType("server-error", 500, "Server error",
                "The studio failed; the request may be sent again."),
)}
# The type of a bare status: what an answer with only a status code means.
GENERIC = {400: "bad-request", 401: "unauthorized", 402: "over-limit", 403: "forbidden",
           404: "not-found", 405: "method-not-allowed", 409: "conflict",
           413: "too-large", 415: "unsupported-media-type",
           416: "range-not-satisfiable", 422: "validation", 429: "rate-limited",
           500: "server-error"}
# An action's refusal code (studio.generations.actions Done.code) -> its type.
REFUSALS = {"too_late": "too-late-to-cancel", "not_waiting": "not-waiting",
            "not_paused": "not-paused", "not_held": "not-held",
            "nothing_failed": "nothing-failed", "not_variable": "not-variable",
            "pending": "pending", "in_trash": "in-trash", "budget": "over-limit",
            "invalid": "validation", "nothing_to_make": "nothing-to-make",
            "mixed_set": "mixed-set"}
# A submission's refusal (budget.Verdict.reason) -> its type.
LIMITS = {"balance": "insufficient-credits", "team_budget": "team-budget-exceeded",
          "member_cap": "member-cap-exceeded", "limit": "token-cap-exceeded"}


def type_of(kind: int | str) -> ProblemType:
    if isinstance(kind, int):
        return TYPES[GENERIC.get(kind, "server-error" if kind >= 500 else "bad-request")]
    return TYPES[kind]


def uri(slug: str) -> str:
    return f"{ORIGIN.get()}{DOCUMENTED_AT}{slug}"


class Problem(Exception):
    """Raised in an operation: answered as the problem `kind` (a slug or a status)."""

    def __init__(self, kind: int | str, detail: str, **extra) -> None:
        super().__init__(detail)
        self.kind, self.detail, self.extra = kind, detail, extra

    @property
    def status(self) -> int:
        return self.kind if isinstance(self.kind, int) else type_of(self.kind).status


def body(kind: int | str, detail: str, **extra) -> dict:
    found = type_of(kind)
    status = kind if isinstance(kind, int) else found.status
    return {"type": uri(found.slug), "title": found.title, "status": status,
            "detail": detail, **extra}


def response(kind: int | str, detail: str, headers: dict | None = None,
             **extra) -> HttpResponse:
    problem = body(kind, detail, **extra)
    answer = HttpResponse(json.dumps(problem), status=problem["status"],
                          content_type="application/problem+json")
    for name, value in (headers or {}).items():
        answer[name] = value
    return answer
