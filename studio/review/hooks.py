"""What review adds to the layers below it, which know nothing of it: the gallery's
board, tag and review filters, the review status on every card's row, and the active
board's share of the one submit path."""

from functools import cache, partial

from django import forms
from django.db.models import OuterRef, Q, Subquery

from studio.generations import filtering, submission
from studio.generations.models import CARD_ANNOTATIONS
from studio.review import boards, tagging
from studio.review.models import Board, ItemReview, ReviewStatus


def board_field(team) -> forms.Field:
    return forms.ModelChoiceField(required=False, queryset=Board.objects.for_team(team),
                                  empty_label="Any board", label="Board")


def tag_field(team) -> forms.Field:
    """The team's tags, read only when drawn or checked (a poll asks nothing), and
    once per form."""
    return forms.ChoiceField(required=False, label="Tag",
                             choices=cache(partial(tag_choices, team)))


def tag_choices(team) -> list[tuple[str, str]]:
    return [("", "Any tag"), *((name, name) for name in tagging.team_tags(team))]


def review_field(team) -> forms.Field:
    return forms.ChoiceField(required=False, label="Review",
                             choices=[("", "Any review status"), *ReviewStatus.choices])


def with_review(rows, status: str):
    if status == ReviewStatus.NONE:
        return rows.filter(Q(review=None) | Q(review__status=ReviewStatus.NONE))
    return rows.filter(review__status=status)


def review_status():
    return Subquery(ItemReview.objects.filter(generation=OuterRef("pk"))
                    .values("status")[:1])


def connect() -> None:
    filtering.add_filter(filtering.ExtraFilter(
        "board", board_field, lambda rows, board: rows.filter(board_items__board=board)))
    filtering.add_filter(filtering.ExtraFilter(
        "tag", tag_field, lambda rows, name: rows.filter(item_tags__tag__name=name)))
    filtering.add_filter(filtering.ExtraFilter("review", review_field, with_review))
    CARD_ANNOTATIONS["review_status"] = review_status
    submission.submitted.connect(boards.on_submitted, dispatch_uid="studio.review.boards")
