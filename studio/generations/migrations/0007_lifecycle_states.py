"""One state graph (states.py) instead of status + follow_up + next_attempt_at.

Rows in flight when this runs get a lease that has already lapsed, so the
dispatcher moves them on as after a crash: nothing is sent twice.
"""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def to_states(apps, schema_editor):
    Generation = apps.get_model("generations", "Generation")
    Attempt = apps.get_model("generations", "Attempt")
    now = timezone.now()
    for status in ("succeeded", "failed", "canceled"):
        Generation.objects.filter(status=status).update(state=status)
    for job in Generation.objects.filter(status__in=("queued", "running")):
        job.state, job.not_before = "queued", None
        if job.status == "queued":
            job.not_before = job.next_attempt_at
        elif job.follow_up in ("provider", "recovery"):
            job.state = "awaiting_provider" if job.follow_up == "provider" else "checking"
            job.follow_up_at = now
        else:
            waiting = Attempt.objects.filter(generation=job, outcome="dispatched").exists()
            job.state = "dispatched" if waiting else "sending"
            job.lease_until = now
        job.save(update_fields=["state", "not_before", "follow_up_at", "lease_until"])


class Migration(migrations.Migration):

    dependencies = [
        ('generations', '0006_heartbeat'),
        ('teams', '0003_shared_cache_table'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='generation',
            name='generations_status_36ab91_idx',
        ),
        migrations.AddField(
            model_name='generation',
            name='follow_up_at',
            field=models.DateTimeField(blank=True, help_text='Awaiting the provider or checking: the next poll or check is due then.', null=True),
        ),
        migrations.AddField(
            model_name='generation',
            name='lease_owner',
            field=models.CharField(blank=True, help_text='The worker acting on it now.', max_length=200),
        ),
        migrations.AddField(
            model_name='generation',
            name='lease_until',
            field=models.DateTimeField(blank=True, help_text='When that worker counts as gone.', null=True),
        ),
        migrations.AddField(
            model_name='generation',
            name='not_before',
            field=models.DateTimeField(blank=True, help_text='Queued: not sent again before this.', null=True),
        ),
        migrations.AddField(
            model_name='generation',
            name='state',
            field=models.CharField(choices=[('queued', 'Waiting for a rate-limit slot'), ('dispatched', 'Handed to the task queue'), ('sending', 'Calling the API'), ('storing', 'Storing the answer'), ('awaiting_provider', 'The provider is rendering it'), ('checking', 'Checking with the API what became of a lost call'), ('succeeded', 'Succeeded'), ('failed', 'Failed'), ('canceled', 'Canceled')], default='queued', max_length=20),
        ),
        migrations.AddIndex(
            model_name='generation',
            index=models.Index(fields=['state', 'follow_up_at'], name='generations_state_a760b8_idx'),
        ),
        migrations.AddIndex(
            model_name='generation',
            index=models.Index(fields=['lease_until'], name='generations_lease_u_0f5c4d_idx'),
        ),
        migrations.RunPython(to_states, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='generation',
            name='follow_up',
        ),
        migrations.RemoveField(
            model_name='generation',
            name='next_attempt_at',
        ),
    ]
