"""Reconcile the credit ledger with the API's usage history now, for an operator."""

from django.core.management.base import BaseCommand, CommandError

from studio.generations.settlement import reconcile_team, teams_with_a_token


class Command(BaseCommand):
    help = "Reconcile the ledger with the API's usage history now (every team, or one)."

    def add_arguments(self, parser):
        parser.add_argument("--team", help="Only this team (its name).")

    def handle(self, *args, team=None, **options):
        teams = teams_with_a_token().order_by("name")
        if team:
            teams = teams.filter(name=team)
            if not teams:
                raise CommandError(f"No team named {team!r} has an API token.")
        for each in teams:
            self.stdout.write(f"{each.name}: {reconcile_team(each.pk)}")
