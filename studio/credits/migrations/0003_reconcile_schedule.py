from django.conf import settings
from django.db import migrations

NAME = "Reconcile credits with the API"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(name=NAME, defaults={
        "func": "studio.credits.tasks.reconcile_all",
        "schedule_type": "I",
        "minutes": settings.STUDIO_RECONCILE_MINUTES,
        "repeats": -1,
    })


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("credits", "0002_syncstate_discrepancy"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]
    operations = [migrations.RunPython(create_schedule, remove_schedule)]
