"""Reconciling the ledger with the API's usage history, from the jobs' side.

The credits app compares usage records with the ledger; this module tells it what
the team's jobs hold (credits.reconcile.Claims), runs it per team, and is what the
schedule and `manage.py reconcile` call.
"""

import logging
from datetime import datetime

from django.db.models import Min
from django_q.tasks import async_task

from studio.credits import reconcile
from studio.credits.models import SyncState
from studio.generations.models import Attempt, Generation
from studio.generations.states import PENDING_STATES, UNSETTLED_CALLS
from studio.lib import clock
from studio.multimodal import errors
from studio.teams.client import client_for
from studio.teams.models import Team

log = logging.getLogger(__name__)


class JobClaims:
    """What the generations calling with `team`'s token hold of the API's usage
    history, read once. Teams that share a token share its history, so this looks
    at every team's calls on it."""

    def __init__(self, team: Team) -> None:
        calls = Attempt.objects.filter(token_key=team.api_fingerprint)
        on_token = Generation.objects.filter(pk__in=calls.values("generation_id"))
        self.settling_ids = set(on_token.filter(state__in=PENDING_STATES)
                                .exclude(usage_id="").values_list("usage_id", flat=True))
        open_calls = calls.filter(generation__state__in=UNSETTLED_CALLS,
                                  generation__usage_id="")
        self.open_since: dict[str, datetime] = dict(
            open_calls.values("kind").annotate(first=Min("sent_at"))
            .values_list("kind", "first"))

    def settling(self, usage_id: str) -> bool:
        return usage_id in self.settling_ids

    def open_call_since(self, kind: str) -> datetime | None:
        return self.open_since.get(kind)

    def holder(self, usage_id: str) -> reconcile.Holder | None:
        job = Generation.objects.filter(usage_id=usage_id).select_related(
            "author", "team").first()
        return reconcile.Holder(job.pk, job.author, job.team) if job else None


def reconcile_team(team_id: int) -> str:
    team = Team.objects.get(pk=team_id)
    try:
        with client_for(team) as client:
            outcome = reconcile.reconcile(team, client, JobClaims(team))
    except errors.MultimodalError as exc:
        SyncState.objects.update_or_create(team=team, defaults={
            "last_error": exc.message, "last_run_at": clock.now()})
        return f"failed: {exc.message}"
    log.info("reconciled", extra={"team": team.pk, "read": outcome.read,
                                  "added": outcome.added, "mismatched": outcome.mismatched,
                                  "deferred": outcome.deferred})
    summary = f"read {outcome.read}, added {outcome.added}, mismatched {outcome.mismatched}"
    return summary + (f", left {outcome.deferred} to calls still settling"
                      if outcome.deferred else "")


def teams_with_a_token():
    return Team.objects.exclude(api_token_encrypted="")


def reconcile_all() -> int:
    """The periodic schedule: one reconciliation task per team with a token."""
    teams = teams_with_a_token().values_list("pk", flat=True)
    for team_id in teams:
        async_task("studio.generations.settlement.reconcile_team", team_id,
                   task_name=f"reconcile-{team_id}")
    return len(teams)
