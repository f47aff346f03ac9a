"""The REST API's one NinjaAPI and what every operation shares: the bearer token
(authenticated, throttled, its member resolved), scopes, and errors as problem
details. The operations live in `endpoints` (resources) and `work` (actions on
generations and sets); `v1` puts them together for the URLconf."""

import json
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Swagger
from ninja import Path as PathEx
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from studio.api import document, problems, quota, tokens
from studio.api.models import ApiToken
from studio.api.problems import Problem
from studio.api.schemas import ProblemOut
from studio.lib.converters import LARGEST_ID
from studio.multimodal import catalog
from studio.teams.models import Membership

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
        return document.finish(super().get_openapi_schema(*args, **kwargs))

    def get_openapi_operation_id(self, operation) -> str:
        """The view's own name (`create_generation`): what a generated client calls."""
        return operation.view_func.__name__


class LocalSwagger(Swagger):
    """Swagger UI from the studio's own static files: django-ninja reaches for a CDN
    when `ninja` is not an installed app, which it is not (settings.NINJA_FILES)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        return render(request, self.template, {  # tokens, not cookies: no CSRF
            "swagger_settings": json.dumps(self.settings, indent=1), "api": api,
            "add_csrf": False})


api = StudioAPI(title="Studio API", version="1",
               description="A team's studio for scripts and agents: every rule a member "
                           "has in the browser. Send `Authorization: Bearer <token>`.",
               auth=Bearer(), urls_namespace="api", docs_url="/docs", docs=LocalSwagger(),
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
        message = UNKNOWN_FIELD if error.get("type") == "extra_forbidden" \
            else error.get("msg", "invalid")
        errors.setdefault(field_of(error), []).append(message)
    return problems.response("validation", "The request does not match the API's schema: "
                             "see " + ", ".join(f"`{name}`" for name in errors) + ".",
                             errors=errors)


UNKNOWN_FIELD = "Unknown field: the document names every field this body takes."


def field_of(error: dict) -> str:
    """Where an error is, dotted as the request names it: `params.voice`, `limit`."""
    if error.get("type", "").startswith("union_tag"):
        return "kind"
    parts = [str(part) for part in error.get("loc", ())]
    if parts[:2] == ["body", "body"]:
        parts = parts[2:]
        if parts and parts[0] in catalog.KINDS:
            parts = parts[1:]  # the union's tag, not a field of the body
    else:
        parts = parts[1:]
    return ".".join(parts) or "body"


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
