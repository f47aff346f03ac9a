"""A team setting: viewers may rate and comment (off by default, as before), and the
audit action that records its changes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("teams", "0004_team_api_url_source")]

    operations = [
        migrations.AddField(
            model_name="team",
            name="viewers_may_review",
            field=models.BooleanField(
                default=False,
                help_text="So a client with a viewer's seat can give feedback. Viewers "
                          "still cannot generate.",
                verbose_name="Viewers may rate and comment",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("generated", "Generated"),
                    ("canceled", "Canceled"),
                    ("deleted", "Deleted"),
                    ("restored", "Restored"),
                    ("api_token_changed", "Changed the API token"),
                    ("api_url_changed", "Changed the API URL"),
                    ("tier_changed", "Changed the API tier"),
                    ("budget_changed", "Changed a budget"),
                    ("feedback_changed", "Changed who may rate and comment"),
                    ("role_changed", "Changed a role"),
                    ("member_joined", "Joined"),
                    ("member_removed", "Removed a member"),
                    ("invited", "Invited"),
                    ("invitation_revoked", "Revoked an invitation"),
                    ("ownership_transferred", "Transferred ownership"),
                ],
                max_length=30,
            ),
        ),
    ]
