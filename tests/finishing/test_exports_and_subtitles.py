"""Exports in other formats, and a speech's subtitles, as a person downloads them."""

import io

import av
import pytest
from django.core.files.base import ContentFile
from PIL import Image

from studio.finishing import subtitles
from studio.generations.models import Generation, Status
from studio.sandbox import media
from tests.finishing.helpers import finished_speech, finished_video

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_speech_exports_as_wav_that_decodes_to_the_same_length(owner_client, team_a, owner):
    speech = finished_speech(team_a, owner, "One two three.")
    response = owner_client.get(f"/generations/{speech.pk}/export.wav")
    assert response["Content-Type"] == "audio/wav"
    assert f'filename="one-two-three-{speech.pk}.wav"' in response["Content-Disposition"]
    with av.open(io.BytesIO(body(response))) as wave:
        stream = wave.streams.audio[0]
        seconds = sum(f.samples for f in wave.decode(stream)) / stream.rate
    assert stream.codec_context.name == "pcm_s16le"
    assert seconds == pytest.approx(speech.duration_ms / 1000, abs=0.1)


@pytest.mark.parametrize(("fmt", "pil"), [("png", "PNG"), ("jpeg", "JPEG"), ("webp", "WEBP")])
def test_an_image_exports_in_each_format(owner_client, team_a, owner, fmt, pil):
    picture, _ = media.render_image("a lighthouse", 512, 640)
    image = Generation.objects.create(team=team_a, author=owner, kind="image", cost=50,
                                      params={"prompt": "a lighthouse"}, state="succeeded",
                                      status=Status.SUCCEEDED, media_format="png")
    image.media.save("i.png", ContentFile(picture))
    response = owner_client.get(f"/generations/{image.pk}/export.{fmt}")
    with Image.open(io.BytesIO(body(response))) as opened:
        assert opened.format == pil and opened.size == (512, 640)


def test_a_video_exports_a_small_looping_gif(owner_client, team_a, owner, tmp_path):
    clip = finished_video(team_a, owner, tmp_path, seconds=1)
    response = owner_client.get(f"/generations/{clip.pk}/export.gif")
    with Image.open(io.BytesIO(body(response))) as gif:
        assert gif.format == "GIF" and gif.width == 320 and gif.n_frames >= 6


def test_an_export_a_kind_has_not_is_404(owner_client, team_a, owner):
    speech = finished_speech(team_a, owner, "Hi.")
    assert owner_client.get(f"/generations/{speech.pk}/export.gif").status_code == 404
    assert owner_client.get(f"/generations/{speech.pk}/subtitles.txt").status_code == 404


def test_another_team_gets_404_for_exports_and_subtitles(outsider_client, team_a, owner):
    speech = finished_speech(team_a, owner, "Private words.")
    assert outsider_client.get(f"/generations/{speech.pk}/export.wav").status_code == 404
    assert outsider_client.get(f"/generations/{speech.pk}/subtitles.srt").status_code == 404


def test_a_speech_has_subtitles_spread_over_its_length(owner_client, team_a, owner):
    speech = finished_speech(team_a, owner, "First sentence here. Then a second one.")
    srt = owner_client.get(f"/generations/{speech.pk}/subtitles.srt")
    text = srt.content.decode()
    assert text.startswith("1\n00:00:00,000 --> ") and "2\n" in text
    assert "First sentence here." in text and "Then a second one." in text
    last_end = text.strip().splitlines()[-2].split(" --> ")[1]
    assert last_end == subtitles.clock(speech.duration_ms / 1000, ",")
    detail = owner_client.get(f"/generations/{speech.pk}/").content.decode()
    assert "Subtitles (SRT)" in detail and 'export.wav"' in detail


def test_cues_split_long_lines_and_keep_within_the_length():
    timed = subtitles.cues("word " * 60, 10.0, offset=1.0, until=8.0)
    assert all(len(c.text) <= subtitles.MAX_CUE_CHARS for c in timed)
    assert timed[0].start == 1.0 and timed[-1].end <= 8.0
