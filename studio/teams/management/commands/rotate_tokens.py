from django.core.management.base import BaseCommand

from studio.teams import crypto
from studio.teams.models import Team


class Command(BaseCommand):
    help = ("Re-encrypt every team's API token with the first key of "
            "STUDIO_ENCRYPTION_KEYS, so older keys can then be dropped.")

    def handle(self, *args, **options):
        rotated = unreadable = 0
        for team in Team.objects.exclude(api_token_encrypted=""):
            if not crypto.decrypt(team.api_token_encrypted):
                unreadable += 1
                self.stderr.write(f"{team.name}: the token cannot be read with any key; "
                                  "an admin must enter it again in Team settings.")
                continue
            team.api_token_encrypted = crypto.rotate(team.api_token_encrypted)
            team.save(update_fields=["api_token_encrypted"])
            rotated += 1
        self.stdout.write(f"Re-encrypted {rotated} token(s); {unreadable} unreadable.")
