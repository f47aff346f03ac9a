"""Fair turns on one shared token: members take turns per rate window, lanes go
first or last, and a member pauses, resumes and reorders their own waiting work.
The sandbox over loopback, the queue inline, the test's clock."""

import pytest

from studio.generations import dispatch
from studio.generations.models import Attempt, Generation, Status
from tests.conftest import logged_in, member_of
from tests.generations.helpers import drive, queued, refreshed

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("sandbox_url")]

CLIP = {"prompt": "a slow pan", "num_frames": 17}


@pytest.fixture
def one_a_minute(settings):
    settings.STUDIO_RATE_LIMITS = {"video_cogvideox": (1, 60), "tts": (1, 60)}


def sent_order() -> list[int]:
    return list(Attempt.objects.order_by("sent_at", "pk").values_list("generation_id",
                                                                       flat=True))


@pytest.mark.usefixtures("one_a_minute")
def test_a_teammates_single_clip_waits_one_turn_not_the_whole_backlog(
        team_a, owner, teammate, fake_clock):
    backlog = [queued(team_a, owner, "video_cogvideox", **CLIP) for _ in range(8)]
    dispatch.tick()
    fake_clock.advance(10)
    mine = queued(team_a, teammate, "video_cogvideox", **CLIP)
    dispatch.tick()
    # Olivia was served at the start, Tom only waits since he queued: one turn.
    assert refreshed(mine).queue_position == 2
    drive(fake_clock)
    assert sent_order()[:4] == [backlog[0].pk, backlog[1].pk, mine.pk, backlog[2].pk]


@pytest.mark.usefixtures("one_a_minute")
def test_members_alternate_and_each_keeps_their_own_order(team_a, owner, teammate,
                                                          fake_clock):
    olivias = [queued(team_a, owner, "tts", text=f"olivia {i}") for i in range(3)]
    toms = [queued(team_a, teammate, "tts", text=f"tom {i}") for i in range(3)]
    drive(fake_clock)
    assert sent_order() == [olivias[0].pk, toms[0].pk, olivias[1].pk, toms[1].pk,
                            olivias[2].pk, toms[2].pk]


@pytest.mark.usefixtures("one_a_minute")
def test_urgent_goes_first_and_background_only_when_nothing_else_waits(
        team_a, owner, teammate, fake_clock):
    background = queued(team_a, teammate, "tts", text="whenever", lane="background")
    normal = [queued(team_a, teammate, "tts", text=f"normal {i}") for i in range(2)]
    urgent = queued(team_a, owner, "tts", text="the client is waiting", lane="urgent")
    drive(fake_clock)
    assert sent_order() == [urgent.pk, normal[0].pk, normal[1].pk, background.pk]


@pytest.mark.usefixtures("one_a_minute")
def test_move_to_top_reorders_only_the_authors_own_line(team_a, teammate, fake_clock):
    first, second, third = (queued(team_a, teammate, "tts", text=f"take {i}")
                            for i in range(3))
    client = logged_in(teammate)
    assert client.post(f"/generations/{third.pk}/top/").status_code == 302
    drive(fake_clock)
    assert sent_order() == [third.pk, first.pk, second.pk]


@pytest.mark.usefixtures("one_a_minute")
def test_a_paused_job_takes_no_slot_until_resumed(team_a, teammate, fake_clock):
    held = queued(team_a, teammate, "tts", text="not yet")
    other = queued(team_a, teammate, "tts", text="go ahead")
    client = logged_in(teammate)
    client.post(f"/generations/{held.pk}/pause/")
    assert refreshed(held).state == "paused" and refreshed(held).status == Status.QUEUED
    drive(fake_clock)
    assert (refreshed(other).status, refreshed(held).state) == (Status.SUCCEEDED, "paused")
    client.post(f"/generations/{held.pk}/resume/")
    drive(fake_clock)
    assert refreshed(held).status == Status.SUCCEEDED


def test_only_admins_mark_work_urgent_and_members_change_only_their_own(
        team_a, owner, teammate, fake_clock):
    job = queued(team_a, teammate, "tts", text="mine")
    members_own = logged_in(teammate)
    assert members_own.post(f"/generations/{job.pk}/lane/",
                            {"lane": "urgent"}).status_code == 403
    assert members_own.post(f"/generations/{job.pk}/lane/",
                            {"lane": "background"}).status_code == 302
    assert refreshed(job).lane == "background"
    other = logged_in(member_of(team_a, "maria", "member"))
    assert other.post(f"/generations/{job.pk}/pause/").status_code == 403
    assert logged_in(owner).post(f"/generations/{job.pk}/lane/",
                                 {"lane": "urgent"}).status_code == 302
    assert refreshed(job).lane == "urgent"


def test_work_already_going_out_cannot_be_paused(team_a, teammate, fake_clock):
    job = queued(team_a, teammate, "tts", text="sent")
    Generation.objects.filter(pk=job.pk).update(state="sending", status=Status.RUNNING)
    response = logged_in(teammate).post(f"/generations/{job.pk}/pause/", follow=True)
    assert "no longer waiting" in response.content.decode()
    assert refreshed(job).state == "sending"
