import base64
import io
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from studio.generations import storage
from studio.generations.models import Generation, Status
from studio.multimodal.answers import MediaAnswer
from studio.multimodal.streaming import Base64Payload
from tests.generations.helpers import drive, queued, refreshed


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


def test_empty_gallery_invites_a_first_generation_and_waits_for_the_teams(owner_client):
    html = owner_client.get("/").content.decode()
    assert "Nothing here yet" in html and "/generate/tts/" in html
    assert every(html) == "6s"


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
    assert (f'download="{audio.download_name}" '
            f'href="/generations/{audio.pk}/media?download=1"') in html


def test_failed_card_shows_the_message(owner_client, owner, team_a):
    make(team_a, owner, status=Status.FAILED, error_code="insufficient_credits",
         error_message="Insufficient credits. Top up the team's credits.")
    assert "Top up the team&#x27;s credits" in owner_client.get("/").content.decode()


def test_first_page_shows_48_newest(owner_client, owner, team_a):
    made = [make(team_a, owner, status=Status.SUCCEEDED) for _ in range(50)]
    shown = cards(owner_client.get("/").content.decode())
    assert len(shown) == 48 and shown[0][0] == str(made[-1].pk)


def poller_of(html: str) -> str:
    return re.search(r'<div id="poller"[^>]*>', html).group(0)


def every(html: str) -> str:
    """How often the page's poller asks when the page falls back to it: "6s"."""
    return re.search(r'data-poll-every="(\d+)"', poller_of(html)).group(1) + "s"


def watched(html: str) -> str:
    """The ids of the pending cards the page's poller asks about."""
    return re.search(r"[?&;]ids=([\d,]*)", poller_of(html)).group(1)


def test_first_page_polls_every_6s_when_idle_and_2s_with_pending_cards(owner_client, owner,
                                                                       team_a):
    finished(team_a, owner)
    html = owner_client.get("/").content.decode()
    assert html.count('hx-get="/gallery/poll/') == 1
    assert every(html) == "6s" and watched(html) == ""
    pending = make(team_a, owner)
    html = owner_client.get("/").content.decode()
    assert html.count('hx-get="/gallery/poll/') == 1
    assert every(html) == "2s"
    assert watched(html) == str(pending.pk)


def test_load_more_adds_no_second_poller(owner_client, owner, team_a):
    made = [make(team_a, owner) for _ in range(50)]
    html = owner_client.get(f"/?before={made[2].pk}", HTTP_HX_REQUEST="true",
                            HTTP_HX_TARGET="load-more").content.decode()
    assert len(cards(html)) == 2 and "gallery/poll" not in html


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


def test_poll_slows_to_the_idle_rate_once_nothing_is_pending(owner_client, owner, team_a):
    done = make(team_a, owner, status=Status.SUCCEEDED)
    response = owner_client.get(poll_url(timezone.now() - timedelta(minutes=1), done.pk,
                                         [done.pk]))
    html = response.content.decode()
    assert response.status_code == 200  # never 286: a teammate's work may still come
    assert cards(html) == [(str(done.pk), "tts", "succeeded")]
    assert every(html) == "6s" and watched(html) == ""


def test_idle_poll_answers_204_for_no_more_than_a_busy_one_costs(owner_client, owner,
                                                                 team_a):
    pending = make(team_a, owner)
    Generation.objects.filter(pk=pending.pk).update(
        updated_at=timezone.now() - timedelta(minutes=5))
    with CaptureQueriesContext(connection) as busy:
        response = owner_client.get(poll_url(timezone.now(), pending.pk, [pending.pk]))
    assert response.status_code == 204
    Generation.objects.filter(pk=pending.pk).update(status=Status.SUCCEEDED)
    with CaptureQueriesContext(connection) as idle:
        response = owner_client.get(poll_url(timezone.now(), pending.pk))
    assert response.status_code == 204 and response.content == b""
    assert not response.templates and "Set-Cookie" not in response.headers
    assert len(idle) <= len(busy), [q["sql"] for q in idle.captured_queries]


def test_idle_page_gets_a_teammates_new_card_at_the_top(owner_client, owner, teammate,
                                                        team_a):
    finished(team_a, owner)
    html = owner_client.get("/").content.decode()
    url = re.search(r'hx-get="([^"]+)"', poller_of(html)).group(1).replace("&amp;", "&")
    assert owner_client.get(url).status_code == 204
    new = make(team_a, teammate, "image")
    answer = owner_client.get(url).content.decode()
    assert 'hx-swap-oob="afterbegin:#gallery-grid"' in answer
    assert cards(answer) == [(str(new.pk), "image", "queued")]
    assert every(answer) == "2s" and watched(answer) == str(new.pk)


def test_idle_page_gets_only_new_cards_that_match_its_filters(owner_client, owner,
                                                              teammate, team_a):
    finished(team_a, owner)
    html = owner_client.get("/?kind=image").content.decode()
    url = re.search(r'hx-get="([^"]+)"', poller_of(html)).group(1).replace("&amp;", "&")
    make(team_a, teammate, "tts")
    assert owner_client.get(url).status_code == 204
    picture = make(team_a, teammate, "image")
    assert cards(owner_client.get(url).content.decode()) == [
        (str(picture.pk), "image", "queued")]


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


def test_active_filters_show_as_chips_that_each_remove_themselves(owner_client, owner,
                                                                  team_a):
    html = owner_client.get("/?q=cat&kind=image&starred=on&status=").content.decode()
    chips = dict(re.findall(r'class="gallery-chip" href="\?([^"]*)" '
                            r'data-clear-filter="(\w+)"', html))
    assert {field: query.replace("&amp;", "&") for query, field in chips.items()} == {
        "q": "kind=image&starred=on&status=", "kind": "q=cat&starred=on&status=",
        "starred": "q=cat&kind=image&status="}
    assert "Kind: Image" in html and "Search: cat" in html and "Starred by me" in html


def test_unfiltered_gallery_has_no_chips_and_folds_its_filters(owner_client):
    html = owner_client.get("/").content.decode()
    assert "gallery-chip" not in html
    assert '<details class="gallery-more">' in html and "data-shortcut-search" in html


def test_a_bad_folded_filter_opens_the_filters_to_show_its_error(owner_client):
    html = owner_client.get("/?date_from=2026-02-02&date_to=2026-01-01").content.decode()
    assert '<details class="gallery-more" open>' in html
    assert "The end date is before the start date." in html


# Speech: the voice, the first words, a waveform ------------------------------------

@pytest.mark.django_db(transaction=True)
def test_speech_is_stored_with_a_waveform_its_card_shows(sandbox_url, fake_clock, team_a,
                                                          owner, owner_client):
    speech = queued(team_a, owner, "tts", text="Two takes of one line sound different.",
                    voice="Wise_Woman")
    drive(fake_clock)
    speech = refreshed(speech)
    with speech.thumbnail.open("rb") as stored:
        picture = Image.open(io.BytesIO(stored.read()))
    assert (picture.format, picture.size) == ("WEBP", (600, 160))
    html = owner_client.get("/").content.decode()
    assert f'<img class="card-waveform" src="/generations/{speech.pk}/thumbnail"' in html
    assert "Wise Woman" in html and "Two takes of one line" in html
    served = owner_client.get(f"/generations/{speech.pk}/thumbnail")
    assert served["Content-Type"] == "image/webp"


def test_older_speech_without_a_waveform_shows_a_placeholder(owner_client, owner, team_a):
    speech = finished(team_a, owner)
    html = owner_client.get("/").content.decode()
    assert "card-waveform-none" in html and f"/generations/{speech.pk}/thumbnail" not in html


def speech_answer(mp3: bytes) -> MediaAnswer:
    body = base64.b64encode(mp3)
    return MediaAnswer(usage_id=None, endpoint_type="tts", status="completed",
                       credits_used=14, format="mp3",
                       media=Base64Payload(io.BytesIO(body), 0, len(body)),
                       duration_seconds=None)


def test_speech_whose_waveform_cannot_be_drawn_keeps_its_media_and_gets_none(team_a, owner):
    from tests.lib import hostile

    speech = make(team_a, owner, status=Status.SUCCEEDED)
    storage.save_media(speech, speech_answer(hostile.mp3_corrupt_in_the_middle()))
    assert speech.media and not speech.thumbnail


def test_speech_that_is_not_sound_is_refused_rather_than_kept(team_a, owner):
    from studio.multimodal.errors import MalformedAnswer

    speech = make(team_a, owner, status=Status.SUCCEEDED)
    with pytest.raises(MalformedAnswer, match="The API.s speech cannot be read"):
        storage.save_media(speech, speech_answer(b"ID3 not really an mp3"))
    assert not speech.media


# The viewer -----------------------------------------------------------------------

def test_viewer_shows_the_media_large_with_its_words_facts_and_actions(owner_client, owner,
                                                                      team_a):
    picture = finished(team_a, owner, "image", b"\x89PNG...", "png")
    html = owner_client.get(f"/generations/{picture.pk}/viewer/").content.decode()
    assert f'<img class="media media-image" src="/generations/{picture.pk}/media"' in html
    assert 'id="viewer-text-' in html and "a cat" in html and "Copy prompt" in html
    assert 'name="stars"' in html and f'hx-post="/generations/{picture.pk}/rate/"' in html
    assert f'hx-post="/generations/{picture.pk}/star/"' in html
    assert ">Remix</a>" in html and ">Animate</a>" in html and "?download=1" in html


def test_viewer_offers_a_viewer_no_rating_and_no_remix(viewer_client, owner, team_a):
    speech = finished(team_a, owner)
    html = viewer_client.get(f"/generations/{speech.pk}/viewer/").content.decode()
    assert "<audio controls" in html and "Copy text" in html
    assert 'name="stars"' not in html and "Remix" not in html


def test_viewer_of_another_teams_or_a_trashed_generation_is_404(owner_client, teammate_client,
                                                                owner, team_a, outsider,
                                                                team_b):
    theirs = finished(team_b, outsider)
    assert owner_client.get(f"/generations/{theirs.pk}/viewer/").status_code == 404
    trashed = finished(team_a, owner)
    Generation.objects.filter(pk=trashed.pk).update(deleted_at=timezone.now())
    assert teammate_client.get(f"/generations/{trashed.pk}/viewer/").status_code == 404
