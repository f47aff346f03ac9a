"""Boards, tags and review statuses for a token, through the review app's actions
(studio.review.boards, tagging, statuses): the same permission, move, audit line and
event as the pages. Lists answer `{"items": [...], "next": <URL or null>}`."""

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Schema

from studio.api import idempotency, problems
from studio.api.endpoints import generation_out, one, team_generations
from studio.api.lists import PageQuery, page_of, paged, sliced
from studio.api.models import Scope
from studio.api.problems import Problem
from studio.api.schemas import GenerationOut, ReviewName, Strict, Timestamp, Whole
from studio.api.service import ERRORS, ItemId, api, membership, need
from studio.api.work import REFUSED, answer, as_json
from studio.lib.converters import LARGEST_ID
from studio.review import boards, statuses, tagging
from studio.review.models import Board, ReviewStatus


class BoardIn(Strict):
    name: str = Field(max_length=boards.NAME_LIMIT, pattern=r"\S", description="Not blank")
    description: str = Field("", max_length=boards.DESCRIPTION_LIMIT)


class BoardPatch(Strict):
    name: str | None = Field(None, max_length=boards.NAME_LIMIT, pattern=r"\S")
    description: str | None = Field(None, max_length=boards.DESCRIPTION_LIMIT)
    cover: Whole = Field(None, ge=0, le=LARGEST_ID,
                              description="A generation on the board; 0 for none.")


class BoardOut(Schema):
    id: int
    name: str
    description: str
    cover: int | None
    made_by: str | None
    created_at: Timestamp
    size: int


class ItemsIn(Strict):
    generations: list[Whole] = Field(min_length=1, max_length=boards.MAX_ADDED)


class AddedOut(Schema):
    added: list[int]


class TagsIn(Strict):
    tags: list[str] = Field(max_length=tagging.TAGS_PER_ITEM)


class TagsOut(Schema):
    tags: list[str]


class ReviewIn(Strict):
    status: ReviewName


class ReviewOut(Schema):
    status: ReviewName
    changed_by: str | None
    changed_at: Timestamp | None


def board_out(board: Board) -> dict:
    return {"id": board.pk, "name": board.name, "description": board.description,
            "cover": board.cover_id, "made_by": board.made_by.username if board.made_by
            else None, "created_at": board.created_at,
            "size": board.size if hasattr(board, "size") else board.items.count()}


def team_board(request: HttpRequest, pk: int) -> Board:
    found = Board.objects.for_team(membership(request).team).filter(pk=pk).first()
    if found is None:
        raise Problem("not-found", f"No board #{pk} in this team.")
    return found


def refused_or(done, body) -> HttpResponse:
    """A refusal with problems by field answers 422 naming them."""
    if not done.ok and isinstance(done.result, dict):
        return problems.response("validation", done.message,
                                 errors={k: [v] for k, v in done.result.items()})
    return answer(done, body)


# --- boards -------------------------------------------------------------------------


@api.get("/boards", response={200: page_of(BoardOut), **ERRORS}, tags=["boards"])
def list_boards(request, paging: Query[PageQuery]):
    """The team's boards, oldest first; the next page is at `next`."""
    need(request, Scope.READ)
    rows = Board.objects.for_team(membership(request).team).select_related("made_by") \
        .annotate(size=Count("items"))
    return paged(request, rows, paging, board_out, newest_first=False)


@api.post("/boards", response={201: BoardOut, **REFUSED}, tags=["boards"])
def create_board(request, body: BoardIn):
    token = need(request, Scope.GENERATE)

    def run() -> HttpResponse:
        done = boards.create(membership(request), body.name, body.description)
        return refused_or(done, lambda: as_json(BoardOut, board_out(done.result), 201))
    return idempotency.once(request, token, run)


@api.get("/boards/{int:pk}", response={200: BoardOut, **ERRORS}, tags=["boards"])
def get_board(request, pk: ItemId):
    need(request, Scope.READ)
    return board_out(team_board(request, pk))


@api.patch("/boards/{int:pk}", response={200: BoardOut, **REFUSED}, tags=["boards"])
def change_board(request, pk: ItemId, body: BoardPatch):
    """Name, description, and cover (one of its items; 0 takes the cover away)."""
    need(request, Scope.GENERATE)
    board = team_board(request, pk)
    cover = board.cover if body.cover is None else \
        one(request, body.cover) if body.cover else None
    done = boards.edit(membership(request), board,
                       board.name if body.name is None else body.name,
                       board.description if body.description is None else body.description,
                       cover)
    return refused_or(done, lambda: as_json(BoardOut, board_out(board)))


@api.delete("/boards/{int:pk}", response={204: None, **REFUSED}, tags=["boards"])
def delete_board(request, pk: ItemId):
    """The board goes; its items stay in the gallery."""
    need(request, Scope.GENERATE)
    done = boards.delete(membership(request), team_board(request, pk))
    return answer(done, lambda: HttpResponse(status=204))


@api.get("/boards/{int:pk}/items", response={200: page_of(GenerationOut), **ERRORS},
         tags=["boards"])
def board_items(request, pk: ItemId, paging: Query[PageQuery]):
    """The board's items in its order by hand; the next page is at `next`."""
    need(request, Scope.READ)
    board = team_board(request, pk)
    rows = team_generations(request).filter(board_items__board=board) \
        .order_by("board_items__position", "board_items__id")
    return sliced(request, rows, paging, lambda g: generation_out(request, g))


@api.post("/boards/{int:pk}/items", response={200: AddedOut, **REFUSED}, tags=["boards"])
def add_board_items(request, pk: ItemId, body: ItemsIn):
    """The team's generations onto the board (ones already on it stay put)."""
    token = need(request, Scope.GENERATE)
    board = team_board(request, pk)
    generations = [one(request, generation_id) for generation_id in body.generations]

    def run() -> HttpResponse:
        done = boards.add(membership(request), board, generations)
        return answer(done, lambda: as_json(AddedOut, {"added": done.result}))
    return idempotency.once(request, token, run)


@api.delete("/boards/{int:pk}/items/{int:generation_id}", response={204: None, **REFUSED},
            tags=["boards"])
def remove_board_item(request, pk: ItemId, generation_id: ItemId):
    need(request, Scope.GENERATE)
    board = team_board(request, pk)
    done = boards.remove(membership(request), board, one(request, generation_id))
    return answer(done, lambda: HttpResponse(status=204))


# --- tags ---------------------------------------------------------------------------


@api.get("/generations/{int:pk}/tags", response={200: TagsOut, **ERRORS}, tags=["review"])
def get_tags(request, pk: ItemId):
    need(request, Scope.READ)
    return {"tags": tagging.tags_of(one(request, pk))}


@api.put("/generations/{int:pk}/tags", response={200: TagsOut, **REFUSED}, tags=["review"])
def set_tags(request, pk: ItemId, body: TagsIn):
    """The generation's tags become exactly these (trimmed, lower case)."""
    need(request, Scope.GENERATE)
    done = tagging.set_tags(membership(request), one(request, pk), ",".join(body.tags))
    return answer(done, lambda: as_json(TagsOut, {"tags": done.result}))


# --- review statuses ------------------------------------------------------------------


def review_out(generation) -> dict:
    found = getattr(generation, "review", None) if hasattr(generation, "review") else None
    if found is None:
        return {"status": ReviewStatus.NONE, "changed_by": None, "changed_at": None}
    return {"status": found.status, "changed_at": found.changed_at,
            "changed_by": found.changed_by.username if found.changed_by else None}


@api.get("/generations/{int:pk}/review", response={200: ReviewOut, **ERRORS},
         tags=["review"])
def get_review(request, pk: ItemId):
    need(request, Scope.READ)
    return review_out(one(request, pk))


@api.put("/generations/{int:pk}/review", response={200: ReviewOut, **REFUSED},
         tags=["review"])
def set_review(request, pk: ItemId, body: ReviewIn):
    """Approved is the admins' (or also the members', as the team's setting says)."""
    need(request, Scope.GENERATE)
    generation = one(request, pk)
    done = statuses.set_status(membership(request), generation, body.status)
    return answer(done, lambda: as_json(ReviewOut, review_out(one(request, pk))))
