"""The registry of kinds: one entry (`Kind`) per kind, the one source of truth for it.

Endpoint paths, credit costs, rate limits and parameter rules are copied from the
API's documentation (and the variants the live API was seen to answer with); the
label and icon are what the pages show. Forms, the dispatcher, the REST API, the
model fields, the sandbox and the pages read them from here and nowhere else.

The parts of a kind that live in apps above this one are plugged into its entry when
those apps load (their AppConfig.ready imports the module that carries them): the
sandbox's handler of an API kind (`@handles`), the worker's maker of a local kind
(`@makes`). So this module names no app above it, and tests/multimodal/test_kinds.py
fails when any kind lacks a part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

TTS = "tts"
IMAGE = "image"
VIDEO_I2V = "video_i2v"
VIDEO_T2V = "video_t2v"
VIDEO_COGVIDEOX = "video_cogvideox"

API_BASE_PATH = "/api/v1/multimodal"
MANAGED_USAGE_PATH = "/api/v1/managed/usage"

VOICES = (
    "Wise_Woman",
    "Friendly_Person",
    "Inspirational_girl",
    "Deep_Voice_Man",
    "Calm_Woman",
    "Casual_Guy",
    "Lively_Girl",
    "Patient_Man",
    "Young_Knight",
    "Determined_Man",
    "Lovely_Girl",
    "Decent_Boy",
    "Imposing_Manner",
    "Elegant_Man",
    "Abbess",
    "Sweet_Girl_2",
    "Exuberant_Girl",
)

# A usage record's status, and a generation answer's: the first two mean the
# provider is still at work.
USAGE_PENDING = "pending"
USAGE_PROCESSING = "processing"
USAGE_COMPLETED = "completed"
USAGE_FAILED = "failed"
USAGE_IN_PROGRESS = (USAGE_PENDING, USAGE_PROCESSING)
USAGE_LIST_LIMIT_MAX = 100


@dataclass(frozen=True)
class Param:
    """One request parameter and the rule the API applies to it."""

    name: str
    type: type
    label: str
    help: str = ""
    required: bool = False
    default: Any = None
    min: float | None = None
    max: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    choices: tuple[Any, ...] | None = None
    words: bool = False  # the words a person typed: a card's summary, the search, the detail

    def violation(self, value: Any) -> str | None:
        """The API's complaint about `value`, or None when it is acceptable."""
        if value is None or value == "":
            return "Field required" if self.required else None
        if self.type is str:
            return self._string_violation(value)
        return self._number_violation(value)

    def _string_violation(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return "Input should be a valid string"
        if self.min_length is not None and len(value) < self.min_length:
            return f"String should have at least {self.min_length} characters"
        if self.max_length is not None and len(value) > self.max_length:
            return f"String should have at most {self.max_length} characters"
        if self.choices is not None and value not in self.choices:
            return "Input should be " + ", ".join(repr(c) for c in self.choices)
        return None

    def _number_violation(self, value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"Input should be a valid {self.type.__name__}"
        if self.type is int and not float(value).is_integer():
            return "Input should be a valid integer"
        if self.choices is not None and value not in self.choices:
            return "Input should be " + ", ".join(str(c) for c in self.choices)
        if self.min is not None and value < self.min:
            return f"Input should be greater than or equal to {self.min:g}"
        if self.max is not None and value > self.max:
            return f"Input should be less than or equal to {self.max:g}"
        return None


@dataclass(frozen=True)
class Provider:
    """An I2V provider: each has its own cost and clip length."""

    name: str
    cost: int
    duration_seconds: int
    resolution: str
    quality: str


@dataclass(frozen=True)
class SourceRule:
    """A kind that is made from a finished item of the gallery (studio/generations/
    sources.py builds the form fields, the links and the signed URLs from this)."""

    media: str  # what it takes: "image", "video"
    action: str  # the link on such a card that opens this kind's form: "Animate"
    param: str = ""  # the API parameter the source fills (a signed link); "": lineage only
    uploads: bool = False  # a file may be given instead of a gallery item
    suggest: str = ""  # the parameter offered the source's words (not filled with them)
    icon: str = ""  # the action's icon, when not its kind's


@dataclass
class Parts:
    """What apps above the catalog plug into a kind when they load."""

    handler: Callable[[dict], Any] | None = None  # the sandbox's answer: params in, media out
    maker: Callable[[int, str], None] | None = None  # the worker task: (generation id, lease)


@dataclass(frozen=True)
class Kind:
    endpoint_type: str
    slug: str
    label: str
    path: str
    cost: int
    rate_limit: int
    rate_window_seconds: int
    params: tuple[Param, ...]
    media: str  # "audio", "image" or "video"
    premium_only: bool = False
    providers: tuple[Provider, ...] = field(default_factory=tuple)
    source: SourceRule | None = None
    local: bool = False  # made by the studio's worker from gallery items: no API call
    icon: str = ""  # a symbol of static/icons/lucide.svg: its tab, its cards
    parts: Parts = field(default_factory=Parts, compare=False, repr=False)

    @property
    def url_path(self) -> str:
        return API_BASE_PATH + self.path

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(f"{self.endpoint_type} has no parameter {name!r}")

    def cost_for(self, params: dict[str, Any]) -> int:
        """Credits one call with `params` costs (I2V depends on the provider)."""
        if self.providers:
            chosen = params.get("provider") or self.param("provider").default
            return self.provider(chosen).cost
        return self.cost

    def provider(self, name: str) -> Provider:
        for provider in self.providers:
            if provider.name == name:
                return provider
        raise KeyError(f"unknown provider {name!r}; known: "
                       + ", ".join(p.name for p in self.providers))

    def violations(self, params: dict[str, Any]) -> dict[str, str]:
        """Every parameter the API would refuse, by name."""
        problems = {p.name: p.violation(params.get(p.name)) for p in self.params}
        return {name: msg for name, msg in problems.items() if msg}

    def with_defaults(self, params: dict[str, Any]) -> dict[str, Any]:
        """`params` with every documented default filled in, as sent to the API."""
        filled = {p.name: p.default for p in self.params if p.default is not None}
        filled.update({k: v for k, v in params.items() if v not in (None, "")})
        return filled


I2V_PROVIDERS = (
    Provider("wan22", 400, 5, "1280x720", "Best value"),
    Provider("seedance", 520, 5, "1280x720", "High quality"),
    Provider("sora2", 800, 4, "1280x720", "Cinematic"),
)

KINDS: dict[str, Kind] = {
    kind.endpoint_type: kind
    for kind in (
        Kind(
            endpoint_type=TTS,
            slug="tts",
            label="Speech",
            path="/tts",
            cost=14,
            rate_limit=10,
            rate_window_seconds=60,
            media="audio",
            icon="audio-lines",
            source=SourceRule(media="video", action="Voice-over", suggest="text", icon="mic"),
            params=(
                Param("text", str, "Text", "What the voice says.", required=True,
                      min_length=1, max_length=5000, words=True),
                Param("voice", str, "Voice", "Voice profile.", default="Wise_Woman",
                      choices=VOICES),
            ),
        ),
        Kind(
            endpoint_type=IMAGE,
            slug="image",
            label="Image",
            path="/image",
            cost=50,
            rate_limit=5,
            rate_window_seconds=60,
            media="image",
            icon="image",
            params=(
                Param("prompt", str, "Prompt", "Describe the image.", required=True,
                      min_length=1, max_length=2000, words=True),
                Param("width", int, "Width", "Pixels, 512 to 2048.", default=1024,
                      min=512, max=2048),
                Param("height", int, "Height", "Pixels, 512 to 2048.", default=1024,
                      min=512, max=2048),
                Param("style", str, "Style", "Optional LoRA style preset.",
                      max_length=100),
            ),
        ),
        Kind(
            endpoint_type=VIDEO_I2V,
            slug="i2v",
            label="Image to video",
            path="/video/i2v",
            cost=I2V_PROVIDERS[0].cost,
            rate_limit=2,
            rate_window_seconds=60,
            media="video",
            icon="film",
            providers=I2V_PROVIDERS,
            source=SourceRule(media="image", action="Animate", param="image_url",
                              uploads=True),
            params=(
                Param("image_url", str, "Image URL", "Public URL of the source image.",
                      required=True, min_length=1, max_length=2048),
                Param("motion_prompt", str, "Motion prompt",
                      "How the picture moves: zoom, pan, tilt...", required=True,
                      min_length=1, max_length=1000, words=True),
                # The API's notes disagree on the default (seedance here), so always send it.
                Param("provider", str, "Provider", "Who renders the clip.",
                      default="wan22", choices=tuple(p.name for p in I2V_PROVIDERS)),
            ),
        ),
        Kind(
            endpoint_type=VIDEO_T2V,
            slug="t2v",
            label="Text to video",
            path="/video/t2v",
            cost=1000,
            rate_limit=1,
            rate_window_seconds=60,
            media="video",
            icon="video",
            premium_only=True,
            params=(
                Param("prompt", str, "Prompt", "Describe the video.", required=True,
                      min_length=1, max_length=1000, words=True),
                Param("duration", int, "Duration", "Seconds, 1 to 10.", default=5,
                      min=1, max=10),
            ),
        ),
        Kind(
            endpoint_type=VIDEO_COGVIDEOX,
            slug="cogvideox",
            label="CogVideoX",
            path="/video/cogvideox",
            cost=800,
            rate_limit=1,
            rate_window_seconds=60,
            media="video",
            icon="clapperboard",
            params=(
                Param("prompt", str, "Prompt", "Describe the video.", required=True,
                      min_length=1, max_length=1000, words=True),
                Param("num_frames", int, "Frames",
                      "17, 33 or 49 frames at 8 fps: longer clips.", default=49,
                      choices=(17, 33, 49)),
                Param("guidance_scale", float, "Guidance scale",
                      "How closely it follows the prompt (1.0 to 20.0).", default=6.0,
                      min=1.0, max=20.0),
                Param("num_inference_steps", int, "Inference steps",
                      "More steps: finer detail, slower (20 to 100).", default=50,
                      min=20, max=100),
            ),
        ),
    )
}

# Kinds the studio makes itself from gallery items (studio/finishing): no API call,
# no credits, no rate-limit slot; their options are the finishing forms' own.
MIX, SEQUENCE, FILM = "mix", "sequence", "film"
LOCAL_KINDS: dict[str, Kind] = {
    MIX: Kind(MIX, "mix", "Mix", path="", cost=0, rate_limit=0, rate_window_seconds=0,
              params=(), media="video", local=True, icon="film",
              source=SourceRule(media="video", action="Mix", icon="audio-lines")),
    SEQUENCE: Kind(SEQUENCE, "sequence", "Sequence", path="", cost=0, rate_limit=0,
                   rate_window_seconds=0, params=(), media="video", local=True,
                   icon="film"),
    # A storyboard's scenes (clips and their narrations) under a title card.
    FILM: Kind(FILM, "film", "Film", path="", cost=0, rate_limit=0, rate_window_seconds=0,
               params=(), media="video", local=True, icon="clapperboard"),
}
ALL_KINDS: dict[str, Kind] = {**KINDS, **LOCAL_KINDS}

KINDS_BY_SLUG: dict[str, Kind] = {kind.slug: kind for kind in KINDS.values()}
# The parameters that hold the words a person typed, in the order a summary looks; a
# film (a local kind, made from a storyboard) is named by its title.
WORDS: tuple[str, ...] = tuple(dict.fromkeys(
    [param.name for kind in KINDS.values() for param in kind.params if param.words]
    + ["title"]))


def kind_choices() -> list[tuple[str, str]]:
    """(name, label) of every kind, for model fields and forms. Migrations name this
    function rather than copy its list, so a new kind makes no migration: keep its
    name and place."""
    return [(kind.endpoint_type, kind.label) for kind in ALL_KINDS.values()]


def handles(endpoint_type: str) -> Callable:
    """Decorator: the sandbox's handler of an API kind (studio/sandbox/handlers.py)."""
    return _plug(endpoint_type, "handler", local=False)


def makes(endpoint_type: str) -> Callable:
    """Decorator: the worker task that makes a local kind (studio/finishing/tasks.py)."""
    return _plug(endpoint_type, "maker", local=True)


def _plug(endpoint_type: str, part: str, *, local: bool) -> Callable:
    kind = ALL_KINDS[endpoint_type]
    if kind.local != local:
        raise ValueError(f"{endpoint_type} takes no {part}")

    def plug(function: Callable) -> Callable:
        plugged = getattr(kind.parts, part)
        if plugged not in (None, function):
            raise ValueError(f"{endpoint_type} has a {part} already: {plugged.__qualname__}")
        setattr(kind.parts, part, function)
        return function
    return plug


def get(endpoint_type: str) -> Kind:
    return ALL_KINDS[endpoint_type]


def rate_limit(endpoint_type: str) -> tuple[int, float]:
    """(calls, window seconds) for a kind, honouring STUDIO_RATE_LIMITS."""
    override = getattr(settings, "STUDIO_RATE_LIMITS", {}).get(endpoint_type)
    if override:
        return override
    kind = KINDS[endpoint_type]
    return kind.rate_limit, kind.rate_window_seconds


def parse_rate_limits(text: str) -> dict[str, tuple[int, float]]:
    """Parse `tts=10/60,image=5/60` into {kind: (calls, seconds)}; fail loudly."""
    limits: dict[str, tuple[int, float]] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        try:
            name, rule = item.split("=")
            calls, seconds = rule.split("/")
            limit = (int(calls), float(seconds))
        except ValueError:
            raise ValueError(f"STUDIO_RATE_LIMITS: cannot read {item!r}; "
                             "write kind=calls/seconds, e.g. tts=10/60") from None
        if name not in KINDS:
            raise ValueError(f"STUDIO_RATE_LIMITS: unknown kind {name!r}; "
                             f"known: {', '.join(KINDS)}")
        if limit[0] < 1 or limit[1] <= 0:
            raise ValueError(f"STUDIO_RATE_LIMITS: {item!r} must allow at least one "
                             "call in a positive window")
        limits[name] = limit
    return limits
