"""Every action, through every door: a page's form post and the REST API make the
same move and write the same audit line (studio.generations.actions is the one
place each action lives)."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from studio.api import tokens
from studio.generations import lifecycle
from studio.generations.models import Comment, Generation, GenerationSet, Rating, Star
from studio.teams.models import AuditEvent
from tests.generations.helpers import queued

pytestmark = pytest.mark.django_db


def finished(team, author) -> Generation:
    job = queued(team, author, "tts", text="a finished line")
    Generation.objects.filter(pk=job.pk).update(state="succeeded", status="succeeded")
    return job


def a_set(team, author, n: int = 2, state: str = "queued") -> GenerationSet:
    made = GenerationSet.objects.create(team=team, author=author, kind="tts", size=n,
                                        cost=14 * n, template={"text": "line {a|b}"})
    for letter in "ab"[:n]:
        job = queued(team, author, "tts", text=f"line {letter}")
        Generation.objects.filter(pk=job.pk).update(generation_set=made, state=state,
                                                    status="queued" if state in (
                                                        "queued", "held") else state)
    return made


@dataclass(frozen=True)
class Case:
    make: Callable  # (team, author) -> the target's ids, as {"pk": ..., "set": ...}
    page: tuple[str, dict]  # (path, form)
    api: tuple[str, str, dict | None]  # (method, path, JSON body)
    effect: Callable[[dict], object]  # what changed, read from the database
    expected: object
    audit: tuple[str, str] | None  # (action, summary) with {pk}/{set} filled in


def gen(pk) -> Generation:
    return Generation.objects.get(pk=pk)


def paused(team, author):
    job = queued(team, author, "tts", text="paused line")
    lifecycle.pause(job)
    return {"pk": job.pk}


def two_waiting(team, author):
    queued(team, author, "tts", text="first in line")
    return {"pk": queued(team, author, "tts", text="second in line").pk}


def deleted(team, author):
    job = finished(team, author)
    Generation.objects.filter(pk=job.pk).update(deleted_at=job.created_at)
    return {"pk": job.pk}


def commented(team, author):
    job = finished(team, author)
    note = Comment.objects.create(generation=job, author=author, text="a note")
    return {"pk": job.pk, "comment": note.pk}


def failed_set(team, author):
    made = a_set(team, author, state="failed")
    return {"set": made.pk}


def is_top(ids):
    first, second = Generation.objects.filter(author__username="olivia").order_by("id")
    return second.rank < first.rank


CASES = {
    "cancel": Case(
        lambda t, a: {"pk": queued(t, a, "tts", text="to cancel").pk},
        ("/generations/{pk}/cancel/", {}), ("post", "/generations/{pk}/cancel", None),
        lambda ids: gen(ids["pk"]).state, "canceled", ("canceled", "Canceled Speech #{pk}")),
    "pause": Case(
        lambda t, a: {"pk": queued(t, a, "tts", text="to pause").pk},
        ("/generations/{pk}/pause/", {}), ("post", "/generations/{pk}/pause", None),
        lambda ids: gen(ids["pk"]).state, "paused", ("paused", "Paused Speech #{pk}")),
    "resume": Case(
        paused, ("/generations/{pk}/resume/", {}), ("post", "/generations/{pk}/resume", None),
        lambda ids: gen(ids["pk"]).state, "queued", ("resumed", "Resumed Speech #{pk}")),
    "to the top": Case(
        two_waiting, ("/generations/{pk}/top/", {}), ("post", "/generations/{pk}/top", None),
        is_top, True,
        ("moved_to_top", "Moved Speech #{pk} to the top of olivia's waiting work")),
    "lane": Case(
        lambda t, a: {"pk": queued(t, a, "tts", text="background work").pk},
        ("/generations/{pk}/lane/", {"lane": "background"}),
        ("post", "/generations/{pk}/lane", {"lane": "background"}),
        lambda ids: gen(ids["pk"]).lane, "background",
        ("lane_changed", "Put Speech #{pk} in the background lane")),
    "delete": Case(
        lambda t, a: {"pk": finished(t, a).pk},
        ("/generations/{pk}/delete/", {}), ("delete", "/generations/{pk}", None),
        lambda ids: gen(ids["pk"]).deleted_at is not None, True,
        ("deleted", "Deleted Speech #{pk}")),
    "restore": Case(
        deleted, ("/generations/{pk}/restore/", {}), ("post", "/generations/{pk}/restore", None),
        lambda ids: gen(ids["pk"]).deleted_at, None, ("restored", "Restored Speech #{pk}")),
    "star": Case(
        lambda t, a: {"pk": finished(t, a).pk},
        ("/generations/{pk}/star/", {}), ("put", "/generations/{pk}/star", {"starred": True}),
        lambda ids: Star.objects.filter(generation_id=ids["pk"]).count(), 1, None),
    "rate": Case(
        lambda t, a: {"pk": finished(t, a).pk},
        ("/generations/{pk}/rate/", {"stars": 4}),
        ("put", "/generations/{pk}/rating", {"stars": 4}),
        lambda ids: Rating.objects.get(generation_id=ids["pk"]).stars, 4,
        ("rated", "Rated Speech #{pk} 4 of 5")),
    "comment": Case(
        lambda t, a: {"pk": finished(t, a).pk},
        ("/generations/{pk}/comments/", {"text": "Lovely."}),
        ("post", "/generations/{pk}/comments", {"text": "Lovely."}),
        lambda ids: list(Comment.objects.values_list("text", flat=True)), ["Lovely."],
        ("commented", "Commented on Speech #{pk}")),
    "delete a comment": Case(
        commented, ("/comments/{comment}/delete/", {}), ("delete", "/comments/{comment}", None),
        lambda ids: Comment.objects.count(), 0, ("comment_deleted",
                                                 "Deleted a comment on #{pk}")),
    "cancel the rest": Case(
        lambda t, a: {"set": a_set(t, a).pk},
        ("/sets/{set}/cancel-rest/", {}), ("post", "/sets/{set}/cancel-rest", None),
        lambda ids: sorted(GenerationSet.objects.get(pk=ids["set"]).generations
                           .values_list("state", flat=True)), ["canceled", "canceled"],
        ("canceled", "Canceled 2 waiting items of set #{set}")),
    "retry the failed": Case(
        failed_set, ("/sets/{set}/retry-failed/", {}), ("post", "/sets/{set}/retry-failed", None),
        lambda ids: GenerationSet.objects.exclude(pk=ids["set"]).get().size, 2, None),
    "vary": Case(
        lambda t, a: {"pk": finished(t, a).pk},
        ("/generations/{pk}/vary/", {}), ("post", "/generations/{pk}/vary", None),
        lambda ids: [(s.size, s.cost) for s in GenerationSet.objects.all()], [(4, 56)], None),
    "approve": Case(
        lambda t, a: {"set": a_set(t, a, state="held").pk},
        ("/approvals/{set}/approve/", {}), ("post", "/sets/{set}/approve", None),
        lambda ids: sorted(GenerationSet.objects.get(pk=ids["set"]).generations
                           .values_list("state", flat=True)), ["queued", "queued"],
        ("approved", "Approved set #{set}: 2 items, 28 credits")),
    "decline": Case(
        lambda t, a: {"set": a_set(t, a, state="held").pk},
        ("/approvals/{set}/decline/", {}), ("post", "/sets/{set}/decline", None),
        lambda ids: sorted(GenerationSet.objects.get(pk=ids["set"]).generations
                           .values_list("state", flat=True)), ["canceled", "canceled"],
        ("declined", "Declined set #{set}: 2 items")),
}


def through_the_page(owner, case: Case, ids: dict) -> None:
    browser = Client()
    browser.force_login(owner)
    path, form = case.page
    assert browser.post(path.format(**ids), form).status_code == 302


def through_the_api(team, owner, case: Case, ids: dict) -> None:
    secret = tokens.create(team, owner, name="doors", scopes=["read", "generate"]).secret
    method, path, body = case.api
    answer = getattr(Client(), method)(
        "/api/v1" + path.format(**ids), data=body, content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code in (200, 201, 204), answer.content


@pytest.mark.parametrize("door", ["page", "api"])
@pytest.mark.parametrize("action", list(CASES))
def test_every_door_makes_the_same_move_and_audit_line(team_a, owner, action, door):
    case = CASES[action]
    ids = case.make(team_a, owner)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    if door == "page":
        through_the_page(owner, case, ids)
    else:
        through_the_api(team_a, owner, case, ids)
    assert case.effect(ids) == case.expected
    written = [(e.action, e.summary, e.actor_name)
               for e in AuditEvent.objects.exclude(pk__in=before).order_by("id")]
    if action in ("retry the failed", "vary"):  # a new set: its queue's own line
        assert [line[0] for line in written] == ["generated"]
    elif case.audit is None:
        assert written == []
    else:
        action_name, summary = case.audit
        assert written == [(action_name, summary.format(**ids), "olivia")]


def test_every_action_of_the_action_layer_has_a_case():
    from studio.generations import actions

    public = {name for name, value in vars(actions).items() if callable(value)
              and getattr(value, "__module__", "") == actions.__name__
              and not name.startswith(("check_", "name_of", "record", "too_late",
                                       "waiting_items", "retry_order"))}
    covered = {"cancel", "pause", "resume", "move_to_top", "set_lane", "delete", "restore",
               "star", "rate", "comment", "delete_comment", "cancel_rest", "retry_failed",
               "vary", "approve", "decline"}
    # Actions with a page's door only, and why no script needs them yet.
    page_only = {"set_gallery_density": "how the gallery looks to one member",
                 "save_prompt": "the prompt library is the composer's (REST: not yet)",
                 "use_prompt": "the prompt library is the composer's (REST: not yet)"}
    assert public == covered | set(page_only) and len(CASES) == len(covered)
