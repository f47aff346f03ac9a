"""Bad input to the generation pages gets an answer (a message or a 404), never a 500:
images with too many pixels, and numbers no database id can be."""

import struct
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve
from django.utils import timezone

from studio.generations.models import Comment, Generation, Status
from studio.generations.signing import MEDIA, shared_url
from studio.generations.storage import save_thumbnail
from studio.lib.converters import LARGEST_ID

I2V = "/generate/i2v/"
MOTION = {"motion_prompt": "slow zoom in", "provider": "wan22"}
PAST_BIGINT = str(LARGEST_ID + 1)  # 19 digits, one more than a bigint holds
HUGE = "99999999999999999999"  # 20 digits


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def huge_png(width: int = 30000, height: int = 30000) -> bytes:
    """A PNG of a hundred bytes whose header claims `width` by `height` one-bit pixels:
    Pillow refuses to open it as a decompression bomb without decoding anything."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(b"")) + png_chunk(b"IEND", b""))


def finished_image(team, author, body: bytes) -> Generation:
    generation = Generation.objects.create(
        team=team, author=author, kind="image", params={"prompt": "a red square"},
        cost=50, status=Status.SUCCEEDED, media_format="png")
    generation.media.save(f"{generation.pk}.png", ContentFile(body))
    return generation


# Images with too many pixels -------------------------------------------------------

def test_upload_with_too_many_pixels_is_refused_beside_the_field(owner_client):
    upload = SimpleUploadedFile("huge.png", huge_png(), content_type="image/png")
    response = owner_client.post(I2V, {"image_file": upload, **MOTION})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_image_file-error"' in html
    assert "The file is 30000×30000 pixels; each side must be 64 to 8192." in html
    assert "slow zoom in" in html
    assert not Generation.objects.filter(kind="video_i2v").exists()


@pytest.mark.django_db(transaction=True)
def test_image_url_with_too_many_pixels_is_refused_beside_the_field(
        owner_client, team_a, owner, live_server, settings):
    settings.STUDIO_PUBLIC_URL = live_server.url
    url = shared_url(finished_image(team_a, owner, huge_png()).pk, MEDIA)
    response = owner_client.post(I2V, {"image_url": url, **MOTION})
    html = response.content.decode()
    assert response.status_code == 400
    assert "What that address serves is 30000×30000 pixels" in html
    assert not Generation.objects.filter(kind="video_i2v").exists()


def test_image_with_too_many_pixels_gets_no_thumbnail_and_no_error(team_a, owner):
    generation = finished_image(team_a, owner, huge_png())
    with generation.media.open("rb") as picture:
        save_thumbnail(generation, picture)
    assert not generation.thumbnail


# Ids in the URL path ----------------------------------------------------------------

ID_URLS = [
    ("get", "/generations/{}/"),
    ("get", "/generations/{}/media"),
    ("get", "/generations/{}/thumbnail"),
    ("get", "/generations/{}/card/"),
    ("post", "/generations/{}/star/"),
    ("post", "/generations/{}/cancel/"),
    ("post", "/generations/{}/delete/"),
    ("post", "/generations/{}/restore/"),
    ("post", "/generations/{}/comments/"),
    ("post", "/comments/{}/delete/"),
]


@pytest.mark.parametrize(("method", "url"), ID_URLS)
@pytest.mark.parametrize("number", [PAST_BIGINT, HUGE])
def test_id_past_a_bigint_is_a_404_that_never_reaches_a_view(owner_client, method, url,
                                                             number):
    with pytest.raises(Resolver404):
        resolve(url.format(number))
    assert getattr(owner_client, method)(url.format(number)).status_code == 404


def test_the_largest_bigint_is_still_an_id(owner_client):
    assert resolve(f"/generations/{LARGEST_ID}/").kwargs == {"pk": LARGEST_ID}
    assert owner_client.get(f"/generations/{LARGEST_ID}/").status_code == 404


def test_ordinary_ids_still_reach_their_views(owner_client, team_a, owner):
    picture = finished_image(team_a, owner, b"png bytes")
    comment = Comment.objects.create(generation=picture, author=owner, text="nice")
    assert owner_client.get(f"/generations/{picture.pk}/").status_code == 200
    assert owner_client.get(f"/generations/{picture.pk}/media").status_code == 200
    assert owner_client.post(f"/generations/{picture.pk}/star/").status_code == 302
    assert picture.stars.exists()
    assert owner_client.post(f"/comments/{comment.pk}/delete/").status_code == 302
    assert not Comment.objects.exists()


# Ids in compare and zip ---------------------------------------------------------------

@pytest.mark.parametrize("number", [HUGE, PAST_BIGINT, "²"])
def test_compare_leaves_out_a_number_no_id_can_be(owner_client, team_a, owner, number):
    picture = finished_image(team_a, owner, b"png bytes")
    page = owner_client.get(f"/compare/?ids={picture.pk}&ids={number}")
    assert page.status_code == 200 and "no such item in this team" in page.content.decode()
    assert owner_client.get(f"/compare/?ids={number}&ids=abc").status_code == 404


@pytest.mark.parametrize("number", [HUGE, PAST_BIGINT, "²"])
def test_zip_with_a_number_no_id_can_be_is_a_404(owner_client, team_a, owner, number):
    picture = finished_image(team_a, owner, b"png bytes")
    response = owner_client.post("/generations/zip/", {"ids": [picture.pk, number]})
    assert response.status_code == 404


# The gallery's query string ------------------------------------------------------------

@pytest.mark.parametrize("before", [HUGE, PAST_BIGINT, "²", "-5"])
def test_gallery_ignores_a_before_that_is_no_id(owner_client, team_a, owner, before):
    picture = finished_image(team_a, owner, b"png bytes")
    html = owner_client.get(f"/?before={before}").content.decode()
    assert f'data-generation-id="{picture.pk}"' in html


@pytest.mark.parametrize("query", [f"newest={HUGE}&ids={HUGE}", "newest=²&ids=²",
                                   f"ids={PAST_BIGINT},{{pk}}"])
def test_poll_ignores_ids_that_are_no_ids(owner_client, team_a, owner, query):
    pending = Generation.objects.create(team=team_a, author=owner, kind="tts",
                                        params={"text": "hello"}, cost=14)
    since = timezone.now().isoformat().replace("+", "%2B")
    response = owner_client.get(f"/gallery/poll/?since={since}&"
                                + query.format(pk=pending.pk))
    assert response.status_code in (200, 204, 286)


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00", "0001-01-01T00:00:05%2B14:00",
                                   "9999-12-31T23:59:59-14:00"])
def test_poll_survives_a_since_at_the_ends_of_the_calendar(owner_client, team_a, owner,
                                                          since):
    pending = Generation.objects.create(team=team_a, author=owner, kind="tts",
                                        params={"text": "hello"}, cost=14)
    response = owner_client.get(f"/gallery/poll/?since={since}&newest={pending.pk}"
                                f"&ids={pending.pk}")
    assert response.status_code in (200, 204)


def test_gallery_to_the_last_day_there_is_shows_everything(owner_client, team_a, owner):
    picture = finished_image(team_a, owner, b"png bytes")
    html = owner_client.get("/?date_to=9999-12-31").content.decode()
    assert f'data-generation-id="{picture.pk}"' in html
