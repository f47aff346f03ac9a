"""`manage.py worker`: settings that say how often something runs apply at start."""

import pytest
from django_q.models import Schedule

from studio.generations.management.commands.worker import RECONCILE_SCHEDULE, apply_schedules


@pytest.mark.django_db
def test_reconcile_minutes_take_effect_when_the_worker_starts(settings):
    settings.STUDIO_RECONCILE_MINUTES = 7
    apply_schedules()
    schedule = Schedule.objects.get(name=RECONCILE_SCHEDULE)
    assert (schedule.minutes, schedule.func) == (7, "studio.generations.settlement.reconcile_all")
    settings.STUDIO_RECONCILE_MINUTES = 30
    apply_schedules()
    assert Schedule.objects.get(name=RECONCILE_SCHEDULE).minutes == 30
