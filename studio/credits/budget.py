"""Can the team afford this job? Balance, reservations and monthly budgets.

A queued or running job's catalog cost is reserved: it counts against the balance
and the budgets until the job settles. Success settles it to what the API charged
(the ledger entry); failure, cancel or a refused call simply release it, because
only charges are written to the ledger.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Sum

from studio.credits.models import LedgerEntry
from studio.lib import clock
from studio.teams.models import Membership, Role, Team

WARN_AT = 0.8


@dataclass
class Verdict:
    cost: int
    balance_after: int | None = None
    refusal: str = ""
    # Which limit refused: "balance", "team_budget", "member_cap" (or a caller's own).
    reason: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.refusal


def month_start(now: datetime | None = None) -> datetime:
    now = now or clock.now()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def spent_this_month(team: Team, member=None) -> int:
    entries = LedgerEntry.objects.for_team(team).filter(created_at__gte=month_start())
    if member is not None:
        entries = entries.filter(member=member)
    return entries.aggregate(total=Sum("credits"))["total"] or 0


# Who holds credits back for work not yet settled: each a function (team, member or
# None) -> credits. The app that owns the work registers it when it is ready
# (generations.apps), so the ledger never imports what it is asked about.
HOLDERS: list[Callable[[Team, object], int]] = []


def reserved(team: Team, member=None) -> int:
    """Catalog cost of the team's (member's) work that is queued or running."""
    return sum(holder(team, member) for holder in HOLDERS)


def judge(membership: Membership, cost: int) -> Verdict:
    """Whether `membership` may queue a job costing `cost` now, and what to warn about."""
    team = membership.team
    verdict = Verdict(cost=cost)
    team_reserved = reserved(team)
    if team.credits_remaining is not None:
        verdict.balance_after = team.credits_remaining - team_reserved - cost
        if verdict.balance_after < 0:
            verdict.refusal = (
                f"The team's balance of {team.credits_remaining:,} credits, with "
                f"{team_reserved:,} reserved for queued work, cannot cover {cost:,} more. "
                + remedy(membership, "top up the API credits",
                         "You can top up the API credits with the API's provider."))
            verdict.reason = "balance"
            return verdict
    checks = [("The team's monthly budget", "team_budget", team.monthly_budget,
               spent_this_month(team) + team_reserved,
               remedy(membership, "raise the team budget",
                      "You can raise the team budget in the team settings."))]
    if membership.monthly_cap is not None:
        checks.append(("Your monthly cap", "member_cap", membership.monthly_cap,
                       spent_this_month(team, membership.user)
                       + reserved(team, membership.user),
                       remedy(membership, "raise your cap",
                              "You can raise your cap on the members page.")))
    for label, reason, limit, used, advice in checks:
        if limit is None:
            continue
        if used + cost > limit:
            verdict.refusal = (f"{label} is {limit:,} credits and {used:,} are already spent "
                               f"or reserved this month, so {cost:,} more would exceed it. "
                               f"{advice}")
            verdict.reason = reason
            return verdict
        if used + cost >= WARN_AT * limit:
            verdict.warnings.append(f"{label}: {used + cost:,} of {limit:,} credits used "
                                    "this month with this job.")
    return verdict


def remedy(membership: Membership, others_can: str, yourself: str) -> str:
    """Who can fix it, in words for the reader: never told to ask themselves."""
    if membership.can_manage:
        return yourself
    return f"Ask {who_to_ask(membership.team)} to {others_can}."


def who_to_ask(team: Team) -> str:
    managers = (Membership.objects.for_team(team).filter(role__in=(Role.OWNER, Role.ADMIN))
                .select_related("user").order_by("-role", "user__username"))
    names = [m.user.get_full_name() or m.user.username for m in managers[:3]]
    return " or ".join(names) if names else "the team's owner"
