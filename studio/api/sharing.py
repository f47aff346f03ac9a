"""Outside share links through the REST API: list, create and revoke the links of a
generation, through the same actions as the item's page (studio.review.share)."""

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Schema

from studio.api import idempotency
from studio.api.endpoints import one
from studio.api.lists import PageQuery, page_of, paged
from studio.api.models import Scope
from studio.api.problems import Problem
from studio.api.schemas import Strict, Timestamp, Whole
from studio.api.service import ERRORS, ItemId, api, membership, need
from studio.api.work import REFUSED, answer, as_json
from studio.review import share
from studio.review.models import ShareLink


class LinkIn(Strict):
    expires_days: Whole = Field(ge=share.SHORTEST_DAYS, le=share.LONGEST_DAYS)
    passphrase: str = Field("", max_length=200, description="Empty: none")
    allow_download: bool = False
    allow_notes: bool = True


class LinkOut(Schema):
    id: int
    generation_id: int
    url: str = Field(description="The outside address, /s/<token>/, for anyone with it")
    status: str = Field(description="live, expired or revoked")
    expires_at: Timestamp
    has_passphrase: bool
    allow_download: bool
    allow_notes: bool
    views: int
    last_opened_at: Timestamp | None
    created_by: str | None
    created_at: Timestamp
    revoked_at: Timestamp | None


def link_out(request: HttpRequest, link: ShareLink) -> dict:
    status = "revoked" if link.is_revoked else "expired" if link.is_expired else "live"
    return {"id": link.pk, "generation_id": link.generation_id,
            "url": request.build_absolute_uri(share.path_of(link)), "status": status,
            "expires_at": link.expires_at, "has_passphrase": link.has_passphrase,
            "allow_download": link.allow_download, "allow_notes": link.allow_notes,
            "views": link.views, "last_opened_at": link.last_opened_at,
            "created_by": link.created_by.username if link.created_by else None,
            "created_at": link.created_at, "revoked_at": link.revoked_at}


def team_links(request: HttpRequest):
    """The team's item links: board links are not (yet) part of the API."""
    return (ShareLink.objects.for_team(membership(request).team).filter(board=None)
            .select_related("created_by"))


@api.get("/generations/{int:pk}/links", response={200: page_of(LinkOut), **ERRORS},
         tags=["sharing"])
def list_links(request, pk: ItemId, paging: Query[PageQuery]):
    """The generation's outside links, newest first."""
    need(request, Scope.READ)
    rows = team_links(request).filter(generation=one(request, pk))
    return paged(request, rows, paging, lambda link: link_out(request, link))


@api.post("/generations/{int:pk}/links", response={201: LinkOut, **REFUSED},
          tags=["sharing"])
def create_link(request, pk: ItemId, body: LinkIn):
    """An outside link to the generation; anyone with its `url` sees it, no account."""
    token = need(request, Scope.GENERATE)
    generation = one(request, pk)

    def run() -> HttpResponse:
        done = share.share(membership(request), generation, days=body.expires_days,
                           passphrase=body.passphrase, allow_download=body.allow_download,
                           allow_notes=body.allow_notes)
        return answer(done, lambda: as_json(LinkOut, link_out(request, done.result[0]), 201))
    return idempotency.once(request, token, run)


@api.post("/links/{int:pk}/revoke", response={200: LinkOut, **REFUSED}, tags=["sharing"])
def revoke_link(request, pk: ItemId):
    """End an outside link: it then shows only that it ended."""
    need(request, Scope.GENERATE)
    link = team_links(request).select_related("generation").filter(pk=pk).first()
    if link is None:
        raise Problem(404, f"No outside link #{pk} in this team.")
    done = share.revoke(membership(request), link)
    return answer(done, lambda: as_json(LinkOut, link_out(request, link)))
