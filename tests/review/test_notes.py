"""Notes at a moment: the team's comments, pointing at a time or range of a clip or
a point of a picture, with mentions, a webhook and the REST API."""

import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from studio.api import tokens
from studio.api.models import WebhookDelivery, WebhookEndpoint
from studio.api.webhooks import new_secret
from studio.generations import actions
from studio.generations.models import Comment, Generation, Status
from studio.generations.moments import Moment
from studio.teams.models import AuditEvent, Membership

HTMX = {"HTTP_HX_REQUEST": "true"}


def made(team, author, kind="video_t2v", **fields) -> Generation:
    media_format = {"image": "png", "tts": "mp3"}.get(kind, "mp4")
    generation = Generation.objects.create(
        team=team, author=author, kind=kind, params={"prompt": "a harbour", "text": "hi"},
        cost=14, status=Status.SUCCEEDED, media_format=media_format, **fields)
    generation.media.save(f"{generation.pk}.{media_format}", ContentFile(b"not really media"))
    return generation


@pytest.fixture
def clip(team_a, owner):
    return made(team_a, owner, duration_ms=6000)


@pytest.fixture
def picture(team_a, owner):
    return made(team_a, owner, kind="image", width=640, height=480)


def member(user) -> Membership:
    return Membership.objects.select_related("team").get(user=user)


# --- the page ----------------------------------------------------------------------

def test_a_note_at_a_moment_of_a_clip_shows_as_a_marker_that_seeks(teammate_client, clip):
    response = teammate_client.post(f"/generations/{clip.pk}/comments/",
                                    {"text": "The boat enters here", "at": "1.5"})
    assert response.status_code == 302
    note = Comment.objects.get()
    assert (note.at, note.until) == (1.5, None)
    html = teammate_client.get(f"/generations/{clip.pk}/").content.decode()
    marker = re.search(r'<button[^>]*class="note-marker[^"]*"[^>]*>', html).group(0)
    assert 'data-seek="1.5"' in marker and 'data-duration="6"' in html
    assert re.search(r'class="note-at" data-seek="1.5"[^>]*>.*0:01\.5', html)


def test_a_range_is_kept_and_shown_from_start_to_end(teammate_client, clip):
    teammate_client.post(f"/generations/{clip.pk}/comments/",
                         {"text": "Too dark", "at": "2", "until": "4.5"})
    assert (Comment.objects.get().at, Comment.objects.get().until) == (2, 4.5)
    html = teammate_client.get(f"/generations/{clip.pk}/").content.decode()
    assert "0:02–0:04.5" in html and 'data-until="4.5"' in html


@pytest.mark.parametrize(("fields", "field", "error"), [
    ({"at": "7"}, "at", "It is only 6 seconds long."),
    ({"at": "3", "until": "2"}, "until", "A range ends after it starts."),
    ({"at": "1", "until": "9"}, "until", "It is only 6 seconds long."),
    ({"at": "soon"}, "at", "A time in seconds, like 1.5."),
])
def test_a_moment_outside_the_clip_is_refused_beside_its_field_keeping_the_text(
        teammate_client, clip, fields, field, error):
    response = teammate_client.post(f"/generations/{clip.pk}/comments/",
                                    {"text": "Keep these words", **fields})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(rf'id="id_{field}-error"[^>]*>{re.escape(error)}', html)
    assert "Keep these words</textarea>" in html
    assert not Comment.objects.exists()


def test_a_picture_takes_a_point_and_shows_it_as_a_pin(teammate_client, picture):
    response = teammate_client.post(f"/generations/{picture.pk}/comments/",
                                    {"text": "Remove this sign", "point_x": "0.25",
                                     "point_y": "0.75"})
    assert response.status_code == 302
    note = Comment.objects.get()
    assert (note.point_x, note.point_y, note.at) == (0.25, 0.75, None)
    html = teammate_client.get(f"/generations/{picture.pk}/").content.decode()
    assert re.search(r'class="note-pin" data-x="0.25" data-y="0.75"', html)


def test_a_picture_refuses_a_time_and_a_clip_refuses_a_point(team_a, teammate, clip,
                                                             picture):
    on_picture = actions.comment(member(teammate), picture, "hm", Moment(at=1.0))
    on_clip = actions.comment(member(teammate), clip, "hm", Moment(point=(0.5, 0.5)))
    outside = actions.comment(member(teammate), picture, "hm", Moment(point=(1.5, 0.5)))
    assert not on_picture.ok and "point" in on_picture.message
    assert not on_clip.ok and "time" in on_clip.message
    assert not outside.ok and "0 to 1" in outside.message
    assert not Comment.objects.exists()


def test_speech_takes_moments_too(team_a, owner, teammate):
    speech = made(team_a, owner, kind="tts", duration_ms=2500)
    done = actions.comment(member(teammate), speech, "Say it slower", Moment(at=2.0))
    assert done.ok and done.result.at == 2.0
    refused = actions.comment(member(teammate), speech, "late", Moment(at=3.0))
    assert not refused.ok and "2.5 seconds" in refused.message


def test_a_moment_is_checked_only_against_a_length_that_is_known(team_a, owner, teammate):
    unmeasured = made(team_a, owner, duration_ms=None)
    assert actions.comment(member(teammate), unmeasured, "later on", Moment(at=40.0)).ok


def test_after_an_htmx_note_the_markers_come_along_out_of_band(teammate_client, clip):
    response = teammate_client.post(f"/generations/{clip.pk}/comments/",
                                    {"text": "here", "at": "3"}, **HTMX)
    html = response.content.decode()
    assert f'id="note-marks-{clip.pk}"' in html and 'hx-swap-oob="true"' in html
    assert 'data-seek="3"' in html


def test_the_note_is_audited_as_a_comment(teammate_client, clip):
    teammate_client.post(f"/generations/{clip.pk}/comments/", {"text": "ok", "at": "1"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.COMMENTED)
    assert event.details["generation"] == clip.pk and event.actor_name == "tom"


# --- mentions ----------------------------------------------------------------------

def test_mentions_of_team_members_are_stored_and_strangers_ignored(team_a, owner, teammate,
                                                                  outsider, clip):
    text = "@olivia look at this, and @otto (not ours), and @nobody. cc @Olivia"
    done = actions.comment(member(teammate), clip, text)
    assert [user.username for user in done.result.mentions.all()] == ["olivia"]


def test_the_form_offers_the_team_members_to_mention(teammate_client, clip, viewer,
                                                    outsider):
    html = teammate_client.get(f"/generations/{clip.pk}/").content.decode()
    names = re.search(r'data-mention-names="([^"]*)"', html).group(1).split()
    assert names == ["olivia", "tom", "vera"]


def test_the_page_shows_who_was_mentioned(teammate_client, clip, owner):
    teammate_client.post(f"/generations/{clip.pk}/comments/", {"text": "@olivia here"})
    html = teammate_client.get(f"/generations/{clip.pk}/").content.decode()
    assert '<span class="mention">@olivia</span>' in html


# --- webhook and REST API ----------------------------------------------------------

def test_a_note_sends_the_note_created_webhook(team_a, teammate, clip):
    WebhookEndpoint.objects.create(team=team_a, url="https://hooks.example.com/x",
                                   events=["note.created"], secret=new_secret())
    done = actions.comment(member(teammate), clip, "at the turn", Moment(at=1.5, until=2.0))
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "note.created"
    assert delivery.payload["data"] == {
        "id": done.result.pk, "generation_id": clip.pk, "author": "tom",
        "outside_name": None, "text": "at the turn", "at": 1.5, "until": 2.0, "point": None}


def api_client(team, user, *scopes) -> Client:
    secret = tokens.create(team, user, name="test", scopes=list(scopes)).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_rest_api_creates_and_lists_notes_at_moments(team_a, teammate, clip, picture):
    api = api_client(team_a, teammate, "read", "generate")
    made_note = api.post(f"/api/v1/generations/{clip.pk}/comments",
                         {"text": "cut @olivia", "at": 1.5, "until": 3},
                         content_type="application/json")
    assert made_note.status_code == 201, made_note.content
    pinned = api.post(f"/api/v1/generations/{picture.pk}/comments",
                      {"text": "this", "point": [0.1, 0.9]}, content_type="application/json")
    assert pinned.status_code == 201
    listed = api.get(f"/api/v1/generations/{clip.pk}/comments").json()
    assert [(n["at"], n["until"], n["point"], n["outside_name"]) for n in listed] == [
        (1.5, 3.0, None, None)]
    assert api.get(f"/api/v1/generations/{picture.pk}/comments").json()[0]["point"] == [
        0.1, 0.9]


def test_rest_api_refuses_a_moment_past_the_end(team_a, teammate, clip):
    api = api_client(team_a, teammate, "read", "generate")
    answer = api.post(f"/api/v1/generations/{clip.pk}/comments", {"text": "x", "at": 60},
                      content_type="application/json")
    assert answer.status_code in (400, 422)
    assert "only 6 seconds" in answer.json()["detail"]
    assert not Comment.objects.exists()


def test_the_gallery_viewer_lists_timed_notes_beside_the_player(teammate_client, teammate,
                                                               clip):
    actions.comment(member(teammate), clip, "enters here", Moment(at=1.5))
    actions.comment(member(teammate), clip, "no moment at all")
    html = teammate_client.get(f"/generations/{clip.pk}/viewer/").content.decode()
    assert 'class="note-marker' in html and 'aria-label="Play from 0:01.5"' in html
    assert "enters here" in html and "no moment at all" not in html


def test_a_notification_of_a_note_says_who_where_and_links_to_it(team_a, owner, teammate,
                                                                 clip):
    from studio.review import notes

    done = actions.comment(member(teammate), clip, "Brighter, please")
    text, url = notes.about(done.result)
    assert text == f"tom on Text to video #{clip.pk}: Brighter, please"
    assert url == f"/generations/{clip.pk}/#comment-{done.result.pk}"


def test_a_time_sent_for_a_picture_is_refused_where_it_shows(teammate_client, picture):
    response = teammate_client.post(f"/generations/{picture.pk}/comments/",
                                    {"text": "keep", "at": "1"})
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'class="field-error" role="alert">Only a clip or speech has moments', html)


# --- who hears of it ---------------------------------------------------------------

def bell_of(user) -> list[tuple[str, str]]:
    from studio.review.models import Notification

    return list(Notification.objects.filter(recipient__user=user)
                .values_list("kind", "text"))


def test_a_note_rings_the_authors_bell_and_a_mention_the_mentioned(team_a, owner, teammate,
                                                                   viewer, clip):
    actions.comment(member(teammate), clip, "Brighter here, @vera?", Moment(at=1.5))
    label = f"Text to video #{clip.pk}"
    assert bell_of(owner) == [("note", f"tom on {label}: Brighter here, @vera?")]
    assert bell_of(viewer) == [("mention", f"tom on {label}: Brighter here, @vera?")]
    assert bell_of(teammate) == []


def test_ones_own_note_on_ones_own_item_rings_nobody(team_a, owner, teammate, clip):
    actions.comment(member(owner), clip, "Note to self")
    assert bell_of(owner) == [] and bell_of(teammate) == []
