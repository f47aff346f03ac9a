"""django-q2 tasks of the credits app: the balance refresh."""

import logging

from django.conf import settings
from django.core.cache import cache
from django_q.tasks import async_task

from studio.credits.balance import observe_balance
from studio.lib import clock
from studio.multimodal import errors
from studio.teams.client import client_for
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
    observe_balance(team, balance, clock.now())
    return balance


def refresh_balance_if_stale(team: Team) -> None:
    """Queue a refresh when the shown balance is older than STUDIO_BALANCE_MAX_AGE;
    at most one a minute per team, however many pages are open."""
    max_age = settings.STUDIO_BALANCE_MAX_AGE
    if max_age is None or not team.api_token_encrypted:
        return
    fresh = team.credits_as_of and (clock.now() - team.credits_as_of).total_seconds() \
        < max_age
    if not fresh and cache.add(f"balance-refresh-{team.pk}", True, 60):
        async_task("studio.credits.tasks.refresh_balance", team.pk,
                   task_name=f"balance-{team.pk}")
