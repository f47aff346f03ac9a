"""Each role against each team-management page and action, by URL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from studio.teams.models import Invitation, Membership, Role, Team
from tests.teams.conftest import membership

PAGES = ["/team/members/", "/team/invitations/", "/team/audit/", "/team/audit/export.csv",
         "/team/transfer/", "/team/delete/"]
OWNER_PAGES = ["/team/transfer/", "/team/delete/"]


@pytest.fixture
def invitation(team_a, owner):
    return Invitation.objects.create(team=team_a, role=Role.MEMBER, token="tok-a",
                                     created_by=owner,
                                     expires_at=timezone.now() + timedelta(days=7))


def attempt_every_change(client, team_a, teammate, invitation) -> list[int]:
    tom = membership(team_a, teammate).pk
    return [
        client.post(f"/team/members/{tom}/role/", {"role": "admin"}).status_code,
        client.post(f"/team/members/{tom}/cap/", {"monthly_cap": "5"}).status_code,
        client.post(f"/team/members/{tom}/remove/").status_code,
        client.post("/team/invitations/", {"role": "admin", "days": "7"}).status_code,
        client.post(f"/team/invitations/{invitation.pk}/revoke/").status_code,
        client.post("/team/transfer/", {"new_owner": tom}).status_code,
        client.post("/team/delete/", {"name": "Team A"}).status_code,
    ]


def assert_nothing_changed(team_a, teammate, invitation) -> None:
    tom = membership(team_a, teammate)
    assert tom.role == Role.MEMBER and tom.monthly_cap is None
    assert Team.objects.filter(pk=team_a.pk).exists()
    assert Invitation.objects.get().revoked_at is None
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize("client_name", ["viewer_client", "teammate_client"])
@pytest.mark.parametrize("url", PAGES)
def test_viewers_and_members_cannot_open_management_pages(request, client_name, url):
    assert request.getfixturevalue(client_name).get(url).status_code == 403


@pytest.mark.parametrize("client_name", ["viewer_client", "teammate_client"])
def test_viewers_and_members_cannot_change_anything(request, client_name, team_a,
                                                    teammate, invitation):
    client = request.getfixturevalue(client_name)
    assert attempt_every_change(client, team_a, teammate, invitation) == [403] * 7
    assert_nothing_changed(team_a, teammate, invitation)


@pytest.mark.parametrize("url", sorted(set(PAGES) - set(OWNER_PAGES)))
def test_admin_can_open_management_pages(team_admin_client, url):
    assert team_admin_client.get(url).status_code == 200


@pytest.mark.parametrize("url", OWNER_PAGES)
def test_admin_cannot_open_transfer_or_delete(team_admin_client, url):
    assert team_admin_client.get(url).status_code == 403


def test_admin_cannot_transfer_ownership_or_delete_the_team(team_admin_client, owner,
                                                            team_a, teammate):
    tom = membership(team_a, teammate).pk
    assert team_admin_client.post("/team/transfer/", {"new_owner": tom}).status_code == 403
    assert team_admin_client.post("/team/delete/", {"name": "Team A"}).status_code == 403
    assert membership(team_a, owner).role == Role.OWNER
    assert membership(team_a, teammate).role == Role.MEMBER
    assert Team.objects.filter(pk=team_a.pk).exists()


@pytest.mark.parametrize("url", PAGES)
def test_owner_can_open_every_management_page(owner_client, url):
    assert owner_client.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/team/members/1/role/", "/team/members/1/cap/",
                                 "/team/members/1/remove/", "/team/invitations/1/revoke/"])
def test_changes_reject_get(owner_client, url):
    assert owner_client.get(url).status_code == 405


def test_outsider_cannot_touch_team_a_members_by_guessing_ids(outsider_client, team_a,
                                                               teammate, invitation):
    tom = membership(team_a, teammate).pk
    assert outsider_client.post(f"/team/members/{tom}/role/",
                                {"role": "admin"}).status_code == 404
    assert outsider_client.post(f"/team/members/{tom}/cap/",
                                {"monthly_cap": "1"}).status_code == 404
    assert outsider_client.post(f"/team/members/{tom}/remove/").status_code == 404
    assert outsider_client.post(
        f"/team/invitations/{invitation.pk}/revoke/").status_code == 404
    assert_nothing_changed(team_a, teammate, invitation)


def test_outsider_cannot_hand_their_team_to_someone_in_team_a(outsider_client, outsider,
                                                              team_b, team_a, teammate):
    tom = membership(team_a, teammate).pk
    response = outsider_client.post("/team/transfer/", {"new_owner": tom})
    assert response.status_code == 400
    assert membership(team_b, outsider).role == Role.OWNER
    assert not Membership.objects.filter(team=team_b, user=teammate).exists()


def test_outsider_sees_only_their_own_members_and_invitations(outsider_client, teammate,
                                                              invitation):
    members = outsider_client.get("/team/members/").content.decode()
    assert "otto" in members and "tom" not in members and "olivia" not in members
    invitations = outsider_client.get("/team/invitations/").content.decode()
    assert invitation.token not in invitations


def test_member_and_audit_links_shown_only_to_admins(owner_client, team_admin_client,
                                                     teammate_client):
    for client in (owner_client, team_admin_client):
        html = client.get("/").content.decode()
        assert 'href="/team/members/"' in html and 'href="/team/audit/"' in html
    html = teammate_client.get("/").content.decode()
    assert 'href="/team/members/"' not in html and 'href="/team/audit/"' not in html
