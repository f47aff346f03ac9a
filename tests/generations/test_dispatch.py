"""Rate-limit-aware dispatch, against the sandbox over loopback with a fake clock."""

from datetime import timedelta

import pytest

from studio.generations import dispatch, rate_windows
from studio.generations.models import Attempt, Generation, Status
from studio.multimodal.client import MultimodalClient
from studio.sandbox.models import SandboxUsage
from tests.conftest import TOKEN_A
from tests.generations.helpers import drive, queued, refreshed


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
    window = rate_windows.Window.for_kind("tts")
    assert last_speech - start == 2 * (window.span + window.margin)
    # Planned before the first answers came back, each next slot carries the margin.
    assert max(refreshed(g).started_at for g in images) - start == timedelta(seconds=60.6)
    # Speech is done as soon as its own limit allows, before the video backlog ends.
    last_video = max(refreshed(g).started_at for g in videos)
    window = rate_windows.Window.for_kind("video_cogvideox")
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
