"""A mix from sandbox media, through the form and the worker, checked as a player
would: both streams, the length chosen, the speech actually audible, the video
stream bit-identical to the source, subtitles within the audio."""

import pytest

from studio.generations import dispatch
from studio.generations.models import Generation, Status
from tests.conftest import member_of
from tests.finishing.helpers import (
    audio_seconds,
    finished_speech,
    finished_video,
    loudness,
    streams,
    subtitle_cues,
    video_packets,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def parts(team_a, owner, tmp_path):
    return (finished_video(team_a, owner, tmp_path, seconds=2),
            finished_speech(team_a, owner, "The harbour wakes."))


def make_mix(client, video, speech, **options) -> Generation:
    response = client.post("/generate/mix/", {"video": video.pk, "speech": speech.pk,
                                              "fit": "shortest", "volume": 1,
                                              "subtitles": "on", **options})
    assert response.status_code == 302, response.content.decode()[-2000:]
    dispatch.tick()  # the worker's task runs inline
    mixed = Generation.objects.get(kind="mix")
    assert mixed.status == Status.SUCCEEDED, mixed.error_message
    return mixed


@pytest.mark.parametrize(("fit", "offset", "expected"), [
    ("shortest", 0.5, "voice"), ("hold", 1.5, "voice"), ("pad", 0.5, "video")])
def test_a_mix_has_both_streams_for_as_long_as_chosen(owner_client, parts, fit, offset,
                                                      expected):
    video, speech = parts
    mixed = make_mix(owner_client, video, speech, fit=fit, offset=offset)
    found = streams(mixed.media.path)
    voice_end = offset + audio_seconds(speech.media.path)  # as the MP3 plays
    length = {"shortest": min(2.0, voice_end), "hold": max(2.0, voice_end), "pad": 2.0}[fit]
    assert found["video"][0] == "h264" and found["audio"][0] == "aac"
    # The copied video ends on a whole frame (24 fps here), or a few after where a
    # B-frame needs them; the sound plays to within one AAC frame of 1024 samples.
    assert length - 1 / 24 <= found["video"][1] <= length + 5 / 24
    assert audio_seconds(mixed.media.path) == pytest.approx(length, abs=1024 / 48_000)
    assert mixed.cost == 0 and mixed.credits_used is None


def test_the_video_stream_is_copied_bit_for_bit_and_the_voice_is_audible(owner_client,
                                                                        parts):
    video, speech = parts
    mixed = make_mix(owner_client, video, speech, fit="pad", offset=0.8)
    assert video_packets(mixed.media.path) == video_packets(video.media.path)
    assert loudness(mixed.media.path, 0.0, 0.7) < 0.001  # before the voice starts
    assert loudness(mixed.media.path, 0.9, 1.6) > 0.01  # the speech, not silence


def test_subtitles_are_in_the_mp4_and_timed_within_the_audio(owner_client, parts):
    video, speech = parts
    mixed = make_mix(owner_client, video, speech, fit="hold", offset=0.5)
    cues = subtitle_cues(mixed.media.path)
    assert [text for _, _, text in cues] == ["The harbour wakes."]
    start, end, _ = cues[0]
    assert start == pytest.approx(0.5, abs=0.01)
    assert end <= 0.5 + speech.duration_ms / 1000 + 0.01
    vtt = owner_client.get(f"/generations/{mixed.pk}/subtitles.vtt").content.decode()
    assert vtt.startswith("WEBVTT") and "00:00:00.500 -->" in vtt
    detail = owner_client.get(f"/generations/{mixed.pk}/").content.decode()
    assert f'src="/generations/{mixed.pk}/subtitles.vtt"' in detail
    assert "approximate" in detail


def test_the_mix_shows_its_lineage_on_its_page_and_in_the_zip_manifest(owner_client,
                                                                      parts):
    video, speech = parts
    mixed = make_mix(owner_client, video, speech)
    detail = owner_client.get(f"/generations/{mixed.pk}/").content.decode()
    assert f'href="/generations/{video.pk}/"' in detail
    assert f'href="/generations/{speech.pk}/"' in detail
    zipped = owner_client.post("/generations/zip/", {"ids": [mixed.pk]})
    archive = b"".join(zipped.streaming_content)
    assert f"#{video.pk} #{speech.pk}".encode() in archive


def test_the_form_shows_both_lengths_and_warns_when_they_differ(owner_client, parts):
    video, speech = parts
    page = owner_client.get(f"/generate/mix/?source={video.pk}&speech={speech.pk}")
    html = page.content.decode()
    assert f'<option value="{video.pk}" selected>' in html and "(0:02)" in html
    assert "The video runs" in html and "s longer." in html


def test_a_speech_of_another_team_is_refused_beside_the_field(owner_client, parts, team_b,
                                                             tmp_path):
    video, _ = parts
    theirs = finished_speech(team_b, member_of(team_b, "ozzy", "owner"), "Not yours.")
    response = owner_client.post("/generate/mix/", {"video": video.pk, "speech": theirs.pk,
                                                    "fit": "shortest"})
    assert response.status_code == 400
    assert "Choose a finished speech of this team" in response.content.decode()
    assert not Generation.objects.filter(kind="mix").exists()


def test_an_item_in_the_trash_cannot_be_mixed(owner_client, parts):
    video, speech = parts
    owner_client.post(f"/generations/{speech.pk}/delete/")
    response = owner_client.post("/generate/mix/", {"video": video.pk, "speech": speech.pk,
                                                    "fit": "shortest"})
    assert response.status_code == 400 and "not one in the trash" in response.content.decode()


def test_a_part_trashed_before_the_worker_gets_to_it_fails_the_mix_with_the_reason(
        owner_client, parts):
    video, speech = parts
    owner_client.post("/generate/mix/", {"video": video.pk, "speech": speech.pk,
                                         "fit": "shortest"})
    owner_client.post(f"/generations/{speech.pk}/delete/")
    dispatch.tick()
    mixed = Generation.objects.get(kind="mix")
    assert mixed.status == Status.FAILED and not mixed.media
    assert f"Speech #{speech.pk} is no longer a finished speech" in mixed.error_message


def test_a_video_with_no_frames_fails_the_mix_and_keeps_no_file(owner_client, parts):
    video, speech = parts
    with video.media.open("wb") as broken:
        broken.write(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    owner_client.post("/generate/mix/", {"video": video.pk, "speech": speech.pk,
                                         "fit": "shortest"})
    dispatch.tick()
    mixed = Generation.objects.get(kind="mix")
    assert mixed.status == Status.FAILED and not mixed.media
    assert "video" in mixed.error_message


def test_a_viewer_cannot_make_a_mix(team_a, parts):
    from tests.conftest import logged_in
    vera = logged_in(member_of(team_a, "vera2", "viewer"))
    video, speech = parts
    assert vera.post("/generate/mix/", {"video": video.pk, "speech": speech.pk,
                                        "fit": "shortest"}).status_code == 403


def test_a_video_card_offers_mix_and_the_voice_over_starts_empty(owner_client, parts):
    video, _ = parts
    gallery = owner_client.get("/?kind=video_t2v").content.decode()
    assert f'href="/generate/mix/?source={video.pk}"' in gallery


def test_a_voice_over_offers_to_mix_itself_into_its_video(owner_client, parts):
    video, speech = parts
    Generation.objects.filter(pk=speech.pk).update(source=video)
    detail = owner_client.get(f"/generations/{speech.pk}/").content.decode()
    assert f'href="/generate/mix/?video={video.pk}&amp;speech={speech.pk}"' in detail
