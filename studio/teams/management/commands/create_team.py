from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from studio.teams.models import Membership, Role, Team, Tier, UrlSource


class Command(BaseCommand):
    help = "Create or update a team and its owner (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--owner", required=True, help="The owner's username.")
        parser.add_argument("--password", required=True)
        parser.add_argument("--api-url", default="", help="Empty: the studio default.")
        parser.add_argument("--api-token", default="")
        parser.add_argument("--tier", choices=Tier.values, default=Tier.STANDARD)

    @transaction.atomic
    def handle(self, *args, name, owner, password, api_url, api_token, tier, **options):
        if not name.strip():
            raise CommandError("The team name cannot be empty.")
        user = upsert_user(owner, password)
        team, created = Team.objects.get_or_create(name=name.strip())
        team.api_url = api_url
        team.api_url_source = UrlSource.OPERATOR  # the operator's word, trusted
        team.tier = tier
        if api_token:
            team.api_token = api_token
        team.save()
        if uses_sandbox(team) and team.api_token:
            from studio.sandbox.models import SandboxAccount

            SandboxAccount.provision(team.api_token, tier=tier, label=team.name)
        Membership.objects.update_or_create(team=team, user=user,
                                            defaults={"role": Role.OWNER})
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} team {team.name!r} owned by {user.username!r}.")


def upsert_user(username: str, password: str):
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.set_password(password)
    user.save()
    return user


def uses_sandbox(team: Team) -> bool:
    return settings.SANDBOX_ENABLED and team.effective_api_url == settings.SANDBOX_URL
