"""The REST API's one NinjaAPI and what every operation shares: the bearer token
(authenticated, throttled, its member resolved), scopes, and errors as problem
details. The operations live in `endpoints` (resources) and `work` (actions on
generations and sets); `v1` puts them together for the URLconf."""

from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja import Path as PathEx
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from studio.api import problems, quota, tokens
from studio.api.models import ApiToken
from studio.api.problems import Problem
from studio.api.schemas import ProblemOut
from studio.lib.converters import LARGEST_ID
from studio.teams.models import Membership

PAGE_SIZE = 50
# An id in a path or a query: a 422 past what the database's ids can be, not an error.
ItemId = Annotated[int, PathEx(..., ge=1, le=LARGEST_ID)]
ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut,
          429: ProblemOut}


class Bearer(HttpBearer):
    def authenticate(self, request: HttpRequest, key: str) -> ApiToken | None:
        token = tokens.authenticate(key)
        if token is None:
            return None
        membership = Membership.objects.for_team(token.team).select_related("team").filter(
            user=token.user).first()
        if membership is None:
            return None  # the member left the team: the token went with them
        request.membership = membership
        quota.count(request, token)
        return token


class StudioAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Errors are served as problem details: say so in the document."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for code, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(code) >= 400 and "application/json" in content:
                        answer["content"] = {
                            "application/problem+json": content["application/json"]}
        return schema


api = StudioAPI(title="Studio API", version="1",
               description="A team's studio for scripts and agents: every rule a member "
                           "has in the browser. Send `Authorization: Bearer <token>`.",
               auth=Bearer(), urls_namespace="api", docs_url="/docs",
               openapi_url="/openapi.json")


@api.exception_handler(Problem)
def on_problem(request, exc: Problem) -> HttpResponse:
    retry = exc.extra.pop("retry_after", None)
    return problems.response(exc.kind, exc.detail,
                             headers={"Retry-After": str(retry)} if retry else None,
                             **exc.extra)


@api.exception_handler(AuthenticationError)
def on_unauthorized(request, exc) -> HttpResponse:
    return problems.response("unauthorized", "Send a valid, unrevoked token: Authorization: Bearer "
                                  "<token>. Members make tokens on their Tokens page.",
                             headers={"WWW-Authenticate": "Bearer"})


@api.exception_handler(NinjaValidationError)
def on_invalid(request, exc) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "body"
        errors.setdefault(where, []).append(error.get("msg", "invalid"))
    return problems.response("validation", "The request does not match the API's schema.",
                             errors=errors)


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc: PermissionDenied) -> HttpResponse:
    """An action's refusal (studio.generations.actions): the member may not do it."""
    return problems.response(403, str(exc))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError) -> HttpResponse:
    return problems.response(exc.status_code, str(exc))


def need(request: HttpRequest, scope: str) -> ApiToken:
    token = request.auth
    if not token.allows(scope):
        raise Problem("missing-scope", f"This token lacks the “{scope}” scope; make one with it.")
    return token


def membership(request: HttpRequest) -> Membership:
    return request.membership


@csrf_exempt  # a token's POST to a wrong path learns that, not about CSRF cookies
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /api/v1/: a problem, not the site's HTML page."""
    return problems.response("no-such-endpoint", "No such API endpoint; see /api/v1/docs.")
