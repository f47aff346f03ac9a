"""API tokens: made, shown once, kept only as a digest, revoked; and what a token may
spend (its own monthly cap, under its member's)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from studio.api.models import ApiToken, Scope
from studio.credits.budget import month_start
from studio.generations.models import PENDING_STATUSES, Generation
from studio.lib import clock
from studio.teams import audit
from studio.teams.models import AuditEvent, Membership, Role, Team

TOKEN_PREFIX = "stk_"
LAST_USED_STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class Made:
    token: ApiToken
    secret: str  # the whole token, shown once


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create(team: Team, user, *, name: str, scopes: list[str], created_by=None,
           monthly_cap: int | None = None, service: bool = False) -> Made:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(team=team, user=user, created_by=created_by or user,
                                    name=name, prefix=raw[:12], digest=digest(raw),
                                    scopes=sorted(set(scopes)), monthly_cap=monthly_cap,
                                    service=service)
    return Made(token, raw)


def create_service(team: Team, *, name: str, scopes: list[str], created_by,
                   monthly_cap: int | None = None) -> Made:
    """A token of the team's own: it acts as a bot member made for it."""
    User = get_user_model()
    bot, _ = User.objects.get_or_create(username=f"bot-{team.pk}-{slug(name)}")
    bot.set_unusable_password()
    bot.save()
    role = Role.ADMIN if Scope.ADMIN in scopes else Role.MEMBER
    Membership.objects.update_or_create(team=team, user=bot, defaults={"role": role})
    return create(team, bot, name=name, scopes=scopes, created_by=created_by,
                  monthly_cap=monthly_cap, service=True)


def slug(name: str) -> str:
    cleaned = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    return cleaned[:40] or "bot"


def authenticate(raw: str) -> ApiToken | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (ApiToken.objects.select_related("team", "user")
             .filter(digest=digest(raw), revoked_at=None).first())
    if token is not None:  # a write at most once a minute, not on every request
        now = clock.now()
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at=None) | Q(last_used_at__lt=now - LAST_USED_STEP)).update(
            last_used_at=now)
    return token


def revoke(token: ApiToken, actor) -> None:
    if ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=clock.now()):
        audit.record(token.team, actor, AuditEvent.Action.API_TOKEN_REVOKED,
                     f"Revoked {token.user.username}'s API token “{token.name}”",
                     token=token.prefix, member=token.user.username)


def revoke_on_leaving(sender, membership: Membership, actor, **kwargs) -> None:
    """A member who leaves a team takes their tokens in it along: revoked, so that
    coming back gives none of them back (a service token goes with its bot)."""
    active = ApiToken.objects.for_team(membership.team_id).filter(
        user_id=membership.user_id, revoked_at=None)
    names = list(active.values_list("name", flat=True))
    if active.update(revoked_at=clock.now()):
        username = membership.user.username
        audit.record(membership.team, actor, AuditEvent.Action.API_TOKEN_REVOKED,
                     f"Revoked {username}'s API token{'s' if len(names) > 1 else ''} "
                     f"({', '.join(names)}): they left the team",
                     member=username, tokens=names)


def spent_this_month(token: ApiToken) -> int:
    """What the token's work cost this month: charged, or held while it is pending."""
    made = Generation.objects.filter(via_token=token.pk, created_at__gte=month_start())
    charged = made.aggregate(n=Coalesce(Sum("credits_used"), 0))["n"]
    held = made.filter(status__in=PENDING_STATUSES).aggregate(n=Coalesce(Sum("cost"), 0))["n"]
    return charged + held


def cap_refusal(token: ApiToken, cost: int) -> str:
    if token.monthly_cap is None:
        return ""
    spent = spent_this_month(token)
    if spent + cost <= token.monthly_cap:
        return ""
    return (f"The token “{token.name}” may spend {token.monthly_cap:,} credits a month; "
            f"it has used {spent:,} and this needs {cost:,}. Its owner or a team admin "
            "can raise the token's cap.")
