import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from studio.generations.models import Generation, Status


def make(team, author, kind="tts", status=Status.QUEUED, **fields) -> Generation:
    params = {"text": "hello"} if kind == "tts" else {"prompt": "a cat"}
    return Generation.objects.create(team=team, author=author, kind=kind, params=params,
                                     cost=14, status=status, **fields)


def finished(team, author, kind="tts", body=b"ID3 fake mp3 bytes", fmt="mp3"):
    generation = make(team, author, kind, Status.SUCCEEDED, media_format=fmt)
    generation.media.save(f"{generation.pk}.{fmt}", ContentFile(body))
    return generation


def cards(html: str) -> list[tuple[str, str, str]]:
    return re.findall(r'data-generation-id="(\d+)" data-kind="(\w+)" '
                      r'data-status="(\w+)"', html)


def test_empty_gallery_invites_a_first_generation(owner_client):
    html = owner_client.get("/").content.decode()
    assert "Nothing here yet" in html and "/generate/tts/" in html
    assert 'hx-get' not in html.split('id="poller"')[1].split(">")[0]


def test_gallery_lists_team_work_newest_first_with_hooks(owner_client, owner, team_a,
                                                         outsider, team_b):
    older = finished(team_a, owner)
    newer = make(team_a, owner, "image")
    make(team_b, outsider)
    assert cards(owner_client.get("/").content.decode()) == [
        (str(newer.pk), "image", "queued"), (str(older.pk), "tts", "succeeded")]


def test_finished_cards_hold_a_player_and_a_download_link(owner_client, owner, team_a):
    audio = finished(team_a, owner)
    image = finished(team_a, owner, "image", b"\x89PNG...", "png")
    html = owner_client.get("/").content.decode()
    assert f'<audio controls preload="metadata" src="/generations/{audio.pk}/media">' in html
    assert f'<img src="/generations/{image.pk}/media"' in html
    assert f'download="tts-{audio.pk}.mp3" href="/generations/{audio.pk}/media?download=1"' in html


def test_failed_card_shows_the_message(owner_client, owner, team_a):
    make(team_a, owner, status=Status.FAILED, error_code="insufficient_credits",
         error_message="Insufficient credits. Top up the team's credits.")
    assert "Top up the team&#x27;s credits" in owner_client.get("/").content.decode()


def test_first_page_shows_48_newest(owner_client, owner, team_a):
    made = [make(team_a, owner, status=Status.SUCCEEDED) for _ in range(50)]
    shown = cards(owner_client.get("/").content.decode())
    assert len(shown) == 48 and shown[0][0] == str(made[-1].pk)


def test_page_polls_only_while_something_is_pending(owner_client, owner, team_a):
    finished(team_a, owner)
    assert "gallery/poll" not in owner_client.get("/").content.decode()
    make(team_a, owner)
    html = owner_client.get("/").content.decode()
    assert html.count("hx-get=\"/gallery/poll/") == 1
    assert 'hx-trigger="every 2s"' in html


def poll_url(since, newest=0, ids=(), extra=""):
    watched = ",".join(str(pk) for pk in ids)
    return (f"/gallery/poll/?since={since.isoformat().replace('+', '%2B')}"
            f"&newest={newest}&ids={watched}{extra}")


def test_poll_returns_204_when_nothing_changed(owner_client, owner, team_a):
    pending = make(team_a, owner)
    Generation.objects.filter(pk=pending.pk).update(
        updated_at=timezone.now() - timedelta(minutes=5))
    response = owner_client.get(poll_url(timezone.now(), pending.pk, [pending.pk]))
    assert response.status_code == 204


def test_poll_swaps_changed_cards_and_keeps_polling(owner_client, owner, team_a):
    done = make(team_a, owner)
    still = make(team_a, owner)
    since = timezone.now() - timedelta(minutes=1)
    Generation.objects.filter(pk=still.pk).update(updated_at=since - timedelta(minutes=5))
    Generation.objects.filter(pk=done.pk).update(status=Status.SUCCEEDED,
                                                 updated_at=timezone.now())
    response = owner_client.get(poll_url(since, still.pk, [done.pk, still.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert cards(html) == [(str(done.pk), "tts", "succeeded")]
    assert 'hx-swap-oob="outerHTML"' in html
    assert 'id="poller" hx-swap-oob="true"' in html and "hx-get" in html


def test_poll_stops_with_286_when_nothing_is_pending(owner_client, owner, team_a):
    done = make(team_a, owner, status=Status.SUCCEEDED)
    response = owner_client.get(poll_url(timezone.now() - timedelta(minutes=1), done.pk,
                                         [done.pk]))
    assert response.status_code == 286
    assert cards(response.content.decode()) == [(str(done.pk), "tts", "succeeded")]


def test_poll_prepends_a_teammates_new_card(owner_client, owner, teammate, team_a):
    seen = make(team_a, owner)
    since = timezone.now()
    new = make(team_a, teammate, "image")
    html = owner_client.get(poll_url(since, seen.pk, [seen.pk])).content.decode()
    assert 'hx-swap-oob="afterbegin:#gallery-grid"' in html
    assert (str(new.pk), "image", "queued") in cards(html)
    assert f"newest={new.pk}" in html


def test_poll_ignores_other_teams(owner_client, owner, team_a, outsider, team_b):
    mine = make(team_a, owner)
    theirs = make(team_b, outsider)
    html = owner_client.get(poll_url(timezone.now() - timedelta(minutes=1), 0,
                                     [mine.pk, theirs.pk])).content.decode()
    ids = [c[0] for c in cards(html)]
    assert str(mine.pk) in ids and str(theirs.pk) not in ids


@pytest.mark.parametrize("since", ["", "yesterday", "2026-13-45"])
def test_poll_survives_a_bad_since(owner_client, owner, team_a, since):
    make(team_a, owner)
    assert owner_client.get(f"/gallery/poll/?since={since}&newest=x").status_code in (200, 204)
