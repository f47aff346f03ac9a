"""What every answer under /api/v1/ shares, whichever view made it: errors as problem
details (Django's 405, a crash's 500 included), absolute problem `type` URIs, and the
token's request quota as the IETF draft's `RateLimit` and `RateLimit-Policy` headers."""

from collections.abc import Callable

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

from studio.api import nul, problems, quota

PREFIX = "/api/v1/"
PROBLEM = "application/problem+json"
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Content-Range")


class ApiAnswers:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        reset = problems.ORIGIN.set(origin(request))
        try:
            answer = refused_nul(request) or self.get_response(request)
            if answer.status_code >= 400 and not is_problem(answer):
                answer = as_problem(request, answer)
        finally:
            problems.ORIGIN.reset(reset)
        quota.describe(request, answer)
        return answer


def refused_nul(request: HttpRequest) -> HttpResponse | None:
    where = nul.where_nul(request)
    if not where:
        return None
    return problems.response("validation", f"Text may not hold a NUL character "
                             f"(\\u0000); {where} does.")


def origin(request: HttpRequest) -> str:
    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return ""


def is_problem(answer: HttpResponse) -> bool:
    return answer.get("Content-Type", "").split(";")[0].strip() == PROBLEM


def as_problem(request: HttpRequest, answer: HttpResponse) -> HttpResponse:
    status = answer.status_code
    if status == 405:
        detail = (f"{request.method} is not allowed on {request.path}; it takes "
                  f"{answer.get('Allow', 'no method')}.")
    elif status == 404:
        detail = "No such API endpoint; see /api/v1/docs."
    else:
        detail = problems.type_of(status).description
    problem = problems.response(status, detail)
    for name in KEPT_HEADERS:
        if answer.has_header(name):
            problem[name] = answer[name]
    return problem
