"""A new take of one part of one scene (the strip's "Make again"): that part alone (a
picture with its clip), and the film again only when nothing else is left to make."""

from collections import Counter

import pytest

from studio.generations.models import Generation, GenerationSet
from studio.generations.states import Status
from studio.multimodal import catalog
from studio.storyboards import actions, parts
from tests.generations.helpers import drive
from tests.storyboards.helpers import membership, storyboard_of
from tests.storyboards.test_making import api_calls

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(sandbox_url, fake_clock, settings):
    settings.STUDIO_PUBLIC_URL = sandbox_url.removesuffix("/sandbox")
    return fake_clock


def test_a_new_take_of_a_ready_picture_makes_it_its_clip_and_the_film_and_nothing_else(
        world, team_a, owner):
    storyboard = storyboard_of(owner)
    member = membership(owner)
    actions.make(member, storyboard)
    drive(world)
    scene = storyboard.ordered_scenes[1]
    old_picture, old_film = scene.picture_id, Generation.objects.get(kind=catalog.FILM)
    done = actions.retake(member, scene, parts.PICTURE)
    assert done.ok, done.message
    assert Counter(g.kind for g in done.result.generations) == {
        "image": 1, "video_i2v": 1, catalog.FILM: 1}
    drive(world)
    assert api_calls() == {"tts": 3, "image": 4, "video_i2v": 4}
    scene.refresh_from_db()
    storyboard.refresh_from_db()
    assert scene.picture_id != old_picture and scene.clip.source_id == scene.picture_id
    assert storyboard.film != old_film and storyboard.film.status == Status.SUCCEEDED
    assert storyboard.film.params["scenes"][1]["clip"] == scene.clip_id


def test_a_take_while_other_parts_are_unmade_sends_that_part_alone_and_no_film(
        world, team_a, owner):
    storyboard = storyboard_of(owner)
    scene = storyboard.ordered_scenes[0]
    done = actions.retake(membership(owner), scene, parts.SPEECH)
    assert done.ok and "the film" not in done.message
    assert [g.kind for g in done.result.generations] == ["tts"]
    assert GenerationSet.objects.get().cost == catalog.get(catalog.TTS).cost
    drive(world)
    scene.refresh_from_db()
    storyboard.refresh_from_db()
    assert parts.part_state(scene, parts.SPEECH) == parts.PartState.READY
    assert storyboard.film is None
    assert parts.scene_costs(storyboard).total == 3 * 464 - 14


def test_a_take_of_no_known_part_is_refused(team_a, owner):
    storyboard = storyboard_of(owner)
    done = actions.retake(membership(owner), storyboard.ordered_scenes[0], "soundtrack")
    assert not done.ok and done.code == "invalid" and not Generation.objects.exists()


def test_a_take_of_a_clip_whose_picture_was_never_made_brings_its_picture(
        world, team_a, owner):
    storyboard = storyboard_of(owner)
    scene = storyboard.ordered_scenes[0]
    done = actions.retake(membership(owner), scene, parts.CLIP)
    assert done.ok, done.message
    assert [g.kind for g in done.result.generations] == ["image", "video_i2v"]
    drive(world)
    scene.refresh_from_db()
    assert scene.clip.status == Status.SUCCEEDED, scene.clip.error_message
    assert scene.clip.source_id == scene.picture_id
