"""Another team's member, and another team's token, get 404 on every route that
names an id, pages and /api/v1/ alike. The routes come from the URL resolver: a
route added tomorrow is walked the day it is added, and this test fails until it
says which team data its id names."""

import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import get_resolver

from studio.api import tokens
from studio.api.models import ApiToken, WebhookEndpoint
from studio.generations.models import Comment, Generation, GenerationSet, SavedPrompt
from studio.lib import clock
from studio.review import share
from studio.review.models import Board, BoardItem, Notification, ShareLink
from studio.storyboards import actions as storyboard_actions
from studio.storyboards.models import Scene, Storyboard
from studio.teams import invitations
from studio.teams.models import Invitation, Membership

pytestmark = pytest.mark.django_db

# Which team data the id in a route names: the word before it.
OWNERS = {"generations": Generation, "sets": GenerationSet, "approvals": GenerationSet,
          "comments": Comment, "members": Membership, "invitations": Invitation,
          "tokens": ApiToken, "webhooks": WebhookEndpoint, "prompts": SavedPrompt,
          "links": ShareLink, "notifications": Notification, "boards": Board,
          "storyboards": Storyboard, "scenes": Scene}
# Routes with parameters that are no team data's id, and why they are not walked.
NOT_IDS = {
    "accounts/reset/": "Django's password reset: a signed token",
    "admin/": "the operators' admin: staff only, every team's data by design",
    "invite/": "an invitation's secret token is the key to it",
    "shared/": "a signed, expiring link the API fetches an image from",
    "s/": "an outside link's token is the key to it (tests/review/test_share.py)",
    "sandbox/": "the stand-in for the Multimodal API: API accounts, not teams",
    "generate/": "a kind's slug",
    "prompts/save/": "a kind's slug",
    "^api/v1/": "the catch-all that answers unknown API paths",
    "api/v1/problems/": "a problem type's slug: public documentation, no team data",
    "api/v1/media/": "a signed, expiring media link: the signature is the key to it",
}
STRINGS = {"fmt": "png", "action": "test"}
# A valid body for the API's operations that take one, by the route's last word:
# an id must answer as a missing one does, not only as a malformed body does.
BODIES = {"lane": {"lane": "normal"}, "star": {"starred": True}, "rating": {"stars": 3},
          "comments": {"text": "hello"}, "<int:pk>": {"disabled": True},
          "links": {"expires_days": 7}}
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def routes(patterns=None, prefix: str = "") -> list[str]:
    found = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if hasattr(pattern, "url_patterns"):
            found += routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            found.append(prefix + str(pattern.pattern))
    return sorted(set(found))


def walked() -> list[str]:
    return [r for r in routes() if PARAM.search(r) and not r.startswith(tuple(NOT_IDS))]


def owner_of(route: str):
    before = route[:PARAM.search(route).start()].strip("/").split("/")[-1]
    return OWNERS.get(before)


def test_every_route_with_a_parameter_is_walked_or_says_why_not():
    assert [r for r in walked() if owner_of(r) is None] == []
    assert len(walked()) >= 40


@pytest.fixture
def team_a_data(team_a, owner, teammate) -> dict:
    """One of everything of team A a route can name."""
    live = Generation.objects.create(team=team_a, author=owner, kind="tts", cost=14,
                                     params={"text": "team A's secret"}, state="succeeded",
                                     status="succeeded", media_format="mp3")
    live.media.save("a.mp3", ContentFile(b"ID3" + b"0" * 500))
    trashed = Generation.objects.create(team=team_a, author=owner, kind="tts", cost=14,
                                        params={"text": "trashed"}, state="succeeded",
                                        status="succeeded", deleted_at=clock.now())
    made_set = GenerationSet.objects.create(team=team_a, author=owner, kind="tts", size=1,
                                            cost=14)
    board = Board.objects.create(team=team_a, name="A's board", made_by=owner)
    BoardItem.objects.create(board=board, generation=live, position=1)
    storyboard = storyboard_actions.create(Membership.objects.get(user=owner), "A's film",
                                           "Said.\n\nSaid again.").result
    return {Generation: [live.pk, trashed.pk], GenerationSet: [made_set.pk],
            Board: [board.pk], Storyboard: [storyboard.pk],
            Scene: list(storyboard.scenes.values_list("pk", flat=True)),
            Comment: [Comment.objects.create(generation=live, author=owner, text="hi").pk],
            Membership: [Membership.objects.get(user=teammate).pk],
            Invitation: [invitations.create(team_a, owner, "member", 7).pk],
            ApiToken: [tokens.create(team_a, owner, name="a's", scopes=["read"]).token.pk],
            WebhookEndpoint: [WebhookEndpoint.objects.create(
                team=team_a, url="https://hooks.example/a", events=["set.finished"],
                secret="whsec_x").pk],
            SavedPrompt: [SavedPrompt.objects.create(team=team_a, author=owner, name="A's",
                                                     kind="tts", params={"text": "a"}).pk],
            ShareLink: [share.share(Membership.objects.get(user=owner), live,
                                    days=7).result[0].pk],
            Notification: [Notification.objects.create(
                team=team_a, recipient=Membership.objects.get(user=owner), kind="note",
                text="A note", url="/").pk]}


def paths(route: str, ids: list[int]) -> list[str]:
    """`route` with each id of `ids` in its id parameter, strings from STRINGS."""
    def filled(pk: int) -> str:
        return "/" + PARAM.sub(lambda found: STRINGS.get(found.group(2), str(pk)), route)
    return [filled(pk) for pk in ids]


@pytest.fixture
def outsider_token(team_b, outsider) -> str:
    return tokens.create(team_b, outsider, name="b's",
                         scopes=["read", "generate", "admin"]).secret


MISSING = 987654321  # an id no row has


def test_another_teams_member_and_token_get_404_on_every_route(
        team_a_data, outsider_client, outsider_token, monkeypatch):
    """Team A's ids answer the outsider exactly as ids that do not exist (404, or the
    same 405/422 a missing one gets), for every method."""
    from studio.api import quota

    monkeypatch.setattr(quota, "TOKEN_RATE_PER_SECOND", 10_000)
    api = Client(headers={"Authorization": f"Bearer {outsider_token}"})
    leaks = []
    for route in walked():
        is_api = route.startswith("api/v1/")
        door = api if is_api else outsider_client
        methods = ("get", "post", "put", "patch", "delete") if is_api else ("get", "post")
        body = BODIES.get(route.rstrip("/").split("/")[-1], {})
        nowhere = answers(door, methods, paths(route, [MISSING])[0], body)
        for path in paths(route, team_a_data[owner_of(route)]):
            theirs = answers(door, methods, path, body)
            if theirs != nowhere or 404 not in theirs.values():
                leaks.append((path, theirs, nowhere))
    assert leaks == []


def answers(door: Client, methods: tuple[str, ...], path: str,
            body: dict) -> dict[str, int]:
    return {method: getattr(door, method)(path, content_type="application/json",
                                          data=None if method == "get" else body).status_code
            for method in methods}
