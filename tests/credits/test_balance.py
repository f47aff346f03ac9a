"""The shown balance: the newest figure the API gave, whatever order jobs finish in."""

from datetime import timedelta

import pytest

from studio.generations import lifecycle
from studio.generations.states import State, status_of
from tests.generations.helpers import queued


def sending(team, author, text):
    job = queued(team, author, "tts", text=text)
    type(job).objects.filter(pk=job.pk).update(state=State.SENDING,
                                               status=status_of(State.SENDING))
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_an_older_answer_arriving_last_does_not_turn_the_balance_back(team_a, owner,
                                                                      fake_clock):
    first, second = sending(team_a, owner, "first"), sending(team_a, owner, "second")
    earlier, later = fake_clock.now, fake_clock.now + timedelta(seconds=2)
    lifecycle.answered(second, usage_id="u2", credits_used=14, credits_remaining=972,
                       with_media=True, at=later)
    lifecycle.answered(first, usage_id="u1", credits_used=14, credits_remaining=986,
                       with_media=True, at=earlier)
    team_a.refresh_from_db()
    assert (team_a.credits_remaining, team_a.credits_as_of) == (972, later)


@pytest.mark.django_db
def test_a_newer_refresh_replaces_the_balance(team_a, owner, fake_clock):
    from studio.credits.balance import observe_balance

    assert observe_balance(team_a, 500, fake_clock.now)
    assert not observe_balance(team_a, 600, fake_clock.now - timedelta(seconds=1))
    assert observe_balance(team_a, 450, fake_clock.now + timedelta(seconds=1))
    team_a.refresh_from_db()
    assert team_a.credits_remaining == 450
