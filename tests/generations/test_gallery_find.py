"""Find, reuse and remove: filters, search, paging, remix, trash; and query counts."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from studio.generations import trash
from studio.generations.models import Generation, Star, Status
from studio.teams.models import AuditEvent
from tests.generations.test_gallery import cards, finished, make, poll_url


def ids(html: str) -> list[int]:
    return [int(pk) for pk, _, _ in cards(html)]


@pytest.fixture
def mix(team_a, owner, teammate):
    """Three of each kind and status, by two authors."""
    made = {
        "fox": make(team_a, owner, "image", Status.SUCCEEDED),
        "speech": make(team_a, teammate, "tts", Status.SUCCEEDED),
        "queued": make(team_a, teammate, "tts", Status.QUEUED),
        "failed": make(team_a, owner, "image", Status.FAILED),
    }
    Generation.objects.filter(pk=made["fox"].pk).update(params={"prompt": "A Red Fox"},
                                                        search_text="a red fox")
    return made


@pytest.mark.parametrize(("query", "expected"), [
    ("kind=image", ["failed", "fox"]),
    ("status=queued", ["queued"]),
    ("member=tom", ["queued", "speech"]),
    ("q=RED+fox", ["fox"]),
    ("q=fox&kind=tts", []),
    ("kind=image&status=succeeded&member=olivia", ["fox"]),
])
def test_filters_and_search_combine(owner_client, mix, query, expected):
    html = owner_client.get(f"/?{query}").content.decode()
    assert ids(html) == [mix[name].pk for name in expected]


def test_starred_filter_shows_only_my_stars(owner_client, owner, teammate, mix):
    Star.objects.create(generation=mix["speech"], user=owner)
    Star.objects.create(generation=mix["fox"], user=teammate)
    assert ids(owner_client.get("/?starred=on").content.decode()) == [mix["speech"].pk]


def test_date_range_filter(owner_client, mix):
    Generation.objects.filter(pk=mix["fox"].pk).update(
        created_at=timezone.now() - timedelta(days=10))
    day = (timezone.now() - timedelta(days=10)).date()
    html = owner_client.get(f"/?date_from={day}&date_to={day}").content.decode()
    assert ids(html) == [mix["fox"].pk]


def test_no_match_says_so_and_offers_to_clear(owner_client, mix):
    html = owner_client.get("/?q=zebra").content.decode()
    assert "Nothing matches these filters" in html and "Clear them" in html


def test_filter_form_keeps_its_values(owner_client, mix):
    html = owner_client.get("/?q=red&kind=image").content.decode()
    assert 'value="red"' in html and '<option value="image" selected>' in html


def test_htmx_filter_answers_only_the_results(owner_client, mix):
    response = owner_client.get("/?kind=tts", HTTP_HX_REQUEST="true",
                                HTTP_HX_TARGET="gallery-results")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="gallery-results"')
    assert "<html" not in html and ids(html) == [mix["queued"].pk, mix["speech"].pk]
    assert response["Vary"] == "HX-Request, Cookie"


def test_load_more_keeps_the_filters(owner_client, team_a, owner):
    made = [make(team_a, owner, "tts", Status.SUCCEEDED) for _ in range(50)]
    make(team_a, owner, "image", Status.SUCCEEDED)
    first = owner_client.get("/?kind=tts").content.decode()
    assert ids(first) == [g.pk for g in reversed(made)][:48]
    more = re.search(r'href="\?kind=tts&amp;before=(\d+)"', first)
    assert more and int(more.group(1)) == made[2].pk
    second = owner_client.get(f"/?kind=tts&before={more.group(1)}",
                              HTTP_HX_REQUEST="true", HTTP_HX_TARGET="load-more")
    html = second.content.decode()
    assert ids(html) == [made[1].pk, made[0].pk]
    assert 'hx-swap-oob="beforeend:#gallery-grid"' in html and "Load more" not in html


def test_poll_keeps_the_filters_for_new_cards(owner_client, team_a, owner, mix):
    since = timezone.now()
    new_image = make(team_a, owner, "image")
    new_speech = make(team_a, owner, "tts")
    html = owner_client.get(poll_url(since, mix["queued"].pk, [mix["queued"].pk],
                                     "&kind=tts")).content.decode()
    assert new_speech.pk in ids(html) and new_image.pk not in ids(html)


def test_page_and_poll_cost_the_same_queries_for_10_and_1000(owner_client, team_a, owner):
    def counts() -> tuple[int, int]:
        pending = list(Generation.objects.filter(status=Status.QUEUED)
                       .values_list("pk", flat=True)[:10])
        url = poll_url(timezone.now() - timedelta(minutes=5), max(pending), pending)
        owner_client.get("/?kind=tts")  # its forms drawn once and kept (a first draw reads twice)
        with CaptureQueriesContext(connection) as page:
            owner_client.get("/?kind=tts")
        with CaptureQueriesContext(connection) as poll:
            owner_client.get(url)
        return len(page), len(poll)

    Generation.objects.bulk_create(
        Generation(team=team_a, author=owner, kind="tts", params={"text": f"t{i}"},
                   cost=14, status=Status.QUEUED if i < 10 else Status.SUCCEEDED)
        for i in range(10))
    small = counts()
    Generation.objects.bulk_create(
        Generation(team=team_a, author=owner, kind="tts", params={"text": f"t{i}"},
                   cost=14, status=Status.SUCCEEDED) for i in range(990))
    assert counts() == small
    assert small[1] <= 6


def test_remix_opens_the_form_filled_in(owner_client, team_a, owner):
    picture = Generation.objects.create(
        team=team_a, author=owner, kind="image", cost=50, status=Status.SUCCEEDED,
        params={"prompt": "a blue whale", "width": 768, "height": 512, "style": "ink"},
        media_format="png")
    picture.media.save("w.png", ContentFile(b"png"))
    gallery = owner_client.get("/").content.decode()
    link = re.search(r'href="(/generate/image/\?[^"]+)" aria-label="Remix"', gallery).group(1)
    form = owner_client.get(link.replace("&amp;", "&")).content.decode()
    assert "a blue whale</textarea>" in form and 'value="768"' in form
    assert 'value="ink"' in form


def test_voice_over_links_speech_to_its_video(owner_client, team_a, owner):
    video = Generation.objects.create(team=team_a, author=owner, kind="video_t2v", cost=1000,
                                      params={"prompt": "waves at dawn", "duration": 5},
                                      status=Status.SUCCEEDED, media_format="mp4")
    video.media.save("v.mp4", ContentFile(b"mp4"))
    gallery = owner_client.get("/").content.decode()
    link = re.search(r'href="(/generate/tts/\?[^"]+)" aria-label="Voice-over"', gallery).group(1)
    form = owner_client.get(link.replace("&amp;", "&")).content.decode()
    assert f"A voice-over for video #{video.pk}" in form
    assert "Suggestion: “waves at dawn”" in form  # offered, not typed in
    assert re.search(r'<textarea name="text"[^>]*>\s*</textarea>', form)
    owner_client.post("/generate/tts/", {"text": "Dawn breaks.", "voice": "Calm_Woman",
                                         "source": video.pk})
    speech = Generation.objects.get(kind="tts")
    assert speech.source == video
    detail = owner_client.get(f"/generations/{speech.pk}/").content.decode()
    assert f'href="/generations/{video.pk}/"' in detail


def test_delete_moves_to_trash_and_admin_restores(owner_client, teammate_client,
                                                  viewer_client, team_a, teammate):
    mine = finished(team_a, teammate)
    response = teammate_client.post(f"/generations/{mine.pk}/delete/", follow=True)
    assert "moved to the trash" in response.content.decode()
    assert mine.pk not in ids(owner_client.get("/").content.decode())
    assert viewer_client.get("/trash/").status_code == 403
    trash_page = owner_client.get("/trash/").content.decode()
    assert f'data-generation-id="{mine.pk}"' in trash_page
    owner_client.post(f"/generations/{mine.pk}/restore/")
    assert mine.pk in ids(owner_client.get("/").content.decode())
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "deleted" in actions and "restored" in actions


def test_members_delete_only_their_own(teammate_client, viewer_client, team_a, owner):
    theirs = finished(team_a, owner)
    assert teammate_client.post(f"/generations/{theirs.pk}/delete/").status_code == 403
    assert viewer_client.post(f"/generations/{theirs.pk}/delete/").status_code == 403
    assert Generation.objects.get(pk=theirs.pk).deleted_at is None


def test_running_work_cannot_be_deleted(owner_client, team_a, owner):
    running = make(team_a, owner, status=Status.RUNNING)
    owner_client.post(f"/generations/{running.pk}/delete/")
    assert Generation.objects.get(pk=running.pk).deleted_at is None


def test_outsider_cannot_delete_or_restore(outsider_client, team_a, owner):
    mine = finished(team_a, owner)
    assert outsider_client.post(f"/generations/{mine.pk}/delete/").status_code == 404
    Generation.objects.filter(pk=mine.pk).update(deleted_at=timezone.now())
    assert outsider_client.post(f"/generations/{mine.pk}/restore/").status_code == 404


def test_purge_removes_media_after_30_days_only(team_a, owner):
    old = finished(team_a, owner)
    recent = finished(team_a, owner)
    path = old.media.path
    Generation.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    Generation.objects.filter(pk=recent.pk).update(deleted_at=timezone.now() - timedelta(days=29))
    assert trash.purge_expired() == 1
    assert not Generation.objects.filter(pk=old.pk).exists()
    assert Generation.objects.filter(pk=recent.pk).exists()
    import os

    assert not os.path.exists(path)
