"""The REST API's resources under /api/v1/: the catalog, generations (made, read,
listed, downloaded), credits, the token itself and webhooks; the same rules as the
pages, through the same code (the kind's form validates, submission.submit quotes,
reserves and queues, the gallery's filter lists). What a token does to work is in
`work`."""

import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query
from pydantic import ConfigDict

from studio.api import files, idempotency, problems, shapes, tokens, waiting, webhooks
from studio.api.lists import PageQuery, page_of, paged, sliced
from studio.api.models import ApiToken, Scope, WebhookEndpoint
from studio.api.problems import Problem
from studio.api.schemas import (
    JSON_TYPES,
    AnyKind,
    BalanceOut,
    DeliveryOut,
    GenerationIn,
    GenerationOut,
    KindOut,
    LedgerEntryOut,
    ProblemOut,
    ProblemTypeOut,
    ReviewName,
    SecretOut,
    Status,
    TokenUsageOut,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
)
from studio.api.service import ERRORS, ItemId, api, membership, need
from studio.credits import budget
from studio.credits.models import LedgerEntry
from studio.generations import submission
from studio.generations.filtering import GalleryFilter, filter_names
from studio.generations.forms import FORMS
from studio.generations.models import Generation, Lane
from studio.lib import safe_http
from studio.lib.converters import LARGEST_ID
from studio.multimodal import catalog
from studio.teams.models import Membership

# --- what problems mean ----------------------------------------------------------------


def problem_type_out(found: problems.ProblemType) -> dict:
    return {"type": problems.uri(found.slug), "slug": found.slug, "status": found.status,
            "title": found.title, "description": found.description}


@api.get("/problems", response={200: page_of(ProblemTypeOut), 422: ProblemOut}, auth=None,
         tags=["problems"])
def list_problem_types(request, page: Query[PageQuery]):
    """Every problem `type` an answer may carry, and what it means."""
    return sliced(request, list(problems.TYPES.values()), page, problem_type_out)


@api.get("/problems/{slug}", response={200: ProblemTypeOut, 404: ProblemOut}, auth=None,
         tags=["problems"])
def get_problem_type(request, slug: str):
    """What one problem `type` means: the page its URI names."""
    found = problems.TYPES.get(slug)
    if found is None:
        raise Problem(404, f"No problem type “{slug}”; GET /api/v1/problems lists them.")
    return problem_type_out(found)


# --- the catalog ---------------------------------------------------------------------


@api.get("/kinds", response={200: page_of(KindOut), **ERRORS}, tags=["catalog"])
def list_kinds(request, page: Query[PageQuery]):
    """Every kind the API makes: cost, rate limit and parameter ranges."""
    need(request, Scope.READ)
    return sliced(request, list(catalog.KINDS.values()), page, kind_out)


def kind_out(kind: catalog.Kind) -> dict:
    calls, seconds = catalog.rate_limit(kind.endpoint_type)
    return {"kind": kind.endpoint_type, "label": kind.label, "media": kind.media,
            "cost": kind.cost, "rate_limit_calls": calls, "rate_limit_seconds": seconds,
            "premium_only": kind.premium_only,
            "params": [param_out(p) for p in kind.params],
            "providers": [{"name": p.name, "cost": p.cost,
                           "duration_seconds": p.duration_seconds,
                           "resolution": p.resolution} for p in kind.providers]}


def param_out(param: catalog.Param) -> dict:
    """A parameter's rule in JSON's own words: "integer" bounds are integers."""
    def number(value):
        return int(value) if value is not None and param.type is int else value
    return {"name": param.name, "type": JSON_TYPES[param.type], "label": param.label,
            "required": param.required, "default": param.default,
            "min": number(param.min), "max": number(param.max),
            "min_length": param.min_length, "max_length": param.max_length,
            "choices": list(param.choices) if param.choices else None}


# --- generations ----------------------------------------------------------------------


def generation_out(request: HttpRequest, generation: Generation) -> dict:
    return shapes.generation_shape(generation, shapes.origin_of(request))


def team_generations(request: HttpRequest):
    return (Generation.objects.for_team(membership(request).team).in_gallery()
            .select_related("author", "generation_set")
            .prefetch_related("generation_set__generations"))


def one(request: HttpRequest, pk: int) -> Generation:
    found = team_generations(request).filter(pk=pk).first()
    if found is None:
        raise Problem(404, f"No generation #{pk} in this team's gallery.")
    return found


PREFER = {"name": "Prefer", "in": "header", "required": False, "schema": {
    "type": "string", "pattern": r"^wait=\d+$", "example": "wait=30"}, "description": (
    "`wait=N` (RFC 7240; N up to 60): answer when every generation of the submission is "
    "final or N seconds passed, whichever is first; `Preference-Applied` says so.")}
APPLIED = {"Preference-Applied": {"schema": {"type": "string"}, "description":
                                  "`wait=N` when the answer waited."}}


@api.post("/generations", response={201: GenerationOut, 402: ProblemOut, 409: ProblemOut,
                                    **ERRORS}, tags=["generations"],
          openapi_extra={"parameters": [PREFER],
                         "responses": {"201": {"headers": APPLIED}}})
def create_generation(request, body: GenerationIn):
    """Validate, quote and queue, as the form does; a count and {a|b} alternatives
    make a set, quoted and reserved as a whole. Honours `Idempotency-Key`, `Prefer:
    wait=N` and a `webhook` for this submission's events."""
    token = need(request, Scope.GENERATE)
    if not membership(request).can_generate:
        raise Problem(403, "This token's member is a viewer: viewers cannot generate.")
    answer = idempotency.once(request, token, lambda: created(request, token, body))
    seconds = waiting.preferred(request)
    if seconds is None or answer.status_code != 201:
        return answer
    return waited(request, answer, seconds)


def waited(request: HttpRequest, answer: HttpResponse, seconds: int) -> HttpResponse:
    """The created answer again once the submission is final or `seconds` passed."""
    made = json.loads(answer.content)
    waiting.until_final(made["set"]["ids"], seconds)
    fresh = HttpResponse(GenerationOut(**generation_out(request, one(request, made["id"])))
                         .model_dump_json(), status=201, content_type="application/json")
    if answer.has_header(idempotency.REPLAYED):
        fresh[idempotency.REPLAYED] = answer[idempotency.REPLAYED]
    fresh["Preference-Applied"] = f"wait={seconds}"
    return fresh


def created(request: HttpRequest, token: ApiToken, body: GenerationIn) -> HttpResponse:
    member = membership(request)
    kind = catalog.get(body.kind)
    if body.webhook:
        try:
            safe_http.check_url(body.webhook)
        except DjangoValidationError as exc:
            return problems.response("validation", " ".join(exc.messages),
                                     errors={"webhook": exc.messages})
    data = {name: value if isinstance(value, str) else str(value)
            for name, value in body.params.model_dump(exclude_none=True).items()}
    sent = {}
    if data.get("file"):
        sent["image_file"] = files.as_form_file(member.team, int(data.pop("file")))
        if sent["image_file"] is None:
            return problems.response("validation", "No such file in this team.", errors={
                "params.file": ["No such file in this team; POST /api/v1/files first."]})
    form = FORMS[kind.endpoint_type]({**data, "count": body.count, "lane": body.lane},
                                     sent, team=member.team, may_rush=member.can_manage)
    if not form.is_valid():
        return problems.response("validation", "Some parameters cannot be used; see "
                                 "`errors`.", errors=form_errors(form))
    order = submission.Order(
        kind=kind, params=form.api_params(), count=form.count,
        lane=form.cleaned_data.get("lane") or Lane.NORMAL,
        source=form.cleaned_data.get("source"), upload=form.cleaned_data.get("image_file"),
        upload_extension=getattr(form, "upload_extension", "") or "",
        extra={"via_token": token.pk})
    with transaction.atomic():  # its webhook is there before a worker can finish it
        outcome = submission.submit(member, token.user, order,
                                    limit=lambda total: tokens.cap_refusal(token, total))
        if outcome.queued and body.webhook:
            webhooks.for_submission(outcome.generations[0].generation_set, body.webhook,
                                    body.webhook_events)
    if not outcome.queued:
        return problems.response(problems.LIMITS.get(outcome.verdict.reason, 402),
                                 outcome.verdict.refusal)
    answer = generation_out(request, outcome.generations[0])
    return HttpResponse(GenerationOut(**answer).model_dump_json(), status=201,
                        content_type="application/json")


def form_errors(form) -> dict[str, list[str]]:
    """The form's errors named as the body names them: `params.text`, `count`."""
    top_level = {"count", "lane"}
    renamed = {"__all__": "params", "image_file": "params.file"}
    return {name if name in top_level else renamed.get(name, f"params.{name}"):
            list(map(str, messages))
            for name, messages in form.errors.items()}


@api.get("/generations/{int:pk}", response={200: GenerationOut, **ERRORS},
         tags=["generations"])
def get_generation(request, pk: ItemId):
    need(request, Scope.READ)
    return generation_out(request, one(request, pk))


# Filters that name something: the page's form offers only the team's own, the API
# answers an empty page for any other (a board of another team holds none of these).
FOUND_BY_NAME = ("member", "board", "tag")


class ListFilters(PageQuery):
    model_config = ConfigDict(extra="forbid")

    q: str = Field("", max_length=200)
    kind: AnyKind = Field(None)
    status: Status = Field(None)
    member: str = Field("", max_length=150, description="An author's username.")
    set: int = Field(None, ge=1, le=LARGEST_ID)
    board: int = Field(None, ge=1, le=LARGEST_ID)
    tag: str = Field("", max_length=100)
    review: ReviewName = Field(None)


@api.get("/generations", response={200: page_of(GenerationOut), **ERRORS},
         tags=["generations"])
def list_generations(request, filters: Query[ListFilters]):
    """Newest first, with the gallery's filters; the next page is at `next`."""
    need(request, Scope.READ)
    data = {name: value for name, value in filters.dict().items()
            if name in filter_names() and name not in FOUND_BY_NAME
            and value not in ("", None)}
    form = GalleryFilter(data or None, team=membership(request).team)
    if data and not form.is_valid():
        return problems.response("validation", "Some filters cannot be used; see "
                                 "`errors`.", errors={k: list(map(str, v))
                                                      for k, v in form.errors.items()})
    rows = form.apply(team_generations(request), token_user(request)) if data \
        else team_generations(request)
    # A member, board or tag the team has not finds nothing, as any other filter.
    if filters.member:
        rows = rows.filter(author__username=filters.member)
    if filters.board:
        rows = rows.filter(board_items__board_id=filters.board)
    if filters.tag:
        rows = rows.filter(item_tags__tag__name=" ".join(filters.tag.split()).lower())
    return paged(request, rows, filters, lambda g: generation_out(request, g))


def token_user(request: HttpRequest):
    return request.auth.user


# --- credits and the token itself ------------------------------------------------------


@api.get("/credits", response={200: BalanceOut, **ERRORS}, tags=["credits"])
def get_balance(request):
    need(request, Scope.READ)
    team = membership(request).team
    return {"credits_remaining": team.credits_remaining, "as_of": team.credits_as_of,
            "reserved": budget.reserved(team), "spent_this_month":
            budget.spent_this_month(team), "monthly_budget": team.monthly_budget}


@api.get("/credits/ledger", response={200: page_of(LedgerEntryOut), **ERRORS},
         tags=["credits"])
def list_ledger_entries(request, page: Query[PageQuery]):
    """Charges and refunds, newest first."""
    need(request, Scope.READ)
    rows = LedgerEntry.objects.for_team(membership(request).team).select_related("member")
    return paged(request, rows, page, ledger_entry_out)


def ledger_entry_out(entry: LedgerEntry) -> dict:
    return {"id": entry.pk, "created_at": entry.created_at, "kind": entry.kind,
            "credits": entry.credits, "generation_id": entry.generation_id,
            "member": entry.member.username if entry.member else None,
            "usage_id": entry.usage_id, "source": entry.source}


@api.get("/tokens/me", response={200: TokenUsageOut, **ERRORS}, tags=["tokens"])
def get_token_usage(request):
    """This token: its scopes, cap and what it has spent this month."""
    token = request.auth
    made = Generation.objects.filter(via_token=token.pk,
                                     created_at__gte=budget.month_start())
    return {"name": token.name, "prefix": token.prefix,
            "role": membership(request).role, "scopes": token.scopes,
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
    found = teams_own_webhooks(admin_of_team(request).team).filter(pk=pk).first()
    if found is None:
        raise Problem(404, f"No webhook #{pk} in this team.")
    return found


def teams_own_webhooks(team):
    """Not those given with one submission (a create's `webhook`)."""
    return WebhookEndpoint.objects.for_team(team).filter(generation_set=None)


@api.get("/webhooks", response={200: page_of(WebhookOut), **ERRORS}, tags=["webhooks"])
def list_webhooks(request, page: Query[PageQuery]):
    team = admin_of_team(request).team
    return paged(request, teams_own_webhooks(team), page, webhook_out, newest_first=False)


@api.get("/webhooks/request-secret", response={200: SecretOut, **ERRORS},
         tags=["webhooks"])
def get_request_webhook_secret(request):
    """The whsec_ secret that signs deliveries to a create's `webhook`: one per team."""
    need(request, Scope.GENERATE)
    return {"secret": webhooks.request_secret(membership(request).team)}


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
def update_webhook(request, pk: ItemId, body: WebhookPatch):
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
def send_test_webhook(request, pk: ItemId):
    """Send a `webhook.test` delivery now (it is retried like any other)."""
    endpoint = team_webhook(request, pk)
    delivery = webhooks.test(endpoint)
    return 202, delivery_out(delivery)


@api.get("/webhooks/{int:pk}/deliveries", response={200: page_of(DeliveryOut), **ERRORS},
         tags=["webhooks"])
def list_webhook_deliveries(request, pk: ItemId, page: Query[PageQuery]):
    """Newest first, each with its attempts' outcome."""
    return paged(request, team_webhook(request, pk).deliveries.all(), page, delivery_out)


def delivery_out(delivery) -> dict:
    return {name: getattr(delivery, name) for name in DeliveryOut.model_fields}
