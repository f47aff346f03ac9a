"""Hostile API answers, from the sandbox over loopback (its handlers made to answer
crafted media), through the worker's whole path: the job fails with what is wrong,
keeps no file, and books the charge (the API took it); or, when the media is fine
but the answer's words are not, the file is stored as what it is."""

import base64
import io

import pytest
from PIL import Image

from studio.credits.models import LedgerEntry
from studio.generations.models import Generation, Status
from studio.lib.video import RenderedVideo
from studio.multimodal import catalog
from tests.generations.helpers import drive, queued, refreshed
from tests.lib import hostile

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("sandbox_url")]


def answering(monkeypatch, kind: str, body: bytes, fmt: str, **more) -> None:
    """The sandbox's `kind` answers `body` inline, calling it `fmt`."""
    field = {"tts": "audio_base64", "image": "image_base64"}[kind]
    monkeypatch.setattr(catalog.get(kind).parts, "handler", lambda params: {
        field: base64.b64encode(body).decode(), "format": fmt, **more})


def answering_video(monkeypatch, tmp_path, body: bytes) -> None:
    """The sandbox's text-to-video renders `body` (served in the configured shape)."""
    def render(params: dict) -> RenderedVideo:
        path = tmp_path / "crafted.mp4"
        path.write_bytes(body)
        return RenderedVideo(path, 1280, 720, 24, 48, 2.0)

    monkeypatch.setattr(catalog.get("video_t2v").parts, "handler", render)


def made(team, owner, clock, kind: str, **params) -> Generation:
    generation = queued(team, owner, kind, **params)
    drive(clock)
    return refreshed(generation)


def failed_with_charge_and_no_file(generation: Generation, settings) -> str:
    assert (generation.status, generation.error_code) == (Status.FAILED,
                                                          "malformed_answer")
    assert not (generation.media or generation.poster or generation.thumbnail)
    stored = settings.MEDIA_ROOT / "teams"
    assert not stored.exists() or not [p for p in stored.rglob("*") if p.is_file()]
    assert LedgerEntry.objects.get().usage_id == generation.usage_id != ""
    return generation.error_message


IMAGE = {"prompt": "a red square", "width": 512, "height": 512}


@pytest.mark.parametrize(("body", "fmt", "what"), [
    (hostile.SVG_WITH_SCRIPT, "png", "it is an SVG drawing"),
    (hostile.SVG_WITH_SCRIPT, "svg", "it is an SVG drawing"),
    (hostile.HTML_PAGE, "png", "it is an HTML page"),
    (hostile.mp4(), "png", "it is an MP4 video"),
])
def test_an_image_answer_that_is_not_a_picture_fails_for_what_it_is(
        team_a, owner, fake_clock, settings, monkeypatch, body, fmt, what):
    answering(monkeypatch, "image", body, fmt)
    generation = made(team_a, owner, fake_clock, "image", **IMAGE)
    message = failed_with_charge_and_no_file(generation, settings)
    assert message.startswith("The API's image is not an image (use a JPEG, PNG or "
                              f"WebP): {what}. Nothing was stored")


def test_a_13000x13000_image_answer_fails_from_its_header_without_a_thumbnail(
        team_a, owner, fake_clock, settings, monkeypatch):
    answering(monkeypatch, "image", hostile.png_bomb(13000, 13000), "png")
    decoded = []
    monkeypatch.setattr("studio.lib.images.thumbnail", lambda *a: decoded.append(a))
    generation = made(team_a, owner, fake_clock, "image", **IMAGE)
    message = failed_with_charge_and_no_file(generation, settings)
    assert message.startswith("The API's image is 13000×13000 pixels; each side must be "
                              "64 to 8192.")
    assert decoded == []


def test_a_truncated_jpeg_answer_fails_as_undecodable(team_a, owner, fake_clock,
                                                      settings, monkeypatch):
    answering(monkeypatch, "image", hostile.truncated_jpeg(), "jpg")
    generation = made(team_a, owner, fake_clock, "image", **IMAGE)
    assert "The API's image is a JPEG image that cannot be decoded (image file is " \
           "truncated" in failed_with_charge_and_no_file(generation, settings)


def test_an_image_answers_extension_and_size_come_from_its_bytes(
        team_a, owner, fake_clock, monkeypatch, owner_client):
    answering(monkeypatch, "image", hostile.jpeg(640, 480), "svg", width=512, height=512)
    generation = made(team_a, owner, fake_clock, "image", **IMAGE)
    assert generation.status == Status.SUCCEEDED, generation.error_message
    assert generation.media.name.endswith(".jpg") and generation.media_format == "jpg"
    assert (generation.width, generation.height) == (640, 480)
    served = owner_client.get(f"/generations/{generation.pk}/media")
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    with generation.thumbnail.open("rb") as thumb:
        assert Image.open(io.BytesIO(thumb.read())).format == "WEBP"


@pytest.mark.parametrize(("body", "what"), [
    (hostile.png(), "it is a PNG image"),
    (hostile.HTML_PAGE, "it is an HTML page"),
    (hostile.mp4(), "it is an MP4 video"),
])
def test_a_speech_answer_that_is_not_sound_fails_for_what_it_is(
        team_a, owner, fake_clock, settings, monkeypatch, body, what):
    answering(monkeypatch, "tts", body, "mp3")
    generation = made(team_a, owner, fake_clock, "tts", text="Hello.")
    message = failed_with_charge_and_no_file(generation, settings)
    assert message.startswith(f"The API's speech is not a sound (an MP3 or WAV): {what}.")


def test_a_speech_answer_at_an_absurd_sample_rate_fails(team_a, owner, fake_clock,
                                                        settings, monkeypatch):
    answering(monkeypatch, "tts", hostile.wav_claiming(2_000_000_000), "wav")
    generation = made(team_a, owner, fake_clock, "tts", text="Hello.")
    assert failed_with_charge_and_no_file(generation, settings).startswith(
        "The API's speech has sound at 2,000,000,000 samples a second")


def test_a_wav_answer_called_mp3_is_stored_as_the_wav_it_is(team_a, owner, fake_clock,
                                                            monkeypatch, owner_client):
    answering(monkeypatch, "tts", hostile.wav(1.5), "mp3", duration_ms=99)
    generation = made(team_a, owner, fake_clock, "tts", text="Hello.")
    assert generation.status == Status.SUCCEEDED, generation.error_message
    assert generation.media.name.endswith(".wav") and generation.media_format == "wav"
    assert generation.duration_ms == 1500  # the file's length, not the answer's words
    assert owner_client.get(f"/generations/{generation.pk}/media")["Content-Type"] == \
        "audio/wav"


VIDEO = {"prompt": "waves", "duration": 2}


@pytest.mark.parametrize("shape", ["url", "base64"])
def test_a_zero_byte_video_answer_fails_at_once_and_keeps_no_file(
        team_a, owner, fake_clock, settings, monkeypatch, tmp_path, shape):
    settings.SANDBOX_VIDEO_SHAPE = shape
    answering_video(monkeypatch, tmp_path, b"")
    generation = made(team_a, owner, fake_clock, "video_t2v", **VIDEO)
    message = failed_with_charge_and_no_file(generation, settings)
    assert message.startswith("The API's video is not a video (an MP4): it is empty "
                              "(0 bytes).")
    assert generation.attempts == 1


@pytest.mark.parametrize(("body", "message"), [
    (hostile.mp4_claiming(16000, 16000), "is 16000×16000 pixels; each side of a video "
                                         "frame must be 16 to 4096."),
    (hostile.mp4(64, 64, last_at=36000), "is 10:00:00 long; the studio takes media up to "
                                         "10:00."),
    (hostile.mp4_sound_only(), "has no video stream."),
    (hostile.png(), "is not a video (an MP4): it is a PNG image."),
])
def test_a_video_answer_outside_the_limits_fails_from_its_header(
        team_a, owner, fake_clock, settings, monkeypatch, tmp_path, body, message):
    answering_video(monkeypatch, tmp_path, body)
    generation = made(team_a, owner, fake_clock, "video_t2v", **VIDEO)
    assert failed_with_charge_and_no_file(generation, settings).startswith(
        f"The API's video {message}")


def test_a_video_answer_whose_first_frame_is_bigger_than_its_container_says_fails(
        team_a, owner, fake_clock, settings, monkeypatch, tmp_path):
    answering_video(monkeypatch, tmp_path,
                    hostile.mp4_claiming(16000, 16000, container_too=False))
    generation = made(team_a, owner, fake_clock, "video_t2v", **VIDEO)
    assert failed_with_charge_and_no_file(generation, settings).startswith(
        "The API's video's first frame cannot be decoded")


def test_an_unforeseen_error_while_storing_fails_the_job_with_the_charge_booked(
        team_a, owner, fake_clock, settings, monkeypatch):
    def broken(generation, picture):
        raise RuntimeError("the disk said no")

    monkeypatch.setattr("studio.generations.storage.save_thumbnail", broken)
    generation = made(team_a, owner, fake_clock, "image", **IMAGE)
    assert (generation.status, generation.error_code) == (Status.FAILED, "store_failed")
    assert generation.error_message.startswith(
        "The API's answer could not be stored (RuntimeError: the disk said no).")
    assert not generation.media and LedgerEntry.objects.get().usage_id == generation.usage_id
