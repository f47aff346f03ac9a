"""A lost call beside other calls of its (token, kind): its check never takes a charge
another call could still own; it waits until they have settled, then books exactly
its own record, or sends the call again when the API never charged it.

The sandbox answers over loopback and stamps its records with the test's clock.
Calls overlap as they do on several workers: each is sent for real, and its answer
is handed to the studio when the test says (before or after the lost call's check).
"""

import time
from collections import Counter
from dataclasses import dataclass

import pytest

from studio.credits.models import CHARGES, LedgerEntry
from studio.generations import dispatch, lifecycle, sources, tasks
from studio.generations.models import Attempt, Generation
from studio.generations.states import State
from studio.multimodal.answers import GenerationResult
from studio.sandbox.models import SandboxAccount, SandboxFaults, SandboxUsage, token_digest
from studio.teams.client import client_for
from tests.conftest import TOKEN_A, make_team, member_of
from tests.generations.helpers import drive, queued, refreshed

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("sandbox_url")]


def faults(**modes) -> None:
    account = SandboxAccount.objects.get(token_digest=token_digest(TOKEN_A))
    SandboxFaults.objects.update_or_create(account=account, defaults=modes)


@dataclass
class InFlight:
    """A call the API has answered whose answer has not reached the studio yet."""

    generation: Generation
    attempt: Attempt
    result: GenerationResult
    began: float

    def arrives(self) -> None:
        generation = refreshed(self.generation)
        tasks.finish_attempt(self.attempt, self.began, None, self.result)
        tasks.take_result(generation, self.result)
        self.result.close()


def send(generation: Generation, clock) -> Attempt:
    dispatched = lifecycle.dispatch(generation, generation.team.api_fingerprint, clock.now)
    return lifecycle.start_sending(dispatched.pk)


def send_and_hold_the_answer(generation: Generation, clock) -> InFlight:
    attempt, began = send(generation, clock), time.monotonic()
    with client_for(generation.team) as client:
        result = client.generate(generation.kind, sources.api_params(generation))
    return InFlight(generation, attempt, result, began)


def lose_on_the_way(generation: Generation, clock) -> None:
    """Sent; the network drops it before the API sees it (nothing is charged)."""
    faults(lose_next=1)
    dispatched = lifecycle.dispatch(generation, generation.team.api_fingerprint, clock.now)
    tasks.send_attempt(dispatched.pk)
    assert refreshed(generation).state == State.CHECKING


def lose_after_the_charge(generation: Generation, clock) -> None:
    """Sent and charged; the answer breaks off on the way back."""
    faults(drop_next=1)
    dispatched = lifecycle.dispatch(generation, generation.team.api_fingerprint, clock.now)
    tasks.send_attempt(dispatched.pk)
    assert refreshed(generation).state == State.CHECKING


def check_when_due(generation: Generation, clock) -> None:
    clock.advance_to(refreshed(generation).follow_up_at)
    dispatch.tick()


def api_charges() -> list[str]:
    return sorted(SandboxUsage.objects.filter(credits_used__gt=0).values_list("id", flat=True))


def ledger_charges() -> list[str]:
    return sorted(LedgerEntry.objects.filter(CHARGES).values_list("usage_id", flat=True))


def assert_every_charge_booked_once() -> None:
    assert ledger_charges() == api_charges()
    held = Counter(Generation.objects.exclude(usage_id="").values_list("usage_id", flat=True))
    assert set(held) == set(api_charges()) and set(held.values()) == {1}
    api_total = sum(SandboxUsage.objects.values_list("credits_used", flat=True))
    assert sum(LedgerEntry.objects.values_list("credits", flat=True)) == api_total


def outcomes(generation: Generation) -> list[str]:
    return list(refreshed(generation).attempt_log.values_list("outcome", flat=True))


@pytest.fixture
def second_team_on_the_same_token(team_a):
    team = make_team("Team C", TOKEN_A)
    member_of(team, "cleo", "member")
    return team


def teams_of(case: str, team_a, owner, request) -> list:
    if case == "one team":
        return [(team_a, owner)]
    team_c = request.getfixturevalue("second_team_on_the_same_token")
    return [(team_a, owner), (team_c, team_c.memberships.get().user)]


@pytest.mark.parametrize("case", ["one team", "two teams on one token"])
@pytest.mark.parametrize("answers", ["after the check", "before the check"])
@pytest.mark.parametrize("overlapping", [1, 2, 5])
def test_a_lost_uncharged_call_is_sent_again_and_takes_no_other_calls_charge(
        team_a, owner, fake_clock, request, case, answers, overlapping):
    teams = teams_of(case, team_a, owner, request)
    lost = queued(team_a, owner, "tts", text="dropped on the way")
    lose_on_the_way(lost, fake_clock)
    others = []
    for n in range(overlapping):
        team, author = teams[n % len(teams)]
        fake_clock.advance(0.3)
        others.append(send_and_hold_the_answer(
            queued(team, author, "tts", text=f"overlapping {n}"), fake_clock))
    if answers == "before the check":
        for call in others:
            call.arrives()
    check_when_due(lost, fake_clock)
    if answers == "after the check":
        assert refreshed(lost).state == State.CHECKING  # it waits: they could own those
        assert LedgerEntry.objects.count() == 0
        for call in others:
            call.arrives()
        check_when_due(lost, fake_clock)
    drive(fake_clock)

    assert outcomes(lost) == ["lost", "succeeded"]  # sent again, its attempt counted
    assert all(refreshed(call.generation).status == "succeeded" for call in others)
    assert len(api_charges()) == overlapping + 1
    assert_every_charge_booked_once()


@pytest.mark.parametrize("overlapping", [1, 2, 5])
def test_a_lost_charged_call_keeps_exactly_its_own_record(team_a, owner, fake_clock,
                                                          overlapping):
    lost = queued(team_a, owner, "tts", text="charged, answer broken off")
    lose_after_the_charge(lost, fake_clock)
    own_record = SandboxUsage.objects.get().id
    others = []
    for n in range(overlapping):
        fake_clock.advance(0.3)
        others.append(send_and_hold_the_answer(
            queued(team_a, owner, "tts", text=f"beside it {n}"), fake_clock))
    check_when_due(lost, fake_clock)
    assert refreshed(lost).state == State.CHECKING
    others[0].arrives()  # the rest still in flight: it keeps waiting
    check_when_due(lost, fake_clock)
    assert refreshed(lost).state == State.CHECKING or overlapping == 1
    for call in others[1:]:
        call.arrives()
    drive(fake_clock)

    lost = refreshed(lost)
    assert (lost.status, lost.error_code, lost.usage_id) == ("failed", "answer_lost",
                                                             own_record)
    assert outcomes(lost) == ["lost"]  # charged: never sent again
    assert_every_charge_booked_once()


def test_two_lost_calls_beside_an_answered_one_each_settle_their_own(team_a, owner,
                                                                      fake_clock):
    uncharged = queued(team_a, owner, "tts", text="never arrived")
    lose_on_the_way(uncharged, fake_clock)
    fake_clock.advance(0.3)
    charged = queued(team_a, owner, "tts", text="arrived, answer lost")
    lose_after_the_charge(charged, fake_clock)
    fake_clock.advance(0.3)
    answered = send_and_hold_the_answer(queued(team_a, owner, "tts", text="fine"),
                                        fake_clock)
    check_when_due(uncharged, fake_clock)
    assert refreshed(uncharged).state == State.CHECKING
    answered.arrives()
    drive(fake_clock)

    assert outcomes(uncharged) == ["lost", "succeeded"]
    assert refreshed(charged).error_code == "answer_lost" and outcomes(charged) == ["lost"]
    assert_every_charge_booked_once()


def test_an_answer_naming_a_record_another_generation_holds_is_refused(team_a, owner,
                                                                       fake_clock):
    first = send_and_hold_the_answer(queued(team_a, owner, "tts", text="first"), fake_clock)
    first.arrives()
    second = send_and_hold_the_answer(queued(team_a, owner, "tts", text="second"),
                                      fake_clock)
    second.result.usage_id = refreshed(first.generation).usage_id  # an API gone wrong
    second.arrives()

    refused = refreshed(second.generation)
    assert (refused.status, refused.error_code, refused.usage_id) == (
        "failed", "usage_conflict", "")
    assert f"#{first.generation.pk} already holds" in refused.error_message
    assert not refused.media
    assert ledger_charges() == [refreshed(first.generation).usage_id]


def test_the_database_refuses_a_second_holder_of_a_usage_record(team_a, owner):
    from django.db import IntegrityError, transaction

    one = queued(team_a, owner, "tts", text="one")
    two = queued(team_a, owner, "tts", text="two")
    Generation.objects.filter(pk=one.pk).update(usage_id="usage_shared")
    with pytest.raises(IntegrityError), transaction.atomic():
        Generation.objects.filter(pk=two.pk).update(usage_id="usage_shared")


def test_the_ledger_refuses_to_charge_a_record_twice(team_a, owner):
    from studio.credits import ledger

    charge = {"team": team_a, "member": owner, "kind": "tts", "usage_id": "usage_once",
              "credits": 14}
    assert ledger.book_charge(generation_id=None, **charge) is not None
    assert ledger.book_charge(generation_id=None, **charge) is None
    assert LedgerEntry.objects.get().credits == 14
