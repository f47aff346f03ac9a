"""Making a storyboard on the sandbox through the real dispatcher and worker path:
one set, one quote equal to the charge, and a re-make that sends only what changed."""

from collections import Counter

import pytest

from studio.credits.models import LedgerEntry
from studio.generations import actions as generation_actions
from studio.generations.models import Generation, GenerationSet
from studio.generations.states import State, Status
from studio.multimodal import catalog
from studio.sandbox.models import SandboxUsage
from studio.storyboards import actions, parts
from tests.generations.helpers import drive
from tests.storyboards.helpers import membership, storyboard_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(sandbox_url, fake_clock, settings):
    settings.STUDIO_PUBLIC_URL = sandbox_url.removesuffix("/sandbox")
    return fake_clock


def api_calls() -> Counter:
    return Counter(SandboxUsage.objects.values_list("endpoint_type", flat=True))


def charged(team) -> int:
    return sum(LedgerEntry.objects.for_team(team).values_list("credits", flat=True))


def kinds_made(team) -> Counter:
    return Counter(Generation.objects.for_team(team).values_list("kind", flat=True))


def test_a_three_scene_script_is_made_as_one_set_quoted_as_charged(world, team_a, owner):
    storyboard = storyboard_of(owner, look="oil painting")
    quoted = parts.scene_costs(storyboard).total
    done = actions.make(membership(owner), storyboard)
    assert done.ok, done.message
    made = GenerationSet.objects.get()
    assert (made.kind, made.size, made.cost) == ("mixed", 10, quoted)
    drive(world)
    assert kinds_made(team_a) == {"tts": 3, "image": 3, "video_i2v": 3, catalog.FILM: 1}
    assert api_calls() == {"tts": 3, "image": 3, "video_i2v": 3}
    assert charged(team_a) == quoted
    storyboard.refresh_from_db()
    film = storyboard.film
    assert film.status == Status.SUCCEEDED, film.error_message
    scenes = storyboard.ordered_scenes
    assert film.params["scenes"] == [{"clip": s.clip_id, "speech": s.speech_id,
                                      "text": s.narration} for s in scenes]
    assert [s.clip.source_id for s in scenes] == [s.picture_id for s in scenes]
    assert all(set(parts.scene_state(s).values()) == {"ready"} for s in scenes)
    assert parts.scene_costs(storyboard).total == 0


def test_a_changed_narration_makes_one_speech_and_the_film_again(world, team_a, owner):
    storyboard = storyboard_of(owner)
    member = membership(owner)
    actions.make(member, storyboard)
    drive(world)
    first_film = Generation.objects.get(kind=catalog.FILM)
    scene = storyboard.ordered_scenes[1]
    actions.edit_scene(member, scene, narration="He climbs, slowly, counting the steps.")
    assert parts.scene_costs(storyboard).total == catalog.get(catalog.TTS).cost
    done = actions.make(member, storyboard)
    assert done.ok and done.result.generations[0].generation_set.size == 2
    drive(world)
    assert api_calls() == {"tts": 4, "image": 3, "video_i2v": 3}
    assert kinds_made(team_a) == {"tts": 4, "image": 3, "video_i2v": 3, catalog.FILM: 2}
    storyboard.refresh_from_db()
    assert storyboard.film != first_film and storyboard.film.status == Status.SUCCEEDED
    assert storyboard.film.params["scenes"][1]["text"] == "He climbs, slowly, counting the steps."


def test_nothing_changed_makes_nothing(world, team_a, owner):
    storyboard = storyboard_of(owner, script="Only one scene.")
    actions.make(membership(owner), storyboard)
    drive(world)
    done = actions.make(membership(owner), storyboard)
    assert not done.ok and done.code == "nothing_to_make"
    assert GenerationSet.objects.count() == 1


def test_a_new_picture_makes_its_clip_and_the_film_and_nothing_else(world, team_a, owner):
    storyboard = storyboard_of(owner)
    member = membership(owner)
    actions.make(member, storyboard)
    drive(world)
    scene = storyboard.ordered_scenes[2]
    actions.edit_scene(member, scene, picture_prompt="a beam over a night sea")
    done = actions.make(member, storyboard)
    assert Counter(g.kind for g in done.result.generations) == {
        "image": 1, "video_i2v": 1, catalog.FILM: 1}
    drive(world)
    assert api_calls() == {"tts": 3, "image": 4, "video_i2v": 4}
    scene.refresh_from_db()
    assert scene.clip.source_id == scene.picture_id and scene.clip.status == Status.SUCCEEDED


def test_above_the_approval_limit_a_members_set_waits_as_a_whole(team_a, teammate):
    team_a.approval_above = 100
    team_a.save()
    storyboard = storyboard_of(teammate)
    done = actions.make(membership(teammate), storyboard)
    assert done.ok and done.result.held and "waiting for approval" in done.message
    assert set(Generation.objects.for_team(team_a).values_list("state", flat=True)) == \
        {State.HELD}


def test_over_the_budget_nothing_is_made(team_a, owner):
    team_a.credits_remaining = 100
    team_a.save()
    storyboard = storyboard_of(owner)
    done = actions.make(membership(owner), storyboard)
    assert not done.ok and done.code == "balance" and "cannot cover" in done.message
    assert not Generation.objects.exists() and not GenerationSet.objects.exists()
    storyboard.refresh_from_db()
    assert storyboard.film is None


def test_a_storyboards_set_is_retried_by_making_it_again_not_as_one_kind(team_a, owner):
    storyboard = storyboard_of(owner, script="Only one scene.")
    done = actions.make(membership(owner), storyboard)
    made = done.result.generations[0].generation_set
    Generation.objects.filter(kind="image").update(state=State.FAILED, status=Status.FAILED)
    refused = generation_actions.retry_failed(membership(owner), made)
    assert not refused.ok and refused.code == "mixed_set"
    assert GenerationSet.objects.count() == 1
