import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from django_q.models import Schedule

from studio.events.models import Event
from studio.events.pruning import prune_old_events

pytestmark = pytest.mark.django_db


def test_events_older_than_the_keep_hours_are_pruned_and_newer_kept(team_a, settings):
    settings.STUDIO_EVENT_KEEP_HOURS = 24
    now = timezone.now()
    old = Event.objects.create(team=team_a, kind="card", payload={"id": 1},
                               created_at=now - timedelta(hours=25))
    kept = Event.objects.create(team=team_a, kind="card", payload={"id": 2},
                                created_at=now - timedelta(hours=23))
    assert prune_old_events() == 1
    assert list(Event.objects.for_team(team_a)) == [kept]
    assert not Event.objects.filter(pk=old.pk).exists()


def test_the_worker_prunes_every_hour():
    # The schedule is a migration's row; a transactional test's flush earlier in the
    # same process empties the table, so the migration's step runs here again (it is
    # an update_or_create: on a fresh database it finds its own row).
    migration = importlib.import_module("studio.events.migrations.0002_prune_schedule")
    migration.create_schedule(apps, None)
    schedule = Schedule.objects.get(func="studio.events.pruning.prune_old_events")
    assert schedule.schedule_type == Schedule.HOURLY and schedule.repeats == -1
