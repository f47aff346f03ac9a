"""Invitation links: created by admins, used once, by members new or old."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from studio.teams.middleware import SESSION_KEY
from studio.teams.models import AuditEvent, Invitation, Membership, Role
from tests.conftest import PASSWORD, logged_in, make_user
from tests.teams.conftest import membership

Action = AuditEvent.Action


def invite(team, creator, role=Role.MEMBER, days=7, token="tok-123") -> Invitation:
    return Invitation.objects.create(team=team, role=role, token=token, created_by=creator,
                                     expires_at=timezone.now() + timedelta(days=days))


@pytest.fixture
def invitation(team_a, owner):
    return invite(team_a, owner)


@pytest.fixture
def newcomer():
    return make_user("nina")


def test_admin_creates_a_link_with_role_and_expiry(team_admin_client, team_admin, team_a):
    response = team_admin_client.post("/team/invitations/", {"role": "viewer", "days": "30"},
                                 follow=True)
    invitation = Invitation.objects.get()
    assert invitation.team == team_a and invitation.role == Role.VIEWER
    assert invitation.created_by == team_admin and len(invitation.token) >= 40
    expected = timezone.now() + timedelta(days=30)
    assert abs(invitation.expires_at - expected) < timedelta(minutes=1)
    link = f"http://testserver/invite/{invitation.token}/"
    assert response.content.decode().count(link) == 2  # the message and the list
    event = AuditEvent.objects.get(action=Action.INVITED)
    assert event.summary == "Created an invitation link to join as viewer, valid for 30 days"


def test_invitation_expiry_defaults_to_seven_days(team_admin_client):
    html = team_admin_client.get("/team/invitations/").content.decode()
    assert '<option value="7" selected>' in html
    assert '<option value="member" selected>' in html


def test_links_are_unique(team_admin_client):
    for _ in range(2):
        team_admin_client.post("/team/invitations/", {"role": "member", "days": "1"})
    assert len(set(Invitation.objects.values_list("token", flat=True))) == 2


def test_no_one_can_invite_an_owner(owner_client):
    response = owner_client.post("/team/invitations/", {"role": "owner", "days": "7"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not Invitation.objects.exists()


def test_odd_expiry_is_refused(owner_client):
    response = owner_client.post("/team/invitations/", {"role": "member", "days": "3650"})
    assert response.status_code == 400 and not Invitation.objects.exists()


def test_only_open_invitations_are_listed(owner_client, team_a, owner):
    open_ = invite(team_a, owner, token="open-one")
    invite(team_a, owner, token="expired-one", days=-1)
    used = invite(team_a, owner, token="used-one")
    Invitation.objects.filter(pk=used.pk).update(accepted_at=timezone.now())
    html = owner_client.get("/team/invitations/").content.decode()
    assert open_.token in html and "expired-one" not in html and "used-one" not in html


def test_revoking_kills_the_link_and_is_audited(team_admin_client, invitation, newcomer):
    response = team_admin_client.post(f"/team/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEvent.objects.get().action == Action.INVITATION_REVOKED
    response = logged_in(newcomer).get(f"/invite/{invitation.token}/")
    assert response.status_code == 410 and "was revoked" in response.content.decode()


def test_revoking_twice_says_so(team_admin_client, invitation):
    team_admin_client.post(f"/team/invitations/{invitation.pk}/revoke/")
    response = team_admin_client.post(f"/team/invitations/{invitation.pk}/revoke/", follow=True)
    assert "was revoked" in response.content.decode()
    assert AuditEvent.objects.count() == 1


def test_logged_in_visitor_sees_team_and_role(invitation, newcomer):
    response = logged_in(newcomer).get(f"/invite/{invitation.token}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Team A" in html and "as <strong>member</strong>" in html
    assert "Join Team A" in html


def test_logged_in_visitor_joins_and_lands_in_the_team(invitation, newcomer, team_a,
                                                       team_b, outsider):
    Membership.objects.create(team=team_b, user=newcomer, role=Role.MEMBER)
    client = logged_in(newcomer)
    response = client.post(f"/invite/{invitation.token}/")
    assert response.status_code == 302 and response.url == "/"
    assert membership(team_a, newcomer).role == Role.MEMBER
    assert client.session[SESSION_KEY] == team_a.pk
    assert "Team A gallery" in client.get("/").content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_by == newcomer and invitation.accepted_at is not None
    event = AuditEvent.objects.get(action=Action.MEMBER_JOINED)
    assert event.team == team_a and event.actor == newcomer
    assert event.summary == "nina joined as member through an invitation from olivia"


def test_joining_as_viewer_gives_the_viewer_role(team_a, owner, newcomer):
    invitation = invite(team_a, owner, role=Role.VIEWER)
    logged_in(newcomer).post(f"/invite/{invitation.token}/")
    assert membership(team_a, newcomer).role == Role.VIEWER


def test_a_link_works_only_once(invitation, newcomer):
    logged_in(newcomer).post(f"/invite/{invitation.token}/")
    second = make_user("sam")
    response = logged_in(second).post(f"/invite/{invitation.token}/")
    assert response.status_code == 410 and "already been used" in response.content.decode()
    assert not Membership.objects.filter(user=second).exists()


def test_expired_link_says_so(team_a, owner, newcomer, fake_clock):
    invitation = invite(team_a, owner, days=1)
    fake_clock.advance(timedelta(days=1, seconds=1).total_seconds())
    client = logged_in(newcomer)
    response = client.get(f"/invite/{invitation.token}/")
    assert response.status_code == 410 and "expired on" in response.content.decode()
    assert client.post(f"/invite/{invitation.token}/").status_code == 410
    assert not Membership.objects.filter(user=newcomer).exists()


def test_expired_link_says_so_to_anonymous_visitors_too(team_a, owner):
    invitation = invite(team_a, owner, days=-1)
    response = Client().get(f"/invite/{invitation.token}/")
    assert response.status_code == 410 and "expired" in response.content.decode()


def test_unknown_link_is_not_found(db):
    response = Client().get("/invite/nope/")
    assert response.status_code == 404 and "not valid" in response.content.decode()


def test_existing_member_is_told_and_nothing_changes(invitation, viewer_client, viewer,
                                                     team_a):
    assert "already a member" in viewer_client.get(
        f"/invite/{invitation.token}/").content.decode()
    response = viewer_client.post(f"/invite/{invitation.token}/")
    assert response.status_code == 200 and "already a member" in response.content.decode()
    assert membership(team_a, viewer).role == Role.VIEWER
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not AuditEvent.objects.exists()


def test_anonymous_visitor_is_offered_login_and_sign_up(invitation):
    html = Client().get(f"/invite/{invitation.token}/").content.decode()
    assert f"/accounts/login/?next=/invite/{invitation.token}/" in html
    assert 'name="username"' in html and 'name="password2"' in html


def test_login_from_the_invitation_comes_back_to_it(invitation, newcomer):
    client = Client()
    response = client.post("/accounts/login/", {
        "username": "nina", "password": PASSWORD, "next": f"/invite/{invitation.token}/"})
    assert response.url == f"/invite/{invitation.token}/"
    assert "Join Team A" in client.get(response.url).content.decode()


def test_sign_up_creates_the_account_logs_in_and_joins(invitation, team_a):
    client = Client()
    response = client.post(f"/invite/{invitation.token}/", {
        "username": "newbie", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    user = Membership.objects.get(team=team_a, user__username="newbie").user
    assert user.check_password(PASSWORD)
    assert "Team A gallery" in client.get("/").content.decode()
    assert AuditEvent.objects.get().actor == user


def test_sign_up_errors_are_shown_beside_fields_and_input_kept(invitation, owner):
    response = Client().post(f"/invite/{invitation.token}/", {
        "username": "olivia", "password1": PASSWORD, "password2": "different"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "A user with that username already exists" in html
    assert "The two password fields didn" in html
    assert 'value="olivia"' in html
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_sign_up_on_a_used_link_creates_no_account(invitation, newcomer):
    logged_in(newcomer).post(f"/invite/{invitation.token}/")
    response = Client().post(f"/invite/{invitation.token}/", {
        "username": "late", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 410
    assert not Membership.objects.filter(user__username="late").exists()
    assert not get_user_model().objects.filter(username="late").exists()


def test_link_used_while_signing_up_rolls_the_new_account_back(invitation, monkeypatch):
    def used_meanwhile(invitation, user):
        return None  # what accept() says when another request claimed the link first

    monkeypatch.setattr("studio.teams.invitations.accept", used_meanwhile)
    response = Client().post(f"/invite/{invitation.token}/", {
        "username": "racer", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 410 and "no longer be used" in response.content.decode()
    assert not get_user_model().objects.filter(username="racer").exists()
