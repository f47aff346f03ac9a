"""The team's work after generation: boards, tags, review statuses, notes at a
moment, outside share links and notifications."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from studio.lib import clock
from studio.lib.team_scope import TeamQuerySet, reached_through

# --- notifications ---


class NotificationKind(models.TextChoices):
    FINISHED = "finished", "Your job finished"
    FAILED = "failed", "Your job failed"
    SET_FINISHED = "set_finished", "Your set finished"
    APPROVAL_WAITING = "approval_waiting", "A set waits for approval (admins)"
    NOTE = "note", "A note on your work"
    MENTION = "mention", "A mention of you"
    REVIEW_CHANGED = "review_changed", "A review status of your work changed"
    OUTSIDE_NOTE = "outside_note", "A note from outside"


class NotificationQuerySet(TeamQuerySet):
    def of(self, member) -> "NotificationQuerySet":
        """`member`'s own notifications (a Membership: one team's)."""
        return self.for_team(member.team_id).filter(recipient=member)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at=None)


class Notification(models.Model):
    """Something a member should hear of, shown under their bell until read."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey("teams.Membership", on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500, help_text="The thing it is about.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    key = models.CharField(max_length=100, blank=True,
                           help_text="Said once per member: a second notify with the "
                                     "same key is dropped (a set finishing in two "
                                     "workers at once).")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [models.UniqueConstraint(
            fields=["recipient", "key"], condition=~Q(key=""),
            name="one_notification_per_key")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.text}"


class EmailChoice(models.Model):
    """A kind of notification a member also gets by e-mail (none unless chosen)."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("teams.Membership", on_delete=models.CASCADE,
                               related_name="+")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)

    objects = TeamQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "kind"],
                                               name="one_email_choice_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} by e-mail for {self.member_id}"


# --- sharing and notes ---


class ShareLink(models.Model):
    """An outside link (`/s/<token>/`) to one item or one board, for someone with no
    account.

    The token is looked up by its SHA-256 digest, so the table cannot be read for
    tokens nor searched by guessing; a sealed copy (encrypted like the team's API
    token) lets members copy the link again. A link names exactly one of its item
    (`generation`) and its board (`board`): a board link shows what is on the board
    when it is opened.
    """

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    generation = models.ForeignKey("generations.Generation", null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="share_links")
    board = models.ForeignKey("Board", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="share_links")
    token_digest = models.CharField(max_length=64, unique=True)
    token_sealed = models.TextField()
    expires_at = models.DateTimeField()
    passphrase_hash = models.CharField(max_length=256, blank=True)
    allow_download = models.BooleanField(default=False)
    allow_notes = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.stamp)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    views = models.PositiveIntegerField(default=0)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(
            condition=Q(generation__isnull=False, board__isnull=True)
            | Q(generation__isnull=True, board__isnull=False),
            name="share_link_item_or_board")]

    def __str__(self) -> str:
        shared = f"board {self.board_id}" if self.board_id else f"#{self.generation_id}"
        return f"outside link {self.pk} to {shared}"

    @property
    def has_passphrase(self) -> bool:
        return bool(self.passphrase_hash)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= clock.now()

    @property
    def is_live(self) -> bool:
        return not self.is_revoked and not self.is_expired


# --- boards ---


class Board(models.Model):
    """A named gathering of the team's items; deleting it deletes none of them."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="boards")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, max_length=2000)
    cover = models.ForeignKey("generations.Generation", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class BoardItem(models.Model):
    """An item on a board; `position` is the board's order by hand (lowest first)."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="items")
    generation = models.ForeignKey("generations.Generation", on_delete=models.CASCADE,
                                   related_name="board_items")
    position = models.IntegerField(default=0)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    objects = reached_through("board__team").as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "generation"],
                                               name="once_per_board")]

    def __str__(self) -> str:
        return f"#{self.generation_id} on {self.board_id}"


class ActiveBoard(models.Model):
    """The board a member's new generations land on, while it is active."""

    membership = models.OneToOneField("teams.Membership", on_delete=models.CASCADE,
                                      related_name="active_board")
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="+")

    objects = reached_through("membership__team").as_manager()

    def __str__(self) -> str:
        return f"{self.membership_id} -> {self.board_id}"


class Tag(models.Model):
    """A team's own word for items: names are the team's alone (never another's)."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=50)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"],
                                               name="one_tag_name_per_team")]

    def __str__(self) -> str:
        return self.name


class ItemTag(models.Model):
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="items")
    generation = models.ForeignKey("generations.Generation", on_delete=models.CASCADE,
                                   related_name="item_tags")

    objects = reached_through("tag__team").as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tag", "generation"],
                                               name="tagged_once")]

    def __str__(self) -> str:
        return f"#{self.generation_id} {self.tag_id}"


class ReviewStatus(models.TextChoices):
    NONE = "none", "No review status"
    NEEDS_REVIEW = "needs_review", "Needs review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"


class ItemReview(models.Model):
    """An item's review status, and who set it last."""

    generation = models.OneToOneField("generations.Generation", on_delete=models.CASCADE,
                                      related_name="review")
    status = models.CharField(max_length=20, choices=ReviewStatus.choices,
                              default=ReviewStatus.NONE)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now=True)

    objects = reached_through("generation__team").as_manager()

    def __str__(self) -> str:
        return f"#{self.generation_id} {self.status}"
