import pytest

from studio.teams import crypto
from studio.teams.models import Team
from tests.conftest import TOKEN_A


def test_owner_sees_only_a_hint_of_the_token(owner_client):
    html = owner_client.get("/team/settings/").content.decode()
    assert TOKEN_A not in html
    assert "••••" + TOKEN_A[-4:] in html


def test_saving_a_new_token_stores_it_encrypted(owner_client, team_a):
    response = owner_client.post("/team/settings/", {
        "api_url": "https://api.ainative.studio", "tier": "standard",
        "api_token": "live_token_abcdefghijkl"})
    assert response.status_code == 302
    team = Team.objects.get(pk=team_a.pk)
    assert team.api_token == "live_token_abcdefghijkl"
    assert "live_token" not in team.api_token_encrypted
    assert team.api_url == "https://api.ainative.studio"
    assert "live_token_abcdefghijkl" not in owner_client.get("/team/settings/").content.decode()


def test_empty_token_field_keeps_the_stored_token(owner_client, team_a):
    owner_client.post("/team/settings/", {"api_url": "", "tier": "premium",
                                          "api_token": ""})
    assert Team.objects.get(pk=team_a.pk).api_token == TOKEN_A


def test_token_can_be_removed(owner_client, team_a):
    owner_client.post("/team/settings/", {"api_url": "", "tier": "premium",
                                          "clear_api_token": "on"})
    assert Team.objects.get(pk=team_a.pk).api_token == ""


def test_bad_url_is_shown_beside_the_field_and_kept(owner_client, team_a):
    response = owner_client.post("/team/settings/", {"api_url": "not a url",
                                                     "tier": "premium"})
    html = response.content.decode()
    assert response.status_code == 200 and "Enter a valid URL" in html
    assert 'value="not a url"' in html


@pytest.mark.parametrize("client_name", ["teammate_client", "viewer_client"])
def test_members_and_viewers_cannot_change_settings(request, client_name, team_a):
    member = request.getfixturevalue(client_name)
    assert member.get("/team/settings/").status_code == 403
    member.post("/team/settings/", {"api_url": "https://evil.example", "tier": "premium"})
    assert Team.objects.get(pk=team_a.pk).api_url == ""


def test_settings_link_only_for_admins(owner_client, teammate_client):
    assert "Team settings" in owner_client.get("/").content.decode()
    assert "Team settings" not in teammate_client.get("/").content.decode()


def test_outsider_settings_page_is_their_own_team(outsider_client):
    assert "Team B settings" in outsider_client.get("/team/settings/").content.decode()


def test_tokens_survive_key_rotation(settings):
    settings.STUDIO_ENCRYPTION_KEYS = ["a" * 43 + "="]
    old = crypto.encrypt("secret-token")
    settings.STUDIO_ENCRYPTION_KEYS = ["b" * 43 + "=", "a" * 43 + "="]
    assert crypto.decrypt(old) == "secret-token"
    rotated = crypto.rotate(old)
    settings.STUDIO_ENCRYPTION_KEYS = ["b" * 43 + "="]
    assert crypto.decrypt(rotated) == "secret-token"
    assert crypto.decrypt(old) == ""
