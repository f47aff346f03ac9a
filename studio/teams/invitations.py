"""Invitation links: a role and an expiry, good for one use."""

import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from studio.lib import clock
from studio.teams import audit
from studio.teams.members import role_name
from studio.teams.models import AuditEvent, Invitation, Membership, Role, Team

Action = AuditEvent.Action
EXPIRY_CHOICES = [(1, "1 day"), (7, "7 days"), (30, "30 days")]
DEFAULT_EXPIRY_DAYS = 7


def open_invitations() -> QuerySet[Invitation]:
    return Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True,
                                     expires_at__gt=clock.now())


def create(team: Team, actor, role: str, days: int) -> Invitation:
    if role == Role.OWNER:
        raise ValueError("Ownership is only ever transferred, never granted by a link.")
    invitation = Invitation.objects.create(
        team=team, role=role, token=secrets.token_urlsafe(32), created_by=actor,
        expires_at=clock.now() + timedelta(days=days))
    audit.record(team, actor, Action.INVITED,
                 f"Created an invitation link to join as {role_name(role)}, "
                 f"valid for {days} day{'s' if days != 1 else ''}",
                 invitation=invitation.pk, role=role)
    return invitation


def link(request: HttpRequest, invitation: Invitation) -> str:
    return request.build_absolute_uri(reverse("invite", args=[invitation.token]))


def closed_reason(invitation: Invitation) -> str:
    """Why the link no longer works, or "" while it does."""
    if invitation.accepted_at:
        return "This invitation has already been used. Each link works once: " \
               "ask the team's owner or an admin for a new one."
    if invitation.revoked_at:
        return "This invitation was revoked. Ask the team's owner or an admin for a new one."
    if invitation.expires_at <= clock.now():
        return (f"This invitation expired on {invitation.expires_at:%Y-%m-%d %H:%M} UTC. "
                "Ask the team's owner or an admin for a new one.")
    return ""


def revoke(invitation: Invitation, actor) -> bool:
    """False when it was no longer open (used, revoked or expired meanwhile)."""
    revoked = open_invitations().filter(pk=invitation.pk).update(revoked_at=clock.now())
    if revoked:
        audit.record(invitation.team, actor, Action.INVITATION_REVOKED,
                     f"Revoked an invitation link to join as {role_name(invitation.role)}",
                     invitation=invitation.pk, role=invitation.role)
    return bool(revoked)


@transaction.atomic
def accept(invitation: Invitation, user) -> Membership | None:
    """The new membership, or None when someone else used the link first."""
    claimed = open_invitations().filter(pk=invitation.pk).update(
        accepted_by=user, accepted_at=clock.now())
    if not claimed:
        return None
    membership = Membership.objects.create(team=invitation.team, user=user,
                                           role=invitation.role)
    inviter = invitation.created_by.username if invitation.created_by else "someone"
    audit.record(invitation.team, user, Action.MEMBER_JOINED,
                 f"{user.username} joined as {role_name(invitation.role)} through an "
                 f"invitation from {inviter}",
                 invitation=invitation.pk, role=invitation.role)
    return membership
