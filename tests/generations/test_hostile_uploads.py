"""Hostile image-to-video sources, through the form as a member sends them (an upload,
or a URL the studio fetches): each is refused beside its field with what is wrong,
never a 500, nothing made, and nothing decoded that its header does not allow."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from studio.generations.models import Generation
from studio.generations.signing import MEDIA, shared_url
from tests.finishing.helpers import gallery_video
from tests.lib import hostile

I2V = "/generate/i2v/"
MOTION = {"motion_prompt": "slow zoom in", "provider": "wan22"}
# Made before any test forbids decoding (making a WebP decodes one).
WEBP_16383 = hostile.webp_canvas(16383, 16383)


def refused(client, name: str, body: bytes) -> str:
    upload = SimpleUploadedFile(name, body, content_type="image/png")
    response = client.post(I2V, {"image_file": upload, **MOTION})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_image_file-error"' in html and "slow zoom in" in html
    assert not Generation.objects.exists()
    return html


@pytest.fixture
def no_decoding(monkeypatch):
    """Fails the test if Pillow decodes a picture."""
    def load(self):
        raise AssertionError("a picture was decoded")

    monkeypatch.setattr(Image.Image, "load", load)


def test_a_truncated_jpeg_is_decoded_and_refused_rather_than_sent_to_the_api(owner_client):
    html = refused(owner_client, "photo.jpg", hostile.truncated_jpeg())
    assert "The file is a JPEG image that cannot be decoded (image file is truncated" in html


def test_a_whole_jpeg_is_still_taken(owner_client):
    upload = SimpleUploadedFile("photo.jpg", hostile.jpeg())
    assert owner_client.post(I2V, {"image_file": upload, **MOTION}).status_code == 302
    assert Generation.objects.get().source_upload.name.endswith(".jpg")


def test_a_16383x16383_webp_is_refused_from_its_header_not_a_500(owner_client, no_decoding):
    html = refused(owner_client, "huge.webp", WEBP_16383)
    assert "The file is 16383×16383 pixels; each side must be 64 to 8192." in html


def test_a_13000x13000_png_is_refused_from_its_header(owner_client, no_decoding):
    html = refused(owner_client, "bomb.png", hostile.png_bomb(13000, 13000))
    assert "The file is 13000×13000 pixels; each side must be 64 to 8192." in html


def test_a_picture_within_the_sides_but_over_the_pixels_is_refused(owner_client,
                                                                   no_decoding):
    html = refused(owner_client, "wide.png", hostile.png_bomb(8000, 4000))
    assert ("The file is 8000×4000 pixels (32.0 Mpx); the studio takes images up to "
            "12.6 Mpx.") in html


@pytest.mark.parametrize(("name", "body", "what"), [
    ("drawing.svg", hostile.SVG_WITH_SCRIPT, "an SVG drawing"),
    ("page.png", hostile.HTML_PAGE, "an HTML page"),
    ("clip.png", hostile.mp4(), "an MP4 video"),
    ("words.png", b"these are words, not pixels", "of a kind the studio does not know"),
])
def test_what_is_not_a_picture_is_refused_for_what_it_is(owner_client, name, body, what):
    html = refused(owner_client, name, body)
    assert f"The file is not an image (use a JPEG, PNG or WebP): it is {what}." in html


def test_an_empty_file_is_refused(owner_client):
    assert "The submitted file is empty." in refused(owner_client, "empty.png", b"")


def test_an_html_page_behind_a_png_signature_is_refused(owner_client):
    html = refused(owner_client, "sly.png", hostile.HTML_AS_PNG)
    assert "The file is a PNG image whose header cannot be read." in html


@pytest.mark.django_db(transaction=True)
def test_a_url_serving_a_video_as_the_image_is_refused(owner_client, team_a, owner,
                                                       live_server, settings):
    settings.STUDIO_PUBLIC_URL = live_server.url
    clip = gallery_video(team_a, owner, hostile.mp4())
    clip.kind = "image"  # a gallery row whose "image" is a video
    clip.save()
    response = owner_client.post(I2V, {"image_url": shared_url(clip.pk, MEDIA), **MOTION})
    assert response.status_code == 400
    assert ("What that address serves is not an image (use a JPEG, PNG or WebP): it is "
            "an MP4 video.") in response.content.decode()
