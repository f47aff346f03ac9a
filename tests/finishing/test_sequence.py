"""Join: clips one after the other, as a player sees the result; and bad input."""

import pytest

from studio.finishing.joining import MAX_PARTS
from studio.generations import dispatch
from studio.generations.models import Generation, Status
from tests.finishing.helpers import (
    audio_seconds,
    finished_speech,
    finished_video,
    loudness,
    streams,
    subtitle_cues,
)

pytestmark = pytest.mark.django_db


def mixed(client, video, speech) -> Generation:
    client.post("/generate/mix/", {"video": video.pk, "speech": speech.pk, "fit": "pad",
                                   "subtitles": "on"})
    dispatch.tick()
    return Generation.objects.filter(kind="mix").latest("id")


def test_a_sequence_plays_its_clips_in_the_order_chosen_with_sound_and_subtitles(
        owner_client, team_a, owner, tmp_path):
    first = finished_video(team_a, owner, tmp_path, "waves at dawn", seconds=2)
    silent = finished_video(team_a, owner, tmp_path, "clouds at noon", seconds=1)
    speech = finished_speech(team_a, owner, "Dawn breaks.")
    mix = mixed(owner_client, first, speech)
    page = owner_client.get(f"/generate/sequence/?ids={silent.pk}&ids={mix.pk}")
    assert f'value="{silent.pk}"' in page.content.decode()
    response = owner_client.post("/generate/sequence/", {"parts": [mix.pk, silent.pk]})
    assert response.status_code == 302
    dispatch.tick()
    sequence = Generation.objects.get(kind="sequence")
    assert sequence.status == Status.SUCCEEDED, sequence.error_message
    found = streams(sequence.media.path)
    assert found["video"][1] == pytest.approx(3.0, abs=0.1)
    assert audio_seconds(sequence.media.path) == pytest.approx(3.0, abs=0.05)
    assert loudness(sequence.media.path, 0.1, 0.8) > 0.01  # the mix's voice
    assert loudness(sequence.media.path, 2.2, 2.9) < 0.001  # the silent clip
    cues = subtitle_cues(sequence.media.path)
    assert [text for _, _, text in cues] == ["Dawn breaks."]
    assert cues[0][0] == pytest.approx(0.0, abs=0.01) and cues[0][1] <= 2.0
    assert sequence.made_from == [mix.pk, silent.pk]
    detail = owner_client.get(f"/generations/{sequence.pk}/").content.decode()
    assert f"/generate/sequence/?ids={mix.pk}&amp;ids={silent.pk}" in detail  # remix


def test_the_subtitles_move_with_their_clip(owner_client, team_a, owner, tmp_path):
    silent = finished_video(team_a, owner, tmp_path, "clouds", seconds=1)
    mix = mixed(owner_client, finished_video(team_a, owner, tmp_path, "sea", seconds=2),
                finished_speech(team_a, owner, "Later words."))
    owner_client.post("/generate/sequence/", {"parts": [silent.pk, mix.pk]})
    dispatch.tick()
    sequence = Generation.objects.get(kind="sequence")
    start, _end, text = subtitle_cues(sequence.media.path)[0]
    assert text == "Later words." and start == pytest.approx(1.0, abs=0.05)
    vtt = owner_client.get(f"/generations/{sequence.pk}/subtitles.vtt").content.decode()
    assert "00:00:01.000 -->" in vtt


def test_one_clip_or_more_than_the_limit_is_refused_with_the_numbers(owner_client, team_a,
                                                                    owner, tmp_path):
    clip = finished_video(team_a, owner, tmp_path, seconds=1)
    response = owner_client.post("/generate/sequence/", {"parts": [clip.pk]})
    assert response.status_code == 400
    assert f"Choose 2 to {MAX_PARTS} clips to join (this is 1)." in response.content.decode()
    too_many = [clip.pk] * (MAX_PARTS + 10)
    response = owner_client.post("/generate/sequence/", {"parts": too_many})
    assert f"(this is {MAX_PARTS + 10})" in response.content.decode()
    assert not Generation.objects.filter(kind="sequence").exists()


def test_a_speech_or_another_teams_clip_cannot_be_joined(owner_client, team_a, owner,
                                                         tmp_path):
    clip = finished_video(team_a, owner, tmp_path, seconds=1)
    speech = finished_speech(team_a, owner, "Not a clip.")
    response = owner_client.post("/generate/sequence/", {"parts": [clip.pk, speech.pk]})
    assert response.status_code == 400
    assert f"(#{speech.pk} is not one)" in response.content.decode()


def test_the_gallery_selection_offers_join(owner_client, team_a, owner, tmp_path):
    finished_video(team_a, owner, tmp_path, seconds=1)
    assert 'formaction="/generate/sequence/"' in owner_client.get("/").content.decode()
