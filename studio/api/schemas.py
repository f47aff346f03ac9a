"""What the REST API takes and answers, typed: the OpenAPI document is made from these."""

from datetime import datetime
from typing import Annotated, Any, Literal, Union

from ninja import Field, Schema
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    WithJsonSchema,
    create_model,
)

from studio.api.models import Scope, WebhookDelivery
from studio.api.times import rfc3339
from studio.generations import alternatives, states, submission
from studio.generations.models import Lane
from studio.lib.converters import LARGEST_ID
from studio.multimodal import catalog
from studio.review.models import ReviewStatus
from studio.teams.models import Role

# The kinds a token may ask for: every API kind of the catalog (local kinds are made
# from the finishing pages, not through the REST API); any kind may be shown.
KindName = Literal[tuple(catalog.KINDS)]
AnyKind = Literal[tuple(catalog.ALL_KINDS)]
# A set's kind: its generations' one kind, or "mixed" (a storyboard's parts and film).
SetKind = Literal[(*catalog.ALL_KINDS, submission.MIXED)]
Status = Literal[tuple(states.Status.values)]
LaneName = Literal[tuple(Lane.values)]
RoleName = Literal[tuple(Role.values)]
ReviewName = Literal[tuple(ReviewStatus.values)]
ScopeName = Literal[tuple(Scope.values)]
DeliveryStatus = Literal[tuple(WebhookDelivery.Status.values)]
Event = Literal["generation.succeeded", "generation.failed", "set.finished", "credits.low",
                "note.created", "review.changed"]
DeliveredEvent = Literal[Event, "webhook.test"]
Timestamp = Annotated[datetime, PlainSerializer(rfc3339, return_type=str),
                      WithJsonSchema({"type": "string", "format": "date-time",
                                      "example": "2026-12-07T17:30:00.000Z"})]
# An integer as JSON Schema has it: 5.0 is the integer 5 (a string "5" is not).
Whole = Annotated[int, BeforeValidator(
    lambda value: int(value) if isinstance(value, float) and value.is_integer() else value)]
JSON_TYPES = {str: "string", int: "integer", float: "number"}


class Strict(Schema):
    """A body: unknown fields are refused (422 naming them), values are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)


class ProblemOut(Schema):
    type: str = Field(description="A URI naming the problem; GET it for what it means.")
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] | None = Field(
        None, description="By field, dotted as in the body: `params.voice`, `count`.")


class ParamOut(Schema):
    name: str
    type: Literal["string", "integer", "number"]
    label: str
    required: bool
    default: str | int | float | None = None
    min: int | float | None = None
    max: int | float | None = None
    min_length: int | None = None
    max_length: int | None = None
    choices: list[str | int | float] | None = None


class ProviderOut(Schema):
    name: str
    cost: int
    duration_seconds: int
    resolution: str


class KindOut(Schema):
    kind: KindName
    label: str
    media: Literal["audio", "image", "video"]
    cost: int
    rate_limit_calls: int
    rate_limit_seconds: int | float
    premium_only: bool
    params: list[ParamOut]
    providers: list[ProviderOut]


def param_field(param: catalog.Param) -> tuple[Any, Any]:
    """A catalog parameter as a typed field: its type, range, length and choices."""
    annotation: Any = Literal[param.choices] if param.choices else \
        Whole if param.type is int else param.type
    limits = {"ge": param.min, "le": param.max, "min_length": param.min_length,
              "max_length": param.max_length}
    known = {name: value for name, value in limits.items() if value is not None}
    if param.required:
        return annotation, Field(..., description=param.help, **known)
    return annotation, Field(param.default, description=param.help, **known)


def params_model(kind: catalog.Kind) -> type[BaseModel]:
    """The parameters a kind takes, from the catalog (its one source); a kind made
    from a gallery item also takes that item's id as `source`."""
    fields = {param.name: param_field(param) for param in kind.params}
    if kind.source:
        fields["source"] = (Whole, Field(None, ge=1, le=LARGEST_ID, description=(
            f"A finished {kind.source.media} of the team's gallery, by id"
            + (f", instead of `{kind.source.param}`." if kind.source.param else "."))))
        if kind.source.uploads:
            fields["file"] = (Whole, Field(None, ge=1, le=LARGEST_ID, description=(
                f"An image sent to POST /api/v1/files, by id, instead of "
                f"`{kind.source.param}`.")))
        if kind.source.param:
            fields[kind.source.param] = (str, Field(
                None, min_length=1, max_length=kind.param(kind.source.param).max_length,
                description=kind.param(kind.source.param).help))
    config = ConfigDict(extra="forbid", strict=True)
    if kind.source and kind.source.param:
        config["json_schema_extra"] = {"oneOf": [
            {"required": [name]} for name in (kind.source.param, "source", "file")
            if name in fields]}
    return create_model(f"{type_name(kind)}Params", __config__=config, __doc__=(
        f"{kind.label}: the parameters, named as the API names them; free text may hold "
        "{a|b} alternatives."), **fields)


def type_name(kind: catalog.Kind) -> str:
    return "".join(part.title() for part in kind.endpoint_type.split("_"))


RequestEvent = Literal["generation.succeeded", "generation.failed", "set.finished"]
PublicUrl = Annotated[str, Field(
    max_length=500, pattern=r"^https?://[^\s/?#]+[^\s]*$", json_schema_extra={
        "format": "uri"}, description="A public http(s) address; private, loopback and "
                                      "link-local ones are refused.")]


class GenerationBase(Strict):
    webhook: PublicUrl = Field(None, description=(
        "Gets this submission's events, signed as the team's webhooks are (Standard "
        "Webhooks) with the secret GET /api/v1/webhooks/request-secret shows."))
    webhook_events: list[RequestEvent] = Field(
        ["generation.succeeded", "generation.failed", "set.finished"], min_length=1)
    count: Whole = Field(1, ge=1, le=alternatives.MAX_COUNT, description="How many of each; {a|b} "
                                                   "alternatives multiply it.")
    lane: LaneName = Field("normal", description="urgent (admins), normal or background.")


def generation_in(kind: catalog.Kind) -> type[GenerationBase]:
    return create_model(f"Create{type_name(kind)}", __base__=GenerationBase,
                        kind=(Literal[kind.endpoint_type], ...),
                        params=(params_model(kind), ...))


GENERATION_BODIES = tuple(generation_in(kind) for kind in catalog.KINDS.values())
GenerationIn = Annotated[Union[GENERATION_BODIES], Field(discriminator="kind")]  # noqa: UP007


class SetOut(Schema):
    id: int
    size: int
    cost: int
    ids: list[int]


class GenerationLinks(Schema):
    self: str = Field(description="This generation.")
    cancel: str | None = Field(description="POST here to cancel it, while it waits.")
    media: str | None = Field(description="Its file, once it succeeded.")


class Timings(Schema):
    """Whole milliseconds; null until the moment they end has come."""

    waited_ms: int | None = Field(description="From created to its call first going out.")
    ran_ms: int | None = Field(description="From its call going out to its end "
                                           "(the provider's rendering included).")
    total_ms: int | None = Field(description="From created to its end.")


class GenerationOut(Schema):
    id: int
    kind: AnyKind
    status: Status
    state: str
    params: dict[str, Any]
    cost: int
    credits_used: int | None
    lane: LaneName
    queue_position: int | None
    expected_start_at: Timestamp | None
    error_code: str
    error_message: str
    author: str | None
    created_at: Timestamp
    started_at: Timestamp | None = Field(description="When its call first went out.")
    finished_at: Timestamp | None
    timings: Timings
    media_url: str | None
    set: SetOut | None = Field(description="The submission it is one of.")
    links: GenerationLinks


class BalanceOut(Schema):
    credits_remaining: int | None
    as_of: Timestamp | None
    reserved: int
    spent_this_month: int
    monthly_budget: int | None


class LedgerEntryOut(Schema):
    id: int
    created_at: Timestamp
    kind: str
    credits: int
    member: str | None
    generation_id: int | None
    usage_id: str
    source: str


class TokenUsageOut(Schema):
    name: str
    prefix: str
    role: RoleName = Field(description="The token's member's role in the team.")
    scopes: list[ScopeName]
    service: bool
    monthly_cap: int | None
    spent_this_month: int
    generations_this_month: int
    created_at: Timestamp
    last_used_at: Timestamp | None


class WebhookIn(Strict):
    url: PublicUrl
    events: list[Event] = Field(min_length=1)


class WebhookOut(Schema):
    id: int
    url: str
    events: list[Event]
    disabled: bool
    created_at: Timestamp
    secret: str | None = Field(None, description="Shown once, when it is made.")


class SecretOut(Schema):
    secret: str


class WebhookPatch(Strict):
    disabled: bool


class DeliveryOut(Schema):
    id: int
    message_id: str
    event: DeliveredEvent
    status: DeliveryStatus
    attempts: int
    last_status: int | None
    last_error: str
    last_latency_ms: int | None
    created_at: Timestamp
    delivered_at: Timestamp | None
    next_attempt_at: Timestamp | None


class LaneIn(Strict):
    lane: LaneName


class StarIn(Strict):
    starred: bool


class StarOut(Schema):
    starred: bool


class RatingIn(Strict):
    stars: Whole = Field(ge=1, le=5)


class RatingOut(Schema):
    stars: int
    average: float
    count: int


class CommentIn(Strict):
    """A note: on a clip or speech it may carry a moment (`at`) or a range (`at` to
    `until`), in seconds; on a picture a `point`, [x, y] as fractions from the top left."""

    text: str = Field(min_length=1, max_length=2000)
    at: float | None = Field(None, ge=0)
    until: float | None = Field(None, ge=0)
    point: list[float] | None = Field(None, min_length=2, max_length=2)


class CommentOut(Schema):
    id: int
    author: str | None
    outside_name: str | None = Field(
        description="Set when someone with no account left it through an outside link")
    text: str
    at: float | None
    until: float | None
    point: list[float] | None
    mentions: list[str]
    created_at: Timestamp


class SetProgressOut(Schema):
    id: int
    kind: SetKind
    size: int
    cost: int
    ids: list[int]
    succeeded: int
    failed: int
    waiting_or_running: int
    held: int
    created_at: Timestamp


class ProblemTypeOut(Schema):
    type: str
    slug: str
    status: int
    title: str
    description: str
