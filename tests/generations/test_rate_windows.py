"""The arithmetic of rate windows and turns: plain values in, no database, no clock."""

from datetime import timedelta

import pytest
from django.utils import timezone

from studio.generations.models import Attempt, Generation
from studio.generations.rate_windows import Window, latest_stamps, plan, typical
from studio.multimodal import catalog


def job(pk: int, created_offset: float = 0, not_before=None) -> Generation:
    base = timezone.now()
    return Generation(pk=pk, created_at=base + timedelta(seconds=created_offset),
                      not_before=not_before)


def window(calls: int, seconds: float) -> Window:
    return Window(calls, timedelta(seconds=seconds), timedelta(seconds=0.6))


def test_plan_fills_the_window_then_waits_for_the_oldest_call_to_leave():
    now = timezone.now()
    jobs = [job(i, i) for i in range(5)]
    starts = [at for _, at in plan([], jobs, window(2, 60), now, None)]
    assert starts == [now, now, now + timedelta(seconds=60.6), now + timedelta(seconds=60.6),
                      now + timedelta(seconds=121.2)]  # planned calls carry the margin


def test_plan_counts_calls_already_sent():
    now = timezone.now()
    sent = [now - timedelta(seconds=50), now - timedelta(seconds=10)]
    starts = [at for _, at in plan(sent, [job(1), job(2)], window(2, 60), now, None)]
    assert starts == [now + timedelta(seconds=10), now + timedelta(seconds=50)]


def test_plan_keeps_first_come_first_served_and_lets_ready_jobs_pass_a_backoff():
    now = timezone.now()
    backing_off = job(1, 0, not_before=now + timedelta(seconds=30))
    first, second = job(2, 1), job(3, 2)
    order = [j.pk for j, _ in plan([], [backing_off, second, first],
                                            window(5, 60), now, None)]
    assert order == [2, 3, 1]


def test_plan_honours_a_429_block():
    now = timezone.now()
    until = now + timedelta(seconds=17)
    assert plan([], [job(1)], window(5, 60), now, until)[0][1] == until


def test_window_margin_keeps_ours_closing_after_the_apis(settings):
    settings.STUDIO_RATE_LIMITS = {"tts": (10, 60)}
    window = Window.for_kind("tts")
    assert (window.span, window.margin) == (timedelta(seconds=60), timedelta(seconds=0.6))


def test_an_answered_call_holds_its_slot_until_a_window_after_its_answer():
    now = timezone.now()
    answered = now - timedelta(seconds=50)  # its answer's arrival: the API stamped it before
    starts = [at for _, at in plan([answered], [job(1)], window(1, 60), now, None)]
    assert starts == [now + timedelta(seconds=10)]


def test_a_call_planned_into_the_future_keeps_the_margin_of_one_in_flight():
    now = timezone.now()
    planned = plan([], [job(1), job(2)], window(1, 60), now, None)
    assert [at for _, at in planned] == [now, now + timedelta(seconds=60.6)]


@pytest.mark.parametrize("kind", list(catalog.KINDS))
def test_every_kind_uses_its_catalog_limit(kind, settings):
    settings.STUDIO_RATE_LIMITS = {}
    calls = catalog.rate_limit(kind)[0]
    assert Window.for_kind(kind).calls == calls == catalog.get(kind).rate_limit




def test_each_call_counts_until_the_latest_moment_the_api_can_have_stamped_it():
    now = timezone.now()
    calls = [(now - timedelta(seconds=5), None, Attempt.Outcome.DISPATCHED),  # no worker yet
             (now - timedelta(seconds=5), None, Attempt.Outcome.IN_FLIGHT),
             (now - timedelta(seconds=80), now - timedelta(seconds=30),
              Attempt.Outcome.SUCCEEDED)]
    assert latest_stamps(calls, window(2, 60), now) == [
        now + timedelta(seconds=0.6), now - timedelta(seconds=4.4), now - timedelta(seconds=30)]


def test_a_call_answered_a_window_ago_counts_no_more():
    now = timezone.now()
    calls = [(now - timedelta(seconds=90), now - timedelta(seconds=61),
              Attempt.Outcome.SUCCEEDED)]
    assert latest_stamps(calls, window(1, 60), now) == []


def test_a_typical_call_is_the_median_of_those_answered():
    now = timezone.now()
    answered = [(now, now + timedelta(seconds=s)) for s in (3, 40, 5)]
    assert typical(answered) == timedelta(seconds=5)
    assert typical([]) == timedelta(0)
