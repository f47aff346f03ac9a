"""Media is served as what it is, and a browser is told not to guess: nothing active
(an SVG's script, an HTML page) is ever rendered from a member's media, even a file
stored before the studio judged answers by their bytes."""

import pytest
from django.core.files.base import ContentFile

from studio.generations.models import Generation, Status
from studio.generations.signing import MEDIA, UPLOAD, shared_url
from tests.lib import hostile

pytestmark = pytest.mark.django_db


def stored(team, author, body: bytes, fmt: str, kind: str = "image") -> Generation:
    item = Generation.objects.create(team=team, author=author, kind=kind, cost=50,
                                     params={"prompt": "p"}, status=Status.SUCCEEDED,
                                     media_format=fmt)
    item.media.save(f"{item.file_stem}.{fmt}", ContentFile(body))
    return item


@pytest.mark.parametrize("ranged", [False, True])
def test_media_is_served_as_its_type_with_nosniff(owner_client, team_a, owner, ranged):
    picture = stored(team_a, owner, hostile.png(), "png")
    headers = {"HTTP_RANGE": "bytes=0-9"} if ranged else {}
    response = owner_client.get(f"/generations/{picture.pk}/media", **headers)
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")


def test_an_svg_stored_before_the_checks_is_only_ever_a_download(owner_client, team_a,
                                                                 owner):
    drawing = stored(team_a, owner, hostile.SVG_WITH_SCRIPT, "svg")
    response = owner_client.get(f"/generations/{drawing.pk}/media")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_shared_link_never_serves_a_file_as_markup(client, team_a, owner):
    page = stored(team_a, owner, hostile.HTML_PAGE, "html")
    response = client.get(shared_url(page.pk, MEDIA))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    video = Generation.objects.create(team=team_a, author=owner, kind="video_i2v", cost=1,
                                      params={"motion_prompt": "m"})
    video.source_upload.save("source.svg", ContentFile(hostile.SVG_WITH_SCRIPT))
    response = client.get(shared_url(video.pk, UPLOAD))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_checked_upload_is_served_to_the_api_as_the_image_it_is(client, team_a, owner):
    video = Generation.objects.create(team=team_a, author=owner, kind="video_i2v", cost=1,
                                      params={"motion_prompt": "m"})
    video.source_upload.save("source.webp", ContentFile(hostile.webp()))
    response = client.get(shared_url(video.pk, UPLOAD))
    assert response["Content-Type"] == "image/webp"
    assert response["Content-Disposition"].startswith("inline")
