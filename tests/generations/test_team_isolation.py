"""A member of team B gets 404 for anything of team A, by URL guessing or otherwise."""

import pytest
from django.core.files.base import ContentFile

from studio.generations.models import Generation, Status


@pytest.fixture
def a_card(team_a, owner):
    generation = Generation.objects.create(team=team_a, author=owner, kind="tts",
                                           params={"text": "secret plan"}, cost=14,
                                           status=Status.SUCCEEDED, media_format="mp3")
    generation.media.save("x.mp3", ContentFile(b"0123456789" * 100))
    return generation


@pytest.mark.parametrize("path", ["/generations/{}/", "/generations/{}/card/",
                                  "/generations/{}/media",
                                  "/generations/{}/media?download=1"])
def test_other_team_gets_404(outsider_client, a_card, path):
    assert outsider_client.get(path.format(a_card.pk)).status_code == 404


def test_other_team_never_sees_the_card(outsider_client, a_card):
    html = outsider_client.get("/").content.decode()
    assert "secret plan" not in html
    assert f'data-generation-id="{a_card.pk}"' not in html


def test_anonymous_media_request_goes_to_login(client, a_card):
    response = client.get(f"/generations/{a_card.pk}/media")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_teammates_and_viewers_can_fetch_media(teammate_client, viewer_client, a_card):
    for member in (teammate_client, viewer_client):
        response = member.get(f"/generations/{a_card.pk}/media")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"0123456789" * 100


def test_media_honours_range_for_seeking(owner_client, a_card):
    response = owner_client.get(f"/generations/{a_card.pk}/media",
                                HTTP_RANGE="bytes=10-19")
    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 10-19/1000"
    assert b"".join(response.streaming_content) == b"0123456789"


def test_open_ended_and_suffix_ranges(owner_client, a_card):
    tail = owner_client.get(f"/generations/{a_card.pk}/media", HTTP_RANGE="bytes=990-")
    assert b"".join(tail.streaming_content) == b"0123456789"
    last = owner_client.get(f"/generations/{a_card.pk}/media", HTTP_RANGE="bytes=-5")
    assert last["Content-Range"] == "bytes 995-999/1000"


def test_unsatisfiable_range_is_416(owner_client, a_card):
    response = owner_client.get(f"/generations/{a_card.pk}/media",
                                HTTP_RANGE="bytes=5000-6000")
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1000"


def test_download_is_an_attachment_with_a_clear_name(owner_client, a_card):
    response = owner_client.get(f"/generations/{a_card.pk}/media?download=1")
    assert response["Content-Type"] == "audio/mpeg"
    assert f'attachment; filename="secret-plan-{a_card.pk}.mp3"' == response["Content-Disposition"]


def test_detail_page_shows_parameters_and_cost(owner_client, a_card):
    html = owner_client.get(f"/generations/{a_card.pk}/").content.decode()
    assert "secret plan" in html and "14 credits" in html


def test_pending_generation_has_no_media_yet(owner_client, team_a, owner):
    pending = Generation.objects.create(team=team_a, author=owner, kind="tts",
                                        params={"text": "soon"}, cost=14)
    assert owner_client.get(f"/generations/{pending.pk}/media").status_code == 404
