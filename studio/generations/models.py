import functools
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.db.models import Avg, Count, Exists, Max, OuterRef, StringAgg, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.text import slugify

from studio.generations.states import State, Status
from studio.lib import clock
from studio.lib.team_scope import TeamQuerySet, reached_through
from studio.multimodal import catalog

PENDING_STATUSES = (Status.QUEUED, Status.RUNNING)


FILE_WORDS_MAX = 60  # characters of the prompt kept in a file name


def name_slug(words: str) -> str:
    """The first words of `words` as a file name's slug, cut between words."""
    slug = slugify(words)
    if len(slug) <= FILE_WORDS_MAX:
        return slug
    return slug[:FILE_WORDS_MAX + 1].rsplit("-", 1)[0].strip("-")


def words_in(params: dict) -> str:
    """The words a person typed, from the kind's words parameter (catalog.WORDS)."""
    return next((params[name] for name in catalog.WORDS if params.get(name)), "")


class Lane(models.TextChoices):
    """Which work of a rate window goes first (rate_windows.plan)."""

    URGENT = "urgent", "Urgent"
    NORMAL = "normal", "Normal"
    BACKGROUND = "background", "Background"


# What apps above this one add to every card's row (review's status), registered from
# their AppConfig.ready: name -> a function making the annotation's expression. A card
# is kept under these values too (templatetags/cards.py).
CARD_ANNOTATIONS: dict = {}


def awaited_ids() -> Subquery:
    """The ids a row waits for that have not succeeded, "12,13" (None: none), in the
    cards' one query: a card drawn and kept under them says what it waits for."""
    links = Generation.waits_for.through.objects.filter(
        from_generation=OuterRef("pk")).exclude(to_generation__status=Status.SUCCEEDED)
    ids = StringAgg(Cast("to_generation_id", models.CharField()), Value(","))
    return Subquery(links.values("from_generation").annotate(ids=ids).values("ids")[:1])


class GenerationQuerySet(TeamQuerySet):
    """The one base of every list of generations a page or form shows."""

    def in_gallery(self) -> "GenerationQuerySet":
        """Not in the trash."""
        return self.filter(deleted_at=None)

    def for_cards(self, user) -> "GenerationQuerySet":
        """With what a card shows, in the cards' own query: the author, and
        `starred` (by `user`), `rating_avg` (None when unrated) and `comment_count`.
        Correlated subqueries rather than joins, so ratings and comments never
        multiply each other's rows."""
        ratings = Rating.objects.filter(generation=OuterRef("pk")).values("generation")
        comments = Comment.objects.filter(generation=OuterRef("pk")).values("generation")
        return self.select_related("author").annotate(
            starred=Exists(Star.objects.filter(generation=OuterRef("pk"), user=user)),
            rating_avg=Subquery(ratings.annotate(avg=Avg("stars")).values("avg")[:1]),
            comment_count=Coalesce(
                Subquery(comments.annotate(n=Count("id")).values("n")[:1]), 0,
                output_field=models.IntegerField()),
            awaited=awaited_ids(),
            **{name: make() for name, make in CARD_ANNOTATIONS.items()},
        )

    def stacked(self) -> "GenerationQuerySet":
        """One row for each set of several: its newest item outside the trash, which
        carries the set's stacked card (see `Generation.stack`)."""
        return self.exclude(set_expressions()["newer"]).with_set_progress()

    def with_set_progress(self) -> "GenerationQuerySet":
        """Each row's set, and how far it is: items done, failed and still waiting or
        running, and when the last waiting one is expected to go out. Correlated
        subqueries: the page keeps its one query."""
        progress = {name: expression for name, expression in set_expressions().items()
                    if name != "newer"}
        return self.select_related("generation_set").annotate(**progress)

    def finished(self, media: str) -> "GenerationQuerySet":
        """Succeeded ones in the gallery whose media is `media` ("image", "video"...),
        newest first: what a kind that takes a source may take."""
        kinds = [k.endpoint_type for k in catalog.ALL_KINDS.values() if k.media == media]
        return self.in_gallery().filter(kind__in=kinds, status=Status.SUCCEEDED) \
            .order_by("-created_at", "-id")

    def reserved_credits(self, team, member=None) -> int:
        """Catalog cost of the queued and running work of `team` (of `member`)."""
        pending = self.for_team(team).filter(status__in=PENDING_STATUSES)
        if member is not None:
            pending = pending.filter(author=member)
        return pending.aggregate(total=Sum("cost"))["total"] or 0


class GenerationSet(models.Model):
    """One submission: its generations were quoted and reserved together (alternatives.py)."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE,
                             related_name="generation_sets")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                               on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, choices=catalog.kind_choices)
    template = models.JSONField(default=dict, help_text="The parameters as typed, "
                                                        "alternatives and all.")
    count = models.PositiveSmallIntegerField(default=1)
    size = models.PositiveSmallIntegerField(help_text="How many generations it made.")
    cost = models.IntegerField(help_text="The quote for all of them, in credits.")
    created_at = models.DateTimeField(default=clock.stamp, editable=False)

    objects = TeamQuerySet.as_manager()

    def __str__(self) -> str:
        return f"set #{self.pk} of {self.size} {self.kind}"

    @property
    def summary(self) -> str:
        """The words typed, alternatives and all."""
        return words_in(self.template)


@functools.cache
def set_expressions() -> dict:
    """The stacked gallery's expressions, built once: building them per request
    was a tenth of the gallery page's time (a query resolves its own copy)."""
    def siblings(**condition):
        return Generation.objects.filter(generation_set=OuterRef("generation_set"),
                                         **condition)

    def tally(**condition):
        rows = siblings(deleted_at=None, **condition).values("generation_set")
        return Coalesce(Subquery(rows.annotate(n=Count("id")).values("n")[:1]), 0,
                        output_field=models.IntegerField())
    pending = siblings(status__in=PENDING_STATUSES).values("generation_set")
    return {
        "newer": Exists(siblings(deleted_at=None, pk__gt=OuterRef("pk"))),
        "set_done": tally(status=Status.SUCCEEDED),
        "set_failed": tally(status=Status.FAILED),
        "set_open": tally(status__in=PENDING_STATUSES),
        "set_finish": Subquery(pending.annotate(last=Max("expected_start_at"))
                               .values("last")[:1]),
    }


@dataclass(frozen=True)
class SetProgress:
    """How far a set is, for its stacked card."""

    generation_set: GenerationSet
    done: int
    failed: int
    open: int  # waiting or running
    last_start: datetime | None  # the last waiting item's expected start

    @property
    def finished(self) -> int:
        return self.generation_set.size - self.open

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.generation_set.size)

    @property
    def key(self) -> str:
        """What its card shows of it, for the card cache."""
        start = self.last_start.timestamp() if self.last_start else 0
        return f"{self.generation_set.pk}:{self.done}:{self.failed}:{self.open}:{start:.0f}"


def media_path(generation: "Generation", filename: str) -> str:
    return f"teams/{generation.team_id}/generations/{filename}"


class Generation(models.Model):
    THUMB_WIDTH = 600  # pixels: cards are about 300 CSS pixels wide, so 2x screens too
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE,
                             related_name="generations")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                               on_delete=models.SET_NULL, related_name="generations")
    kind = models.CharField(max_length=20, choices=catalog.kind_choices)
    params = models.JSONField(default=dict)
    # Written only by lifecycle.py: the state graph of states.py, and the public
    # status each state maps to (kept as a column for filters and indexes).
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    status = models.CharField(max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)

    cost = models.IntegerField(help_text="Credits the catalog says one call costs.")
    credits_used = models.IntegerField(null=True, blank=True)
    credits_remaining = models.IntegerField(null=True, blank=True)
    usage_id = models.CharField(max_length=100, blank=True)

    source = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="derived",
                               help_text="The gallery image an I2V video animates.")
    source_upload = models.FileField(upload_to=media_path, max_length=300, blank=True,
                                     help_text="An uploaded image an I2V video animates.")

    media = models.FileField(upload_to=media_path, max_length=300, blank=True)
    poster = models.FileField(upload_to=media_path, max_length=300, blank=True)
    thumbnail = models.FileField(upload_to=media_path, max_length=300, blank=True,
                                 help_text="A small WebP for cards, made once at save time.")
    search_text = models.TextField(blank=True, help_text="The words typed, for search.")
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    fps = models.FloatField(null=True, blank=True)
    frame_count = models.IntegerField(null=True, blank=True)
    media_format = models.CharField(max_length=10, blank=True)
    media_bytes = models.BigIntegerField(null=True, blank=True)
    duration_ms = models.IntegerField(null=True, blank=True)
    width = models.IntegerField(null=True, blank=True)
    height = models.IntegerField(null=True, blank=True)

    not_before = models.DateTimeField(null=True, blank=True,
                                      help_text="Queued: not sent again before this.")
    follow_up_at = models.DateTimeField(null=True, blank=True,
                                        help_text="Awaiting the provider or checking: "
                                                  "the next poll or check is due then.")
    lease_owner = models.CharField(max_length=200, blank=True,
                                   help_text="The worker acting on it now.")
    lease_until = models.DateTimeField(null=True, blank=True,
                                       help_text="When that worker counts as gone.")
    tries = models.PositiveSmallIntegerField(
        default=0, help_text="Times a worker began making this local kind (mix, "
                             "sequence); past STUDIO_MAKE_ATTEMPTS it is not made again.")
    generation_set = models.ForeignKey(GenerationSet, null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="generations",
                                       help_text="The submission it was made in.")
    waits_for = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="awaited_by",
        help_text="Rows it is not sent before (a clip its picture, a film its parts): "
                  "when one fails or is canceled, this fails too.")
    via_token = models.PositiveIntegerField(
        null=True, blank=True, db_index=True,
        help_text="The REST API token it was made with (studio.api), if any.")
    lane = models.CharField(max_length=10, choices=Lane.choices, default=Lane.NORMAL)
    rank = models.FloatField(default=0, help_text="The author's own order among their "
                                                  "queued work: lower goes first.")
    queue_position = models.PositiveIntegerField(null=True, blank=True)
    expected_start_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.stamp, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = GenerationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["team", "-created_at", "-id"]),
            models.Index(fields=["team", "kind", "-created_at"]),
            models.Index(fields=["team", "author", "-created_at"]),
            models.Index(fields=["team", "-updated_at"]),
            models.Index(fields=["team", "status"]),
            models.Index(fields=["state", "follow_up_at"]),
            models.Index(fields=["lease_until"]),
        ]
        constraints = [models.UniqueConstraint(
            fields=["usage_id"], condition=~models.Q(usage_id=""),
            name="one_generation_per_usage_record")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    def save(self, *args, **kwargs) -> None:
        self.search_text = self.summary.lower()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def kind_spec(self) -> catalog.Kind:
        return catalog.get(self.kind)

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES

    @property
    def made_from(self) -> list[int]:
        """Ids of the gallery items this was made from: its source, a mix's speech,
        a sequence's clips in order, a film's clip and narration of each scene."""
        if self.params.get("scenes"):
            return [pk for scene in self.params["scenes"]
                    for pk in (scene.get("clip"), scene.get("speech")) if pk]
        if self.params.get("parts"):
            return list(self.params["parts"])
        return [pk for pk in (self.source_id, self.params.get("speech")) if pk]

    @property
    def stack(self) -> "SetProgress | None":
        """The set this row's card stands for, when it is one of several and the
        queryset counted it (`stacked`); None for a card of its own."""
        generation_set = self.generation_set if self.generation_set_id else None
        if generation_set is None or generation_set.size < 2 or not hasattr(self, "set_done"):
            return None
        return SetProgress(generation_set, self.set_done, self.set_failed, self.set_open,
                           self.set_finish)

    @property
    def summary(self) -> str:
        """The words the person typed: the text, prompt or motion prompt."""
        return words_in(self.params)

    @functools.cached_property
    def waiting_for(self) -> list[int]:
        """Ids of the rows it waits for that have not succeeded yet (none once sent);
        from the cards' query where it has them (`awaited`)."""
        if self.state != State.QUEUED:
            return []
        if hasattr(self, "awaited"):
            return sorted(int(pk) for pk in (self.awaited or "").split(",") if pk)
        return list(self.waits_for.exclude(status=Status.SUCCEEDED).order_by("id")
                    .values_list("pk", flat=True))

    @property
    def attempts(self) -> int:
        """Calls that count towards the retry limit (a 429 does not)."""
        return sum(1 for a in self.attempt_log.all()
                   if a.outcome != Attempt.Outcome.RATE_LIMITED)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES.get(self.media_format, UNKNOWN_TYPE)

    @property
    def file_stem(self) -> str:
        """lighthouse-on-a-cliff-at-dawn-7: what every file of this generation is
        named after, from its words (or its kind's label when it has none) and id."""
        return f"{name_slug(self.summary) or slugify(self.get_kind_display())}-{self.pk}"

    @property
    def download_name(self) -> str:
        return f"{self.file_stem}.{self.media_format or 'bin'}"


UNKNOWN_TYPE = "application/octet-stream"  # a file the studio did not judge: downloaded
CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "mp4": "video/mp4",
}


class Attempt(models.Model):
    """One call of a generation to the API: when, how long, and what came back.

    The dispatcher's rate windows are counted from these rows, so a slot is taken
    by creating one (`dispatched`) and the worker restamps `sent_at` on sending.
    """

    class Outcome(models.TextChoices):
        DISPATCHED = "dispatched", "Waiting for a worker"
        IN_FLIGHT = "in_flight", "In flight"
        SUCCEEDED = "succeeded", "Answered with the media"
        ACCEPTED = "accepted", "Accepted; the provider is working"
        RATE_LIMITED = "rate_limited", "Rate limited"
        ERROR = "error", "Error, retried"
        REFUSED = "refused", "Refused"
        LOST = "lost", "Answer lost"

    generation = models.ForeignKey(Generation, on_delete=models.CASCADE,
                                   related_name="attempt_log")
    number = models.PositiveIntegerField()
    token_key = models.CharField(max_length=64)
    kind = models.CharField(max_length=20, choices=catalog.kind_choices)
    sent_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices,
                               default=Outcome.DISPATCHED)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)

    objects = reached_through("generation__team").as_manager()

    class Meta:
        ordering = ["number"]
        indexes = [
            models.Index(fields=["token_key", "kind", "sent_at"]),
            models.Index(fields=["outcome", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of generation {self.generation_id}: {self.outcome}"


class RateWindow(models.Model):
    """The lock row of one (token, kind) window, and a 429's do-not-send-before."""

    token_key = models.CharField(max_length=64)
    kind = models.CharField(max_length=20, choices=catalog.kind_choices)
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token_key", "kind"],
                                               name="one_window_per_token_and_kind")]

    def __str__(self) -> str:
        return f"{self.kind} window of {self.token_key[:8]}"

    @classmethod
    def locked(cls, token_key: str, kind: str) -> "RateWindow":
        """The window's row, made on first use, locked until the transaction ends."""
        return cls.objects.select_for_update().get_or_create(token_key=token_key,
                                                             kind=kind)[0]

    @classmethod
    def block(cls, token_key: str, kind: str, until: datetime) -> None:
        """After a 429 the API knows better than our record: send nothing before `until`."""
        with transaction.atomic():
            gate = cls.locked(token_key, kind)
            if gate.blocked_until is None or gate.blocked_until < until:
                gate.blocked_until = until
                gate.save(update_fields=["blocked_until"])


class Star(models.Model):
    """A member's mark on a generation they want to find again."""

    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="stars")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = reached_through("generation__team").as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["generation", "user"],
                                               name="one_star_per_member")]

    def __str__(self) -> str:
        return f"{self.user} starred {self.generation_id}"


class Rating(models.Model):
    """A member's 1 to 5 rating of a generation; the team sees the average."""

    generation = models.ForeignKey(Generation, on_delete=models.CASCADE,
                                   related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    stars = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    objects = reached_through("generation__team").as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["generation", "user"], name="one_rating_per_member"),
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5),
                                   name="rating_is_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.user} rated {self.generation_id}: {self.stars}"


class Comment(models.Model):
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE,
                                   related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    # A note at a moment: a time or a range of a clip (seconds), or a point of a
    # picture (fractions of its width and height from the top left).
    at = models.FloatField(null=True, blank=True)
    until = models.FloatField(null=True, blank=True)
    point_x = models.FloatField(null=True, blank=True)
    point_y = models.FloatField(null=True, blank=True)
    # Left through an outside share link by someone with no account, under this name.
    outside_name = models.CharField(max_length=80, blank=True)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    objects = reached_through("generation__team").as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment by {self.author} on {self.generation_id}"

    @property
    def from_outside(self) -> bool:
        return bool(self.outside_name)

    @property
    def has_point(self) -> bool:
        return self.point_x is not None and self.point_y is not None


class Heartbeat(models.Model):
    """A worker process's sign of life, written by its dispatcher loop."""

    name = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at}"


FILE_FIELDS = ("media", "poster", "thumbnail", "source_upload")


@receiver(post_delete, sender=Generation)
def remove_files(sender, instance: Generation, **kwargs) -> None:
    """A deleted row takes its files along (the trash purge, a deleted team); an
    upload the other rows of its set still use stays."""
    for name in FILE_FIELDS:
        field = getattr(instance, name)
        shared = name == "source_upload" and Generation.objects.filter(
            source_upload=field.name).exists()
        if field and not shared:
            field.delete(save=False)


class SavedPrompt(models.Model):
    """A prompt a member kept for the team, with its kind and settings, under a name;
    `uses` counts how often it was taken back into the composer."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="prompts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=20, choices=catalog.kind_choices)
    params = models.JSONField(default=dict)
    uses = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.stamp, editable=False)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["-uses", "name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"],
                                               name="one_prompt_name_per_team")]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    @property
    def kind_spec(self) -> catalog.Kind:
        return catalog.get(self.kind)

    @property
    def words(self) -> str:
        return words_in(self.params)
