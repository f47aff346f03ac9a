"""The team's prompt library: a member keeps a prompt with its kind and settings under
a name; the team finds it in the composer and takes it back, and each use is counted."""

from urllib.parse import parse_qs, urlsplit

import pytest

from studio.generations.models import SavedPrompt
from studio.teams.models import AuditEvent

pytestmark = pytest.mark.django_db

IMAGE = {"prompt": "a lighthouse at dawn, oil painting", "aspect": "16:9", "size": "small",
         "width": "1024", "height": "576", "style": "oil", "count": "1", "lane": "normal"}


def save(client, name: str, **headers):
    return client.post("/prompts/save/image/", {**IMAGE, "library_name": name}, **headers)


def test_a_member_keeps_a_prompt_with_its_kind_and_settings(teammate_client, team_a,
                                                            teammate):
    answer = save(teammate_client, "  Dawn   lighthouse ")
    assert answer.status_code == 302
    saved = SavedPrompt.objects.get()
    assert (saved.team, saved.author, saved.name, saved.kind) == (
        team_a, teammate, "Dawn lighthouse", "image")
    assert saved.params == {"prompt": IMAGE["prompt"], "width": 1024, "height": 576,
                            "style": "oil"}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PROMPT_SAVED).exists()


def test_from_the_composer_saving_keeps_the_form_and_lists_the_prompt(teammate_client):
    answer = save(teammate_client, "Dawn lighthouse", HTTP_HX_REQUEST="true")
    assert answer["HX-Reswap"] == "none"
    page = answer.content.decode()
    assert "is in the team&#x27;s prompt library" in page
    assert 'id="library" hx-swap-oob="true"' in page and "Dawn lighthouse" in page


def test_a_name_is_needed_and_is_the_teams_own(teammate_client, owner_client):
    assert save(teammate_client, "Dawn").status_code == 302
    taken = save(owner_client, "dawn", HTTP_HX_REQUEST="true").content.decode()
    assert "already has a prompt named" in taken
    empty = save(owner_client, "   ", HTTP_HX_REQUEST="true").content.decode()
    assert "Give the prompt a name" in empty
    assert SavedPrompt.objects.count() == 1


def test_a_prompt_that_could_not_be_generated_is_not_kept(teammate_client):
    answer = teammate_client.post("/prompts/save/image/", {**IMAGE, "prompt": "",
                                                           "library_name": "Empty"})
    assert answer.status_code == 302 and "/generate/image/?" in answer["Location"]
    assert "library_name=Empty" in answer["Location"]  # what was typed comes back
    assert not SavedPrompt.objects.exists()


def test_using_a_prompt_counts_it_and_fills_the_composer(teammate_client, owner_client):
    save(teammate_client, "Dawn lighthouse")
    saved = SavedPrompt.objects.get()
    answer = owner_client.post(f"/prompts/{saved.pk}/use/")
    query = parse_qs(urlsplit(answer["Location"]).query)
    assert query["compose"] == ["image"] and query["prompt"] == [IMAGE["prompt"]]
    assert query["width"] == ["1024"] and query["style"] == ["oil"]
    saved.refresh_from_db()
    assert saved.uses == 1
    composer = owner_client.get(answer["Location"]).content.decode()
    assert IMAGE["prompt"] in composer and 'value="16:9" ' in composer


def test_the_composer_lists_the_teams_prompts_most_used_first(teammate_client, team_a):
    save(teammate_client, "Rarely")
    save(teammate_client, "Often")
    SavedPrompt.objects.filter(name="Often").update(uses=5)
    page = teammate_client.get("/").content.decode()
    page = page[page.index('id="library"'):]  # past the messages of the saves
    assert page.index("Often") < page.index("Rarely")
    assert "Used 5 times" in page and "data-library-find" in page


def test_prompts_stay_in_their_team_and_viewers_cannot_keep_or_use_them(
        teammate_client, viewer_client, outsider_client):
    save(teammate_client, "Ours")
    saved = SavedPrompt.objects.get()
    assert "Ours" not in outsider_client.get("/prompts/").content.decode()
    assert outsider_client.post(f"/prompts/{saved.pk}/use/").status_code == 404
    assert viewer_client.post(f"/prompts/{saved.pk}/use/").status_code == 403
    assert save(viewer_client, "Theirs").status_code == 403
