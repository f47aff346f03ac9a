"""A row that waits for another (Generation.waits_for): a clip for the picture it
moves, driven through the real dispatcher tick and the sandbox over loopback."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from studio.credits import budget
from studio.credits.models import LedgerEntry
from studio.generations import dispatch
from studio.generations.models import Attempt, Generation
from studio.generations.states import State, Status
from studio.sandbox.models import SandboxUsage
from tests.generations.helpers import drive, queued, refreshed


def clip_of(picture: Generation, **params) -> Generation:
    clip = queued(picture.team, picture.author, "video_i2v",
                  motion_prompt="slow push in", provider="wan22", **params)
    Generation.objects.filter(pk=clip.pk).update(source=picture)
    clip.waits_for.add(picture)
    return refreshed(clip)


@pytest.fixture
def world(sandbox_url, fake_clock, settings):
    settings.STUDIO_PUBLIC_URL = sandbox_url.removesuffix("/sandbox")
    return fake_clock


@pytest.mark.django_db(transaction=True)
def test_a_clip_waits_for_its_picture_then_goes_out_with_its_link(world, team_a, owner):
    picture = queued(team_a, owner, "image", prompt="a lighthouse", width=640, height=512)
    clip = clip_of(picture)
    dispatch.tick()
    assert refreshed(picture).status == Status.SUCCEEDED  # made inline in that pass
    assert refreshed(clip).state == State.QUEUED and not clip.attempt_log.exists()
    drive(world)
    clip = refreshed(clip)
    assert clip.status == Status.SUCCEEDED, clip.error_message
    assert clip.attempt_log.get().sent_at >= refreshed(picture).finished_at
    # The sandbox fetched the picture by the link signed at sending: it animated it.
    assert (clip.width, clip.height) == (1280, 720)


@pytest.mark.django_db(transaction=True)
def test_a_failed_picture_fails_its_clip_unsent_and_uncharged(world, team_a, owner):
    picture = queued(team_a, owner, "image", prompt="too small", width=100)  # refused
    clip = clip_of(picture)
    assert budget.reserved(team_a) == picture.cost + clip.cost
    drive(world)
    picture, clip = refreshed(picture), refreshed(clip)
    assert picture.status == Status.FAILED
    assert clip.status == Status.FAILED and clip.error_code == "part_failed"
    assert clip.error_message.startswith(f"The picture #{picture.pk} this clip moves "
                                         f"failed: {picture.error_message}")
    assert not Attempt.objects.filter(generation=clip).exists()
    assert not SandboxUsage.objects.filter(endpoint_type="video_i2v").exists()
    assert not LedgerEntry.objects.for_team(team_a).exists()
    assert budget.reserved(team_a) == 0


@pytest.mark.django_db(transaction=True)
def test_a_canceled_part_fails_everything_down_the_line(world, team_a, owner):
    picture = queued(team_a, owner, "image", prompt="never made")
    clip = clip_of(picture)
    narration = queued(team_a, owner, "tts", text="waits for the clip")
    narration.waits_for.add(clip)
    Generation.objects.filter(pk=picture.pk).update(state=State.CANCELED,
                                                    status=Status.CANCELED)
    dispatch.tick()
    clip, narration = refreshed(clip), refreshed(narration)
    assert clip.error_message == f"The picture #{picture.pk} this clip moves was canceled."
    assert narration.status == Status.FAILED
    assert narration.error_message.startswith(f"The clip #{clip.pk} this speech waits "
                                              "for failed: The picture")
    assert not SandboxUsage.objects.exists()


def test_a_waiting_card_says_what_it_waits_for(owner_client, team_a, owner):
    picture = queued(team_a, owner, "image", prompt="a lighthouse")
    clip = clip_of(picture)
    card = owner_client.get(f"/generations/{clip.pk}/card/").content.decode()
    assert 'data-status="queued"' in card
    assert f'waiting for <a href="/generations/{picture.pk}/">#{picture.pk}</a>' in card


@pytest.mark.django_db
def test_waiting_cards_cost_the_gallery_no_query_each_and_never_show_a_stale_wait(
        owner_client, team_a, owner):
    pictures = [queued(team_a, owner, "image", prompt=f"a lighthouse {n}") for n in range(2)]
    clip_of(pictures[0])
    with CaptureQueriesContext(connection) as one:
        owner_client.get("/")
    clips = [clip_of(pictures[1]) for _ in range(4)]
    with CaptureQueriesContext(connection) as five:
        page = owner_client.get("/").content.decode()
    assert len(five) == len(one)
    assert page.count(f'waiting for <a href="/generations/{pictures[1].pk}/">') == 4
    Generation.objects.filter(pk=pictures[1].pk).update(status=Status.SUCCEEDED)
    page = owner_client.get("/").content.decode()
    assert f'data-generation-id="{clips[0].pk}"' in page
    assert f'waiting for <a href="/generations/{pictures[1].pk}/">' not in page
