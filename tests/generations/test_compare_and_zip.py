"""Comparing a selection side by side, and downloading it as one streamed zip."""

import csv
import io
import json
import re
import zipfile
from html import unescape

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from studio.generations import selection
from studio.generations.models import Generation, Rating, Status

FORMATS = {"tts": "mp3", "image": "png", "video_t2v": "mp4"}


def made(team, author, kind="image", body=b"media bytes", status=Status.SUCCEEDED,
         prompt="a cat") -> Generation:
    params = {"text": prompt} if kind == "tts" else {"prompt": prompt}
    fmt = FORMATS[kind]
    generation = Generation.objects.create(team=team, author=author, kind=kind, params=params,
                                           cost=14, status=status, media_format=fmt)
    if status == Status.SUCCEEDED:
        generation.media.save(f"{generation.pk}.{fmt}", ContentFile(body))
    return generation


def compare_url(*generations) -> str:
    return "/compare/?" + "&".join(f"ids={g.pk}" for g in generations)


def ids(*generations) -> dict:
    return {"ids": [g.pk for g in generations]}


# Compare --------------------------------------------------------------------------

def test_images_compare_side_by_side_with_their_facts(owner_client, team_a, owner,
                                                      teammate):
    cat = made(team_a, owner, prompt="a cat")
    dog = made(team_a, teammate, prompt="a dog")
    Rating.objects.create(generation=dog, user=owner, stars=4)
    response = owner_client.get(compare_url(dog, cat))
    html = response.content.decode()
    assert response.status_code == 200 and 'class="compare compare-image"' in html
    shown = re.findall(r'data-generation-id="(\d+)"', html)
    assert shown == [str(dog.pk), str(cat.pk)]  # in the order selected
    assert f'<img src="/generations/{cat.pk}/media"' in html
    assert "a dog" in html and "a cat" in html and "by tom" in html and "by olivia" in html
    assert "14 credits" in html and "4.0 of 5" in html and "not rated" in html


def test_audio_compares_one_after_another(owner_client, team_a, owner):
    first, second = made(team_a, owner, "tts"), made(team_a, owner, "tts")
    html = owner_client.get(compare_url(first, second)).content.decode()
    assert 'class="compare compare-audio"' in html
    assert html.count("<audio controls") == 2


def test_videos_compare_side_by_side(owner_client, team_a, owner):
    clips = [made(team_a, owner, "video_t2v") for _ in range(3)]
    html = owner_client.get(compare_url(*clips)).content.decode()
    assert 'class="compare compare-video"' in html and html.count("<video controls") == 3


def left_out(html: str) -> list[str]:
    return [unescape(item) for item in re.findall(
        r"<li>([^<]*)</li>", html.split("compare-left-out", 1)[1].split("</ul>", 1)[0])]


def test_compare_shows_the_first_kind_and_leaves_out_the_others_saying_why(
        owner_client, team_a, owner):
    picture, speech, other = (made(team_a, owner, "image"), made(team_a, owner, "tts"),
                              made(team_a, owner, "image"))
    response = owner_client.get(compare_url(picture, speech, other))
    html = response.content.decode()
    assert response.status_code == 200 and html.count('<figure class="compare-item"') == 2
    assert left_out(html) == [f"#{speech.pk}: it is Speech, and this compares Image"]


def test_compare_refuses_a_single_generation(owner_client, team_a, owner):
    response = owner_client.get(compare_url(made(team_a, owner)))
    assert response.status_code == 400
    assert "Select two or more generations to compare" in response.content.decode()


def test_compare_counts_a_repeated_id_once(owner_client, team_a, owner):
    one = made(team_a, owner)
    assert owner_client.get(compare_url(one, one)).status_code == 400


def test_compare_refuses_an_empty_selection(owner_client):
    response = owner_client.get("/compare/")
    assert response.status_code == 400 and "Nothing is selected" in response.content.decode()


def test_compare_leaves_out_unfinished_generations(owner_client, team_a, owner):
    waiting = made(team_a, owner, status=Status.QUEUED)
    response = owner_client.get(compare_url(made(team_a, owner), waiting))
    assert response.status_code == 200
    assert left_out(response.content.decode()) == [f"#{waiting.pk}: it has no file yet"]


def test_compare_of_nothing_comparable_says_why_for_each(owner_client, team_a, owner):
    waiting, also = made(team_a, owner, status=Status.QUEUED), made(
        team_a, owner, status=Status.QUEUED)
    response = owner_client.get(compare_url(waiting, also))
    assert response.status_code == 400
    assert f"#{waiting.pk}: it has no file yet; #{also.pk}" in response.content.decode()


def test_compare_leaves_out_another_teams_generation_as_unknown(owner_client, team_a,
                                                                 owner, team_b, outsider):
    theirs = made(team_b, outsider)
    ours = made(team_a, owner), made(team_a, owner)
    html = owner_client.get(compare_url(*ours, theirs)).content.decode()
    assert left_out(html) == [f"#{theirs.pk}: no such item in this team"]
    assert f"/generations/{theirs.pk}/media" not in html


@pytest.mark.parametrize("query", ["ids=999999&ids=999998", "ids=abc&ids=999999"])
def test_compare_of_unknown_ids_only_is_404(owner_client, team_a, owner, query):
    made(team_a, owner)
    assert owner_client.get(f"/compare/?{query}").status_code == 404


def test_compare_leaves_out_the_trash_and_shows_the_rest(owner_client, team_a, owner):
    kept, also, trashed = made(team_a, owner), made(team_a, owner), made(team_a, owner)
    Generation.objects.filter(pk=trashed.pk).update(deleted_at=timezone.now())
    response = owner_client.get(compare_url(kept, trashed, also))
    html = response.content.decode()
    assert response.status_code == 200 and html.count('<figure class="compare-item"') == 2
    assert left_out(html) == [f"#{trashed.pk}: it is in the trash (restore it to compare it)"]


def test_compare_drops_the_toolbar_csrf_token_from_the_url(owner_client, team_a, owner):
    a, b = made(team_a, owner), made(team_a, owner)
    response = owner_client.get(f"/compare/?csrfmiddlewaretoken=secret&ids={a.pk}&ids={b.pk}")
    assert response.status_code == 302
    assert response["Location"] == f"/compare/?ids={a.pk}&ids={b.pk}"


def test_viewers_may_compare(viewer_client, team_a, owner):
    assert viewer_client.get(compare_url(made(team_a, owner),
                                         made(team_a, owner))).status_code == 200


def test_gallery_offers_the_selection_toolbar_and_boxes(owner_client, team_a, owner):
    done = made(team_a, owner)
    waiting = made(team_a, owner, status=Status.QUEUED)
    html = owner_client.get("/").content.decode()
    assert '<form id="selection"' in html and 'formaction="/compare/"' in html
    assert 'action="/generations/zip/"' in html
    assert (f'<input type="checkbox" name="ids" value="{done.pk}" form="selection" '
            f'data-kind="image">') in html
    assert f'value="{waiting.pk}" form="selection"' not in html


# Zip ------------------------------------------------------------------------------

def read_zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_zip_round_trips_the_files_and_a_manifest(owner_client, team_a, owner, teammate):
    speech = made(team_a, owner, "tts", b"ID3 speech bytes", prompt="Hello, \"world\"")
    picture = made(team_a, teammate, "image", b"\x89PNG picture bytes", prompt="a cat")
    response = owner_client.post("/generations/zip/", ids(speech, picture))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="studio-{today}.zip"'
    archive = read_zip(response)
    assert archive.testzip() is None
    assert archive.namelist() == ["manifest.csv", f"hello-world-{speech.pk}.mp3",
                                  f"a-cat-{picture.pk}.png"]
    assert archive.read(f"hello-world-{speech.pk}.mp3") == b"ID3 speech bytes"
    assert archive.read(f"a-cat-{picture.pk}.png") == b"\x89PNG picture bytes"
    assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert [(r["id"], r["kind"], r["author"], r["prompt"]) for r in rows] == [
        (str(speech.pk), "tts", "olivia", 'Hello, "world"'),
        (str(picture.pk), "image", "tom", "a cat")]
    assert json.loads(rows[0]["parameters"]) == speech.params
    assert rows[0]["created_at"] == speech.created_at.isoformat()


def test_zip_manifest_prompts_never_open_as_formulas(owner_client, team_a, owner):
    link = made(team_a, owner, prompt='=HYPERLINK("https://evil.example","click")')
    total = made(team_a, owner, prompt="@SUM(1+1)*cmd|' /C calc'!A0")
    archive = read_zip(owner_client.post("/generations/zip/", ids(link, total)))
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert [r["prompt"] for r in rows] == ['\'=HYPERLINK("https://evil.example","click")',
                                           "'@SUM(1+1)*cmd|' /C calc'!A0"]


def test_zip_streams_file_by_file(owner_client, team_a, owner):
    first, second = made(team_a, owner), made(team_a, owner)
    response = owner_client.post("/generations/zip/", ids(first, second))
    chunks = list(response.streaming_content)
    assert len(chunks) > 2  # at least one per file, then the central directory
    assert zipfile.ZipFile(io.BytesIO(b"".join(chunks))).read(
        f"a-cat-{first.pk}.png") == b"media bytes"


def test_zip_copies_big_files_a_chunk_at_a_time(team_a, owner):
    body = bytes(range(256)) * (selection.CHUNK * 3 // 256 + 1)
    big = made(team_a, owner, body=body)
    chunks = list(selection.zip_stream([big], b"id\n"))
    assert len(chunks) >= 4 and max(map(len, chunks)) <= selection.CHUNK + 200
    assert zipfile.ZipFile(io.BytesIO(b"".join(chunks))).read(big.download_name) == body


def test_viewers_may_download_a_zip(viewer_client, team_a, owner):
    response = viewer_client.post("/generations/zip/", ids(made(team_a, owner)))
    assert response.status_code == 200 and response.streaming


def test_zip_rejects_get(owner_client, team_a, owner):
    assert owner_client.get(f"/generations/zip/?ids={made(team_a, owner).pk}"
                            ).status_code == 405


def test_zip_refuses_an_empty_selection(owner_client):
    response = owner_client.post("/generations/zip/", {})
    assert response.status_code == 400 and "Nothing is selected" in response.content.decode()


def test_zip_refuses_more_than_200(owner_client, team_a, owner):
    response = owner_client.post("/generations/zip/", {"ids": list(range(1, 202))})
    assert response.status_code == 400
    assert "at most 200 at a time" in response.content.decode()


def test_zip_refuses_unfinished_generations(owner_client, team_a, owner):
    failed = made(team_a, owner, status=Status.FAILED)
    response = owner_client.post("/generations/zip/", ids(made(team_a, owner), failed))
    assert response.status_code == 400
    assert f"#{failed.pk} has no file yet" in response.content.decode()


def test_zip_of_another_teams_generation_is_404(outsider_client, team_a, owner):
    assert outsider_client.post("/generations/zip/",
                                ids(made(team_a, owner))).status_code == 404


def test_zip_leaves_out_the_trash(owner_client, team_a, owner):
    trashed = made(team_a, owner)
    Generation.objects.filter(pk=trashed.pk).update(deleted_at=timezone.now())
    assert owner_client.post("/generations/zip/", ids(trashed)).status_code == 404


@pytest.mark.parametrize("method, url", [("get", "/compare/"),
                                         ("post", "/generations/zip/")])
def test_selection_urls_need_login(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
