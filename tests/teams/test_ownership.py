"""Transferring ownership and deleting the team: the owner's alone."""

from studio.generations.models import Generation
from studio.teams.middleware import SESSION_KEY
from studio.teams.models import AuditEvent, Invitation, Membership, Role, Team
from tests.teams.conftest import membership


def test_transfer_page_offers_every_other_member(owner_client, teammate, viewer):
    html = owner_client.get("/team/transfer/").content.decode()
    assert "tom (member)" in html and "vera (viewer)" in html
    assert "olivia (" not in html


def test_transfer_makes_them_owner_and_me_admin(owner_client, owner, teammate, team_a):
    response = owner_client.post("/team/transfer/",
                                 {"new_owner": membership(team_a, teammate).pk})
    assert response.status_code == 302 and response.url == "/team/members/"
    assert membership(team_a, teammate).role == Role.OWNER
    assert membership(team_a, owner).role == Role.ADMIN
    event = AuditEvent.objects.get(action=AuditEvent.Action.OWNERSHIP_TRANSFERRED)
    assert event.actor == owner
    assert event.summary == "Transferred ownership to tom; olivia is now an admin"


def test_former_owner_can_no_longer_delete_the_team(owner_client, teammate, team_a):
    owner_client.post("/team/transfer/", {"new_owner": membership(team_a, teammate).pk})
    assert owner_client.post("/team/delete/", {"name": "Team A"}).status_code == 403
    assert Team.objects.filter(pk=team_a.pk).exists()


def test_cannot_transfer_to_yourself(owner_client, owner, teammate, team_a):
    response = owner_client.post("/team/transfer/",
                                 {"new_owner": membership(team_a, owner).pk})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert membership(team_a, owner).role == Role.OWNER


def test_transfer_page_in_a_team_of_one_says_invite_first(owner_client):
    assert "nobody else in the team" in owner_client.get("/team/transfer/").content.decode()


def test_delete_page_asks_for_the_team_name(owner_client):
    html = owner_client.get("/team/delete/").content.decode()
    assert "Type Team A to confirm" in html and 'name="name"' in html


def test_wrong_name_keeps_the_team_and_the_input(owner_client, team_a):
    response = owner_client.post("/team/delete/", {"name": "team a"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "That is not the team&#x27;s name" in html and 'value="team a"' in html
    assert Team.objects.filter(pk=team_a.pk).exists()


def test_deleting_removes_the_team_and_everything_in_it(owner_client, owner, teammate,
                                                        team_a, team_b):
    Generation.objects.create(team=team_a, author=owner, kind="tts",
                              params={"text": "hi"}, cost=14, status="succeeded")
    Invitation.objects.create(team=team_a, token="t", expires_at=team_a.created_at)
    owner_client.post("/team/switch/", {"team": team_a.pk})
    response = owner_client.post("/team/delete/", {"name": "Team A"})
    assert response.status_code == 302 and response.url == "/"
    assert not Team.objects.filter(pk=team_a.pk).exists()
    assert not Generation.objects.exists() and not Invitation.objects.exists()
    assert not Membership.objects.filter(user=teammate).exists()
    assert SESSION_KEY not in owner_client.session
    assert Team.objects.filter(pk=team_b.pk).exists()


def test_after_deleting_the_gallery_says_you_are_not_in_a_team(owner_client):
    owner_client.post("/team/delete/", {"name": "Team A"})
    html = owner_client.get("/").content.decode()
    assert "You are not in a team yet" in html and "Team A was deleted" in html


def test_after_deleting_the_gallery_shows_your_other_team(owner_client, owner, team_b):
    Membership.objects.create(team=team_b, user=owner, role=Role.VIEWER)
    owner_client.post("/team/delete/", {"name": "Team A"})
    assert "Team B gallery" in owner_client.get("/").content.decode()


def test_team_with_work_in_flight_cannot_be_deleted(owner_client, team_a, owner):
    from studio.generations.models import Generation
    from studio.teams.models import Team

    Generation.objects.create(team=team_a, author=owner, kind="tts", cost=14,
                              params={"text": "busy"}, status="running")
    response = owner_client.post("/team/delete/", {"name": team_a.name})
    assert "still queued or running" in response.content.decode()
    assert Team.objects.filter(pk=team_a.pk).exists()


def test_deleting_a_team_removes_its_media_files(owner_client, team_a, owner):
    import os

    from django.core.files.base import ContentFile

    from studio.generations.models import Generation

    done = Generation.objects.create(team=team_a, author=owner, kind="tts", cost=14,
                                     params={"text": "kept?"}, status="succeeded")
    done.media.save("x.mp3", ContentFile(b"audio"))
    path = done.media.path
    owner_client.post("/team/delete/", {"name": team_a.name})
    assert not os.path.exists(path)
