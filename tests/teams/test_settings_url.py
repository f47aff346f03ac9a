"""Changing the team's API URL: the token never follows it, and a typed URL is public."""

from io import StringIO

import pytest
from django.core.management import call_command

from studio.multimodal import errors
from studio.teams.client import client_for
from studio.teams.models import AuditEvent, Team, UrlSource
from tests.conftest import TOKEN_A
from tests.lib.fakes import PUBLIC, FakeDns

NEW_URL = "https://api.other.example.test"
NEW_TOKEN = "live_token_for_the_new_api"


@pytest.fixture
def production(settings):
    settings.STUDIO_ALLOW_PRIVATE_URLS = False
    return settings


@pytest.fixture
def dns(monkeypatch):
    dns = FakeDns(monkeypatch)
    dns.answer("api.other.example.test", PUBLIC)
    return dns


def save_settings(client, **fields):
    return client.post("/team/settings/", {"api_url": "", "tier": "premium", **fields})


def test_changing_the_url_without_the_token_is_refused_beside_the_token_field(
        owner_client, team_a):
    response = save_settings(owner_client, api_url=NEW_URL, monthly_budget="900")
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["api_token"]
    assert "enter the token for the new address" in form.errors["api_token"][0]
    html = response.content.decode()
    assert f'value="{NEW_URL}"' in html and 'value="900"' in html
    team = Team.objects.get(pk=team_a.pk)
    assert (team.api_url, team.api_token, team.monthly_budget) == ("", TOKEN_A, None)
    assert not AuditEvent.objects.exists()


def test_changing_the_url_with_a_new_token_is_saved_and_audited(owner_client, owner, team_a):
    response = save_settings(owner_client, api_url=NEW_URL, api_token=NEW_TOKEN)
    assert response.status_code == 302
    team = Team.objects.get(pk=team_a.pk)
    assert (team.api_url, team.api_token) == (NEW_URL, NEW_TOKEN)
    assert team.api_url_source == UrlSource.MEMBER and not team.api_url_trusted
    event = AuditEvent.objects.get(action=AuditEvent.Action.API_URL_CHANGED)
    assert event.actor == owner
    assert event.summary == f"Changed the API URL from the default to {NEW_URL}"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_CHANGED).exists()
    assert NEW_TOKEN not in "".join(AuditEvent.objects.values_list("summary", flat=True))


def test_changing_the_url_and_removing_the_token_leaves_no_token_to_send(
        owner_client, team_a):
    response = save_settings(owner_client, api_url=NEW_URL, clear_api_token="on")
    assert response.status_code == 302
    team = Team.objects.get(pk=team_a.pk)
    assert (team.api_url, team.api_token) == (NEW_URL, "")
    with pytest.raises(errors.AuthenticationFailed):
        client_for(team)  # nothing is sent anywhere without a token


def test_going_back_to_the_default_url_also_needs_the_token(owner_client, team_a):
    team_a.api_url = NEW_URL
    team_a.save()
    response = save_settings(owner_client, api_url="")
    assert "api_token" in response.context["form"].errors
    assert Team.objects.get(pk=team_a.pk).api_url == NEW_URL


def test_other_settings_save_without_the_token_when_the_url_stays(owner_client, team_a):
    team_a.api_url = "http://127.0.0.1:9"  # private, but nobody is changing it
    team_a.save()
    response = save_settings(owner_client, api_url="http://127.0.0.1:9", tier="standard")
    assert response.status_code == 302
    team = Team.objects.get(pk=team_a.pk)
    assert (team.tier, team.api_token) == ("standard", TOKEN_A)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000",
    "http://[::ffff:10.0.0.1]", "http://[::127.0.0.1]", "http://169.254.169.254",
    "https://internal.example.test",
])
def test_private_api_url_is_refused_beside_the_field(production, dns, owner_client, team_a,
                                                     url):
    dns.answer("internal.example.test", "10.20.30.40")
    response = save_settings(owner_client, api_url=url, api_token=NEW_TOKEN)
    form = response.context["form"]
    assert "not public" in form.errors["api_url"][0]
    assert "api_token" not in form.errors
    assert f'value="{url}"' in response.content.decode()
    team = Team.objects.get(pk=team_a.pk)
    assert (team.api_url, team.api_token) == ("", TOKEN_A)


def test_public_api_url_is_accepted_in_production(production, dns, owner_client, team_a):
    response = save_settings(owner_client, api_url=NEW_URL, api_token=NEW_TOKEN)
    assert response.status_code == 302
    assert Team.objects.get(pk=team_a.pk).api_url == NEW_URL


def test_private_api_url_is_accepted_when_the_operator_allows(settings, owner_client, team_a):
    settings.STUDIO_ALLOW_PRIVATE_URLS = True
    response = save_settings(owner_client, api_url="http://127.0.0.1:8000",
                             api_token=NEW_TOKEN)
    assert response.status_code == 302


def test_a_url_of_unknown_origin_counts_as_a_members_word(team_a):
    team_a.api_url = NEW_URL
    assert team_a.api_url_source == UrlSource.MEMBER and not team_a.api_url_trusted
    team_a.api_url = ""
    assert team_a.api_url_trusted  # the studio's default is the operator's


# --- the operator's word: create_team --api-url -------------------------------------------


def create_team(url: str, token: str) -> Team:
    call_command("create_team", "Ops", "--owner", "opal", "--password", "pw-one-long",
                 "--api-url", url, "--api-token", token, stdout=StringIO())
    return Team.objects.get(name="Ops")


@pytest.mark.django_db(transaction=True)
def test_private_url_the_operator_gave_is_used(sandbox_url, production):
    team = create_team(sandbox_url, "sbx_ops_token_0001")
    assert team.api_url_source == UrlSource.OPERATOR and team.api_url_trusted
    with client_for(team) as api:
        assert api.generate("tts", {"text": "Hello"}).media is not None


@pytest.mark.django_db(transaction=True)
def test_the_same_private_url_from_a_member_is_not_connected_to(sandbox_url, production):
    team = create_team(sandbox_url, "sbx_ops_token_0001")
    team.api_url_source = UrlSource.MEMBER
    team.save()
    with client_for(team) as api, \
            pytest.raises(errors.AddressRefused, match="not a public address"):
        api.generate("tts", {"text": "Hello"})
