import re

import pytest

from studio.generations.models import Attempt, Generation, Status
from tests.generations.helpers import queued


@pytest.fixture
def tom_job(team_a, teammate):
    return queued(team_a, teammate, "tts", text="maybe later")


def cancel(client, generation):
    return client.post(f"/generations/{generation.pk}/cancel/", follow=True)


def test_author_cancels_a_queued_job(teammate_client, tom_job):
    response = cancel(teammate_client, tom_job)
    assert "canceled" in response.content.decode()
    tom_job.refresh_from_db()
    assert tom_job.status == Status.CANCELED and tom_job.finished_at is not None


def test_admin_cancels_anyones_job(owner_client, tom_job):
    cancel(owner_client, tom_job)
    assert Generation.objects.get(pk=tom_job.pk).status == Status.CANCELED


def test_another_member_cannot_cancel(team_a, tom_job):
    from tests.conftest import logged_in, member_of

    other = logged_in(member_of(team_a, "maria", "member"))
    assert cancel(other, tom_job).status_code == 403
    assert Generation.objects.get(pk=tom_job.pk).status == Status.QUEUED


def test_viewer_cannot_cancel(viewer_client, tom_job):
    assert cancel(viewer_client, tom_job).status_code == 403


def test_outsider_gets_404(outsider_client, tom_job):
    assert cancel(outsider_client, tom_job).status_code == 404


def test_cancel_is_a_post(teammate_client, tom_job):
    assert teammate_client.get(f"/generations/{tom_job.pk}/cancel/").status_code == 405


def test_running_job_cannot_be_canceled_and_the_page_says_why(teammate_client, tom_job):
    Generation.objects.filter(pk=tom_job.pk).update(state="sending", status=Status.RUNNING)
    html = cancel(teammate_client, tom_job).content.decode()
    assert "credits may already be spent" in html
    assert Generation.objects.get(pk=tom_job.pk).status == Status.RUNNING


def test_cancel_button_only_on_queued_cards_one_may_cancel(teammate_client, owner_client,
                                                         team_a, owner, tom_job):
    theirs = queued(team_a, owner, "tts", text="olivia's")
    html = teammate_client.get("/").content.decode()
    assert f"/generations/{tom_job.pk}/cancel/" in html
    assert f"/generations/{theirs.pk}/cancel/" not in html
    assert f"/generations/{theirs.pk}/cancel/" in owner_client.get("/").content.decode()


def test_canceled_job_is_never_sent(team_a, teammate_client, tom_job, fake_clock):
    from studio.generations import dispatch

    cancel(teammate_client, tom_job)
    dispatch.tick()
    assert not Attempt.objects.exists()


def test_detail_lists_every_call(owner_client, tom_job, fake_clock):
    Attempt.objects.create(generation=tom_job, number=1, token_key="k", kind="tts",
                           sent_at=fake_clock.now, http_status=500, latency_ms=42,
                           outcome=Attempt.Outcome.ERROR, error_message="GPU provider error")
    html = owner_client.get(f"/generations/{tom_job.pk}/").content.decode()
    assert 'data-attempt="1"' in html and "42 ms" in html and "GPU provider error" in html


def test_queued_card_shows_place_and_expected_start(owner_client, tom_job, fake_clock):
    from datetime import timedelta

    from django.utils import timezone

    Generation.objects.filter(pk=tom_job.pk).update(
        queue_position=3, expected_start_at=timezone.now() + timedelta(seconds=45))
    html = owner_client.get("/").content.decode()
    assert "#3 in line" in html
    start = Generation.objects.get(pk=tom_job.pk).expected_start_at
    assert re.search(rf'starts <time datetime="{re.escape(start.isoformat())}"[^>]* '
                     rf'data-relative>at {start:%H:%M:%S} UTC</time>', html)
