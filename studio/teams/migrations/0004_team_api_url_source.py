"""Where a team's API URL came from.

Existing rows become "member": nothing recorded whether a stored URL was typed in
Team settings or set by create_team, so each is treated as a member's word and only
connected to if public. A team on the default URL (api_url empty) is unaffected, and
so is one whose URL is public; an operator whose team points at a private address
re-runs `create_team --api-url`, or sets STUDIO_ALLOW_PRIVATE_URLS.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("teams", "0003_shared_cache_table")]

    operations = [
        migrations.AddField(
            model_name="team",
            name="api_url_source",
            field=models.CharField(
                choices=[
                    ("operator", "The operator (environment or a management command)"),
                    ("member", "A team admin, in Team settings"),
                ],
                default="member",
                editable=False,
                max_length=10,
            ),
        ),
    ]
