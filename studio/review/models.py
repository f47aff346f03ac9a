"""The team's work after generation: boards, tags, review statuses, notes at a
moment, outside share links and notifications."""

from django.conf import settings
from django.db import models

from studio.lib.team_scope import TeamQuerySet, reached_through

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
