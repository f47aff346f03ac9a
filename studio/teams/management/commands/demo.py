from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from studio.sandbox.models import new_token
from studio.teams.models import Team

TEAM = "Demo Studio"
USERNAME = "demo"
PASSWORD = "demo-studio"


class Command(BaseCommand):
    help = "Create the demo team and user, wired to the built-in sandbox API."

    def handle(self, *args, **options):
        if not settings.SANDBOX_ENABLED:
            raise CommandError("The demo needs the sandbox: unset MULTIMODAL_API_URL.")
        team = Team.objects.filter(name=TEAM).first()
        token = (team.api_token if team else "") or new_token()
        call_command("create_team", TEAM, owner=USERNAME, password=PASSWORD,
                     api_token=token, tier="premium", stdout=self.stdout)
        self.stdout.write(
            f"Log in at {settings.STUDIO_PUBLIC_URL}/accounts/login/ "
            f"as {USERNAME!r} with password {PASSWORD!r}."
        )
