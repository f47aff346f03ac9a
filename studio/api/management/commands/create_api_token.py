from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from studio.api import tokens
from studio.api.models import Scope
from studio.teams.models import Membership, Team


class Command(BaseCommand):
    help = "Make an API token for a member of a team and print it (shown this once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--team", required=True)
        parser.add_argument("--scope", action="append", choices=Scope.values,
                            help="read, generate or admin; repeat for more (default read)")
        parser.add_argument("--name", default="made by manage.py")
        parser.add_argument("--cap", type=int, default=None, help="monthly credit cap")

    def handle(self, *args, username: str, team: str, scope, name: str, cap, **options):
        user = get_user_model().objects.filter(username=username).first()
        found = Team.objects.filter(name=team).first()
        membership = Membership.objects.for_team(found).select_related("team").filter(
            user=user).first() if user else None
        if membership is None:
            raise CommandError(f"{username} is not a member of team {team!r}.")
        made = tokens.create(membership.team, user, name=name, scopes=scope or [Scope.READ],
                             monthly_cap=cap)
        self.stdout.write(made.secret)
