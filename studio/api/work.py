"""What a token does to the team's work, through the studio's actions
(studio.generations.actions): the same permission, move and audit line as the
pages. A refused action is a problem: 409 when the work is not where the action
needs it (too late, not waiting, not held...), 422 when a value is wrong, 403 when
the token's member may not."""

from collections.abc import Callable

from django.db.models import Avg, Count, Q
from django.http import HttpRequest, HttpResponse
from ninja import Query, Schema

from studio.api import idempotency, problems
from studio.api.endpoints import generation_out, one
from studio.api.lists import PageQuery, page_of, paged
from studio.api.models import Scope
from studio.api.problems import Problem
from studio.api.schemas import (
    CommentIn,
    CommentOut,
    GenerationOut,
    LaneIn,
    ProblemOut,
    RatingIn,
    RatingOut,
    SetProgressOut,
    StarIn,
    StarOut,
)
from studio.api.service import ERRORS, ItemId, api, membership, need
from studio.generations import actions, reach
from studio.generations.models import Comment, Generation, GenerationSet, Rating
from studio.generations.moments import Moment
from studio.generations.states import State, Status
from studio.lib.outcome import Done

REFUSED = {409: ProblemOut, **ERRORS}


def as_json(schema: type[Schema], data: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(schema(**data).model_dump_json(), status=status,
                        content_type="application/json")


def answer(done: Done, body: Callable[[], HttpResponse]) -> HttpResponse:
    """A done action's body, or its refusal as a problem."""
    if done.ok:
        return body()
    return problems.response(problems.REFUSALS.get(done.code, "conflict"), done.message,
                             code=done.code)


def on_generation(request: HttpRequest, pk: int,
                  act: Callable[..., Done], *args) -> HttpResponse:
    """Run `act` on the team's generation #pk once per Idempotency-Key; the answer is
    the generation as it is afterwards."""
    token = need(request, Scope.GENERATE)
    generation = one(request, pk)

    def run() -> HttpResponse:
        done = act(membership(request), generation, *args)
        return answer(done, lambda: shown(request, generation))
    return idempotency.once(request, token, run)


def shown(request: HttpRequest, generation: Generation) -> HttpResponse:
    generation.refresh_from_db()
    return as_json(GenerationOut, generation_out(request, generation))


# --- one generation in line ------------------------------------------------------


@api.post("/generations/{int:pk}/cancel", response={200: GenerationOut, **REFUSED},
          tags=["generations"])
def cancel_generation(request, pk: ItemId):
    """Cancel a waiting generation; its credits are free again."""
    return on_generation(request, pk, actions.cancel)


@api.post("/generations/{int:pk}/pause", response={200: GenerationOut, **REFUSED},
          tags=["queue"])
def pause_generation(request, pk: ItemId):
    """A waiting generation takes no rate-limit slot until it is resumed."""
    return on_generation(request, pk, actions.pause)


@api.post("/generations/{int:pk}/resume", response={200: GenerationOut, **REFUSED},
          tags=["queue"])
def resume_generation(request, pk: ItemId):
    return on_generation(request, pk, actions.resume)


@api.post("/generations/{int:pk}/top", response={200: GenerationOut, **REFUSED},
          tags=["queue"])
def move_generation_to_top(request, pk: ItemId):
    """First among its author's waiting work of its kind (turns between members stay
    fair)."""
    return on_generation(request, pk, actions.move_to_top)


@api.post("/generations/{int:pk}/lane", response={200: GenerationOut, **REFUSED},
          tags=["queue"])
def set_generation_lane(request, pk: ItemId, body: LaneIn):
    """Urgent (admins), normal or background (goes only when nothing else waits)."""
    return on_generation(request, pk, actions.set_lane, body.lane)


# --- the trash -------------------------------------------------------------------


@api.delete("/generations/{int:pk}", response={204: None, **REFUSED},
            tags=["generations"])
def delete_generation(request, pk: ItemId):
    """To the trash, restorable by its author or an admin for STUDIO_TRASH_DAYS."""
    need(request, Scope.GENERATE)
    done = actions.delete(membership(request), one(request, pk))
    return answer(done, lambda: HttpResponse(status=204))


def one_in_gallery(member, pk: int) -> bool:
    return Generation.objects.for_team(member.team).filter(pk=pk, deleted_at=None).exists()


@api.post("/generations/{int:pk}/restore", response={200: GenerationOut, **REFUSED},
          tags=["generations"])
def restore_generation(request, pk: ItemId):
    token = need(request, Scope.GENERATE)
    member = membership(request)
    generation = (Generation.objects.for_team(member.team).exclude(deleted_at=None)
                  .select_related("author").filter(pk=pk).first())
    if generation is None and one_in_gallery(member, pk):
        raise Problem("not-in-trash", f"Generation #{pk} is in the gallery, not in the "
                                      "trash: there is nothing to restore.")
    if generation is None or not reach.may_restore(member, generation):
        raise Problem(404, f"No generation #{pk} in this team's trash that you may "
                           "restore.")
    return idempotency.once(request, token, lambda: answer(
        actions.restore(member, generation), lambda: shown(request, generation)))


# --- review --------------------------------------------------------------------------


@api.put("/generations/{int:pk}/star", response={200: StarOut, **ERRORS},
         tags=["review"])
def star_generation(request, pk: ItemId, body: StarIn):
    """Your own bookmark: starred or not."""
    need(request, Scope.READ)
    done = actions.star(membership(request), one(request, pk), body.starred)
    return {"starred": done.result}


@api.put("/generations/{int:pk}/rating", response={200: RatingOut, **REFUSED},
         tags=["review"])
def rate_generation(request, pk: ItemId, body: RatingIn):
    """Your rating, 1 to 5; the answer has the team's average."""
    need(request, Scope.GENERATE)
    generation = one(request, pk)
    done = actions.rate(membership(request), generation, body.stars)
    return answer(done, lambda: as_json(RatingOut, rating_of(generation, body.stars)))


def rating_of(generation: Generation, stars: int) -> dict:
    summary = Rating.objects.filter(generation=generation).aggregate(
        average=Avg("stars"), count=Count("id"))
    return {"stars": stars, **summary}


@api.get("/generations/{int:pk}/comments", response={200: page_of(CommentOut), **ERRORS},
         tags=["review"])
def list_comments(request, pk: ItemId, page: Query[PageQuery]):
    """Oldest first, as a conversation reads."""
    need(request, Scope.READ)
    found = (Comment.objects.filter(generation=one(request, pk)).select_related("author")
             .prefetch_related("mentions"))
    return paged(request, found, page, comment_out, newest_first=False)


@api.post("/generations/{int:pk}/comments", response={201: CommentOut, **REFUSED},
          tags=["review"])
def comment_on_generation(request, pk: ItemId, body: CommentIn):
    token = need(request, Scope.GENERATE)
    generation = one(request, pk)

    def run() -> HttpResponse:
        moment = Moment(at=body.at, until=body.until,
                        point=tuple(body.point) if body.point else None)
        done = actions.comment(membership(request), generation, body.text, moment)
        return answer(done, lambda: as_json(CommentOut, comment_out(done.result), 201))
    return idempotency.once(request, token, run)


@api.delete("/comments/{int:pk}", response={204: None, **ERRORS}, tags=["review"])
def delete_comment(request, pk: ItemId):
    need(request, Scope.GENERATE)
    member = membership(request)
    found = Comment.objects.for_team(member.team).filter(
        pk=pk, generation__deleted_at=None).first()
    if found is None:
        raise Problem(404, f"No comment #{pk} in this team.")
    actions.delete_comment(member, found)
    return 204, None


def comment_out(found: Comment) -> dict:
    return {"id": found.pk, "author": found.author.username if found.author else None,
            "outside_name": found.outside_name or None, "text": found.text,
            "at": found.at, "until": found.until,
            "point": [found.point_x, found.point_y] if found.has_point else None,
            "mentions": [user.username for user in found.mentions.all()],
            "created_at": found.created_at}


# --- sets ------------------------------------------------------------------------


def team_set(request: HttpRequest, pk: int) -> GenerationSet:
    found = GenerationSet.objects.for_team(membership(request).team).filter(pk=pk).first()
    if found is None:
        raise Problem(404, f"No set #{pk} in this team.")
    return found


def set_out(generation_set: GenerationSet) -> dict:
    items = generation_set.generations.filter(deleted_at=None)
    tally = items.aggregate(
        succeeded=Count("id", filter=Q(status=Status.SUCCEEDED)),
        failed=Count("id", filter=Q(status=Status.FAILED)),
        waiting_or_running=Count("id", filter=Q(status__in=(Status.QUEUED,
                                                            Status.RUNNING))),
        held=Count("id", filter=Q(state=State.HELD)))
    return {"id": generation_set.pk, "kind": generation_set.kind,
            "size": generation_set.size, "cost": generation_set.cost,
            "ids": list(items.order_by("id").values_list("pk", flat=True)),
            "created_at": generation_set.created_at, **tally}


def on_set(request: HttpRequest, pk: int, act: Callable[..., Done]) -> HttpResponse:
    token = need(request, Scope.GENERATE)
    generation_set = team_set(request, pk)
    return idempotency.once(request, token, lambda: answer(
        act(membership(request), generation_set),
        lambda: as_json(SetProgressOut, set_out(generation_set))))


@api.get("/sets/{int:pk}", response={200: SetProgressOut, **ERRORS}, tags=["sets"])
def get_set(request, pk: ItemId):
    """A submission's generations and how far they are."""
    need(request, Scope.READ)
    return set_out(team_set(request, pk))


@api.post("/sets/{int:pk}/cancel-rest", response={200: SetProgressOut, **REFUSED},
          tags=["sets"])
def cancel_rest_of_set(request, pk: ItemId):
    """Cancel every item still waiting; running ones finish."""
    return on_set(request, pk, actions.cancel_rest)


@api.post("/sets/{int:pk}/retry-failed", response={200: SetProgressOut, **REFUSED},
          tags=["sets"])
def retry_failed_of_set(request, pk: ItemId):
    """The failed items again, as a new set (quoted and reserved as a whole); the
    answer is the new set."""
    token = need(request, Scope.GENERATE)
    generation_set = team_set(request, pk)

    def run() -> HttpResponse:
        done = actions.retry_failed(membership(request), generation_set)
        return answer(done, lambda: as_json(SetProgressOut, set_out(
            done.result.generations[0].generation_set)))
    return idempotency.once(request, token, run)


@api.post("/generations/{int:pk}/vary", response={201: SetProgressOut, **REFUSED},
          tags=["sets"])
def vary_generation(request, pk: ItemId):
    """The same prompt and settings again as a set of 4 (quoted and reserved as a
    whole); the answer is the new set."""
    token = need(request, Scope.GENERATE)
    generation = one(request, pk)

    def run() -> HttpResponse:
        done = actions.vary(membership(request), generation)
        return answer(done, lambda: as_json(SetProgressOut, set_out(
            done.result.generations[0].generation_set), status=201))
    return idempotency.once(request, token, run)


@api.post("/sets/{int:pk}/approve", response={200: SetProgressOut, **REFUSED},
          tags=["sets"])
def approve_set(request, pk: ItemId):
    """An admin lets a set held above the team's approval limit spend its credits."""
    return on_set(request, pk, actions.approve)


@api.post("/sets/{int:pk}/decline", response={200: SetProgressOut, **REFUSED},
          tags=["sets"])
def decline_set(request, pk: ItemId):
    return on_set(request, pk, actions.decline)
