"""The mix editor's page: what its preview plays, its volume slider, and a typed offset
that is not a number coming back beside its field."""

import json
import re

import pytest

from studio.generations.models import Generation
from tests.finishing.helpers import finished_speech, finished_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def parts(team_a, owner, tmp_path):
    return finished_video(team_a, owner, tmp_path, seconds=2), finished_speech(team_a, owner)


def test_the_page_offers_each_items_media_and_length_to_the_preview(owner_client, parts):
    video, speech = parts
    page = owner_client.get(f"/generate/mix/?source={video.pk}&speech={speech.pk}")
    html = page.content.decode()
    offered = json.loads(re.search(r'<script id="mix-media" type="application/json">(.*?)'
                                   r"</script>", html).group(1))
    assert offered[str(video.pk)]["media"] == f"/generations/{video.pk}/media"
    assert offered[str(video.pk)]["seconds"] == pytest.approx(2.0)
    assert offered[str(speech.pk)]["seconds"] == speech.duration_ms / 1000
    assert re.search(r'<input type="range" name="volume" value="1"[^>]* min="0" max="2"', html)


def test_an_offset_that_is_not_a_number_comes_back_beside_its_field(owner_client, parts):
    video, speech = parts
    response = owner_client.post("/generate/mix/", {
        "video": video.pk, "speech": speech.pk, "offset": "soon", "fit": "pad",
        "volume": "1.5"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_offset-error"' in html and 'value="soon"' in html
    assert 'name="volume" value="1.5"' in html
    assert not Generation.objects.filter(kind="mix").exists()


def test_the_offset_and_volume_set_in_the_editor_are_the_mixs(owner_client, parts):
    video, speech = parts
    response = owner_client.post("/generate/mix/", {
        "video": video.pk, "speech": speech.pk, "offset": "0.7", "fit": "hold",
        "volume": "0.55"})
    assert response.status_code == 302
    params = Generation.objects.get(kind="mix").params
    assert (params["offset"], params["volume"], params["fit"]) == (0.7, 0.55, "hold")
