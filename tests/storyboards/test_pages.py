"""The storyboard pages as a member, a viewer and an outsider use them: the list and
its create form, and the scene strip."""

import re
from html import unescape

import pytest

from studio.storyboards.models import Storyboard
from tests.storyboards.helpers import THREE_SCENES, storyboard_of

pytestmark = pytest.mark.django_db


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


# --- the list and its create form ---------------------------------------------------


def test_the_list_explains_what_a_storyboard_is_and_offers_the_form(teammate_client):
    html = page(teammate_client, "/storyboards/")
    assert "No storyboards yet" in html and "a film in scenes" in html
    assert 'name="title"' in html and 'name="script"' in html
    assert "Picture:" in html and "Motion:" in html  # the script's format, shown
    assert re.search(r'<option value="Wise_Woman" selected>', html)  # the catalog's default
    assert re.search(r'<option value="wan22" selected>', html)


def test_the_top_navigation_leads_to_the_storyboards(teammate_client):
    assert 'href="/storyboards/"' in page(teammate_client, "/boards/")


def test_a_member_pastes_a_script_and_lands_on_its_strip(teammate_client, teammate):
    response = teammate_client.post("/storyboards/", {
        "title": "The keeper", "script": THREE_SCENES, "look": "soft watercolour",
        "voice": "Calm_Woman", "provider": "seedance", "crossfade": "0,5"})
    made = Storyboard.objects.get()
    assert response.status_code == 302 and response.url == f"/storyboards/{made.pk}/"
    assert (made.title, made.look, made.voice, made.provider, made.crossfade) == \
        ("The keeper", "soft watercolour", "Calm_Woman", "seedance", 0.5)
    html = page(teammate_client, response.url)
    assert html.count('class="scene-row"') == 3
    assert "He climbs the stairs with a lamp." in html


def test_a_script_without_scenes_is_refused_beside_it_keeping_everything_typed(
        teammate_client):
    response = teammate_client.post("/storyboards/", {
        "title": "Kept title", "script": "  \n\n  ", "look": "kept look",
        "voice": "Abbess", "provider": "sora2", "crossfade": "1"})
    html = unescape(response.content.decode())
    assert response.status_code == 400 and not Storyboard.objects.exists()
    assert re.search(r'id="storyboard-script-error"[^>]*>.*The script has no scene', html, re.S)
    assert 'aria-invalid="true"' in html
    assert 'value="Kept title"' in html and 'value="kept look"' in html
    assert '<option value="Abbess" selected>' in html
    assert '<option value="sora2" selected>' in html


def test_a_missing_title_and_a_crossfade_that_is_no_number_are_named_beside_them(
        teammate_client):
    response = teammate_client.post("/storyboards/", {"title": "", "script": THREE_SCENES,
                                                      "crossfade": "soon"})
    html = unescape(response.content.decode())
    assert response.status_code == 400 and "storyboard-crossfade-error" in html
    assert "lighthouse keeper wakes" in html  # the script kept
    response = teammate_client.post("/storyboards/", {"title": " ", "script": THREE_SCENES,
                                                      "crossfade": "0"})
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert re.search(r'id="storyboard-title-error"[^>]*>.*Give the storyboard a title', html,
                     re.S)


def test_each_storyboard_in_the_list_shows_its_title_scene_count_and_state(
        teammate_client, teammate):
    made = storyboard_of(teammate)
    html = page(teammate_client, "/storyboards/")
    tile = re.search(rf'data-storyboard-id="{made.pk}".*?</li>', html, re.S).group(0)
    assert "The keeper" in tile and "3 scenes" in tile and "Not made yet" in tile
    assert 'data-state="draft"' in tile


def test_a_viewer_sees_the_list_without_the_form_and_may_not_create(viewer_client):
    html = page(viewer_client, "/storyboards/")
    assert 'name="script"' not in html
    response = viewer_client.post("/storyboards/", {"title": "No", "script": THREE_SCENES})
    assert response.status_code == 403 and not Storyboard.objects.exists()


def test_an_outsider_neither_sees_nor_opens_another_teams_storyboard(
        outsider_client, teammate):
    made = storyboard_of(teammate)
    assert "The keeper" not in page(outsider_client, "/storyboards/")
    assert outsider_client.get(f"/storyboards/{made.pk}/").status_code == 404


def test_the_pages_need_a_login(client):
    response = client.get("/storyboards/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
