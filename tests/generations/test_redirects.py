"""Every `next` the studio honours goes to a path on this site, never off it."""

import pytest

from studio.generations.models import Generation

pytestmark = pytest.mark.django_db

OFF_SITE = ["https://evil.example/phish", "//evil.example/x", "/\\evil.example/x",
            "http:///evil.example", "javascript:alert(1)"]


def actions(job: Generation) -> dict[str, tuple[str, dict]]:
    return {"pause": (f"/generations/{job.pk}/pause/", {}),
            "top": (f"/generations/{job.pk}/top/", {}),
            "lane": (f"/generations/{job.pk}/lane/", {"lane": "background"}),
            "lane refused": (f"/generations/{job.pk}/lane/", {"lane": "nonsense"}),
            "cancel the rest": (f"/sets/{job.generation_set_id}/cancel-rest/", {}),
            "delete": (f"/generations/{job.pk}/delete/", {})}


@pytest.fixture
def in_a_set(owner_client, team_a):
    owner_client.post("/generate/tts/", {"text": "one of a set", "voice": "Wise_Woman"})
    return Generation.objects.get()


@pytest.mark.parametrize("action", ["pause", "top", "lane", "lane refused",
                                    "cancel the rest", "delete"])
@pytest.mark.parametrize("wanted", OFF_SITE)
def test_an_off_site_next_lands_on_the_studio_instead(owner_client, in_a_set, action,
                                                      wanted):
    path, data = actions(in_a_set)[action]
    response = owner_client.post(path, {**data, "next": wanted})
    assert response.status_code == 302
    assert response["Location"] == "/"  # the gallery


@pytest.mark.parametrize("action", ["pause", "cancel the rest", "delete"])
def test_a_path_on_the_site_is_followed(owner_client, in_a_set, action):
    path, data = actions(in_a_set)[action]
    response = owner_client.post(path, {**data, "next": "/credits/?kind=tts"})
    assert response["Location"] == "/credits/?kind=tts"


def test_restore_goes_back_only_to_a_path_on_the_site(owner_client, in_a_set):
    Generation.objects.filter(pk=in_a_set.pk).update(state="succeeded", status="succeeded")
    owner_client.post(f"/generations/{in_a_set.pk}/delete/")
    response = owner_client.post(f"/generations/{in_a_set.pk}/restore/",
                                 {"next": "//evil.example/x"})
    assert response["Location"] == "/trash/"
