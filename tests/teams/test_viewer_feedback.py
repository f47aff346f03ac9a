"""An admin may let viewers rate and comment, so a client with a viewer's seat can
give feedback; they still cannot generate."""

import pytest

from studio.generations.models import Comment, Rating
from studio.teams.models import AuditEvent, Team
from tests.generations.test_review import made

HTMX = {"HTTP_HX_REQUEST": "true"}
SETTINGS = {"api_url": "", "tier": "premium"}


@pytest.fixture
def picture(team_a, owner):
    return made(team_a, owner)


def let_viewers_review(team: Team, allowed: bool = True) -> None:
    Team.objects.filter(pk=team.pk).update(viewers_may_review=allowed)


def review_of(client, picture) -> str:
    return client.get(f"/generations/{picture.pk}/review/", **HTMX).content.decode()


def test_off_by_default_a_viewers_rating_and_comment_are_refused(viewer_client, team_a,
                                                                 picture):
    assert not Team.objects.get(pk=team_a.pk).viewers_may_review
    assert viewer_client.post(f"/generations/{picture.pk}/rate/",
                              {"stars": "4"}).status_code == 403
    assert viewer_client.post(f"/generations/{picture.pk}/comments/",
                              {"text": "Warmer, please"}).status_code == 403
    assert not Rating.objects.exists() and not Comment.objects.exists()
    html = review_of(viewer_client, picture)
    assert 'name="stars"' not in html and "<textarea" not in html
    assert "an admin can let viewers do it too" in html


def test_on_a_viewer_rates_and_comments_and_the_team_sees_it(viewer_client, viewer,
                                                             owner_client, team_a, picture):
    let_viewers_review(team_a)
    html = review_of(viewer_client, picture)
    assert 'name="stars"' in html and "<textarea" in html
    assert viewer_client.post(f"/generations/{picture.pk}/rate/",
                              {"stars": "4"}).status_code == 302
    assert viewer_client.post(f"/generations/{picture.pk}/comments/",
                              {"text": "Warmer, please"}).status_code == 302
    assert list(Rating.objects.values_list("user", "stars")) == [(viewer.pk, 4)]
    html = review_of(owner_client, picture)
    assert "<strong>4.0</strong> of 5, from 1 rating." in html
    assert "<strong>vera</strong>" in html and "Warmer, please" in html


def test_on_viewers_still_cannot_generate(viewer_client, team_a):
    let_viewers_review(team_a)
    response = viewer_client.post("/generate/image/", {"prompt": "a kite"})
    assert response.status_code == 403


def test_turned_off_again_the_viewer_is_refused_again(viewer_client, team_a, picture):
    let_viewers_review(team_a)
    let_viewers_review(team_a, allowed=False)
    assert viewer_client.post(f"/generations/{picture.pk}/rate/",
                              {"stars": "4"}).status_code == 403


def test_the_setting_is_in_team_settings_and_its_changes_are_audited(owner_client, team_a):
    html = owner_client.get("/team/settings/").content.decode()
    assert 'name="viewers_may_review"' in html and "Viewers may rate and comment" in html
    response = owner_client.post("/team/settings/", {**SETTINGS, "viewers_may_review": "on"})
    assert response.status_code == 302
    assert Team.objects.get(pk=team_a.pk).viewers_may_review
    owner_client.post("/team/settings/", SETTINGS)  # an unticked box
    assert not Team.objects.get(pk=team_a.pk).viewers_may_review
    trail = list(AuditEvent.objects.filter(action=AuditEvent.Action.FEEDBACK_CHANGED)
                 .order_by("id").values_list("actor_name", "summary"))
    assert trail == [("olivia", "Let viewers rate and comment"),
                     ("olivia", "Stopped viewers from rating and commenting")]


def test_saving_other_settings_records_no_feedback_change(owner_client, team_a):
    owner_client.post("/team/settings/", {**SETTINGS, "monthly_budget": "500"})
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.FEEDBACK_CHANGED).exists()


def test_members_may_not_change_it(teammate_client, team_a):
    teammate_client.post("/team/settings/", {**SETTINGS, "viewers_may_review": "on"})
    assert not Team.objects.get(pk=team_a.pk).viewers_may_review
