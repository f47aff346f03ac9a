"""Every card is drawn in its media's own shape, chosen from what was stored (or asked
for), and each member keeps the row size they chose."""

from pathlib import Path

import pytest

from studio.generations import shapes
from studio.generations.models import Generation, Status
from studio.teams.models import Membership

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_the_shape_stylesheet_is_the_one_the_module_writes():
    assert (ROOT / "static/css/aspects.css").read_text() == shapes.stylesheet()


@pytest.mark.parametrize("ratio", [16 / 9, 9 / 16, 1.0, 3 / 2, 4 / 5, 21 / 9, 0.25, 4.0])
def test_a_shape_class_draws_within_one_percent_of_the_ratio(ratio):
    drawn = shapes.STEP ** shapes.step_of(ratio)
    assert abs(drawn / ratio - 1) < 0.011


def card_class(client, pk: int) -> str:
    page = client.get("/").content.decode()
    start = page.index(f'id="gen-{pk}"')
    return page[page.rindex('<article class="', 0, start):start]


def test_a_card_takes_its_stored_shape_and_a_pending_one_the_shape_asked_for(
        owner_client, team_a, owner):
    wide = Generation.objects.create(team=team_a, author=owner, kind="image", cost=50,
                                     params={"prompt": "wide"}, status=Status.SUCCEEDED,
                                     width=1280, height=720)
    waiting = Generation.objects.create(team=team_a, author=owner, kind="image", cost=50,
                                        params={"prompt": "tall", "width": 512,
                                                "height": 1024})
    speech = Generation.objects.create(team=team_a, author=owner, kind="tts", cost=14,
                                       params={"text": "hi"})
    assert shapes.class_of(16 / 9) in card_class(owner_client, wide.pk)
    assert shapes.class_of(0.5) in card_class(owner_client, waiting.pk)
    assert shapes.class_of(shapes.SPEECH) in card_class(owner_client, speech.pk)


def test_a_member_keeps_the_row_size_they_chose(teammate_client, teammate, team_a):
    assert "gallery-grid density-medium" in teammate_client.get("/").content.decode()
    answer = teammate_client.post("/gallery/density/", {"density": "large"},
                                  HTTP_HX_REQUEST="true")
    assert answer.status_code == 204
    assert Membership.objects.get(user=teammate, team=team_a).gallery_density == "large"
    page = teammate_client.get("/").content.decode()
    assert "gallery-grid density-large" in page
    assert 'value="large" form="gallery-density" checked' in page


def test_a_row_size_not_offered_is_refused_and_nothing_changes(teammate_client, teammate,
                                                                team_a):
    answer = teammate_client.post("/gallery/density/", {"density": "huge"}, follow=True)
    assert "Choose small, medium or large." in answer.content.decode()
    assert Membership.objects.get(user=teammate, team=team_a).gallery_density == "medium"


def test_the_row_size_needs_a_login(client):
    answer = client.post("/gallery/density/", {"density": "small"})
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
