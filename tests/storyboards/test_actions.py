"""The storyboard's actions: made from a script, edited, reordered; what a make
would cost and each part's state."""

import pytest
from django.core.exceptions import PermissionDenied

from studio.finishing import film
from studio.generations.models import Generation
from studio.generations.states import State, Status
from studio.multimodal import catalog
from studio.storyboards import actions, parts
from studio.storyboards.models import Scene, Storyboard
from studio.teams.models import AuditEvent
from tests.storyboards.helpers import THREE_SCENES, membership, storyboard_of

I2V = catalog.get(catalog.VIDEO_I2V)
SCENE_PRICE = (catalog.get(catalog.TTS).cost + catalog.get(catalog.IMAGE).cost
               + I2V.provider("wan22").cost)


def narrations(storyboard) -> list[str]:
    return [scene.narration for scene in storyboard.ordered_scenes]


def test_a_script_makes_a_storyboard_of_its_scenes_in_order(owner):
    storyboard = storyboard_of(owner, look="oil painting, warm light")
    scenes = storyboard.ordered_scenes
    assert [s.position for s in scenes] == [0, 1, 2]
    assert scenes[0].the_picture_prompt == "a lighthouse on a cliff at dawn"
    assert scenes[1].the_motion_prompt == "He climbs the stairs with a lamp."
    assert parts.params_of(scenes[0], parts.PICTURE)["prompt"] == \
        "a lighthouse on a cliff at dawn, oil painting, warm light"
    assert AuditEvent.objects.for_team(storyboard.team).filter(
        action=AuditEvent.Action.STORYBOARD_CREATED).count() == 1


def test_a_bad_script_is_refused_naming_the_field_and_nothing_is_kept(owner):
    done = actions.create(membership(owner), "The keeper", "\n\n")
    assert not done.ok and done.code == "invalid" and "script" in done.result
    done = actions.create(membership(owner), "  ", THREE_SCENES)
    assert not done.ok and "title" in done.result
    assert not Storyboard.objects.exists()


def test_what_its_film_could_not_take_is_refused_before_anything_is_paid_for(owner):
    """A storyboard is one film: its scenes, title and crossfade within the film's own
    limits, so no make pays for parts of a film that would then fail."""
    many = "\n\n".join(["Said."] * (film.MAX_SCENES + 1))
    done = actions.create(membership(owner), "Many", many)
    assert not done.ok and f"at most {film.MAX_SCENES}" in done.result["script"]
    done = actions.create(membership(owner), "T" * (film.MAX_TITLE + 1), THREE_SCENES)
    assert not done.ok and f"at most {film.MAX_TITLE}" in done.result["title"]
    done = actions.create(membership(owner), "Slow", THREE_SCENES,
                          crossfade=film.MAX_CROSSFADE + 0.5)
    assert not done.ok and "crossfade" in done.result
    assert not Storyboard.objects.exists()


def test_a_scene_the_api_would_refuse_is_named_before_anything_is_kept(owner):
    too_long = "word " * 250  # over the motion prompt's limit, its default
    done = actions.create(membership(owner), "Long", f"Short.\n\n{too_long}")
    assert not done.ok and done.result["script"].startswith("Scene 2: Clip:")
    assert not Scene.objects.exists()


def test_a_viewer_cannot_make_or_change_a_storyboard(owner, viewer):
    with pytest.raises(PermissionDenied):
        actions.create(membership(viewer), "Mine", THREE_SCENES)
    scene = storyboard_of(owner).ordered_scenes[0]
    with pytest.raises(PermissionDenied):
        actions.edit_scene(membership(viewer), scene, narration="Changed.")


def test_a_scene_is_added_split_moved_and_removed_keeping_positions_dense(owner):
    member, storyboard = membership(owner), storyboard_of(owner)
    assert actions.add_scene(member, storyboard, "Coda.", position=1).ok
    assert narrations(storyboard)[1] == "Coda."
    first = storyboard.ordered_scenes[0]
    split = actions.split_scene(member, first, first.narration.index("before"))
    assert split.ok and split.result.picture_prompt == "a lighthouse on a cliff at dawn"
    assert narrations(storyboard)[:3] == ["A lighthouse keeper wakes", "before dawn.", "Coda."]
    assert actions.move_scene(member, storyboard.ordered_scenes[2], 0).result.position == 0
    assert narrations(storyboard)[0] == "Coda."
    assert actions.remove_scene(member, storyboard.ordered_scenes[0]).ok
    assert [s.position for s in storyboard.ordered_scenes] == [0, 1, 2, 3]
    assert narrations(storyboard)[0] == "A lighthouse keeper wakes"


def test_a_split_needs_words_on_both_sides_and_the_last_scene_stays(owner):
    member = membership(owner)
    storyboard = storyboard_of(owner, script="Only one.")
    scene = storyboard.ordered_scenes[0]
    assert actions.split_scene(member, scene, 0).result == {
        "at_char": "Split between words, with something to say on either side."}
    assert not actions.remove_scene(member, scene).ok
    assert Scene.objects.for_team(storyboard.team).count() == 1


def test_an_edit_the_api_would_refuse_changes_nothing(owner):
    scene = storyboard_of(owner).ordered_scenes[0]
    done = actions.edit_scene(membership(owner), scene, voice="Nobody")
    assert not done.ok and "voice" in done.result
    scene.refresh_from_db()
    assert scene.voice == ""


def test_costs_before_anything_is_made_are_every_part_from_the_catalog(owner):
    storyboard = storyboard_of(owner, provider="sora2")
    costs = parts.scene_costs(storyboard)
    sora = SCENE_PRICE - I2V.provider("wan22").cost + I2V.provider("sora2").cost
    assert [c.total for c in costs.scenes] == [sora] * 3 and costs.total == 3 * sora


def made(scene, part: str, status=Status.SUCCEEDED) -> Generation:
    kind = catalog.get(parts.KIND_OF[part])
    params = parts.params_of(scene, part)
    generation = Generation.objects.create(
        team=scene.storyboard.team, kind=kind.endpoint_type, params=params,
        cost=kind.cost_for(params), state=State(status), status=status)
    setattr(scene, part, generation)
    setattr(scene, f"{part}_made_from", parts.made_from(scene, part))
    scene.save()
    return generation


def test_a_ready_scene_costs_nothing_until_its_narration_changes(owner):
    storyboard = storyboard_of(owner)
    scene = storyboard.ordered_scenes[0]
    for part in parts.PARTS:
        made(scene, part)
    assert set(parts.scene_state(scene).values()) == {parts.PartState.READY}
    assert parts.scene_costs(storyboard).scenes[0].total == 0
    actions.edit_scene(membership(owner), scene, narration="The keeper sleeps on.")
    assert parts.scene_state(scene) == {"speech": "changed", "picture": "ready",
                                        "clip": "ready"}
    assert parts.scene_costs(storyboard).scenes[0].parts == {
        "speech": catalog.get(catalog.TTS).cost, "picture": 0, "clip": 0}


def test_a_new_picture_prompt_changes_the_clip_too(owner):
    storyboard = storyboard_of(owner)
    scene = storyboard.ordered_scenes[1]
    for part in parts.PARTS:
        made(scene, part)
    actions.edit_scene(membership(owner), scene, picture_prompt="a spiral staircase")
    assert parts.to_make(scene) == ["picture", "clip"]


def test_each_part_shows_where_its_generation_is(owner):
    scene = storyboard_of(owner).ordered_scenes[0]
    made(scene, "speech", Status.QUEUED)
    made(scene, "picture", Status.FAILED)
    assert parts.scene_state(scene) == {"speech": "queued", "picture": "failed",
                                        "clip": "missing"}
    assert parts.to_make(scene) == ["picture", "clip"]


def test_a_team_reaches_only_its_own_storyboards(owner, outsider):
    storyboard_of(owner)
    assert not Storyboard.objects.for_team(membership(outsider).team).exists()
    assert not Scene.objects.for_team(membership(outsider).team).exists()
