from django.db import migrations

NAME = "Purge generations deleted more than 30 days ago"


def create_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(name=NAME, defaults={
        "func": "studio.generations.trash.purge_expired",
        "schedule_type": "D",
        "repeats": -1,
    })


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("generations", "0004_comment_rating_star_generation_deleted_at_and_more"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]
    operations = [migrations.RunPython(create_schedule, remove_schedule)]
