"""Media on an S3-compatible store (moto's server over loopback): written through the
real generation path, private in the bucket, reached by members through presigned
URLs, by the API through presigned I2V links, and removed by the trash purge."""

import calendar
import io
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from storages.backends.s3 import S3Storage

from studio.generations import signing, trash
from studio.generations.models import Generation, Status
from tests.generations.helpers import drive, queued, refreshed

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("sandbox_url", "fake_clock")]


def image_generation(team, author, clock) -> Generation:
    generation = queued(team, author, "image", prompt="a harbour at dusk",
                        width=704, height=512)
    drive(clock)
    generation = refreshed(generation)
    assert generation.status == Status.SUCCEEDED, generation.error_message
    return generation


def followed(client, path: str) -> tuple[str, httpx.Response]:
    """The presigned URL a view redirects to, and what S3 answers there (no login)."""
    response = client.get(path)
    assert response.status_code == 302, response.status_code
    location = response["Location"]
    return location, httpx.get(location)


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def png_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile("source.png", buffer.getvalue(), content_type="image/png")


def test_file_fields_follow_the_s3_setting(bucket):
    assert isinstance(default_storage, S3Storage)
    field = Generation._meta.get_field("media")
    assert isinstance(field.storage, S3Storage)
    assert field.storage.bucket_name == bucket.name


def test_image_is_stored_in_the_bucket_and_private(bucket, team_a, owner, fake_clock):
    generation = image_generation(team_a, owner, fake_clock)
    prefix = f"teams/{team_a.pk}/generations/"
    assert bucket.listing(prefix) == sorted([generation.media.name, generation.thumbnail.name])
    stored = bucket.read(generation.media.name)
    assert Image.open(io.BytesIO(stored)).size == (704, 512)
    assert generation.media_bytes == len(stored) == generation.media.size
    for key in bucket.listing(prefix):
        assert httpx.get(bucket.anonymous_url(key)).status_code == 403


def test_member_is_sent_to_a_presigned_url_of_the_exact_bytes(bucket, team_a, owner,
                                                              teammate_client, fake_clock):
    generation = image_generation(team_a, owner, fake_clock)
    location, fetched = followed(teammate_client, f"/generations/{generation.pk}/media")
    assert location.startswith(f"{bucket.endpoint}/{bucket.name}/")
    assert fetched.status_code == 200
    assert fetched.content == bucket.read(generation.media.name)
    assert fetched.headers["Content-Type"] == "image/png"
    assert "attachment" not in fetched.headers.get("Content-Disposition", "")
    _, thumb = followed(teammate_client,
                                     f"/generations/{generation.pk}/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/webp"
    assert Image.open(io.BytesIO(thumb.content)).format == "WEBP"


def test_redirect_is_private_and_outlived_by_its_url(bucket, team_a, owner, owner_client,
                                                     fake_clock):
    generation = image_generation(team_a, owner, fake_clock)
    response = owner_client.get(f"/generations/{generation.pk}/media")
    assert response["Cache-Control"] == "private, max-age=1800"
    assert query(response["Location"])["X-Amz-Expires"] == "3600"


def test_download_is_an_attachment_with_the_download_name(bucket, team_a, owner,
                                                          owner_client, fake_clock):
    generation = image_generation(team_a, owner, fake_clock)
    _, fetched = followed(owner_client, f"/generations/{generation.pk}/media?download=1")
    assert fetched.status_code == 200
    assert fetched.headers["Content-Disposition"] == \
        f'attachment; filename="{generation.download_name}"'
    assert fetched.content == bucket.read(generation.media.name)


def test_outsider_gets_404_and_no_url(bucket, team_a, owner, outsider_client, client,
                                      fake_clock):
    generation = image_generation(team_a, owner, fake_clock)
    for what in ("media", "media?download=1", "thumbnail", "poster"):
        response = outsider_client.get(f"/generations/{generation.pk}/{what}")
        assert response.status_code == 404 and "Location" not in response
    anonymous = client.get(f"/generations/{generation.pk}/media")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_presigned_url_says_when_it_expires(bucket, team_a, owner, owner_client,
                                            fake_clock):
    """moto's server does not refuse an expired presigned URL (it checks no query
    signature), so what S3 enforces is checked on the URL: signed now, for an hour."""
    generation = image_generation(team_a, owner, fake_clock)
    before = time.time()
    location = owner_client.get(f"/generations/{generation.pk}/media")["Location"]
    signed = query(location)
    assert signed["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert signed["X-Amz-Expires"] == "3600"
    signed_at = calendar.timegm(time.strptime(signed["X-Amz-Date"], "%Y%m%dT%H%M%SZ"))
    assert before - 2 <= signed_at <= time.time() + 2
    assert "X-Amz-Signature" in signed and "testing/" in signed["X-Amz-Credential"]


def test_i2v_link_to_a_gallery_image_is_presigned_and_public(bucket, team_a, owner,
                                                             settings, fake_clock):
    picture = image_generation(team_a, owner, fake_clock)
    video = queued(team_a, owner, "video_i2v", motion_prompt="pan right", provider="wan22")
    Generation.objects.filter(pk=video.pk).update(source=picture)
    link = signing.source_url_for(refreshed(video))
    assert link.startswith(f"{bucket.endpoint}/{bucket.name}/{picture.media.name}?")
    assert query(link)["X-Amz-Expires"] == str(settings.STUDIO_SIGNED_URL_MAX_AGE)
    fetched = httpx.get(link)  # no login, no cookie: as the API fetches it
    assert fetched.status_code == 200
    assert fetched.content == bucket.read(picture.media.name)


def test_uploaded_i2v_source_goes_to_the_bucket(bucket, team_a, owner_client):
    response = owner_client.post("/generate/i2v/", {
        "image_file": png_upload(), "motion_prompt": "slow zoom", "provider": "wan22"})
    assert response.status_code == 302
    video = Generation.objects.get(kind="video_i2v")
    assert video.source_upload.name in bucket.listing()
    fetched = httpx.get(signing.source_url_for(video))
    assert fetched.status_code == 200
    assert Image.open(io.BytesIO(fetched.content)).size == (320, 240)


def test_old_signed_link_redirects_to_the_object(bucket, team_a, owner, client, fake_clock):
    picture = image_generation(team_a, owner, fake_clock)
    response = client.get(signing.shared_url(picture.pk, signing.MEDIA))
    assert response.status_code == 302
    assert httpx.get(response["Location"]).content == bucket.read(picture.media.name)


def test_video_from_s3_image_gets_poster_and_thumbnail_from_s3(bucket, team_a, owner,
                                                               owner_client, fake_clock):
    """The sandbox fetches the presigned source, keeps its render in the bucket too;
    the studio stores the clip and reads it back from S3 for poster and facts."""
    picture = image_generation(team_a, owner, fake_clock)
    video = queued(team_a, owner, "video_i2v", motion_prompt="pan right", provider="wan22")
    Generation.objects.filter(pk=video.pk).update(source=picture)
    drive(fake_clock)
    video = refreshed(video)
    assert video.status == Status.SUCCEEDED, video.error_message
    keys = bucket.listing()
    for file in (video.media, video.poster, video.thumbnail):
        assert file.name in keys
    assert any(key.startswith("sandbox/videos/") for key in keys)
    assert (video.width, video.height, video.duration_ms) == (1280, 720, 5000)
    assert Image.open(io.BytesIO(bucket.read(video.poster.name))).format == "JPEG"
    _, poster = followed(owner_client, f"/generations/{video.pk}/poster")
    assert poster.headers["Content-Type"] == "image/jpeg"
    location, _ = followed(owner_client, f"/generations/{video.pk}/media")
    seek = httpx.get(location, headers={"Range": "bytes=100-199"})
    assert seek.status_code == 206 and len(seek.content) == 100
    assert seek.content == bucket.read(video.media.name)[100:200]
    assert seek.headers["Content-Type"] == "video/mp4"


def test_trash_purge_deletes_the_objects(bucket, team_a, owner, fake_clock):
    generation = image_generation(team_a, owner, fake_clock)
    keep = image_generation(team_a, owner, fake_clock)
    prefix = f"teams/{team_a.pk}/generations/"
    assert len(bucket.listing(prefix)) == 4
    Generation.objects.filter(pk=generation.pk).update(
        deleted_at=timezone.now() - timedelta(days=31))
    assert trash.purge_expired() == 1
    assert bucket.listing(prefix) == sorted([keep.media.name, keep.thumbnail.name])
