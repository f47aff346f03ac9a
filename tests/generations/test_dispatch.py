"""Rate-limit-aware dispatch, against the sandbox over loopback with a fake clock."""

from datetime import timedelta

import pytest
from django.utils import timezone

from studio.generations import dispatch
from studio.generations.models import Attempt, Generation, Status
from studio.multimodal import catalog
from studio.multimodal.client import MultimodalClient
from studio.sandbox.models import SandboxUsage
from tests.conftest import TOKEN_A
from tests.generations.helpers import drive, queued, refreshed

transactional = [pytest.mark.django_db(transaction=True),
                 pytest.mark.usefixtures("sandbox_url")]


def job(pk: int, created_offset: float = 0, not_before=None) -> Generation:
    base = timezone.now()
    return Generation(pk=pk, created_at=base + timedelta(seconds=created_offset),
                      not_before=not_before)


def window(calls: int, seconds: float) -> dispatch.Window:
    return dispatch.Window(calls, timedelta(seconds=seconds), timedelta(seconds=0.6))


def test_plan_fills_the_window_then_waits_for_the_oldest_call_to_leave():
    now = timezone.now()
    jobs = [job(i, i) for i in range(5)]
    starts = [at for _, at in dispatch.plan([], jobs, window(2, 60), now, None)]
    assert starts == [now, now, now + timedelta(seconds=60.6), now + timedelta(seconds=60.6),
                      now + timedelta(seconds=121.2)]  # planned calls carry the margin


def test_plan_counts_calls_already_sent():
    now = timezone.now()
    sent = [now - timedelta(seconds=50), now - timedelta(seconds=10)]
    starts = [at for _, at in dispatch.plan(sent, [job(1), job(2)], window(2, 60), now, None)]
    assert starts == [now + timedelta(seconds=10), now + timedelta(seconds=50)]


def test_plan_keeps_first_come_first_served_and_lets_ready_jobs_pass_a_backoff():
    now = timezone.now()
    backing_off = job(1, 0, not_before=now + timedelta(seconds=30))
    first, second = job(2, 1), job(3, 2)
    order = [j.pk for j, _ in dispatch.plan([], [backing_off, second, first],
                                            window(5, 60), now, None)]
    assert order == [2, 3, 1]


def test_plan_honours_a_429_block():
    now = timezone.now()
    until = now + timedelta(seconds=17)
    assert dispatch.plan([], [job(1)], window(5, 60), now, until)[0][1] == until


def test_window_margin_keeps_ours_closing_after_the_apis(settings):
    settings.STUDIO_RATE_LIMITS = {"tts": (10, 60)}
    window = dispatch.Window.for_kind("tts")
    assert (window.span, window.margin) == (timedelta(seconds=60), timedelta(seconds=0.6))


def test_an_answered_call_holds_its_slot_until_a_window_after_its_answer():
    now = timezone.now()
    answered = now - timedelta(seconds=50)  # its answer's arrival: the API stamped it before
    starts = [at for _, at in dispatch.plan([answered], [job(1)], window(1, 60), now, None)]
    assert starts == [now + timedelta(seconds=10)]


def test_a_call_planned_into_the_future_keeps_the_margin_of_one_in_flight():
    now = timezone.now()
    planned = dispatch.plan([], [job(1), job(2)], window(1, 60), now, None)
    assert [at for _, at in planned] == [now, now + timedelta(seconds=60.6)]


@pytest.mark.parametrize("kind", list(catalog.KINDS))
def test_every_kind_uses_its_catalog_limit(kind, settings):
    settings.STUDIO_RATE_LIMITS = {}
    calls = catalog.rate_limit(kind)[0]
    assert dispatch.Window.for_kind(kind).calls == calls == catalog.get(kind).rate_limit


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox_url")
def test_burst_of_30_tts_10_image_3_cogvideox_without_a_429_in_order(team_a, owner, teammate,
                                                                 fake_clock):
    start = fake_clock.now
    speech = [queued(team_a, (owner, teammate)[i % 2], "tts", text=f"line {i}")
              for i in range(30)]
    images = [queued(team_a, owner, "image", prompt=f"picture {i}", width=512, height=512)
              for i in range(10)]
    videos = [queued(team_a, teammate, "video_cogvideox", prompt=f"scene {i}", num_frames=17)
              for i in range(3)]
    drive(fake_clock)
    assert set(Generation.objects.values_list("status", flat=True)) == {Status.SUCCEEDED}
    assert not Attempt.objects.exclude(http_status=201).exists()  # not one 429
    for batch in (speech, images, videos):
        sent_order = list(Attempt.objects.filter(kind=batch[0].kind).order_by("pk")
                          .values_list("generation_id", flat=True))
        assert sent_order == [g.pk for g in batch]
    assert SandboxUsage.objects.count() == 43
    last_speech = max(refreshed(g).started_at for g in speech)
    window = dispatch.Window.for_kind("tts")
    assert last_speech - start == 2 * (window.span + window.margin)
    # Planned before the first answers came back, each next slot carries the margin.
    assert max(refreshed(g).started_at for g in images) - start == timedelta(seconds=60.6)
    # Speech is done as soon as its own limit allows, before the video backlog ends.
    last_video = max(refreshed(g).started_at for g in videos)
    window = dispatch.Window.for_kind("video_cogvideox")
    assert last_video - start == 2 * (window.span + window.margin)
    assert max(refreshed(g).finished_at for g in speech) <= last_video


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox_url")
def test_a_backlog_of_one_kind_never_delays_another(team_a, owner, fake_clock, settings):
    settings.STUDIO_RATE_LIMITS = {"image": (1, 60)}
    for i in range(5):
        queued(team_a, owner, "image", prompt=f"slow {i}", width=512, height=512)
    dispatch.tick()
    fake_clock.advance(1)
    speech = queued(team_a, owner, "tts", text="me first")
    dispatch.tick()
    assert refreshed(speech).status == Status.SUCCEEDED
    assert Generation.objects.filter(kind="image", status=Status.QUEUED).count() == 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox_url")
def test_queued_cards_learn_their_place_and_expected_start(team_a, owner, fake_clock,
                                                          settings):
    settings.STUDIO_RATE_LIMITS = {"image": (2, 60)}
    jobs = [queued(team_a, owner, "image", prompt=f"p{i}", width=512, height=512)
            for i in range(5)]
    dispatch.tick()
    waiting = [refreshed(j) for j in jobs[2:]]
    assert [j.queue_position for j in waiting] == [1, 2, 3]
    assert [(j.expected_start_at - fake_clock.now).total_seconds() for j in waiting] == \
        [60.6, 60.6, 121.2]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox_url")
def test_429_from_another_client_waits_and_does_not_count_as_a_failure(
        team_a, owner, fake_clock, sandbox_url, settings):
    settings.STUDIO_RATE_LIMITS = {"tts": (1, 60)}
    with MultimodalClient(sandbox_url, TOKEN_A) as another_client:
        another_client.generate("tts", {"text": "someone else used the window"})
    generation = queued(team_a, owner, "tts", text="mine")
    dispatch.tick()
    generation = refreshed(generation)
    assert (generation.status, generation.attempts) == (Status.QUEUED, 0)
    assert "Trying again" in generation.error_message
    drive(fake_clock)
    generation = refreshed(generation)
    assert generation.status == Status.SUCCEEDED and generation.attempts == 1
    assert list(generation.attempt_log.values_list("http_status", flat=True)) == [429, 201]
