"""Notifications: who hears of what (their own jobs and sets, admins of a set that
waits), only them (their bell, their stream, their pages), and once; the bell and the
notifications page; reading them."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from studio.api import tokens
from studio.events.models import Event
from studio.events.shapers import Viewer
from studio.events.stream import shape
from studio.generations import actions
from studio.generations.models import Generation, GenerationSet
from studio.review.models import Notification, NotificationKind
from studio.review.notifications import notify
from studio.teams.models import Membership
from tests.conftest import make_team
from tests.generations.helpers import drive, queued
from tests.stack import free_port

SPEECH = {"voice": "Wise_Woman", "speed": "1", "volume": "1", "pitch": "0",
          "emotion": "neutral"}


def member(user, team) -> Membership:
    return Membership.objects.get(user=user, team=team)


def texts(user) -> list[str]:
    return list(Notification.objects.filter(recipient__user=user).values_list("text", flat=True))


def bell_label(html: str) -> str:
    return re.search(r'<summary[^>]*aria-label="(Notifications, \d+ unread)"', html).group(1)


# --- what generations tell ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox_url")
def test_my_job_finishing_tells_me_and_no_teammate(team_a, owner, teammate, fake_clock):
    job = queued(team_a, owner, "tts", text="Finished while I was elsewhere.")
    drive(fake_clock)
    notification = Notification.objects.get()
    assert notification.recipient == member(owner, team_a)
    assert (notification.kind, notification.url) == ("finished", f"/generations/{job.pk}/")
    assert notification.text == f"Speech #{job.pk} finished." or \
        notification.text.endswith(f"#{job.pk} finished.")
    assert texts(teammate) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox_url")
def test_my_job_failing_tells_me_why(db, owner, fake_clock):
    poor = make_team("Poor", "sbx_poor", credits=10)
    Membership.objects.create(team=poor, user=owner, role="owner")
    queued(poor, owner, "tts", text="too expensive")
    drive(fake_clock)
    notification = Notification.objects.get()
    assert notification.kind == NotificationKind.FAILED
    assert "Insufficient credits" in notification.text


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox_url")
def test_a_set_is_told_once_when_its_last_item_ends(team_a, owner, owner_client, fake_clock):
    response = owner_client.post("/generate/tts/", {**SPEECH, "text": "Take {one|two|three}."})
    assert response.status_code == 302
    drive(fake_clock)
    generation_set = GenerationSet.objects.get()
    notification = Notification.objects.get()
    assert notification.kind == NotificationKind.SET_FINISHED
    assert notification.text == f"Set #{generation_set.pk} finished: 3 done."
    assert notification.url == f"/?set={generation_set.pk}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox_url")
def test_a_set_whose_last_item_is_canceled_is_told_with_what_came_of_it(
        team_a, owner, owner_client, fake_clock):
    owner_client.post("/generate/tts/", {**SPEECH, "text": "Take {one|two|three}."})
    last = Generation.objects.order_by("pk").last()
    assert actions.pause(member(owner, team_a), last).ok
    drive(fake_clock)
    assert Notification.objects.count() == 0  # one of the set still waits
    assert actions.cancel(member(owner, team_a), last).ok
    generation_set = GenerationSet.objects.get()
    assert texts(owner) == [f"Set #{generation_set.pk} finished: 2 done, 1 canceled."]


@pytest.mark.django_db(transaction=True)
def test_a_job_or_set_one_cancels_whole_tells_no_one(team_a, owner, owner_client):
    owner_client.post("/generate/tts/", {**SPEECH, "text": "Take {one|two}."})
    owner_client.post("/generate/tts/", {**SPEECH, "text": "Alone."})
    for job in Generation.objects.all():
        assert actions.cancel(member(owner, team_a), job).ok
    assert texts(owner) == []


@pytest.mark.django_db(transaction=True)
def test_admins_hear_that_a_set_waits_for_approval_and_its_author_does_not(
        team_a, owner, teammate, teammate_client):
    team_a.approval_above = 100
    team_a.save()
    response = teammate_client.post("/generate/tts/", {
        **SPEECH, "text": "A long line to read, take {1|2|3|4}.", "count": 16})
    assert response.status_code == 302
    generation_set = GenerationSet.objects.get()
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.url) == \
        (member(owner, team_a), "approval_waiting", "/approvals/")
    assert f"tom's set #{generation_set.pk}" in notification.text
    assert texts(teammate) == []


# --- notify ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["note", "mention", "review_changed", "outside_note"])
def test_the_other_parts_kinds_reach_the_member(team_a, owner, teammate, kind):
    notify(member(owner, team_a), kind, "Tom left a note at 1.5 s.", "/generations/7/",
           actor=teammate)
    assert Notification.objects.get().kind == kind


@pytest.mark.django_db
def test_no_one_is_told_of_their_own_doing(team_a, owner):
    assert notify(member(owner, team_a), "note", "My own note", "/", actor=owner) is None
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_kind_that_does_not_exist_is_refused(team_a, owner):
    with pytest.raises(ValueError):
        notify(member(owner, team_a), "gossip", "?", "/")


@pytest.mark.django_db
def test_the_same_news_with_the_same_key_is_told_once(team_a, owner):
    mine = member(owner, team_a)
    notify(mine, "set_finished", "Set #1 finished.", "/?set=1", key="set_finished:1")
    assert notify(mine, "set_finished", "Set #1 finished.", "/?set=1",
                  key="set_finished:1") is None
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_a_notification_reaches_only_its_recipients_stream(
        team_a, owner, teammate, django_capture_on_commit_callbacks):
    mine, theirs = member(owner, team_a), member(teammate, team_a)
    with django_capture_on_commit_callbacks(execute=True):
        notify(mine, "note", "A note on your clip", "/generations/3/", actor=teammate)
    event = Event.objects.get(kind="notification")
    to_me, to_them = shape(event, [Viewer(mine), Viewer(theirs)])
    assert to_them is None
    assert "Notifications, 1 unread" in to_me and "A note on your clip" in to_me


# --- the bell and the pages -------------------------------------------------------------


@pytest.fixture
def two_for_olivia(team_a, owner, teammate) -> list[Notification]:
    mine = member(owner, team_a)
    return [notify(mine, "note", "First note", "/generations/1/", actor=teammate),
            notify(mine, "mention", "Tom mentioned you", "/generations/2/", actor=teammate)]


def test_every_page_has_the_bell_with_my_unread_count(owner_client, teammate_client,
                                                      two_for_olivia):
    for path in ("/", "/credits/", "/notifications/"):
        assert bell_label(owner_client.get(path).content.decode()) == \
            "Notifications, 2 unread"
    assert bell_label(teammate_client.get("/credits/").content.decode()) == \
        "Notifications, 0 unread"


def test_the_bell_lists_the_newest_first_linking_to_each(owner_client, two_for_olivia):
    _, second = two_for_olivia
    html = owner_client.get("/credits/").content.decode()
    assert html.index("Tom mentioned you") < html.index("First note")
    assert f'href="/notifications/{second.pk}/"' in html


def test_opening_one_marks_it_read_and_goes_to_the_thing(owner_client, two_for_olivia):
    first, _ = two_for_olivia
    response = owner_client.get(f"/notifications/{first.pk}/")
    assert (response.status_code, response["Location"]) == (302, "/generations/1/")
    first.refresh_from_db()
    assert first.read_at is not None
    assert bell_label(owner_client.get("/credits/").content.decode()) == \
        "Notifications, 1 unread"


def test_mark_all_read(owner_client, two_for_olivia):
    response = owner_client.post("/notifications/read/", follow=True)
    assert "All notifications marked read." in response.content.decode()
    assert not Notification.objects.filter(read_at=None).exists()


def test_the_notifications_page_lists_mine_and_says_when_there_are_none(
        owner_client, teammate_client, two_for_olivia):
    mine = owner_client.get("/notifications/").content.decode()
    assert "First note" in mine and "Tom mentioned you" in mine
    theirs = teammate_client.get("/notifications/").content.decode()
    assert "First note" not in theirs and "No notifications yet" in theirs


def test_no_one_else_opens_my_notification(teammate_client, outsider_client, two_for_olivia):
    first, _ = two_for_olivia
    for client in (teammate_client, outsider_client):
        assert client.get(f"/notifications/{first.pk}/").status_code == 404
    first.refresh_from_db()
    assert first.read_at is None


def test_an_outsider_sees_nothing_of_mine_in_their_lists(outsider_client, two_for_olivia):
    html = outsider_client.get("/notifications/").content.decode()
    assert "First note" not in html and bell_label(html) == "Notifications, 0 unread"


# --- the REST API -----------------------------------------------------------------------


def api_client(team, user) -> Client:
    secret = tokens.create(team, user, name="bell", scopes=["read"]).secret
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_a_token_lists_its_members_notifications_newest_first_page_by_page(
        team_a, owner, teammate):
    mine = member(owner, team_a)
    made = [notify(mine, "note", f"Note {n}", f"/generations/{n}/", actor=teammate)
            for n in range(3)]
    api = api_client(team_a, owner)
    first = api.get("/api/v1/notifications?limit=2").json()
    assert [item["text"] for item in first["items"]] == ["Note 2", "Note 1"]
    assert first["items"][0]["actor"] == "tom" and first["items"][0]["read_at"] is None
    second = api.get(first["next"]).json()
    assert [item["id"] for item in second["items"]] == [made[0].pk]
    assert second["next"] is None
    assert api_client(team_a, teammate).get("/api/v1/notifications").json() == \
        {"items": [], "next": None}


def test_a_token_marks_one_or_all_read(team_a, owner, teammate, two_for_olivia):
    first, _ = two_for_olivia
    api = api_client(team_a, owner)
    read = api.post(f"/api/v1/notifications/{first.pk}/read").json()
    assert read["id"] == first.pk and read["read_at"] is not None
    unread = api.get("/api/v1/notifications?unread=true").json()["items"]
    assert [item["text"] for item in unread] == ["Tom mentioned you"]
    assert api.post("/api/v1/notifications/read").json() == {"marked": 1}


def test_another_members_token_cannot_read_or_mark_mine(team_a, teammate, team_b, outsider,
                                                          two_for_olivia):
    first, _ = two_for_olivia
    for api in (api_client(team_a, teammate), api_client(team_b, outsider)):
        assert api.post(f"/api/v1/notifications/{first.pk}/read").status_code == 404
        assert api.get("/api/v1/notifications").json()["items"] == []
    first.refresh_from_db()
    assert first.read_at is None


# --- by e-mail ----------------------------------------------------------------------------


@pytest.fixture
def olivia_by_email(owner_client) -> None:
    response = owner_client.post("/notifications/settings/", {
        "email": "olivia@example.com", "kinds": ["note", "approval_waiting"]})
    assert response.status_code == 302


def test_only_the_kinds_i_chose_reach_me_by_email_after_the_change_commits(
        team_a, owner, teammate, olivia_by_email, mailoutbox,
        django_capture_on_commit_callbacks):
    mine = member(owner, team_a)
    with django_capture_on_commit_callbacks(execute=True):
        notify(mine, "note", "Tom left a note", "/generations/4/", actor=teammate)
        notify(mine, "mention", "Tom mentioned you", "/generations/4/", actor=teammate)
        assert mailoutbox == []  # not before the commit
    assert [mail.subject for mail in mailoutbox] == ["Studio: Tom left a note"]
    assert mailoutbox[0].to == ["olivia@example.com"]
    assert "http://127.0.0.1:8000/generations/4/" in mailoutbox[0].body


def test_a_teammate_who_chose_nothing_gets_no_email(team_a, teammate, owner, mailoutbox,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(member(teammate, team_a), "note", "A note", "/", actor=owner)
    assert mailoutbox == []


def test_a_failing_mail_server_is_logged_and_the_notification_stands(
        team_a, owner, teammate, olivia_by_email, settings, caplog,
        django_capture_on_commit_callbacks):
    settings.MAILERS = {"default": {  # an SMTP server where nobody listens
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "use_tls": False}}}
    with django_capture_on_commit_callbacks(execute=True):
        made = notify(member(owner, team_a), "note", "Tom left a note", "/", actor=teammate)
    assert made is not None and Notification.objects.filter(pk=made.pk).exists()
    assert "notification_email_failed" in caplog.messages


def test_the_email_page_shows_my_choices_and_offers_approvals_to_admins_only(
        owner_client, teammate_client, olivia_by_email):
    mine = owner_client.get("/notifications/settings/").content.decode()
    assert 'value="olivia@example.com"' in mine
    assert re.search(r'value="note"[^>]*checked', mine)
    assert not re.search(r'value="mention"[^>]*checked', mine)
    assert 'value="approval_waiting"' in mine
    assert 'value="approval_waiting"' not in \
        teammate_client.get("/notifications/settings/").content.decode()


def test_choosing_emails_without_an_address_says_so_and_keeps_the_choices(teammate_client):
    response = teammate_client.post("/notifications/settings/", {"kinds": ["note"]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give an address for the e-mails to go to." in html
    assert re.search(r'value="note"[^>]*checked', html)


def test_a_fragment_without_the_top_bar_asks_nothing_of_the_bell(owner_client, owner, team_a):
    job = queued(team_a, owner, "image", prompt="a card polled")
    with CaptureQueriesContext(connection) as asked:
        response = owner_client.get(f"/generations/{job.pk}/card/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert not [q for q in asked.captured_queries if "review_notification" in q["sql"]]
