"""A generation's file through the API: HEAD, ranges, ETags, 416 as a problem, and a
signed link that works without the token until it expires."""

import pytest
from django.test import Client

from studio.api import tokens
from tests.generations.helpers import drive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sandbox_url")]

SPEECH = {"kind": "tts", "params": {"text": "Play me.", "voice": "Wise_Woman"}}


@pytest.fixture
def finished(team_a, owner, fake_clock) -> tuple[Client, dict]:
    secret = tokens.create(team_a, owner, name="t", scopes=["read", "generate"]).secret
    http = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    made = http.post("/api/v1/generations", SPEECH, content_type="application/json").json()
    drive(fake_clock)
    return http, http.get(made["links"]["self"]).json()


def body_of(answer) -> bytes:
    return b"".join(answer.streaming_content) if answer.streaming else answer.content


def test_head_range_and_etag(finished):
    http, generation = finished
    whole = http.get(generation["media_url"])
    data = body_of(whole)
    size = len(data)
    head = http.head(generation["media_url"])
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Type"] == "audio/mpeg" and head["Content-Length"] == str(size)
    assert head["ETag"] == whole["ETag"]
    part = http.get(generation["media_url"], headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 0-9/{size}"
    assert body_of(part) == data[:10]
    again = http.get(generation["media_url"], headers={"If-None-Match": whole["ETag"]})
    assert again.status_code == 304


def test_a_range_past_the_end_is_a_416_problem(finished):
    http, generation = finished
    answer = http.get(generation["media_url"], headers={"Range": "bytes=99999999-"})
    assert answer.status_code == 416 and answer["Content-Type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/range-not-satisfiable")
    assert answer["Content-Range"].startswith("bytes */")


def test_a_signed_link_works_without_the_token_until_it_expires(finished, fake_clock):
    http, generation = finished
    link = http.get(f"{generation['links']['self']}/media-link",
                    {"expires_in": 120}).json()
    anyone = Client()
    shown = anyone.get(link["url"])
    assert shown.status_code == 200 and body_of(shown) == body_of(
        http.get(generation["media_url"]))
    assert anyone.head(link["url"]).status_code == 200
    assert anyone.get(link["url"][:-2] + "xx").status_code == 404
    fake_clock.advance(121)
    expired = anyone.get(link["url"])
    assert expired.status_code == 410 and expired.json()["type"].endswith("/link-expired")


def test_no_link_before_the_file_exists(team_a, owner):
    secret = tokens.create(team_a, owner, name="t", scopes=["read", "generate"]).secret
    http = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    made = http.post("/api/v1/generations", SPEECH, content_type="application/json").json()
    answer = http.get(f"{made['links']['self']}/media-link")
    assert answer.status_code == 409 and answer.json()["type"].endswith("/not-ready")
