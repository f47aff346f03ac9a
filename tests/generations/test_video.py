"""Video from form to player: I2V sources, signed links, the three answer shapes."""

import io

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from studio.credits.models import LedgerEntry
from studio.generations.models import Generation, Status
from studio.generations.signing import shared_url
from studio.lib.video import probe
from tests.generations.helpers import drive, queued, refreshed


def png_bytes(size=(320, 240), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, fmt)
    return buffer.getvalue()


def finished_image(team, author, body: bytes | None = None) -> Generation:
    generation = Generation.objects.create(
        team=team, author=author, kind="image", params={"prompt": "a red square"},
        cost=50, status=Status.SUCCEEDED, media_format="png", width=320, height=240)
    generation.media.save(f"{generation.pk}.png", ContentFile(body or png_bytes()))
    return generation


I2V = "/generate/i2v/"
MOTION = {"motion_prompt": "slow zoom in", "provider": "wan22"}


# --- the form -------------------------------------------------------------------------


def test_animate_link_opens_i2v_with_the_image_chosen(owner_client, team_a, owner):
    picture = finished_image(team_a, owner)
    gallery = owner_client.get("/").content.decode()
    assert f'href="/generate/i2v/?source={picture.pk}" aria-label="Animate"' in gallery
    form = owner_client.get(f"{I2V}?source={picture.pk}").content.decode()
    assert f'name="source" value="{picture.pk}" checked>' in form  # its tile in the grid


def test_i2v_from_the_gallery_remembers_its_source(owner_client, team_a, owner):
    picture = finished_image(team_a, owner)
    response = owner_client.post(I2V, {"source": picture.pk, **MOTION})
    assert response.status_code == 302
    video = Generation.objects.get(kind="video_i2v")
    assert video.source == picture and "image_url" not in video.params
    assert video.cost == 400
    detail = owner_client.get(f"/generations/{picture.pk}/").content.decode()
    assert f'href="/generations/{video.pk}/"' in detail


def test_provider_table_shows_cost_duration_and_resolution(owner_client):
    html = owner_client.get(I2V).content.decode()
    for provider, cost, seconds in (("wan22", 400, 5), ("seedance", 520, 5),
                                    ("sora2", 800, 4)):
        assert f'value="{provider}" id="provider-{provider}" data-cost="{cost}"' in html
        assert f"{seconds} s</td>" in html
    assert 'value="wan22" id="provider-wan22" data-cost="400" checked' in html


def test_chosen_provider_sets_the_cost(owner_client, team_a, owner):
    picture = finished_image(team_a, owner)
    owner_client.post(I2V, {"source": picture.pk, "motion_prompt": "pan left",
                            "provider": "sora2"})
    assert Generation.objects.get(kind="video_i2v").cost == 800


def test_uploaded_image_is_kept_for_the_api(owner_client):
    upload = SimpleUploadedFile("cat.png", png_bytes(), content_type="image/png")
    assert owner_client.post(I2V, {"image_file": upload, **MOTION}).status_code == 302
    video = Generation.objects.get()
    with video.source_upload.open("rb") as stored:
        assert Image.open(stored).size == (320, 240)


@pytest.mark.parametrize(("name", "body", "message"), [
    ("notes.png", b"these are words, not pixels", "is not an image"),
    ("anim.gif", None, "GIF image; use a JPEG, PNG or WebP"),
    ("tiny.png", None, "each side must be 64 to 8192"),
])
def test_bad_upload_is_refused_beside_the_field(owner_client, name, body, message):
    if body is None:
        body = png_bytes(fmt="GIF") if name.endswith("gif") else png_bytes((20, 20))
    upload = SimpleUploadedFile(name, body)
    response = owner_client.post(I2V, {"image_file": upload, **MOTION})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_image_file-error"' in html and message in html
    assert "slow zoom in" in html  # what was typed is kept
    assert not Generation.objects.exists()


def test_upload_over_the_size_limit_is_refused(owner_client, settings):
    settings.STUDIO_MAX_UPLOAD_BYTES = 1000
    upload = SimpleUploadedFile("big.png", png_bytes((640, 480)))
    html = owner_client.post(I2V, {"image_file": upload, **MOTION}).content.decode()
    assert "the limit is" in html


def test_no_picture_at_all_is_explained(owner_client):
    html = owner_client.post(I2V, MOTION).content.decode()
    assert "Choose a gallery image, upload one, or give its URL." in html


def test_two_pictures_at_once_are_refused(owner_client, team_a, owner):
    picture = finished_image(team_a, owner)
    html = owner_client.post(I2V, {"source": picture.pk, "image_url": "https://x.test/a.png",
                                   **MOTION}).content.decode()
    assert "Give only one picture" in html


def test_another_teams_image_cannot_be_chosen(outsider_client, team_a, owner):
    picture = finished_image(team_a, owner)
    html = outsider_client.post(I2V, {"source": picture.pk, **MOTION}).content.decode()
    assert "Select a valid choice" in html


@pytest.mark.django_db(transaction=True)
def test_url_that_is_not_an_image_is_refused(owner_client, live_server):
    html = owner_client.post(I2V, {"image_url": f"{live_server.url}/accounts/login/",
                                   **MOTION}).content.decode()
    assert "is not an image" in html


@pytest.mark.django_db(transaction=True)
def test_public_image_url_is_accepted_as_typed(owner_client, live_server):
    url = f"{live_server.url}/static/icons/studio.png"
    response = owner_client.post(I2V, {"image_url": url, **MOTION})
    assert response.status_code == 302
    assert Generation.objects.get().params["image_url"] == url


def test_private_address_is_refused_in_production(owner_client, settings):
    settings.STUDIO_ALLOW_PRIVATE_URLS = False
    html = owner_client.post(I2V, {"image_url": "http://127.0.0.1:8000/x.png",
                                   **MOTION}).content.decode()
    assert "not public" in html


def test_non_http_url_is_refused(owner_client):
    html = owner_client.post(I2V, {"image_url": "file:///etc/passwd", **MOTION}).content.decode()
    assert "Enter a valid URL" in html or "http" in html
    assert not Generation.objects.exists()


def test_t2v_tells_a_standard_team_why_instead_of_a_button(owner_client, team_a):
    team_a.tier = "standard"
    team_a.save()
    html = owner_client.get("/generate/t2v/").content.decode()
    assert "premium API plans only" in html and "Generate</button>" not in html
    response = owner_client.post("/generate/t2v/", {"prompt": "waves", "duration": 3})
    assert response.status_code == 403 and not Generation.objects.exists()


def test_cogvideox_form_explains_each_setting(owner_client):
    html = owner_client.get("/generate/cogvideox/").content.decode()
    assert "17, 33 or 49 frames at 8 fps" in html
    assert "How closely it follows the prompt" in html
    assert "More steps: finer detail, slower" in html


def test_t2v_duration_limits(owner_client):
    html = owner_client.post("/generate/t2v/", {"prompt": "waves", "duration": 11}).content.decode()
    assert "less than or equal to 10" in html


# --- signed links -----------------------------------------------------------------------


def test_signed_link_serves_the_image_without_login(client, team_a, owner):
    picture = finished_image(team_a, owner)
    response = client.get(shared_url(picture.pk, "media"))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_expired_link_is_refused(client, team_a, owner, monkeypatch, settings):
    picture = finished_image(team_a, owner)
    url = shared_url(picture.pk, "media")
    later = signing.time.time() + settings.STUDIO_SIGNED_URL_MAX_AGE + 5
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.get(url)
    assert response.status_code == 410 and b"expired" in response.content


def test_tampered_link_is_refused(client, team_a, owner):
    picture = finished_image(team_a, owner)
    url = shared_url(picture.pk, "media")
    assert client.get(url[:-3] + "xx/").status_code == 404
    forged = url.replace(url.split("/")[-2], "eyJnIjoxLCJmIjoibWVkaWEifQ:abc:def")
    assert client.get(forged).status_code == 404


def test_other_paths_to_team_media_still_need_a_login(client, team_a, owner):
    picture = finished_image(team_a, owner)
    assert client.get(f"/generations/{picture.pk}/media").status_code == 302


def test_a_video_cannot_be_shared_as_an_image(client, team_a, owner):
    clip = Generation.objects.create(team=team_a, author=owner, kind="video_t2v",
                                     params={"prompt": "p"}, cost=1000,
                                     status=Status.SUCCEEDED, media_format="mp4")
    clip.media.save("c.mp4", ContentFile(b"not really"))
    assert client.get(shared_url(clip.pk, "media")).status_code == 404


# --- the three answer shapes, end to end through the sandbox -------------------------


@pytest.fixture
def video_world(sandbox_url, fake_clock, settings):
    settings.STUDIO_PUBLIC_URL = sandbox_url.removesuffix("/sandbox")
    return fake_clock


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shape", ["url", "base64", "pending"])
def test_i2v_from_a_gallery_image_in_each_answer_shape(shape, video_world, team_a, owner,
                                                       settings):
    settings.SANDBOX_VIDEO_SHAPE = shape
    picture = finished_image(team_a, owner, png_bytes((800, 600)))
    video = queued(team_a, owner, "video_i2v", motion_prompt="pan right", provider="sora2")
    Generation.objects.filter(pk=video.pk).update(source=picture)
    drive(video_world)
    video = refreshed(video)
    assert video.status == Status.SUCCEEDED, video.error_message
    clip = probe(video.media.path)
    assert (clip.width, clip.height, clip.fps, clip.frame_count) == (1280, 720, 24, 96)
    assert (video.width, video.height, video.frame_count, video.duration_ms) == \
        (1280, 720, 96, 4000)
    assert Image.open(video.poster.path).format == "JPEG"
    assert video.credits_used == 800


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shape", ["url", "base64", "pending"])
def test_cogvideox_has_exactly_the_frames_asked_for(shape, video_world, team_a, owner,
                                                    settings):
    settings.SANDBOX_VIDEO_SHAPE = shape
    video = queued(team_a, owner, "video_cogvideox", prompt="rain", num_frames=17)
    drive(video_world)
    clip = probe(refreshed(video).media.path)
    assert (clip.width, clip.height, clip.fps, clip.frame_count) == (720, 480, 8, 17)


@pytest.mark.django_db(transaction=True)
def test_t2v_has_the_requested_seconds(video_world, team_a, owner):
    video = queued(team_a, owner, "video_t2v", prompt="an ocean wave", duration=2)
    drive(video_world)
    clip = probe(refreshed(video).media.path)
    assert (clip.width, clip.height, clip.frame_count) == (1280, 720, 48)
    assert refreshed(video).duration_ms == 2000


@pytest.mark.django_db(transaction=True)
def test_pending_video_is_followed_without_holding_a_worker(video_world, team_a, owner,
                                                           settings):
    from studio.generations import dispatch

    settings.SANDBOX_VIDEO_SHAPE = "pending"
    settings.SANDBOX_VIDEO_LATENCY = 90
    video = queued(team_a, owner, "video_t2v", prompt="slow render", duration=1)
    dispatch.tick()
    video = refreshed(video)
    assert (video.status, video.state) == (Status.RUNNING, "awaiting_provider")
    assert video.usage_id and not video.media
    video_world.advance(settings.STUDIO_PROVIDER_POLL)
    dispatch.tick()
    assert refreshed(video).status == Status.RUNNING  # still rendering at the provider
    drive(video_world)
    assert refreshed(video).status == Status.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_source_image_the_api_cannot_fetch_fails_with_its_message(video_world, team_a,
                                                                 owner):
    video = queued(team_a, owner, "video_i2v", motion_prompt="zoom",
                   image_url="http://127.0.0.1:9/missing.png")
    drive(video_world)
    video = refreshed(video)
    assert (video.status, video.error_code) == (Status.FAILED, "invalid_request")
    assert "image_url" in video.error_message


@pytest.mark.django_db(transaction=True)
def test_video_card_plays_with_poster_and_duration(video_world, team_a, owner,
                                                   owner_client):
    video = queued(team_a, owner, "video_t2v", prompt="an ocean wave", duration=2)
    drive(video_world)
    html = owner_client.get("/").content.decode()
    # The card previews it muted on hover; the viewer and the detail page play it.
    assert f'<video muted loop playsinline preload="none" src="/generations/{video.pk}/media" ' \
           f'poster="/generations/{video.pk}/thumbnail"' in html
    assert '<span class="duration-badge">0:02</span>' in html
    ranged = owner_client.get(f"/generations/{video.pk}/media", HTTP_RANGE="bytes=0-99")
    assert ranged.status_code == 206
    assert owner_client.get(f"/generations/{video.pk}/poster").status_code == 200
    thumb = owner_client.get(f"/generations/{video.pk}/thumbnail")
    assert thumb["Content-Type"] == "image/webp"




@pytest.mark.django_db(transaction=True)
def test_a_video_that_cannot_be_played_fails_and_keeps_no_media(video_world, team_a, owner,
                                                               owner_client, monkeypatch,
                                                               settings):
    def unplayable(clip):
        raise ValueError("moov atom not found")

    monkeypatch.setattr("studio.lib.video.facts", unplayable)
    video = queued(team_a, owner, "video_t2v", prompt="broken file", duration=1)
    drive(video_world)
    video = refreshed(video)
    assert (video.status, video.error_code) == (Status.FAILED, "malformed_answer")
    assert "cannot be played" in video.error_message
    assert not (video.media or video.poster or video.thumbnail)
    folder = settings.MEDIA_ROOT / f"teams/{team_a.pk}/generations"
    assert not folder.exists() or not any(folder.iterdir())
    assert owner_client.get(f"/generations/{video.pk}/media").status_code == 404
    assert LedgerEntry.objects.get().usage_id == video.usage_id  # the API charged it


@pytest.mark.django_db(transaction=True)
def test_poster_and_thumbnail_are_named_after_the_generation(video_world, team_a, owner,
                                                             owner_client):
    video = queued(team_a, owner, "video_t2v", prompt="names", duration=1)
    drive(video_world)
    poster = owner_client.get(f"/generations/{video.pk}/poster")
    assert f'filename="names-{video.pk}-poster.jpg"' in poster["Content-Disposition"]
    thumb = owner_client.get(f"/generations/{video.pk}/thumbnail")
    assert f'filename="names-{video.pk}-thumb.webp"' in thumb["Content-Disposition"]
