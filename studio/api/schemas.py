"""What the REST API takes and answers, typed: the OpenAPI document is made from these."""

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from studio.multimodal import catalog

# The kinds a token may ask for: every API kind of the catalog (local kinds are made
# from the finishing pages, not through the REST API).
KindName = Literal[tuple(catalog.KINDS)]
Event = Literal["generation.succeeded", "generation.failed", "set.finished", "credits.low",
                "note.created", "review.changed"]


class ProblemOut(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] | None = None


class ParamOut(Schema):
    name: str
    type: str
    label: str
    required: bool
    default: Any = None
    min: float | None = None
    max: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    choices: list[Any] | None = None


class ProviderOut(Schema):
    name: str
    cost: int
    duration_seconds: int
    resolution: str


class KindOut(Schema):
    kind: str
    label: str
    media: str
    cost: int
    rate_limit_calls: int
    rate_limit_seconds: float
    premium_only: bool
    params: list[ParamOut]
    providers: list[ProviderOut]


class GenerationIn(Schema):
    kind: KindName
    params: dict[str, Any] = Field(default_factory=dict, description=(
        "The API's parameter names, as in the catalog; free text may hold {a|b} "
        "alternatives. `source` (a gallery image's id) may stand for image_url."))
    count: int = Field(1, ge=1, le=16)
    lane: Literal["urgent", "normal", "background"] = "normal"


class SetOut(Schema):
    id: int
    size: int
    cost: int
    ids: list[int]


class GenerationOut(Schema):
    id: int
    kind: str
    status: Literal["queued", "running", "succeeded", "failed", "canceled"]
    state: str
    params: dict[str, Any]
    cost: int
    credits_used: int | None
    lane: str
    queue_position: int | None
    expected_start_at: datetime | None
    error_code: str
    error_message: str
    author: str | None
    created_at: datetime
    finished_at: datetime | None
    media_url: str | None
    set: SetOut | None = None


class GenerationPage(Schema):
    items: list[GenerationOut]
    next_before: int | None


class BalanceOut(Schema):
    credits_remaining: int | None
    as_of: datetime | None
    reserved: int
    spent_this_month: int
    monthly_budget: int | None


class LedgerEntryOut(Schema):
    id: int
    created_at: datetime
    kind: str
    credits: int
    member: str | None
    generation_id: int | None
    usage_id: str
    source: str


class LedgerPage(Schema):
    items: list[LedgerEntryOut]
    next_before: int | None


class TokenUsageOut(Schema):
    name: str
    prefix: str
    scopes: list[str]
    service: bool
    monthly_cap: int | None
    spent_this_month: int
    generations_this_month: int
    created_at: datetime
    last_used_at: datetime | None


class WebhookIn(Schema):
    url: str = Field(max_length=500)
    events: list[Event] = Field(min_length=1)


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    disabled: bool
    created_at: datetime
    secret: str | None = Field(None, description="Shown once, when it is made.")


class WebhookPatch(Schema):
    disabled: bool


class DeliveryOut(Schema):
    id: int
    message_id: str
    event: str
    status: str
    attempts: int
    last_status: int | None
    last_error: str
    last_latency_ms: int | None
    created_at: datetime
    delivered_at: datetime | None
    next_attempt_at: datetime | None


class LaneIn(Schema):
    lane: Literal["urgent", "normal", "background"]


class StarIn(Schema):
    starred: bool


class StarOut(Schema):
    starred: bool


class RatingIn(Schema):
    stars: int = Field(ge=1, le=5)


class RatingOut(Schema):
    stars: int
    average: float
    count: int


class CommentIn(Schema):
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
    created_at: datetime


class SetProgressOut(Schema):
    id: int
    kind: str
    size: int
    cost: int
    ids: list[int]
    succeeded: int
    failed: int
    waiting_or_running: int
    held: int
    created_at: datetime
