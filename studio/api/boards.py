"""Boards, tags and review statuses for a token, through the review app's actions
(studio.review.boards, tagging, statuses): the same permission, move, audit line and
event as the pages. Lists answer `{"items": [...], "next": <URL or null>}`."""

from datetime import datetime

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Schema

from studio.api import problems
from studio.api.endpoints import generation_out, one, team_generations
from studio.api.models import Scope
from studio.api.problems import Problem
from studio.api.schemas import GenerationOut, ProblemOut
from studio.api.service import ERRORS, PAGE_SIZE, ItemId, api, membership, need
from studio.api.work import answer, as_json
from studio.lib.converters import LARGEST_ID
from studio.review import boards, statuses, tagging
from studio.review.models import Board, ReviewStatus

REFUSED = {409: ProblemOut, **ERRORS}


class BoardIn(Schema):
    name: str = Field(max_length=200)
    description: str = Field("", max_length=4000)


class BoardPatch(Schema):
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=4000)
    cover: int | None = Field(None, ge=0, le=LARGEST_ID,
                              description="A generation on the board; 0 for none.")


class BoardOut(Schema):
    id: int
    name: str
    description: str
    cover: int | None
    made_by: str | None
    created_at: datetime
    size: int


class BoardPage(Schema):
    items: list[BoardOut]
    next: str | None


class ItemsPage(Schema):
    items: list[GenerationOut]
    next: str | None


class ItemsIn(Schema):
    generations: list[int] = Field(min_length=1, max_length=boards.MAX_ADDED)


class AddedOut(Schema):
    added: list[int]


class Paging(Schema):
    after: int | None = Field(None, ge=0, le=LARGEST_ID)
    limit: int = Field(PAGE_SIZE, ge=1, le=4 * PAGE_SIZE)


class TagsIn(Schema):
    tags: list[str] = Field(max_length=tagging.TAGS_PER_ITEM)


class TagsOut(Schema):
    tags: list[str]


class ReviewIn(Schema):
    status: str = Field(description="none, needs_review, changes_requested or approved")


class ReviewOut(Schema):
    status: str
    changed_by: str | None
    changed_at: datetime | None


def board_out(board: Board) -> dict:
    return {"id": board.pk, "name": board.name, "description": board.description,
            "cover": board.cover_id, "made_by": board.made_by.username if board.made_by
            else None, "created_at": board.created_at,
            "size": board.size if hasattr(board, "size") else board.items.count()}


def team_board(request: HttpRequest, pk: int) -> Board:
    found = Board.objects.for_team(membership(request).team).filter(pk=pk).first()
    if found is None:
        raise Problem(404, f"No board #{pk} in this team.")
    return found


def next_url(request: HttpRequest, after: int, limit: int) -> str:
    query = request.GET.copy()
    query["after"], query["limit"] = str(after), str(limit)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def refused_or(done, body) -> HttpResponse:
    """A refusal with problems by field answers 422 naming them."""
    if not done.ok and isinstance(done.result, dict):
        return problems.response(422, done.message,
                                 errors={k: [v] for k, v in done.result.items()})
    return answer(done, body)


# --- boards -------------------------------------------------------------------------


@api.get("/boards", response={200: BoardPage, **ERRORS}, tags=["boards"])
def list_boards(request, paging: Query[Paging]):
    """The team's boards, oldest first; page on with `next`."""
    need(request, Scope.READ)
    rows = Board.objects.for_team(membership(request).team).select_related("made_by") \
        .annotate(size=Count("items")).filter(pk__gt=paging.after or 0).order_by("id")
    page = list(rows[:paging.limit + 1])
    shown = page[:paging.limit]
    return {"items": [board_out(b) for b in shown],
            "next": next_url(request, shown[-1].pk, paging.limit)
            if len(page) > paging.limit else None}


@api.post("/boards", response={201: BoardOut, **REFUSED}, tags=["boards"])
def create_board(request, body: BoardIn):
    need(request, Scope.GENERATE)
    done = boards.create(membership(request), body.name, body.description)
    return refused_or(done, lambda: as_json(BoardOut, board_out(done.result), 201))


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


@api.get("/boards/{int:pk}/items", response={200: ItemsPage, **ERRORS}, tags=["boards"])
def board_items(request, pk: ItemId, paging: Query[Paging]):
    """The board's items in its order by hand; `after` is a place in that order."""
    need(request, Scope.READ)
    board = team_board(request, pk)
    start = paging.after or 0
    rows = team_generations(request).filter(board_items__board=board) \
        .order_by("board_items__position", "board_items__id")
    page = list(rows[start:start + paging.limit + 1])
    return {"items": [generation_out(request, g) for g in page[:paging.limit]],
            "next": next_url(request, start + paging.limit, paging.limit)
            if len(page) > paging.limit else None}


@api.post("/boards/{int:pk}/items", response={200: AddedOut, **REFUSED}, tags=["boards"])
def add_board_items(request, pk: ItemId, body: ItemsIn):
    """The team's generations onto the board (ones already on it stay put)."""
    need(request, Scope.GENERATE)
    board = team_board(request, pk)
    generations = [one(request, generation_id) for generation_id in body.generations]
    done = boards.add(membership(request), board, generations)
    return answer(done, lambda: as_json(AddedOut, {"added": done.result}))


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
