"""django-q2 tasks of the credits app: balance refresh and reconciliation."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_q.tasks import async_task

from studio.credits import reconcile
from studio.credits.models import SyncState
from studio.generations.api import client_for
from studio.multimodal import errors
from studio.teams.models import Team

log = logging.getLogger(__name__)


def refresh_balance(team_id: int) -> int | None:
    """Ask the API for the team's balance (`GET /api/v1/managed/usage`)."""
    team = Team.objects.get(pk=team_id)
    try:
        with client_for(team) as client:
            balance = client.managed_usage().credits_remaining
    except errors.MultimodalError as exc:
        log.warning("balance_refresh_failed", extra={"team": team.pk, "error": exc.message})
        return None
    if balance is not None:
        Team.objects.filter(pk=team.pk).update(credits_remaining=balance,
                                               credits_as_of=timezone.now())
    return balance


def refresh_balance_if_stale(team: Team) -> None:
    """Queue a refresh when the shown balance is older than STUDIO_BALANCE_MAX_AGE;
    at most one a minute per team, however many pages are open."""
    max_age = settings.STUDIO_BALANCE_MAX_AGE
    if max_age is None or not team.api_token_encrypted:
        return
    fresh = team.credits_as_of and (timezone.now() - team.credits_as_of).total_seconds() \
        < max_age
    if not fresh and cache.add(f"balance-refresh-{team.pk}", True, 60):
        async_task("studio.credits.tasks.refresh_balance", team.pk,
                   task_name=f"balance-{team.pk}")


def reconcile_team(team_id: int) -> str:
    team = Team.objects.get(pk=team_id)
    try:
        with client_for(team) as client:
            outcome = reconcile.reconcile(team, client)
    except errors.MultimodalError as exc:
        SyncState.objects.update_or_create(team=team, defaults={
            "last_error": exc.message, "last_run_at": timezone.now()})
        return f"failed: {exc.message}"
    log.info("reconciled", extra={"team": team.pk, "read": outcome.read,
                                  "added": outcome.added, "mismatched": outcome.mismatched})
    return f"read {outcome.read}, added {outcome.added}, mismatched {outcome.mismatched}"


def reconcile_all() -> int:
    """The periodic schedule: one reconciliation task per team with a token."""
    teams = Team.objects.exclude(api_token_encrypted="").values_list("pk", flat=True)
    for team_id in teams:
        async_task("studio.credits.tasks.reconcile_team", team_id,
                   task_name=f"reconcile-{team_id}")
    return len(teams)
