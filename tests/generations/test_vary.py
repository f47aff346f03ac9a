"""Vary: the same prompt and settings again, as one set of 4 with one quote, through
the one submit path; nothing for a viewer, and refused as a whole when it is too dear."""

import pytest

from studio.generations.models import Generation, GenerationSet, Status
from studio.generations.states import State

pytestmark = pytest.mark.django_db

PARAMS = {"prompt": "a kite over the dunes", "width": 1024, "height": 576, "style": "ink"}


def finished(team, author) -> Generation:
    return Generation.objects.create(team=team, author=author, kind="image", cost=50,
                                     params=PARAMS, status=Status.SUCCEEDED,
                                     state=State.SUCCEEDED)


def test_vary_queues_four_with_the_same_settings_as_one_set(teammate_client, team_a,
                                                            teammate):
    original = finished(team_a, teammate)
    answer = teammate_client.post(f"/generations/{original.pk}/vary/", follow=True)
    made = GenerationSet.objects.get()
    assert (made.size, made.cost, made.author) == (4, 200, teammate)
    items = list(made.generations.all())
    assert [g.params for g in items] == [PARAMS] * 4
    assert {g.state for g in items} == {State.QUEUED}
    assert f"4 variations of Image #{original.pk} queued as set #{made.pk}" in \
        answer.content.decode()


def test_a_viewer_cannot_vary(viewer_client, team_a, owner):
    original = finished(team_a, owner)
    assert viewer_client.post(f"/generations/{original.pk}/vary/").status_code == 403
    assert not GenerationSet.objects.exists()


def test_vary_over_the_budget_is_refused_whole(teammate_client, team_a, teammate):
    team_a.credits_remaining = 150
    team_a.save()
    original = finished(team_a, teammate)
    answer = teammate_client.post(f"/generations/{original.pk}/vary/", follow=True)
    assert "Not varied: The team" in answer.content.decode()
    assert not GenerationSet.objects.exists()


def test_another_teams_work_cannot_be_varied(teammate_client, team_b, outsider):
    theirs = finished(team_b, outsider)
    assert teammate_client.post(f"/generations/{theirs.pk}/vary/").status_code == 404


def test_a_finished_card_offers_vary_to_members(teammate_client, viewer_client, team_a,
                                               teammate):
    original = finished(team_a, teammate)
    original.media.name = "x.png"
    original.save()
    assert f'action="/generations/{original.pk}/vary/"' in teammate_client.get("/").content.decode()
    assert f"/generations/{original.pk}/vary/" not in viewer_client.get("/").content.decode()
