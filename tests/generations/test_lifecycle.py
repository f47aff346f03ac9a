"""The state graph and its one writer: every declared move, every crash point.

A crash point is a state a worker acts on under a lease; a worker killed there leaves
the lease to lapse, and the dispatcher makes that state's lapse move. These tests
run in-process on the test's clock; tests/e2e/test_crash.py kills real workers.
"""

from datetime import timedelta

import pytest

from studio.credits.models import LedgerEntry, Source
from studio.generations import dispatch, lifecycle, settlement
from studio.generations.models import Attempt, Generation, Heartbeat
from studio.generations.states import GRAPH, PENDING_STATES, State, Status, status_of
from studio.multimodal.client import MultimodalClient
from studio.sandbox.models import SandboxUsage
from tests.conftest import TOKEN_A, logged_in
from tests.generations.helpers import drive, queued, refreshed

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("sandbox_url")]

CRASH_POINTS = [state for state, step in GRAPH.items() if step.leased]


def put(generation: Generation, state: State, **fields) -> Generation:
    Generation.objects.filter(pk=generation.pk).update(
        state=state, status=status_of(state), **fields)
    return refreshed(generation)


def charges() -> list[str]:
    return list(SandboxUsage.objects.filter(status="completed", credits_used__gt=0)
                .values_list("id", flat=True))


def ledger_usage_ids() -> list[str]:
    return list(LedgerEntry.objects.values_list("usage_id", flat=True))


def test_the_graph_declares_an_owner_for_every_state_and_a_lapse_for_every_lease():
    for state, step in GRAPH.items():
        assert step.owner
        assert step.moves or step.status in (Status.SUCCEEDED, Status.FAILED,
                                             Status.CANCELED)
        if step.leased:
            assert step.on_lapse in step.moves or step.on_lapse == state
            assert step.after_crash
    assert set(PENDING_STATES) == {s for s, step in GRAPH.items() if step.moves}


@pytest.mark.parametrize(("source", "target"), [
    (source, target) for source, step in GRAPH.items() for target in step.moves])
def test_every_declared_move_is_one_guarded_write(team_a, owner, source, target):
    job = put(queued(team_a, owner, "tts", text="moving"), source)
    stale = refreshed(Generation.objects.get(pk=job.pk))
    assert lifecycle._move(job, target)
    moved = refreshed(job)
    assert (moved.state, moved.status) == (target, status_of(target))
    if target != source:  # a second writer from the old state finds it elsewhere
        assert not lifecycle._move(stale, target)


@pytest.mark.parametrize(("source", "target"), [
    (source, target) for source in State for target in State
    if target not in GRAPH[source].moves])
def test_an_undeclared_move_is_refused(team_a, owner, source, target):
    job = put(queued(team_a, owner, "tts", text="nowhere"), source)
    with pytest.raises(ValueError, match="not a move of the graph"):
        lifecycle._move(job, target)
    assert refreshed(job).state == source


@pytest.mark.parametrize("state", CRASH_POINTS)
def test_a_lapsed_lease_at_every_crash_point_is_moved_on(team_a, owner, fake_clock, state):
    job = put(queued(team_a, owner, "tts", text="crashed"), state,
              lease_owner="dead-worker", lease_until=fake_clock.now + timedelta(minutes=7))
    dispatch.reclaim_lapsed(fake_clock.now)
    assert refreshed(job).state == state  # the lease still runs: hands off
    fake_clock.advance(7 * 60 + 1)
    dispatch.reclaim_lapsed(fake_clock.now)
    job = refreshed(job)
    assert job.state == GRAPH[state].on_lapse and job.lease_until is None


def test_a_silent_workers_leases_lapse_before_their_time(team_a, owner, fake_clock,
                                                         settings):
    settings.STUDIO_HEARTBEAT_SECONDS = 1
    Heartbeat.objects.create(name="worker-a", seen_at=fake_clock.now)
    job = put(queued(team_a, owner, "tts", text="silent"), State.SENDING,
              lease_owner="worker-a", lease_until=fake_clock.now + timedelta(minutes=7))
    fake_clock.advance(2)
    dispatch.reclaim_lapsed(fake_clock.now)
    assert refreshed(job).state == State.SENDING  # two beats missed: not yet
    fake_clock.advance(2)
    dispatch.reclaim_lapsed(fake_clock.now)
    assert refreshed(job).state == State.CHECKING


def die_mid_call(generation: Generation, clock) -> Attempt:
    """What a SIGKILLed worker leaves: its call reached the API and was charged, the
    attempt in flight, the job sending under a lease nobody will give back."""
    dispatched = lifecycle.dispatch(generation, generation.team.api_fingerprint, clock.now)
    attempt = lifecycle.start_sending(dispatched.pk)
    with MultimodalClient(generation.team.effective_api_url, TOKEN_A) as dying_worker:
        dying_worker.generate(generation.kind, generation.params).close()
    return attempt


def test_reconciliation_during_a_lost_call_leaves_its_charge_to_the_call(
        team_a, owner, fake_clock):
    generation = queued(team_a, owner, "tts", text="killed mid-call, then reconciled")
    die_mid_call(generation, fake_clock)
    summary = settlement.reconcile_team(team_a.pk)
    assert "left 1 to calls still settling" in summary
    assert not LedgerEntry.objects.exists()
    fake_clock.advance(lifecycle.lease_span().total_seconds() + 1)
    drive(fake_clock)
    generation = refreshed(generation)
    assert generation.status == Status.FAILED and generation.error_code == "answer_lost"
    assert len(charges()) == 1 and ledger_usage_ids() == charges()
    assert LedgerEntry.objects.get().generation == generation
    settlement.reconcile_team(team_a.pk)  # the deferred record is settled now
    assert ledger_usage_ids() == charges()


def test_a_charge_reconciliation_already_booked_is_claimed_not_charged_again(
        team_a, owner, fake_clock):
    generation = queued(team_a, owner, "video_t2v", prompt="claimed", duration=1)
    die_mid_call(generation, fake_clock)
    usage_id = charges()[0]
    LedgerEntry.objects.create(team=team_a, kind="video_t2v", usage_id=usage_id,
                               credits=1000, source=Source.RECONCILIATION)
    fake_clock.advance(lifecycle.lease_span().total_seconds() + 1)
    drive(fake_clock)
    generation = refreshed(generation)
    assert generation.status == Status.SUCCEEDED and generation.usage_id == usage_id
    entry = LedgerEntry.objects.get()
    assert (entry.generation, entry.member, entry.source) == (generation, owner,
                                                              Source.CLAIMED)
    assert charges() == [usage_id]


def test_a_worker_dead_between_answer_and_storing_moves_on(team_a, owner, fake_clock):
    generation = queued(team_a, owner, "tts", text="answered, never stored")
    attempt = die_mid_call(generation, fake_clock)
    usage_id = charges()[0]
    lifecycle.answered(attempt.generation, usage_id=usage_id, credits_used=14,
                       credits_remaining=99_986, with_media=True, at=fake_clock.now)
    assert refreshed(generation).state == State.STORING  # and then the worker died
    fake_clock.advance(lifecycle.lease_span().total_seconds() + 1)
    drive(fake_clock)
    generation = refreshed(generation)
    assert (generation.status, generation.error_code) == (Status.FAILED, "answer_lost")
    assert "charge is in the credit ledger" in generation.error_message
    assert not generation.media and ledger_usage_ids() == charges() == [usage_id]
    assert logged_in(owner).post(f"/generations/{generation.pk}/delete/").status_code == 302
    assert refreshed(generation).deleted_at is not None


def test_reconcile_command_runs_now_for_one_team(team_a, team_b, owner, fake_clock):
    from io import StringIO

    from django.core.management import call_command

    with MultimodalClient(team_a.effective_api_url, TOKEN_A) as outside:
        outside.generate("tts", {"text": "someone's script"}).close()
    out = StringIO()
    call_command("reconcile", "--team", "Team A", stdout=out)
    assert out.getvalue() == "Team A: read 1, added 1, mismatched 0\n"
    assert LedgerEntry.objects.get().source == Source.RECONCILIATION
