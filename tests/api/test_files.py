"""POST /api/v1/files: an image sent as multipart or as the body becomes a file id an
image-to-video generation animates (`params.file`)."""

import io

import pytest
from django.test import Client
from PIL import Image

from studio.api import tokens
from studio.generations.models import Generation
from tests.generations.helpers import drive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sandbox_url")]


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 360), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def api_client(team, user) -> Client:
    secret = tokens.create(team, user, name="t", scopes=["read", "generate"]).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def writer(team_a, owner) -> Client:
    return api_client(team_a, owner)


def animate(http: Client, file_id: int):
    return http.post("/api/v1/generations", {"kind": "video_i2v", "params": {
        "file": file_id, "motion_prompt": "slow zoom in"}}, content_type="application/json")


def test_an_uploaded_image_is_animated_by_its_id(writer, fake_clock, settings, sandbox_url):
    settings.STUDIO_PUBLIC_URL = sandbox_url.removesuffix("/sandbox")  # the API fetches it
    sent = writer.post("/api/v1/files", png(), content_type="image/png")
    assert sent.status_code == 201 and sent.json()["content_type"] == "image/png"
    made = animate(writer, sent.json()["id"])
    assert made.status_code == 201, made.content
    generation = Generation.objects.get(pk=made.json()["id"])
    assert generation.source_upload and "image_url" not in generation.params
    drive(fake_clock)
    shown = writer.get(made.json()["links"]["self"]).json()
    assert shown["status"] == "succeeded", shown["error_message"]


def test_multipart_works_too_and_other_bodies_are_refused(writer):
    multipart = writer.post("/api/v1/files", {"file": io.BytesIO(png())})
    assert multipart.status_code == 201 and multipart.json()["size"] > 0
    text = writer.post("/api/v1/files", b"hello", content_type="text/plain")
    assert text.status_code == 415 and text.json()["type"].endswith("/unsupported-media-type")
    not_an_image = writer.post("/api/v1/files", b"hello", content_type="image/png")
    assert not_an_image.status_code == 422 and "file" in not_an_image.json()["errors"]


def test_another_teams_file_cannot_be_named(writer, team_b, outsider):
    theirs = api_client(team_b, outsider).post("/api/v1/files", png(),
                                               content_type="image/png").json()["id"]
    answer = animate(writer, theirs)
    assert answer.status_code == 422 and "params.file" in answer.json()["errors"]
    assert not Generation.objects.exists()
