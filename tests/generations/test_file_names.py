"""A downloaded file is named after what it shows: the first words of its prompt or
text and its id, or its kind as a person reads it when it has no words."""

import pytest
from django.core.files.base import ContentFile

from studio.generations.models import Generation, Status
from tests.lib import hostile

pytestmark = pytest.mark.django_db


def finished(team, author, kind: str, params: dict) -> Generation:
    item = Generation.objects.create(team=team, author=author, kind=kind, cost=50,
                                     params=params, status=Status.SUCCEEDED,
                                     media_format="png")
    item.media.save(f"{item.file_stem}.png", ContentFile(hostile.png()))
    return item


def test_a_download_is_named_after_the_prompt_and_the_id(owner_client, team_a, owner):
    picture = finished(team_a, owner, "image", {"prompt": "Lighthouse on a cliff, at dawn!"})
    response = owner_client.get(f"/generations/{picture.pk}/media?download=1")
    expected = f"lighthouse-on-a-cliff-at-dawn-{picture.pk}.png"
    assert f'filename="{expected}"' in response["Content-Disposition"]
    assert picture.download_name == expected


def test_a_long_prompt_is_cut_between_words(team_a, owner):
    words = "a very long prompt about " + "an orange lighthouse " * 10
    picture = finished(team_a, owner, "image", {"prompt": words})
    slug = picture.file_stem.removesuffix(f"-{picture.pk}")
    assert len(slug) <= 60
    assert words.lower().replace(" ", "-").startswith(slug + "-")


def test_speech_is_named_after_its_text(team_a, owner):
    speech = finished(team_a, owner, "tts", {"text": "Welcome back.", "voice": "Calm_Woman"})
    assert speech.file_stem == f"welcome-back-{speech.pk}"


def test_work_without_words_is_named_after_its_kind_as_people_read_it(team_a, owner):
    video = finished(team_a, owner, "video_i2v", {"image_url": "https://example.com/a.png"})
    assert video.file_stem == f"image-to-video-{video.pk}"
    assert "video_i2v" not in video.download_name
