"""The REST API's resources under /api/v1/: the catalog, generations (made, read,
listed, downloaded), credits, the token itself and webhooks; the same rules as the
pages, through the same code (the kind's form validates, submission.submit quotes,
reserves and queues, the gallery's filter lists). What a token does to work is in
`work`."""

import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Schema

from studio.api import idempotency, problems, tokens, webhooks
from studio.api.models import ApiToken, Scope, WebhookEndpoint
from studio.api.problems import Problem
from studio.api.schemas import (
    BalanceOut,
    DeliveryOut,
    GenerationIn,
    GenerationOut,
    GenerationPage,
    KindOut,
    LedgerPage,
    ProblemOut,
    TokenUsageOut,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
)
from studio.api.service import ERRORS, PAGE_SIZE, ItemId, api, membership, need
from studio.credits import budget
from studio.credits.models import LedgerEntry
from studio.generations import submission
from studio.generations.filtering import GalleryFilter, filter_names
from studio.generations.forms import FORMS
from studio.generations.models import Generation, Lane
from studio.generations.views import serve_file
from studio.lib import safe_http
from studio.lib.converters import LARGEST_ID
from studio.multimodal import catalog
from studio.teams.models import Membership

# --- the catalog ---------------------------------------------------------------------


@api.get("/kinds", response={200: list[KindOut], **ERRORS}, tags=["catalog"])
def kinds(request):
    """Every kind the API makes: cost, rate limit and parameter ranges."""
    need(request, Scope.READ)
    return [kind_out(kind) for kind in catalog.KINDS.values()]


def kind_out(kind: catalog.Kind) -> dict:
    calls, seconds = catalog.rate_limit(kind.endpoint_type)
    return {"kind": kind.endpoint_type, "label": kind.label, "media": kind.media,
            "cost": kind.cost, "rate_limit_calls": calls, "rate_limit_seconds": seconds,
            "premium_only": kind.premium_only,
            "params": [{"name": p.name, "type": p.type.__name__, "label": p.label,
                        "required": p.required, "default": p.default, "min": p.min,
                        "max": p.max, "min_length": p.min_length,
                        "max_length": p.max_length,
                        "choices": list(p.choices) if p.choices else None}
                       for p in kind.params],
            "providers": [{"name": p.name, "cost": p.cost,
                           "duration_seconds": p.duration_seconds,
                           "resolution": p.resolution} for p in kind.providers]}


# --- generations ----------------------------------------------------------------------


def generation_out(request: HttpRequest, generation: Generation) -> dict:
    ready = generation.status == "succeeded" and bool(generation.media)
    return {"id": generation.pk, "kind": generation.kind, "status": generation.status,
            "state": generation.state, "params": generation.params, "cost": generation.cost,
            "credits_used": generation.credits_used, "lane": generation.lane,
            "queue_position": generation.queue_position,
            "expected_start_at": generation.expected_start_at,
            "error_code": generation.error_code, "error_message": generation.error_message,
            "author": generation.author.username if generation.author else None,
            "created_at": generation.created_at, "finished_at": generation.finished_at,
            "media_url": request.build_absolute_uri(
                f"/api/v1/generations/{generation.pk}/media") if ready else None}


def team_generations(request: HttpRequest):
    return (Generation.objects.for_team(membership(request).team).in_gallery()
            .select_related("author"))


def one(request: HttpRequest, pk: int) -> Generation:
    found = team_generations(request).filter(pk=pk).first()
    if found is None:
        raise Problem(404, f"No generation #{pk} in this team's gallery.")
    return found


@api.post("/generations", response={201: GenerationOut, 402: ProblemOut, 409: ProblemOut,
                                    **ERRORS}, tags=["generations"])
def create_generation(request, body: GenerationIn):
    """Validate, quote and queue, as the form does; a count and {a|b} alternatives
    make a set, quoted and reserved as a whole. Honours `Idempotency-Key`."""
    token = need(request, Scope.GENERATE)
    if not membership(request).can_generate:
        raise Problem(403, "This token's member is a viewer: viewers cannot generate.")
    return idempotency.once(request, token, lambda: created(request, token, body))


def created(request: HttpRequest, token: ApiToken, body: GenerationIn) -> HttpResponse:
    member = membership(request)
    kind = catalog.get(body.kind)
    data = {name: value if isinstance(value, str) else json.dumps(value)
            if isinstance(value, (dict, list)) else str(value)
            for name, value in body.params.items() if value is not None}
    form = FORMS[kind.endpoint_type]({**data, "count": body.count, "lane": body.lane},
                                     team=member.team, may_rush=member.can_manage)
    if not form.is_valid():
        return problems.response(422, "Some parameters cannot be used; see `errors`.",
                                 errors={name: list(map(str, messages))
                                         for name, messages in form.errors.items()})
    order = submission.Order(
        kind=kind, params=form.api_params(), count=form.count,
        lane=form.cleaned_data.get("lane") or Lane.NORMAL,
        source=form.cleaned_data.get("source"), extra={"via_token": token.pk})
    outcome = submission.submit(member, token.user, order,
                                limit=lambda total: tokens.cap_refusal(token, total))
    if not outcome.queued:
        return problems.response(402, outcome.verdict.refusal)
    first = outcome.generations[0]
    generation_set = first.generation_set
    answer = {**generation_out(request, first),
              "set": {"id": generation_set.pk, "size": generation_set.size,
                      "cost": generation_set.cost, "ids": [g.pk for g in outcome.generations]}}
    return HttpResponse(GenerationOut(**answer).model_dump_json(), status=201,
                        content_type="application/json")


@api.get("/generations/{int:pk}", response={200: GenerationOut, **ERRORS},
         tags=["generations"])
def get_generation(request, pk: ItemId):
    need(request, Scope.READ)
    return generation_out(request, one(request, pk))


class ListFilters(Schema):
    q: str = ""
    kind: str = ""
    status: str = ""
    member: str = ""
    set: int | None = Field(None, ge=1, le=LARGEST_ID)
    board: int | None = Field(None, ge=1, le=LARGEST_ID)
    tag: str = ""
    review: str = Field("", description="none, needs_review, changes_requested or approved")
    before: int | None = Field(None, ge=1, le=LARGEST_ID)
    limit: int = Field(PAGE_SIZE, ge=1, le=4 * PAGE_SIZE)


@api.get("/generations", response={200: GenerationPage, **ERRORS},
         tags=["generations"])
def list_generations(request, filters: Query[ListFilters]):
    """Newest first, with the gallery's filters; page on with `before=<next_before>`."""
    need(request, Scope.READ)
    data = {name: value for name, value in filters.dict().items()
            if name in filter_names() and value not in ("", None)}
    form = GalleryFilter(data or None, team=membership(request).team)
    if data and not form.is_valid():
        return problems.response(422, "Some filters cannot be used; see `errors`.",
                                 errors={k: list(map(str, v)) for k, v in form.errors.items()})
    rows = form.apply(team_generations(request), token_user(request)) if data \
        else team_generations(request)
    if filters.before:
        rows = rows.filter(pk__lt=filters.before)
    size = filters.limit
    page = list(rows.order_by("-id")[:size + 1])
    return {"items": [generation_out(request, g) for g in page[:size]],
            "next_before": page[size - 1].pk if len(page) > size else None}


def token_user(request: HttpRequest):
    return request.auth.user


@api.get("/generations/{int:pk}/media", response={200: None, **ERRORS},
         tags=["generations"])
def generation_media(request, pk: ItemId):
    """The finished file (HTTP Range works)."""
    need(request, Scope.READ)
    generation = one(request, pk)
    if not generation.media:
        raise Problem(404, f"Generation #{pk} has no media (yet).")
    return serve_file(request, generation.media, generation.content_type,
                      generation.download_name)


# --- credits and the token itself ------------------------------------------------------


@api.get("/credits", response={200: BalanceOut, **ERRORS}, tags=["credits"])
def balance(request):
    need(request, Scope.READ)
    team = membership(request).team
    return {"credits_remaining": team.credits_remaining, "as_of": team.credits_as_of,
            "reserved": budget.reserved(team), "spent_this_month":
            budget.spent_this_month(team), "monthly_budget": team.monthly_budget}


@api.get("/credits/ledger", response={200: LedgerPage, **ERRORS}, tags=["credits"])
def ledger(request, before: int | None = Query(None, ge=1, le=LARGEST_ID)):
    need(request, Scope.READ)
    rows = LedgerEntry.objects.for_team(membership(request).team).select_related("member")
    if before:
        rows = rows.filter(pk__lt=before)
    page = list(rows.order_by("-id")[:PAGE_SIZE + 1])
    return {"items": [{"id": e.pk, "created_at": e.created_at, "kind": e.kind,
                       "credits": e.credits, "generation_id": e.generation_id,
                       "member": e.member.username if e.member else None,
                       "usage_id": e.usage_id, "source": e.source}
                      for e in page[:PAGE_SIZE]],
            "next_before": page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None}


@api.get("/tokens/me", response={200: TokenUsageOut, **ERRORS}, tags=["tokens"])
def token_usage(request):
    """This token: its scopes, cap and what it has spent this month."""
    token = request.auth
    made = Generation.objects.filter(via_token=token.pk,
                                     created_at__gte=budget.month_start())
    return {"name": token.name, "prefix": token.prefix, "scopes": token.scopes,
            "service": token.service, "monthly_cap": token.monthly_cap,
            "spent_this_month": tokens.spent_this_month(token),
            "generations_this_month": made.aggregate(n=Count("id"))["n"],
            "created_at": token.created_at, "last_used_at": token.last_used_at}


# --- webhooks --------------------------------------------------------------------------


def admin_of_team(request: HttpRequest) -> Membership:
    need(request, Scope.ADMIN)
    member = membership(request)
    if not member.can_manage:
        raise Problem(403, "Only a team admin's token can manage webhooks.")
    return member


def webhook_out(endpoint: WebhookEndpoint, secret: bool = False) -> dict:
    return {"id": endpoint.pk, "url": endpoint.url, "events": endpoint.events,
            "disabled": endpoint.disabled, "created_at": endpoint.created_at,
            "secret": endpoint.secret if secret else None}


def team_webhook(request: HttpRequest, pk: int) -> WebhookEndpoint:
    found = WebhookEndpoint.objects.for_team(admin_of_team(request).team).filter(pk=pk).first()
    if found is None:
        raise Problem(404, f"No webhook #{pk} in this team.")
    return found


@api.get("/webhooks", response={200: list[WebhookOut], **ERRORS}, tags=["webhooks"])
def list_webhooks(request):
    team = admin_of_team(request).team
    return [webhook_out(e) for e in WebhookEndpoint.objects.for_team(team)]


@api.post("/webhooks", response={201: WebhookOut, **ERRORS},
          tags=["webhooks"])
def create_webhook(request, body: WebhookIn):
    """Its `secret` (whsec_…) is shown in this answer only: keep it to verify
    deliveries."""
    member = admin_of_team(request)
    return idempotency.once(request, request.auth, lambda: webhook_made(member, body))


def webhook_made(member: Membership, body: WebhookIn) -> HttpResponse:
    try:
        safe_http.check_url(body.url)
    except DjangoValidationError as exc:
        return problems.response(422, " ".join(exc.messages), errors={"url": exc.messages})
    endpoint = WebhookEndpoint.objects.create(team=member.team, url=body.url,
                                              events=sorted(set(body.events)),
                                              secret=webhooks.new_secret())
    return HttpResponse(WebhookOut(**webhook_out(endpoint, secret=True)).model_dump_json(),
                        status=201, content_type="application/json")


@api.patch("/webhooks/{int:pk}", response={200: WebhookOut, **ERRORS}, tags=["webhooks"])
def change_webhook(request, pk: ItemId, body: WebhookPatch):
    endpoint = team_webhook(request, pk)
    endpoint.disabled = body.disabled
    endpoint.save(update_fields=["disabled"])
    return webhook_out(endpoint)


@api.delete("/webhooks/{int:pk}", response={204: None, **ERRORS}, tags=["webhooks"])
def delete_webhook(request, pk: ItemId):
    team_webhook(request, pk).delete()
    return 204, None


@api.post("/webhooks/{int:pk}/test", response={202: DeliveryOut, **ERRORS},
          tags=["webhooks"])
def test_webhook(request, pk: ItemId):
    """Send a `webhook.test` delivery now (it is retried like any other)."""
    endpoint = team_webhook(request, pk)
    delivery = webhooks.test(endpoint)
    return 202, delivery_out(delivery)


@api.get("/webhooks/{int:pk}/deliveries", response={200: list[DeliveryOut], **ERRORS},
         tags=["webhooks"])
def deliveries(request, pk: ItemId):
    endpoint = team_webhook(request, pk)
    return [delivery_out(d) for d in endpoint.deliveries.all()[:100]]


def delivery_out(delivery) -> dict:
    return {name: getattr(delivery, name) for name in DeliveryOut.model_fields}
