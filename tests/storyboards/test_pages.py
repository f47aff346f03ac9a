"""The storyboard pages as a member, a viewer and an outsider use them: the list and
its create form, and the scene strip."""

import re
from html import unescape

import pytest

from studio.generations.models import Generation
from studio.storyboards import parts
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


# --- the scene strip ----------------------------------------------------------------


def rows_of(html: str) -> list[str]:
    return re.findall(r'<li class="scene-row".*?</form>\s*</div>\s*</li>', html, re.S)


def narrations(storyboard) -> list[str]:
    return [scene.narration for scene in storyboard.ordered_scenes]


def test_each_scene_shows_its_parts_missing_its_estimated_length_and_its_cost(
        teammate_client, teammate):
    made = storyboard_of(teammate)
    html = page(teammate_client, f"/storyboards/{made.pk}/")
    rows = rows_of(html)
    assert len(rows) == 3
    for row in rows:
        assert re.findall(r'data-part="(\w+)" data-state="(\w+)"', row) == [
            ("speech", "missing"), ("picture", "missing"), ("clip", "missing")]
        assert "(estimate)" in row and "hx-get" not in row  # nothing pending: no polling
    # 14 + 50 + 400 (wan22) a scene, before anything is sent.
    assert re.findall(r'data-scene-cost="(\d+)"', html) == ["464", "464", "464"]
    assert 'data-total-cost="1392"' in html and "1,392 credits" in html
    assert "2.8 s" in rows[1]  # "He climbs the stairs with a lamp.": 7 words at 2.5 a second


def test_a_scene_being_made_polls_for_its_row_until_nothing_in_it_is_pending(
        teammate_client, teammate):
    made = storyboard_of(teammate)
    scene = made.ordered_scenes[0]
    speech = Generation.objects.create(team=made.team, author=teammate, kind="tts",
                                       params=parts.params_of(scene, "speech"), cost=14,
                                       status="running", state="sending")
    scene.speech, scene.speech_made_from = speech, parts.made_from(scene, "speech")
    scene.save()
    html = page(teammate_client, f"/storyboards/{made.pk}/")
    assert f'hx-get="/storyboards/scenes/{scene.pk}/parts/"' in html
    assert 'data-part="speech" data-state="running"' in html
    assert 'id="make-panel"' in html and f'hx-get="/storyboards/{made.pk}/panel/"' in html
    Generation.objects.filter(pk=speech.pk).update(status="succeeded", state="succeeded",
                                                   duration_ms=5200)
    answer = page(teammate_client, f"/storyboards/scenes/{scene.pk}/parts/")
    assert 'data-part="speech" data-state="ready"' in answer
    assert "hx-get" not in answer  # the row stops asking
    assert "5.2 s" in answer and "(estimate)" not in answer


def test_a_narration_edited_in_place_is_saved_and_answers_the_field_row_and_quote(
        teammate_client, teammate):
    made = storyboard_of(teammate)
    scene = made.ordered_scenes[1]
    response = teammate_client.post(f"/storyboards/scenes/{scene.pk}/",
                                    {"narration": "  He climbs the long stairs.  "},
                                    HTTP_HX_REQUEST="true")
    html = unescape(response.content.decode())
    scene.refresh_from_db()
    assert response.status_code == 200 and scene.narration == "He climbs the long stairs."
    assert f'id="scene-{scene.pk}-narration-form"' in html and "Saved" in html
    assert f'id="scene-parts-{scene.pk}"' in html and 'hx-swap-oob="true"' in html
    assert 'id="make-panel"' in html


def test_a_narration_emptied_in_place_is_refused_beside_it_keeping_the_rest(
        teammate_client, teammate):
    made = storyboard_of(teammate)
    scene = made.ordered_scenes[0]
    response = teammate_client.post(f"/storyboards/scenes/{scene.pk}/",
                                    {"narration": "   "}, HTTP_HX_REQUEST="true")
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert re.search(rf'id="scene-{scene.pk}-narration-error"[^>]*>.*needs something to say',
                     html, re.S)
    scene.refresh_from_db()
    assert scene.narration == "A lighthouse keeper wakes before dawn."
    # Without script, the page again with the error beside the field.
    response = teammate_client.post(f"/storyboards/scenes/{scene.pk}/",
                                    {"picture_prompt": "x" * 2001})
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert f'id="scene-{scene.pk}-picture_prompt-error"' in html and "x" * 2001 in html


def test_the_earlier_and_later_buttons_and_a_drag_reorder_the_scenes(
        teammate_client, teammate):
    made = storyboard_of(teammate)
    first, second, third = made.ordered_scenes
    response = teammate_client.post(f"/storyboards/scenes/{third.pk}/move/",
                                    {"step": "earlier"})
    assert response.status_code == 302 and response.url.endswith(f"#scene-{third.pk}")
    assert [s.pk for s in made.ordered_scenes] == [first.pk, third.pk, second.pk]
    response = teammate_client.post(f"/storyboards/scenes/{second.pk}/move/",
                                    {"position": "1"}, HTTP_ACCEPT="text/plain")
    assert response.status_code == 200 and "scene 1" in response.content.decode()
    assert [s.pk for s in made.ordered_scenes] == [second.pk, first.pk, third.pk]


def test_a_scene_is_split_at_the_cursor_of_the_narration_as_typed(teammate_client, teammate):
    made = storyboard_of(teammate)
    scene = made.ordered_scenes[0]
    typed = "  A keeper wakes. He lights the lamp."
    response = teammate_client.post(f"/storyboards/scenes/{scene.pk}/split/",
                                    {"narration": typed, "at_char": str(typed.index("He"))})
    assert response.status_code == 302
    assert narrations(made)[:2] == ["A keeper wakes.", "He lights the lamp."]
    response = teammate_client.post(f"/storyboards/scenes/{scene.pk}/split/",
                                    {"narration": "A keeper wakes.", "at_char": ""},
                                    follow=True)
    assert "Put the cursor where the scene should be split" in unescape(
        response.content.decode())
    assert len(narrations(made)) == 4


def test_a_scene_is_added_at_the_end_and_removed_after_confirmation(
        teammate_client, teammate):
    made = storyboard_of(teammate)
    html = page(teammate_client, f"/storyboards/{made.pk}/")
    assert 'data-confirm="Remove scene 1?' in html
    response = teammate_client.post(f"/storyboards/{made.pk}/scenes/",
                                    {"narration": "Dawn breaks.", "motion_prompt": "tilt up"})
    assert response.status_code == 302 and narrations(made)[-1] == "Dawn breaks."
    response = teammate_client.post(f"/storyboards/{made.pk}/scenes/",
                                    {"narration": " ", "picture_prompt": "kept prompt"})
    html = unescape(response.content.decode())
    assert response.status_code == 400 and 'id="new-scene-narration-error"' in html
    assert "kept prompt" in html
    gone = made.ordered_scenes[0]
    teammate_client.post(f"/storyboards/scenes/{gone.pk}/remove/")
    assert narrations(made) == ["He climbs the stairs with a lamp.",
                                "The light sweeps over the sea.", "Dawn breaks."]


def test_the_title_look_and_crossfade_are_edited_and_a_refusal_keeps_what_was_typed(
        teammate_client, teammate):
    made = storyboard_of(teammate)
    response = teammate_client.post(f"/storyboards/{made.pk}/edit/", {
        "title": "The keeper, again", "look": "ink wash", "voice": "Abbess",
        "provider": "sora2", "crossfade": "1.5"})
    made.refresh_from_db()
    assert response.status_code == 302
    assert (made.title, made.look, made.voice, made.provider, made.crossfade) == \
        ("The keeper, again", "ink wash", "Abbess", "sora2", 1.5)
    html = page(teammate_client, f"/storyboards/{made.pk}/")
    assert re.findall(r'data-scene-cost="(\d+)"', html) == ["864", "864", "864"]  # sora2
    response = teammate_client.post(f"/storyboards/{made.pk}/edit/", {
        "title": "Kept", "look": "kept look", "voice": "Abbess", "provider": "sora2",
        "crossfade": "3"})
    html = unescape(response.content.decode())
    assert response.status_code == 400 and 'id="storyboard-crossfade-error"' in html
    assert 'value="Kept"' in html and 'value="kept look"' in html and 'value="3"' in html
    assert '<details class="storyboard-settings" open>' in html


def test_a_viewer_watches_the_strip_but_changes_nothing(viewer_client, teammate):
    made = storyboard_of(teammate)
    html = page(viewer_client, f"/storyboards/{made.pk}/")
    assert len(rows_of(html)) == 3 or html.count('class="scene-row"') == 3
    assert "Make the film" not in html and "hx-post" not in html
    scene = made.ordered_scenes[0]
    for url, data in ((f"/storyboards/scenes/{scene.pk}/", {"narration": "No"}),
                      (f"/storyboards/scenes/{scene.pk}/move/", {"step": "later"}),
                      (f"/storyboards/scenes/{scene.pk}/remove/", {}),
                      (f"/storyboards/{made.pk}/edit/", {"title": "No"})):
        assert viewer_client.post(url, data).status_code == 403, url


def test_an_outsider_reaches_no_scene_of_another_team(outsider_client, teammate):
    made = storyboard_of(teammate)
    scene = made.ordered_scenes[0]
    assert outsider_client.get(f"/storyboards/scenes/{scene.pk}/parts/").status_code == 404
    assert outsider_client.get(f"/storyboards/{made.pk}/panel/").status_code == 404
    assert outsider_client.post(f"/storyboards/scenes/{scene.pk}/",
                                {"narration": "Mine"}).status_code == 404


# --- making -----------------------------------------------------------------------


def test_make_the_film_sends_one_set_and_the_strip_shows_its_parts_waiting(
        teammate_client, teammate):
    made = storyboard_of(teammate)
    html = page(teammate_client, f"/storyboards/{made.pk}/")
    assert f'action="/storyboards/{made.pk}/make/"' in html and "Make the film" in html
    response = teammate_client.post(f"/storyboards/{made.pk}/make/", follow=True)
    html = unescape(response.content.decode())
    assert response.redirect_chain[0] == (f"/storyboards/{made.pk}/", 302)
    assert "Making “The keeper”: 9 parts and the film" in html and "1,392 credits" in html
    assert html.count('data-state="queued"') == 9
    assert 'data-storyboard-state>Making' in html and "Making the film…" in html
    assert f'hx-get="/storyboards/{made.pk}/panel/"' in html
    assert Generation.objects.filter(kind="film", status="queued").count() == 1


def test_a_make_the_budget_cannot_cover_is_refused_in_the_panel_and_nothing_is_sent(
        teammate_client, teammate, team_a):
    team_a.credits_remaining = 100
    team_a.save()
    made = storyboard_of(teammate)
    response = teammate_client.post(f"/storyboards/{made.pk}/make/")
    html = unescape(response.content.decode())
    assert response.status_code == 400 and not Generation.objects.exists()
    assert re.search(r'id="make-refusal"[^>]*>.*Not made: .*cannot cover', html, re.S)


def test_a_make_above_the_approval_limit_says_it_waits_for_an_admin(
        teammate_client, teammate, team_a):
    team_a.approval_above = 100
    team_a.save()
    made = storyboard_of(teammate)
    html = unescape(teammate_client.post(f"/storyboards/{made.pk}/make/",
                                         follow=True).content.decode())
    assert "waiting for approval" in html
    assert html.count(">Waiting for approval</span>") == 9
    assert "Waiting for an admin's approval" in html


def test_one_part_is_made_again_alone_from_its_row(teammate_client, teammate):
    made = storyboard_of(teammate)
    scene = made.ordered_scenes[2]
    html = page(teammate_client, f"/storyboards/{made.pk}/")
    assert "Make the picture of scene 3, with a new clip from it? 450 credits." in html
    response = teammate_client.post(f"/storyboards/scenes/{scene.pk}/retake/",
                                    {"part": "picture"})
    assert response.status_code == 302 and response.url.endswith(f"#scene-{scene.pk}")
    assert sorted(Generation.objects.values_list("kind", flat=True)) == ["image", "video_i2v"]
    row = page(teammate_client, f"/storyboards/scenes/{scene.pk}/parts/")
    assert 'data-part="picture" data-state="queued"' in row and "hx-get" in row


def test_a_viewer_may_not_make_the_film(viewer_client, teammate):
    made = storyboard_of(teammate)
    assert viewer_client.post(f"/storyboards/{made.pk}/make/").status_code == 403
    scene = made.ordered_scenes[0]
    assert viewer_client.post(f"/storyboards/scenes/{scene.pk}/retake/",
                              {"part": "speech"}).status_code == 403
    assert not Generation.objects.exists()
