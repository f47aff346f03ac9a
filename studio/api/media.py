"""A generation's file through the API: with the token (GET or HEAD, ranges, an ETag
for If-None-Match), or through a short-lived signed link that needs no header (for an
`<audio>` tag or another service)."""

from datetime import timedelta

from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from ninja import Field, Query, Schema

from studio.api import document
from studio.api.endpoints import one
from studio.api.models import Scope
from studio.api.problems import Problem
from studio.api.schemas import ProblemOut, Timestamp
from studio.api.service import ERRORS, ItemId, api, need
from studio.api.shapes import origin_of
from studio.generations.models import Generation
from studio.generations.views import serve_file
from studio.lib import clock
from studio.teams.models import Team

SALT = "studio.api.media-link"
MEDIA_ERRORS = {409: ProblemOut, **ERRORS}


class LinkQuery(Schema):
    expires_in: int = Field(3600, ge=60, le=86400, description="Seconds it works for.")


class MediaLinkOut(Schema):
    url: str = Field(description="GET (or HEAD) it with no Authorization header.")
    expires_at: Timestamp


def ready(request: HttpRequest, pk: int) -> Generation:
    need(request, Scope.READ)
    generation = one(request, pk)
    if not generation.media:
        raise Problem("not-ready", f"Generation #{pk} has no media: it is "
                                   f"{generation.status}.")
    return generation


def file_answer(request: HttpRequest, generation: Generation) -> HttpResponse:
    """The file, a range of it, or 304; only the headers for a HEAD."""
    etag = f'"g{generation.pk}-{generation.media.size}"'
    if request.headers.get("If-None-Match") == etag:
        answer = HttpResponseNotModified()
    else:
        answer = serve_file(request, generation.media, generation.content_type,
                            generation.download_name)
    answer["ETag"] = etag
    return headers_only(answer) if request.method == "HEAD" else answer


def headers_only(answer: HttpResponse) -> HttpResponse:
    bare = HttpResponse(status=answer.status_code)
    for name, value in answer.items():
        bare[name] = value
    answer.close()
    return bare


@api.get("/generations/{int:pk}/media", response={200: None, **MEDIA_ERRORS},
         tags=["media"], openapi_extra={"responses": document.media_answers()})
def download_generation_media(request, pk: ItemId):
    """The finished file; `Range: bytes=...` gives part of it (206)."""
    return file_answer(request, ready(request, pk))


@api.api_operation(["HEAD"], "/generations/{int:pk}/media",
                   response={200: None, **MEDIA_ERRORS}, tags=["media"],
                   openapi_extra={"responses": document.media_answers(head=True)})
def head_generation_media(request, pk: ItemId):
    """The file's headers (type, length, ETag) without its bytes."""
    return file_answer(request, ready(request, pk))


@api.get("/generations/{int:pk}/media-link", response={200: MediaLinkOut, **MEDIA_ERRORS},
         tags=["media"])
def get_media_link(request, pk: ItemId, query: Query[LinkQuery]):
    """A signed link to the file that works without the token until `expires_at`."""
    generation = ready(request, pk)
    expires = clock.now() + timedelta(seconds=query.expires_in)
    token = signing.dumps({"g": generation.pk, "t": generation.team_id,
                           "e": int(expires.timestamp())}, salt=SALT, compress=True)
    return {"url": f"{origin_of(request)}/api/v1/media/{token}", "expires_at": expires}


def linked(token: str) -> Generation:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise Problem(404, "No such media link.") from None
    if clock.now().timestamp() >= data["e"]:
        raise Problem("link-expired", "This media link has expired; ask for a new one.")
    team = Team.objects.filter(pk=data["t"]).first()
    found = team and Generation.objects.for_team(team).in_gallery().filter(
        pk=data["g"]).exclude(media="").first()
    if not found:
        raise Problem(404, "The linked media is gone.")
    return found


SHARED_ERRORS = {404: ProblemOut, 410: ProblemOut, 422: ProblemOut}


@api.get("/media/{token}", response={200: None, **SHARED_ERRORS}, auth=None,
         tags=["media"], openapi_extra={"responses": document.media_answers()})
def download_linked_media(request, token: str):
    """The file a signed link names; no Authorization header needed."""
    return file_answer(request, linked(token))


@api.api_operation(["HEAD"], "/media/{token}", response={200: None, **SHARED_ERRORS},
                   auth=None, tags=["media"],
                   openapi_extra={"responses": document.media_answers(head=True)})
def head_linked_media(request, token: str):
    return file_answer(request, linked(token))
