"""The table of the database cache, the shared cache when there is no Redis.

Login failure counts and other cross-process counters must be seen by every web
worker, so without Redis they live in the database (settings.CACHES).
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

CACHE_TABLE = "studio_cache"


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {CACHE_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("teams", "0002_membership_monthly_cap_team_monthly_budget_and_more")]
    operations = [migrations.RunPython(create, drop)]
