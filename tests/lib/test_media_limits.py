"""The one judge of media: what a file is by its bytes, and its header's sizes, length,
rate and channels against the limits, before anything decodes it."""

import io

import pytest
from PIL import Image

from studio.lib import media_limits
from studio.lib.media_limits import Refused
from tests.lib import hostile

WEBP_LOSSLESS = io.BytesIO()
Image.new("RGBA", (300, 200), (1, 2, 3, 4)).save(WEBP_LOSSLESS, "WEBP", lossless=True)


@pytest.mark.parametrize(("body", "kind"), [
    (hostile.png(), "png"), (hostile.jpeg(), "jpeg"), (hostile.webp(), "webp"),
    (hostile.mp4(), "mp4"), (hostile.wav(0.1), "wav"), (b"ID3\x04\x00" + bytes(20), "mp3"),
    (b"\xff\xfb\x90\x64" + bytes(20), "mp3"), (hostile.SVG_WITH_SCRIPT, "svg"),
    (b'<?xml version="1.0"?>\n<!-- a long comment -->\n<svg/>', "svg"),
    (hostile.HTML_PAGE, "html"), (b"GIF89a", "gif"), (b"%PDF-1.7", "pdf"),
    (b'{"image": 1}', "json"), (b"", "empty"), (b"plain words", "unknown"),
])
def test_a_file_is_known_by_its_first_bytes_not_its_name(body, kind):
    assert media_limits.sniff(io.BytesIO(body)) == kind


@pytest.mark.parametrize(("body", "size"), [
    (hostile.png(320, 240), (320, 240)), (hostile.jpeg(640, 480), (640, 480)),
    (hostile.webp(320, 240), (320, 240)), (WEBP_LOSSLESS.getvalue(), (300, 200)),
    (hostile.webp_canvas(9000, 70), (9000, 70)),
])
def test_an_images_size_is_read_from_its_header(body, size):
    kind = media_limits.sniff(io.BytesIO(body))
    assert media_limits.HEADER_SIZES[kind](io.BytesIO(body)) == size


def test_a_bomb_is_refused_without_decoding_a_pixel(monkeypatch):
    bomb = hostile.png_bomb(4097, 3072)  # inside the sides, over the pixels
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("decoded"))
    with pytest.raises(Refused, match=r"4097×3072 pixels \(12.6 Mpx\); the studio takes "
                                      r"images up to 12.6 Mpx"):
        media_limits.image(io.BytesIO(bomb), "The picture")


def test_the_pixel_limit_is_a_setting(settings):
    settings.STUDIO_MAX_IMAGE_PIXELS = 100 * 100
    with pytest.raises(Refused, match="up to 0.0 Mpx"):
        media_limits.image(io.BytesIO(hostile.png(101, 100)))


def test_a_jpeg_without_a_frame_header_in_its_first_megabyte_is_refused():
    padded = b"\xff\xd8" + (b"\xff\xe1\xff\xff" + bytes(65533)) * 20
    with pytest.raises(Refused, match="a JPEG image whose header cannot be read"):
        media_limits.image(io.BytesIO(padded))


def test_a_video_header_is_read_without_running_a_decoder():
    facts = media_limits.video(io.BytesIO(hostile.mp4(64, 48, frames=24, sound=True)))
    assert (facts.width, facts.height, facts.fps, facts.frame_count) == (64, 48, 24.0, 24)
    assert facts.duration_seconds == pytest.approx(1.0) and facts.has_sound


def test_a_video_whose_frames_are_hours_apart_is_refused_for_its_length():
    with pytest.raises(Refused, match="is 10:00:00 long; the studio takes media up to "
                                      "10:00"):
        media_limits.video(io.BytesIO(hostile.mp4(64, 64, last_at=36000)))


def test_the_decoder_refuses_a_frame_bigger_than_its_container_said():
    sly = io.BytesIO(hostile.mp4_claiming(16000, 16000, container_too=False))
    assert media_limits.video(sly).width == 64  # the container says 64x64
    with media_limits.open_av(sly, "The clip") as container, \
            pytest.raises(Exception, match="Invalid"):
        next(container.decode(video=0))


@pytest.mark.parametrize(("body", "message"), [
    (hostile.wav_claiming(rate=22050, channels=12),
     "has 12 sound channels; the studio takes 1 to 8."),
    (hostile.wav_claiming(rate=4000), "has sound at 4,000 samples a second; the studio "
                                      "takes 8,000 to 96,000."),
    (hostile.mp4(), "is not a sound (an MP3 or WAV): it is an MP4 video."),
])
def test_sound_outside_the_limits_is_refused_from_its_header(body, message):
    with pytest.raises(Refused) as refused:
        media_limits.sound(io.BytesIO(body), "The speech")
    assert str(refused.value) == f"The speech {message}"


def test_lengths_read_as_a_person_would_say_them():
    assert [media_limits.clock(s) for s in (2.5, 65, 600, 36000)] == \
        ["2.5 s", "1:05", "10:00", "10:00:00"]
