"""The member's boards and active board on every page (the composer says where new
work goes; the gallery's side list and selection offer the boards), read only when a
page shows them."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from studio.review import boards
from studio.review.models import Board


def boards_of_member(request: HttpRequest) -> dict:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    return {"active_board": SimpleLazyObject(lambda: boards.active_board(membership)),
            "team_boards": SimpleLazyObject(
                lambda: list(Board.objects.for_team(membership.team)))}
