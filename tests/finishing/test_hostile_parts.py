"""Hostile gallery items made into a mix or a join, through the form and the worker
(the finishing task, inline): every job ends once, with a reason that names the file
and what is wrong with it, keeps no file, and does no unbounded work."""

from datetime import timedelta

import pytest

from studio.finishing import mixing
from studio.generations import dispatch, lifecycle
from studio.generations.models import Generation, Status
from tests.finishing.helpers import (
    finished_speech,
    finished_video,
    gallery_speech,
    gallery_video,
)
from tests.lib import hostile

pytestmark = pytest.mark.django_db


def mixed(client, video, speech, fit="shortest", offset=0) -> Generation:
    response = client.post("/generate/mix/", {"video": video.pk, "speech": speech.pk,
                                              "fit": fit, "offset": offset})
    assert response.status_code == 302, response.content.decode()[-1500:]
    dispatch.tick()
    return Generation.objects.filter(kind="mix").latest("id")


def joined(client, *clips) -> Generation:
    response = client.post("/generate/sequence/", {"parts": [c.pk for c in clips]})
    assert response.status_code == 302, response.content.decode()[-1500:]
    dispatch.tick()
    return Generation.objects.get(kind="sequence")


def failed_once_keeping_nothing(job: Generation, settings) -> Generation:
    """Failed after one try, no file of it on disk; later passes leave it alone."""
    job.refresh_from_db()
    assert job.status == Status.FAILED, job.status
    assert (job.error_code, job.tries) == ("finishing", 1)
    assert not (job.media or job.poster or job.thumbnail)
    assert not list(settings.MEDIA_ROOT.rglob(f"{job.file_stem}*"))
    dispatch.tick(job.finished_at + timedelta(hours=1))  # long after any lease
    job.refresh_from_db()
    assert (job.status, job.tries) == (Status.FAILED, 1)
    return job


@pytest.fixture
def video(team_a, owner, tmp_path):
    return finished_video(team_a, owner, tmp_path, seconds=1)


@pytest.fixture
def speech(team_a, owner):
    return finished_speech(team_a, owner, "The harbour wakes.")


def test_a_join_whose_first_clip_is_1x1_fails_once_with_the_reason(
        owner_client, team_a, owner, video, settings):
    tiny = gallery_video(team_a, owner, hostile.mp4(1, 1, pix_fmt="yuv444p"))
    job = failed_once_keeping_nothing(joined(owner_client, tiny, video), settings)
    assert job.error_message == (
        f"Clip 1 (video #{tiny.pk}) is 1×1 pixels; each side of a video frame must be "
        "16 to 4096.")


def test_a_join_whose_first_clip_has_odd_sides_is_made_at_the_next_even_ones(
        owner_client, team_a, owner, video):
    odd = gallery_video(team_a, owner, hostile.mp4(101, 75, pix_fmt="yuv444p"))
    job = joined(owner_client, odd, video)
    assert job.status == Status.SUCCEEDED, job.error_message
    assert (job.width, job.height) == (102, 76)


def test_a_mix_whose_speech_is_corrupt_in_the_middle_fails_once_naming_it(
        owner_client, team_a, owner, video, settings):
    broken = gallery_speech(team_a, owner, hostile.mp3_corrupt_in_the_middle())
    job = failed_once_keeping_nothing(mixed(owner_client, video, broken, fit="hold"),
                                      settings)
    assert job.error_message == (f"The speech #{broken.pk} cannot be decoded past 3.6 s "
                                 "(Invalid data found when processing input).")


@pytest.mark.parametrize("fit", ["pad", "hold", "shortest"])
def test_a_video_whose_last_frame_is_at_ten_hours_is_refused_before_a_mix(
        owner_client, team_a, owner, speech, settings, fit):
    long = gallery_video(team_a, owner, hostile.mp4(64, 64, last_at=10 * 3600))
    job = failed_once_keeping_nothing(mixed(owner_client, long, speech, fit), settings)
    assert job.error_message == (f"The video #{long.pk} is 10:00:00 long; the studio "
                                 "takes media up to 10:00.")


def test_a_clip_whose_last_frame_is_at_ten_hours_is_refused_before_a_join(
        owner_client, team_a, owner, video, settings, monkeypatch):
    encoded = []
    monkeypatch.setattr("studio.finishing.joining.fitted_frames",
                        lambda *args: encoded.append(args) or iter(()))
    long = gallery_video(team_a, owner, hostile.mp4(64, 64, last_at=10 * 3600))
    job = failed_once_keeping_nothing(joined(owner_client, video, long), settings)
    assert job.error_message == (f"Clip 2 (video #{long.pk}) is 10:00:00 long; the "
                                 "studio takes media up to 10:00.")
    assert encoded == []  # refused before a frame of any clip


def test_a_clip_that_plays_on_past_its_header_stops_the_join_a_second_later(
        owner_client, team_a, owner, video, settings):
    liar = gallery_video(team_a, owner, hostile.mp4_lying_length(claimed_seconds=2.0))
    job = failed_once_keeping_nothing(joined(owner_client, video, liar), settings)
    # 2 s stated, stopped at 3 s (one second of slack): not 10 hours of frames.
    assert job.error_message == (f"Clip 2 (video #{liar.pk}) plays on past the 2.0 s its "
                                 "header states (at 3.0 s); the file is inconsistent.")


def test_a_clip_claiming_16000x16000_pixels_is_refused_from_its_header(
        owner_client, team_a, owner, video, settings):
    huge = gallery_video(team_a, owner, hostile.mp4_claiming(16000, 16000))
    job = failed_once_keeping_nothing(joined(owner_client, huge, video), settings)
    assert job.error_message == (
        f"Clip 1 (video #{huge.pk}) is 16000×16000 pixels; each side of a video frame "
        "must be 16 to 4096.")


def test_a_clip_whose_sequence_header_alone_claims_16000x16000_is_refused_by_the_decoder(
        owner_client, team_a, owner, video, settings):
    sly = gallery_video(team_a, owner, hostile.mp4_claiming(16000, 16000,
                                                            container_too=False))
    job = failed_once_keeping_nothing(joined(owner_client, video, sly), settings)
    assert job.error_message.startswith(f"Clip 2 (video #{sly.pk}) cannot be ")


def test_speech_claiming_two_billion_samples_a_second_is_refused(
        owner_client, team_a, owner, video, settings):
    absurd = gallery_speech(team_a, owner, hostile.wav_claiming(2_000_000_000), "wav")
    job = failed_once_keeping_nothing(mixed(owner_client, video, absurd), settings)
    assert job.error_message == (
        f"The speech #{absurd.pk} has sound at 2,000,000,000 samples a second; the "
        "studio takes 8,000 to 96,000.")


def test_a_picture_posing_as_speech_is_refused_for_what_it_is(
        owner_client, team_a, owner, video, settings):
    posing = gallery_speech(team_a, owner, hostile.png())
    job = failed_once_keeping_nothing(mixed(owner_client, video, posing), settings)
    assert job.error_message == (f"The speech #{posing.pk} is not a sound (an MP3 or "
                                 "WAV): it is a PNG image.")


def test_a_mix_that_would_run_past_the_limit_is_refused_before_it_is_made(
        owner_client, team_a, owner, video, speech, settings):
    settings.STUDIO_MAX_MEDIA_SECONDS = 2.0  # the video and the speech each less
    job = failed_once_keeping_nothing(
        mixed(owner_client, video, speech, fit="hold", offset=1.5), settings)
    assert job.error_message.startswith("The mix would be 2.")
    assert "long; the studio makes media up to 2.0 s." in job.error_message


def test_a_join_that_runs_out_of_time_fails_saying_so(owner_client, team_a, owner,
                                                      video, settings):
    settings.STUDIO_MAKE_SECONDS = 0
    job = failed_once_keeping_nothing(joined(owner_client, video, video), settings)
    assert job.error_message.startswith("This ran out of time: it took longer than the 0 s")


def test_an_unexpected_error_fails_the_mix_with_its_words_and_keeps_nothing(
        owner_client, video, speech, settings, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the muxer fell over")

    monkeypatch.setattr(mixing, "drain", broken)
    job = failed_once_keeping_nothing(mixed(owner_client, video, speech), settings)
    assert job.error_message.startswith(
        "Making this failed (RuntimeError: the muxer fell over). Nothing was kept")


def test_a_mix_whose_worker_keeps_dying_is_failed_after_the_stated_attempts(
        owner_client, video, speech, settings, fake_clock, monkeypatch):
    settings.STUDIO_MAKE_ATTEMPTS = 2
    handed: list[int] = []
    monkeypatch.setattr(dispatch, "async_task", lambda name, pk, lease, **kw: handed.append(pk))
    owner_client.post("/generate/mix/", {"video": video.pk, "speech": speech.pk,
                                         "fit": "shortest"})
    job = Generation.objects.get(kind="mix")
    for attempt in (1, 2):
        dispatch.tick()
        job.refresh_from_db()
        assert handed == [job.pk] * attempt and job.state == "dispatched"
        assert lifecycle.start_making(job, fake_clock.now)  # then the worker dies
        fake_clock.advance(lifecycle.lease_span().total_seconds() + 1)
    dispatch.tick()
    job.refresh_from_db()
    assert (job.status, job.error_code, job.tries) == (Status.FAILED, "worker_lost", 2)
    assert "stopped before it finished, 2 times" in job.error_message
    fake_clock.advance(3600)
    dispatch.tick()
    assert handed == [job.pk] * 2  # never handed out again


def test_a_mix_whose_worker_died_once_says_so_and_is_made_again(
        owner_client, video, speech, settings, fake_clock, monkeypatch):
    handed: list[int] = []
    hand_over = dispatch.async_task
    monkeypatch.setattr(dispatch, "async_task", lambda name, pk, lease, **kw: handed.append(pk))
    owner_client.post("/generate/mix/", {"video": video.pk, "speech": speech.pk,
                                         "fit": "shortest"})
    dispatch.tick()
    job = Generation.objects.get(kind="mix")
    lifecycle.start_making(job, fake_clock.now)
    fake_clock.advance(lifecycle.lease_span().total_seconds() + 1)
    monkeypatch.setattr(dispatch, "async_task", hand_over)
    dispatch.tick()  # reclaimed, handed out again, made inline this time
    job.refresh_from_db()
    assert (job.status, job.tries) == (Status.SUCCEEDED, 2), job.error_message
