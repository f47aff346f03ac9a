"""The gallery's live side as the server draws it: where a page's stream starts, which
cards follow their own status by polling, and when that polling stops."""

import re

import pytest
from django.utils import timezone

from studio.events.publishing import last_id
from studio.generations import live
from studio.generations.models import Status
from tests.generations.helpers import queued

pytestmark = pytest.mark.django_db(transaction=True)


def live_url(html: str) -> str:
    """The gallery's own stream (the top bar's has no filters)."""
    found = re.search(r'id="gallery-results" data-live-stream="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&")


def card_of(html: str, pk: int) -> str:
    return re.search(rf'<article [^>]*id="gen-{pk}"[^>]*>', html).group(0)


def test_the_gallery_streams_from_the_last_event_before_its_cards(owner_client, owner,
                                                                   team_a):
    live.card_changed(queued(team_a, owner, "image", prompt="before the page"))
    html = owner_client.get("/").content.decode()
    assert live_url(html) == f"/events/?since={last_id(team_a)}"


def test_a_filtered_gallery_streams_with_its_filters(owner_client, owner):
    html = owner_client.get("/?kind=tts&q=harbour").content.decode()
    assert live_url(html).endswith("&kind=tts&q=harbour") or \
        live_url(html).endswith("&q=harbour&kind=tts")


def test_the_team_poll_waits_to_be_asked(owner_client):
    html = owner_client.get("/").content.decode()
    assert re.search(r'<div id="poller"[^>]*hx-trigger="poll-now"', html)


def test_only_my_own_pending_card_follows_its_status_by_polling(owner_client, owner,
                                                                teammate, team_a):
    mine = queued(team_a, owner, "image", prompt="mine")
    theirs = queued(team_a, teammate, "image", prompt="theirs")
    html = owner_client.get("/").content.decode()
    assert f'hx-get="/generations/{mine.pk}/card/" hx-trigger="every 2s"' in card_of(html, mine.pk)
    assert "hx-trigger" not in card_of(html, theirs.pk)


def test_a_finished_card_of_mine_does_not_poll(owner_client, owner, team_a):
    done = queued(team_a, owner, "image", prompt="done")
    done.__class__.objects.filter(pk=done.pk).update(status=Status.SUCCEEDED, state="succeeded")
    html = owner_client.get("/").content.decode()
    assert "hx-trigger" not in card_of(html, done.pk)


def test_a_polling_card_is_told_to_stop_once_it_ended(owner_client, owner, team_a):
    job = queued(team_a, owner, "image", prompt="soon done")
    url = f"/generations/{job.pk}/card/"
    assert owner_client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    job.__class__.objects.filter(pk=job.pk).update(status=Status.FAILED, state="failed",
                                                   updated_at=timezone.now())
    ended = owner_client.get(url, HTTP_HX_REQUEST="true")
    assert ended.status_code == 286  # htmx swaps it in and stops polling
    assert 'data-status="failed"' in ended.content.decode()
