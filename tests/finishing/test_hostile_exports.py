"""Exports as a member downloads them, of ordinary and hostile gallery items: every
format offered works or is not offered, a file that cannot be converted is a 422
that says why (never a 500, never a decoded bomb), and heavy media are exported by
the worker while the page shows it being made."""

import io

import av
import pytest
from django.core.files.base import ContentFile
from PIL import Image

from studio.finishing import exports
from studio.finishing.models import Export
from studio.generations.models import Generation, Status
from tests.finishing.helpers import (
    finished_speech,
    finished_video,
    gallery_speech,
    gallery_video,
)
from tests.lib import hostile

pytestmark = pytest.mark.django_db
# Made before any test forbids decoding (making a picture decodes nothing, but
# saving a WebP or a JPEG loads the image it saves).
BIG_PNG = hostile.png(3000, 2000)


def gallery_image(team, author, body: bytes, fmt: str = "png", **facts) -> Generation:
    item = Generation.objects.create(team=team, author=author, kind="image", cost=50,
                                     params={"prompt": "crafted"}, state="succeeded",
                                     status=Status.SUCCEEDED, media_format=fmt, **facts)
    item.media.save(f"{item.file_stem}.{fmt}", ContentFile(body))
    return item


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def refusal(client, item, fmt: str) -> str:
    response = client.get(f"/generations/{item.pk}/export.{fmt}")
    assert response.status_code == 422
    return response.content.decode()


@pytest.fixture
def no_decoding(monkeypatch):
    """Fails the test if a picture or a frame is decoded."""
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("a picture decoded"))
    monkeypatch.setattr(exports, "decoded", lambda *a: pytest.fail("a stream decoded"))


def test_a_wav_speech_exports_as_an_mp3_of_the_same_length(owner_client, team_a, owner):
    speech = gallery_speech(team_a, owner, hostile.wav(1.5), "wav")
    response = owner_client.get(f"/generations/{speech.pk}/export.mp3")
    assert response.status_code == 200 and response["Content-Type"] == "audio/mpeg"
    with av.open(io.BytesIO(body(response))) as mp3:
        stream = mp3.streams.audio[0]
        assert mp3.format.name == "mp3"
        assert sum(f.samples for f in mp3.decode(stream)) / stream.rate == \
            pytest.approx(1.5, abs=0.06)


def offered_items(team, owner, tmp_path) -> list[Generation]:
    return [finished_speech(team, owner, "One two."),
            gallery_speech(team, owner, hostile.wav(0.5), "wav"),
            gallery_image(team, owner, hostile.png(), "png"),
            gallery_image(team, owner, hostile.jpeg(), "jpg"),
            gallery_image(team, owner, hostile.webp(), "webp"),
            finished_video(team, owner, tmp_path, seconds=1)]


def test_every_format_offered_for_every_kind_of_item_works(owner_client, team_a, owner,
                                                           tmp_path):
    for item in offered_items(team_a, owner, tmp_path):
        for fmt in exports.formats_of(item):
            response = owner_client.get(f"/generations/{item.pk}/export.{fmt.name}")
            assert response.status_code == 200, (item.media_format, fmt.name)
            made = io.BytesIO(body(response))
            kind = "gif" if fmt.name == "gif" else fmt.kind
            assert exports.media_limits.sniff(made) == kind, (item.media_format, fmt.name)


def test_a_13000x13000_picture_already_in_the_gallery_is_refused_not_decoded(
        owner_client, team_a, owner, no_decoding):
    bomb = gallery_image(team_a, owner, hostile.png_bomb(13000, 13000))
    for fmt in ("png", "jpeg", "webp"):
        assert "This item&#x27;s image is 13000×13000 pixels; each side must be 64 to " \
               "8192." in refusal(owner_client, bomb, fmt)


def test_a_16000x16000_video_is_refused_a_gif_from_its_header(owner_client, team_a, owner,
                                                              no_decoding):
    huge = gallery_video(team_a, owner, hostile.mp4_claiming(16000, 16000))
    assert "This item&#x27;s video is 16000×16000 pixels" in refusal(owner_client, huge, "gif")


def test_a_truncated_picture_is_a_422_with_the_decoders_words(owner_client, team_a, owner):
    broken = gallery_image(team_a, owner, hostile.truncated_jpeg(), "jpg")
    assert "This item&#x27;s image cannot be converted (image file is truncated" in \
        refusal(owner_client, broken, "png")


def test_what_is_not_a_picture_is_refused_for_what_it_is(owner_client, team_a, owner):
    drawing = gallery_image(team_a, owner, hostile.SVG_WITH_SCRIPT, "png")
    assert "it is an SVG drawing" in refusal(owner_client, drawing, "webp")
    page = gallery_image(team_a, owner, hostile.HTML_PAGE, "png")
    assert "it is an HTML page" in refusal(owner_client, page, "jpeg")


def test_an_item_stored_under_a_name_no_export_starts_from_is_offered_none(
        owner_client, team_a, owner):
    drawing = gallery_image(team_a, owner, hostile.SVG_WITH_SCRIPT, "svg")
    assert exports.formats_of(drawing) == ()
    assert owner_client.get(f"/generations/{drawing.pk}/export.png").status_code == 404
    assert "/export." not in owner_client.get(f"/generations/{drawing.pk}/").content.decode()


def test_speech_corrupt_in_the_middle_is_a_422_saying_where(owner_client, team_a, owner):
    broken = gallery_speech(team_a, owner, hostile.mp3_corrupt_in_the_middle())
    assert "This item&#x27;s speech cannot be decoded past 3.6 s (Invalid data found " \
           "when processing input)." in refusal(owner_client, broken, "wav")


def test_a_truncated_video_is_refused_a_gif(owner_client, team_a, owner, tmp_path):
    whole = finished_video(team_a, owner, tmp_path, seconds=1)
    with whole.media.open("rb") as clip:
        cut = clip.read()[:-2000]  # the index (moov) is at the start: frames go missing
    truncated = gallery_video(team_a, owner, cut)
    assert "This item&#x27;s video" in refusal(owner_client, truncated, "gif")


def test_a_picture_too_big_for_a_web_request_is_exported_by_the_worker(
        owner_client, team_a, owner):
    big = gallery_image(team_a, owner, BIG_PNG, "png", width=3000, height=2000)
    detail = owner_client.get(f"/generations/{big.pk}/").content.decode()
    assert f'<a href="/generations/{big.pk}/exports/webp/"><strong>WebP</strong> ' \
           '<span class="download-note">a large file: the worker makes it first' in detail
    asked = owner_client.get(f"/generations/{big.pk}/export.webp")
    assert asked.status_code == 302 and asked["Location"] == \
        f"/generations/{big.pk}/exports/webp/"
    page = owner_client.get(asked["Location"]).content.decode()  # the task ran inline
    assert f'download href="/generations/{big.pk}/export.webp"' in page
    made = owner_client.get(f"/generations/{big.pk}/export.webp")
    assert made["Content-Type"] == "image/webp"
    with Image.open(io.BytesIO(body(made))) as webp:
        assert (webp.format, webp.size) == ("WEBP", (3000, 2000))
    assert Export.objects.get().state == Export.State.READY


def test_while_the_worker_makes_it_the_page_polls_and_then_offers_it(
        owner_client, team_a, owner, monkeypatch):
    big = gallery_image(team_a, owner, BIG_PNG, "png", width=3000, height=2000)
    handed = []
    monkeypatch.setattr(exports, "async_task", lambda name, pk, **kw: handed.append(pk))
    page = owner_client.get(f"/generations/{big.pk}/exports/jpeg/").content.decode()
    assert "The worker is making the JPEG" in page and 'hx-trigger="every 2s"' in page
    from studio.finishing import tasks
    tasks.export(handed[0])
    polled = owner_client.get(f"/generations/{big.pk}/exports/jpeg/", HTTP_HX_REQUEST="true")
    html = polled.content.decode()
    assert "hx-trigger" not in html and "Download the JPEG" in html
    assert "<html" not in html  # only the partial


def test_a_heavy_export_the_worker_refuses_shows_the_reason(owner_client, team_a, owner):
    cut = gallery_image(team_a, owner, BIG_PNG[:len(BIG_PNG) // 2], "png", width=3000,
                        height=2000)
    page = owner_client.get(f"/generations/{cut.pk}/exports/webp/").content.decode()
    assert "This item&#x27;s image cannot be converted" in page
    assert Export.objects.get().state == Export.State.FAILED


def test_an_export_whose_worker_died_is_made_again_then_failed_saying_so(
        owner_client, team_a, owner, monkeypatch, fake_clock, settings):
    settings.STUDIO_MAKE_ATTEMPTS = 2
    big = gallery_image(team_a, owner, BIG_PNG, "png", width=3000, height=2000)
    handed = []
    monkeypatch.setattr(exports, "async_task", lambda name, pk, **kw: handed.append(pk))
    url = f"/generations/{big.pk}/exports/png/"
    for _ in range(2):
        owner_client.get(url)
        exports.start(Export.objects.get())  # a worker begins it, then dies
        fake_clock.advance(exports.lease_seconds() + 1)
    page = owner_client.get(url).content.decode()
    assert len(handed) == 2
    assert "stopped before it finished, 2 times" in page
    assert Export.objects.get().state == Export.State.FAILED


def test_an_exports_file_goes_with_its_item(owner_client, team_a, owner, settings):
    big = gallery_image(team_a, owner, BIG_PNG, "png", width=3000, height=2000)
    owner_client.get(f"/generations/{big.pk}/exports/jpeg/")
    kept = settings.MEDIA_ROOT / Export.objects.get().file.name
    assert kept.exists()
    big.delete()
    assert not kept.exists() and not Export.objects.exists()


def test_another_team_cannot_see_or_start_an_export(outsider_client, team_a, owner):
    big = gallery_image(team_a, owner, BIG_PNG, "png", width=3000, height=2000)
    assert outsider_client.get(f"/generations/{big.pk}/exports/png/").status_code == 404
    assert not Export.objects.exists()


def test_a_long_export_runs_out_of_time_saying_so(owner_client, team_a, owner, settings):
    settings.STUDIO_MAKE_SECONDS = 0
    speech = gallery_speech(team_a, owner, hostile.wav(1.0), "wav")
    assert "This ran out of time" in refusal(owner_client, speech, "mp3")

