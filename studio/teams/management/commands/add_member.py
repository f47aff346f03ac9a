"""Add a member to a team, or change their role: for operators and tests."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from studio.teams.management.commands.create_team import upsert_user
from studio.teams.models import Membership, Role, Team


class Command(BaseCommand):
    help = "Add (or update) a member of a team, creating the user if needed."

    def add_arguments(self, parser):
        parser.add_argument("team", help="The team's name.")
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", choices=Role.values, default=Role.MEMBER)

    @transaction.atomic
    def handle(self, *args, team, username, password, role, **options):
        found = Team.objects.filter(name=team).first()
        if found is None:
            raise CommandError(f"No team named {team!r}; create it with create_team first.")
        user = upsert_user(username, password)
        _, created = Membership.objects.update_or_create(team=found, user=user,
                                                         defaults={"role": role})
        verb = "Added" if created else "Updated"
        self.stdout.write(f"{verb} {username!r} in {found.name!r} as {role}.")
