from datetime import timedelta

import pytest
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


# The schedule is a migration's row: a transactional test's flush earlier in the same
# process empties the table, so this test asks for the migrated contents back.
@pytest.mark.django_db(serialized_rollback=True)
def test_the_worker_prunes_every_hour():
    schedule = Schedule.objects.get(func="studio.events.pruning.prune_old_events")
    assert schedule.schedule_type == Schedule.HOURLY and schedule.repeats == -1
