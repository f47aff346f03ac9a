"""Outside share links: made and revoked by members, opened with no account, and
never a way to anything but the one item they share."""

import re

import pytest
from django.contrib.auth.hashers import check_password
from django.core.files.base import ContentFile
from django.test import Client

from studio.api.models import WebhookDelivery, WebhookEndpoint
from studio.api.webhooks import new_secret
from studio.generations.models import Comment, Generation, Status
from studio.lib import clock
from studio.review import share
from studio.review.models import Notification, ShareLink
from studio.teams.models import AuditEvent

CLIP = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40  # 10 KiB standing for an MP4
LINK = re.compile(r"https?://[^\s\"<]+/s/([A-Za-z0-9_-]+)/")


def made(team, author, kind="video_t2v", data=CLIP, **fields) -> Generation:
    media_format = {"image": "png", "tts": "mp3"}.get(kind, "mp4")
    generation = Generation.objects.create(
        team=team, author=author, kind=kind, params={"prompt": "the harbour secret"},
        cost=14, status=Status.SUCCEEDED, media_format=media_format, **fields)
    generation.media.save(f"{generation.pk}.{media_format}", ContentFile(data))
    return generation


@pytest.fixture
def clip(team_a, owner):
    return made(team_a, owner, duration_ms=5000)


def shared(client: Client, generation: Generation, **fields) -> str:
    """A link made through the item's page; its token, read off the page."""
    form = {"expires_days": "7", **fields}
    response = client.post(f"/generations/{generation.pk}/share/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(f"/generations/{generation.pk}/").content.decode()
    return LINK.findall(page)[0]


def unlocked(client: Client, token: str, passphrase: str) -> None:
    response = client.post(f"/s/{token}/", {"passphrase": passphrase})
    assert response.status_code == 302 and response["Location"] == f"/s/{token}/"


# --- making one -----------------------------------------------------------------------

def test_a_member_makes_a_link_the_item_page_shows(owner_client, teammate_client, clip):
    token = shared(teammate_client, clip, passphrase="open sesame", allow_download="on")
    assert len(token) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    link = ShareLink.objects.get()
    assert (link.allow_download, link.allow_notes, link.created_by.username) == (True, True,
                                                                                 "tom")
    assert 6.9 < (link.expires_at - clock.now()).total_seconds() / 86400 <= 7
    page = owner_client.get(f"/generations/{clip.pk}/").content.decode()
    assert f"/s/{token}/" in page and "0 views" in page and "not opened yet" in page
    event = AuditEvent.objects.get(action=AuditEvent.Action.LINK_SHARED)
    assert event.actor_name == "tom" and event.details["generation"] == clip.pk


def test_the_token_and_passphrase_are_not_stored_as_given(teammate_client, clip):
    token = shared(teammate_client, clip, passphrase="open sesame")
    row = ShareLink.objects.values().get()
    assert not any(token in str(value) for value in row.values())
    assert "open sesame" not in row["passphrase_hash"]
    assert check_password("open sesame", row["passphrase_hash"])
    assert row["token_digest"] == share.digest(token)


@pytest.mark.parametrize(("days", "error"), [
    ("0", "At least 1 day."), ("91", "At most 90 days."),
    ("soon", "A whole number of days, 1 to 90."), ("", "Say how many days, 1 to 90.")])
def test_a_bad_lifetime_is_refused_beside_its_field_keeping_the_rest(teammate_client, clip,
                                                                     days, error):
    response = teammate_client.post(f"/generations/{clip.pk}/share/",
                                    {"expires_days": days, "passphrase": "kept phrase"})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(rf'id="id_expires_days-error"[^>]*>{re.escape(error)}', html)
    assert 'value="kept phrase"' in html
    assert not ShareLink.objects.exists()


def test_a_viewer_cannot_make_a_link_and_the_form_is_not_offered(viewer_client, clip):
    assert viewer_client.post(f"/generations/{clip.pk}/share/",
                              {"expires_days": "3"}).status_code == 403
    assert "Make a link" not in viewer_client.get(f"/generations/{clip.pk}/").content.decode()
    assert not ShareLink.objects.exists()


# --- the outsider ----------------------------------------------------------------------

def test_an_outsider_sees_only_the_item_on_a_clean_noindex_page(teammate_client, clip):
    token = shared(teammate_client, clip)
    response = Client().get(f"/s/{token}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    assert '<meta name="robots" content="noindex' in html
    assert f'src="/s/{token}/media"' in html
    assert "topbar" not in html and "Gallery" not in html and "the harbour secret" not in html
    assert f"/generations/{clip.pk}" not in html and "/media/" not in html
    link = ShareLink.objects.get()
    assert link.views == 1 and link.last_opened_at is not None


def test_the_shared_clip_plays_through_the_link_with_ranges(teammate_client, clip):
    token = shared(teammate_client, clip)
    outsider = Client()
    part = outsider.get(f"/s/{token}/media", HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{len(CLIP)}"
    assert b"".join(part.streaming_content) == CLIP[100:200]
    assert "attachment" not in part.get("Content-Disposition", "")


def test_the_original_downloads_only_when_the_link_allows_it(teammate_client, team_a, owner):
    allowed, refused = made(team_a, owner), made(team_a, owner)
    yes, no = shared(teammate_client, allowed, allow_download="on"), shared(teammate_client,
                                                                           refused)
    outsider = Client()
    assert f'download href="/s/{yes}/media?download"' in outsider.get(f"/s/{yes}/").content.decode()
    got = outsider.get(f"/s/{yes}/media?download")
    assert got.status_code == 200 and "attachment" in got["Content-Disposition"]
    assert "download href" not in outsider.get(f"/s/{no}/").content.decode()
    assert outsider.get(f"/s/{no}/media?download").status_code == 403


def test_a_passphrase_comes_first_and_opens_the_item(teammate_client, clip):
    token = shared(teammate_client, clip, passphrase="open sesame")
    outsider = Client()
    first = outsider.get(f"/s/{token}/").content.decode()
    assert 'name="passphrase"' in first and "/media" not in first
    assert outsider.get(f"/s/{token}/media").status_code == 403
    wrong = outsider.post(f"/s/{token}/", {"passphrase": "open barley"})
    assert wrong.status_code == 400 and "That is not the passphrase." in wrong.content.decode()
    unlocked(outsider, token, "open sesame")
    assert f'src="/s/{token}/media"' in outsider.get(f"/s/{token}/").content.decode()
    assert outsider.get(f"/s/{token}/media").status_code == 200
    assert Client().get(f"/s/{token}/media").status_code == 403  # another browser: not yet


def test_wrong_passphrases_are_slowed_even_for_the_right_one(teammate_client, clip, settings,
                                                             fake_clock):
    settings.STUDIO_LOGIN_ATTEMPTS = 3
    token = shared(teammate_client, clip, passphrase="open sesame")
    guesser = Client()
    for guess in range(3):
        assert guesser.post(f"/s/{token}/", {"passphrase": f"guess {guess}"}).status_code == 400
    paused = guesser.post(f"/s/{token}/", {"passphrase": "open sesame"})
    assert paused.status_code == 400 and "Too many wrong tries" in paused.content.decode()
    fake_clock.advance(31)
    unlocked(guesser, token, "open sesame")


def test_many_guessers_together_slow_the_link_for_everyone(teammate_client, clip, settings,
                                                           fake_clock):
    settings.STUDIO_LOGIN_ATTEMPTS = 1000
    token = shared(teammate_client, clip, passphrase="open sesame")
    for number in range(share.LINK_TRIES.attempts):
        Client(REMOTE_ADDR=f"10.0.0.{number}").post(f"/s/{token}/", {"passphrase": "no"})
    late = Client(REMOTE_ADDR="10.9.9.9").post(f"/s/{token}/", {"passphrase": "open sesame"})
    assert "Too many wrong tries" in late.content.decode()


# --- notes from outside ---------------------------------------------------------------

def test_an_outside_note_reaches_the_item_page_marked_as_from_outside(teammate_client,
                                                                      owner_client, clip,
                                                                      team_a):
    WebhookEndpoint.objects.create(team=team_a, url="https://hooks.example.com/n",
                                   events=["note.created"], secret=new_secret())
    token = shared(teammate_client, clip)
    outsider = Client()
    outsider.get(f"/s/{token}/")
    sent = outsider.post(f"/s/{token}/notes/", {"name": "Cleo (client)",
                                                "text": "Brighter here please", "at": "1.5"})
    assert sent.status_code == 302
    note = Comment.objects.get()
    assert (note.author, note.outside_name, note.at) == (None, "Cleo (client)", 1.5)
    page = owner_client.get(f"/generations/{clip.pk}/").content.decode()
    assert re.search(r'class="comment from-outside".*?Cleo \(client\).*?from outside', page,
                     re.S)
    assert 'data-seek="1.5"' in page
    assert AuditEvent.objects.filter(action=AuditEvent.Action.OUTSIDE_NOTE).exists()
    assert WebhookDelivery.objects.get().payload["data"]["outside_name"] == "Cleo (client)"
    rung = Notification.objects.get(recipient__user=clip.author)
    assert (rung.kind, rung.text) == (
        "outside_note", f"Cleo (client) (from outside) on Text to video #{clip.pk}: "
        "Brighter here please")


def test_an_outside_note_needs_a_name_and_keeps_what_was_typed(teammate_client, clip):
    token = shared(teammate_client, clip)
    response = Client().post(f"/s/{token}/notes/", {"name": " ", "text": "keep me",
                                                    "at": "99"})
    html = response.content.decode()
    assert response.status_code == 400 and "Say who you are" in html
    assert "keep me</textarea>" in html
    again = Client().post(f"/s/{token}/notes/", {"name": "Cleo", "text": "late", "at": "99"})
    assert "It is only 5 seconds long." in again.content.decode()
    assert not Comment.objects.exists()


def test_a_link_takes_notes_unless_they_are_turned_off(teammate_client, clip):
    assert share.found(shared(teammate_client, clip)).allow_notes  # the hook sends no field
    response = teammate_client.post(f"/generations/{clip.pk}/share/",
                                    {"expires_days": "2", "no_notes": "on"})
    assert response.status_code == 302
    token = LINK.findall(teammate_client.get(f"/generations/{clip.pk}/").content.decode())[0]
    outsider = Client()
    assert "Leave a note" not in outsider.get(f"/s/{token}/").content.decode()
    assert outsider.post(f"/s/{token}/notes/", {"name": "x", "text": "y"}).status_code == 403
    assert not Comment.objects.exists()


def test_a_passphrase_link_takes_notes_only_once_opened(teammate_client, clip):
    token = shared(teammate_client, clip, passphrase="open sesame")
    refused = Client().post(f"/s/{token}/notes/", {"name": "x", "text": "y"})
    assert refused.status_code == 302 and refused["Location"] == f"/s/{token}/"
    assert not Comment.objects.exists()


# --- ended links ----------------------------------------------------------------------

def assert_ended(token: str) -> None:
    outsider = Client()
    page = outsider.get(f"/s/{token}/")
    html = page.content.decode()
    assert page.status_code == 410 and "This link has ended" in html
    assert "/media" not in html and "<video" not in html and "passphrase" not in html
    assert outsider.get(f"/s/{token}/media").status_code == 410
    assert outsider.post(f"/s/{token}/notes/", {"name": "x", "text": "y"}).status_code == 410


def test_an_expired_link_shows_only_that_it_ended(teammate_client, clip, fake_clock):
    token = shared(teammate_client, clip, expires_days="1", passphrase="open sesame")
    fake_clock.advance(86400 + 1)
    assert_ended(token)
    assert "Ended" in teammate_client.get(f"/generations/{clip.pk}/").content.decode()


def test_any_member_revokes_a_link_which_then_shows_only_that_it_ended(
        owner_client, viewer_client, clip):
    token = shared(owner_client, clip)
    link = ShareLink.objects.get()
    assert viewer_client.post(f"/links/{link.pk}/revoke/").status_code == 302
    assert_ended(token)
    event = AuditEvent.objects.get(action=AuditEvent.Action.LINK_REVOKED)
    assert event.actor_name == "vera"
    assert "Revoked" in owner_client.get(f"/generations/{clip.pk}/").content.decode()


def test_an_item_in_the_trash_ends_its_links(teammate_client, clip):
    token = shared(teammate_client, clip)
    Generation.objects.filter(pk=clip.pk).update(deleted_at=clock.now())
    assert_ended(token)


# --- reaching nothing else --------------------------------------------------------------

def test_a_link_reaches_no_other_item_nor_path(teammate_client, clip, team_a, team_b, owner,
                                              outsider):
    other = made(team_a, owner, data=b"other item bytes")
    theirs = made(team_b, outsider, data=b"team b bytes")
    token = shared(teammate_client, clip)
    browser = Client()
    assert browser.get(f"/s/{token}/").status_code == 200
    tricks = [f"/s/{token}/media/{other.pk}", f"/s/{token}/../generations/{other.pk}/media",
              f"/s/{token}/%2e%2e/generations/{other.pk}/media", f"/s/{token}x/",
              f"/s/{token[:-1]}/", f"/s/{token.upper()}/", f"/s/{token}/{other.pk}/media",
              f"/s/{other.pk}/", f"/s/{theirs.pk}/media", f"/media/{clip.media.name}",
              f"/generations/{clip.pk}/media", f"/generations/{other.pk}/media",
              f"/generations/{theirs.pk}/media", f"/media/{other.media.name}",
              f"/generations/{clip.pk}/"]
    for path in tricks:
        response = browser.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code in (302, 404), (path, response.status_code)
        assert b"other item bytes" not in body and b"team b bytes" not in body, path
    assert b"".join(browser.get(f"/s/{token}/media").streaming_content) == CLIP
    asked_for_another = browser.get(f"/s/{token}/media?id={other.pk}&pk={other.pk}")
    assert b"".join(asked_for_another.streaming_content) == CLIP


def test_one_links_passphrase_opens_no_other_link(teammate_client, clip, team_a, owner):
    second = made(team_a, owner, data=b"second")
    first_token = shared(teammate_client, clip, passphrase="first")
    second_token = shared(teammate_client, second, passphrase="second")
    browser = Client()
    unlocked(browser, first_token, "first")
    assert browser.get(f"/s/{second_token}/media").status_code == 403
    assert 'name="passphrase"' in browser.get(f"/s/{second_token}/").content.decode()


def test_another_team_cannot_see_share_or_revoke(outsider_client, teammate_client, clip):
    token = shared(teammate_client, clip)
    link = ShareLink.objects.get()
    assert outsider_client.post(f"/generations/{clip.pk}/share/",
                                {"expires_days": "3"}).status_code == 404
    assert outsider_client.post(f"/links/{link.pk}/revoke/").status_code == 404
    assert ShareLink.objects.get().revoked_at is None
    assert Client().get(f"/s/{token}/").status_code == 200


def test_unknown_tokens_are_not_found(db):
    for token in ("nope", "A" * 32, "x" * 500):
        assert Client().get(f"/s/{token}/").status_code == 404


# --- the REST API ---------------------------------------------------------------------

def api_client(team, user, *scopes) -> Client:
    from studio.api import tokens

    secret = tokens.create(team, user, name="test", scopes=list(scopes)).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_rest_api_creates_lists_and_revokes_links(team_a, teammate, clip):
    api = api_client(team_a, teammate, "read", "generate")
    made_link = api.post(f"/api/v1/generations/{clip.pk}/links",
                         {"expires_days": 3, "passphrase": "p", "allow_download": True},
                         content_type="application/json")
    assert made_link.status_code == 201, made_link.content
    body = made_link.json()
    token = re.search(r"/s/([A-Za-z0-9_-]{22,})/$", body["url"]).group(1)
    assert (body["status"], body["has_passphrase"], body["allow_download"]) == ("live", True,
                                                                                True)
    assert Client().get(f"/s/{token}/").status_code == 200
    for _ in range(2):
        api.post(f"/api/v1/generations/{clip.pk}/links", {"expires_days": 1},
                 content_type="application/json")
    first = api.get(f"/api/v1/generations/{clip.pk}/links?limit=2").json()
    assert len(first["items"]) == 2 and first["next"].endswith("limit=2&before=" + str(
        first["items"][1]["id"]))
    rest = api.get(first["next"]).json()
    assert [item["id"] for item in rest["items"]] == [body["id"]] and rest["next"] is None
    revoked = api.post(f"/api/v1/links/{body['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert Client().get(f"/s/{token}/").status_code == 410
    again = api.post(f"/api/v1/links/{body['id']}/revoke")
    assert again.status_code == 409


def test_rest_api_refuses_a_lifetime_out_of_range_and_a_read_token(team_a, teammate, clip):
    writer = api_client(team_a, teammate, "read", "generate")
    too_long = writer.post(f"/api/v1/generations/{clip.pk}/links", {"expires_days": 91},
                           content_type="application/json")
    assert too_long.status_code == 422
    reader = api_client(team_a, teammate, "read")
    assert reader.post(f"/api/v1/generations/{clip.pk}/links", {"expires_days": 2},
                       content_type="application/json").status_code == 403
    assert not ShareLink.objects.exists()


def test_an_outsider_pins_a_note_to_a_spot_of_a_shared_picture(teammate_client, team_a,
                                                               owner):
    picture = made(team_a, owner, kind="image", data=b"\x89PNG fake", width=64, height=64)
    token = shared(teammate_client, picture)
    outsider = Client()
    assert 'name="point_x"' in outsider.get(f"/s/{token}/").content.decode()
    timed = outsider.post(f"/s/{token}/notes/", {"name": "Cleo", "text": "x", "at": "1"})
    assert timed.status_code == 400 and "takes a point" in timed.content.decode()
    pinned = outsider.post(f"/s/{token}/notes/", {"name": "Cleo", "text": "this sign",
                                                  "point_x": "0.2", "point_y": "0.6"})
    assert pinned.status_code == 302
    note = Comment.objects.get()
    assert (note.point_x, note.point_y, note.outside_name) == (0.2, 0.6, "Cleo")
