from django.test import Client

from studio.generations.models import Generation
from studio.teams.models import Membership, Role, Team
from tests.conftest import PASSWORD


def test_login_form_logs_in_and_lands_on_the_gallery(owner):
    client = Client()
    response = client.post("/accounts/login/", {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    assert "Team A gallery" in client.get("/").content.decode()


def test_wrong_password_says_so_and_keeps_the_username(owner):
    response = Client().post("/accounts/login/", {"username": "olivia", "password": "no"})
    html = response.content.decode()
    assert "Please enter a correct username and password" in html
    assert 'value="olivia"' in html


def test_logout_is_a_post(owner_client):
    assert owner_client.get("/accounts/logout/").status_code == 405
    response = owner_client.post("/accounts/logout/")
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert owner_client.get("/").status_code == 302


def test_user_without_team_is_told_how_to_join(db):
    from django.contrib.auth import get_user_model

    lonely = get_user_model().objects.create_user("lonely", password=PASSWORD)
    client = Client()
    client.force_login(lonely)
    assert "You are not in a team yet" in client.get("/").content.decode()


def test_switching_team_changes_everything_shown(owner, owner_client, team_a, team_b):
    Membership.objects.create(team=team_b, user=owner, role=Role.MEMBER)
    Generation.objects.create(team=team_b, author=owner, kind="tts",
                              params={"text": "made in B"}, cost=14)
    assert "made in B" not in owner_client.get("/").content.decode()
    owner_client.post("/team/switch/", {"team": team_b.pk})
    html = owner_client.get("/").content.decode()
    assert "Team B gallery" in html and "made in B" in html


def test_cannot_switch_into_a_team_you_are_not_in(owner_client, team_b):
    assert owner_client.post("/team/switch/", {"team": team_b.pk}).status_code == 404


def test_team_names_switcher_shown_only_with_several_teams(owner, owner_client, team_b):
    assert 'name="team"' not in owner_client.get("/").content.decode()
    Membership.objects.create(team=team_b, user=owner, role=Role.VIEWER)
    assert 'name="team"' in owner_client.get("/").content.decode()


def test_created_team_has_unique_name(db):
    Team.objects.create(name="Solo")
    assert Team.objects.filter(name="Solo").count() == 1
