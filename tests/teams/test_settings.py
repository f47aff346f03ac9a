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


def test_monthly_budget_field_renders_with_its_help_text(owner_client):
    html = owner_client.get("/team/settings/").content.decode()
    assert 'name="monthly_budget"' in html and "Monthly budget" in html
    assert "Credits the whole team may spend in a calendar month (UTC)" in html


def test_setting_the_team_budget_is_saved_and_audited(owner_client, owner, team_a):
    from studio.teams.models import AuditEvent

    owner_client.post("/team/settings/", {"api_url": "", "tier": "premium",
                                          "monthly_budget": "5000"})
    assert Team.objects.get(pk=team_a.pk).monthly_budget == 5000
    event = AuditEvent.objects.get(action=AuditEvent.Action.BUDGET_CHANGED)
    assert event.actor == owner
    assert event.summary == "Set the team's monthly budget to 5,000 credits"


def test_negative_budget_is_refused_beside_the_field(owner_client, team_a):
    response = owner_client.post("/team/settings/", {"api_url": "", "tier": "premium",
                                                     "monthly_budget": "-1"})
    html = response.content.decode()
    assert "greater than or equal to 0" in html and 'value="-1"' in html
    assert Team.objects.get(pk=team_a.pk).monthly_budget is None


def test_rotate_tokens_command_moves_tokens_to_the_new_key(settings, team_a):
    from io import StringIO

    from django.core.management import call_command

    settings.STUDIO_ENCRYPTION_KEYS = ["a" * 43 + "="]
    team_a.api_token = "tok_rotate_me_123456"
    team_a.save()
    settings.STUDIO_ENCRYPTION_KEYS = ["b" * 43 + "=", "a" * 43 + "="]
    out = StringIO()
    call_command("rotate_tokens", stdout=out)
    assert "Re-encrypted 1 token(s); 0 unreadable." in out.getvalue()
    settings.STUDIO_ENCRYPTION_KEYS = ["b" * 43 + "="]
    team_a.refresh_from_db()
    assert team_a.api_token == "tok_rotate_me_123456"
